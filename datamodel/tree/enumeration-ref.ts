/**
 * TR-106 enumerationRef: a parameter whose allowed values are the comma-separated values of
 * another parameter (Device.LocalAgent.MTP.{i}.Protocol takes one of
 * Device.LocalAgent.SupportedProtocols, Device.MQTT.Client.{i}.ProtocolVersion one of
 * Device.MQTT.Capabilities.ProtocolVersionsSupported). The one check of such a value, used by the
 * factory-defaults file and by Set and Add, so neither a file nor a controller can configure
 * something the agent does not offer (an MTP with Protocol "Websocket" is simply never started).
 */
import type { Syntax } from '../schema/types.js';
import { ErrorCode, UspError } from '../UspError.js';
import type { Value } from '../value/Value.js';
import type { InstanceKeys, RequestContext } from './binding.js';
import type { DataModel } from './DataModel.js';
import type { ModelNode } from './ModelNode.js';

/**
 * Checks `value` of a parameter of the object at (`node`, `keys`) against its enumerationRef:
 * the value (each item, for a list) must be one of the target's values, or the nullValue. An
 * empty value is also allowed when the target lists nothing (there is nothing else to choose).
 * The target is read from the model, so it is what this agent really supports
 * (SupportedProtocols depends on --legacy-coap). Nothing is checked when the agent does not
 * serve the target, or when it lies inside a row not yet created (`keys` too short, on Add).
 * @throws UspError 7012 (Invalid Value) naming the target and the values it allows.
 */
export async function checkEnumerationRef(model: DataModel, node: ModelNode, keys: InstanceKeys, syntax: Syntax, value: Value, ctx: RequestContext): Promise<void> {
  const ref = syntax.enumerationRef;
  if (!ref) return;
  const target = locateEnumerationTarget(node, ref.targetParam);
  if (!target?.node.supported || !target.node.params.has(target.param) || keys.length < target.node.keyCount) return;
  const targetKeys = keys.slice(0, target.node.keyCount);
  const listed = (await model.readValues({ node: target.node, keys: targetKeys }, ctx))[target.param];
  if (listed === undefined) return;
  const allowed = String(listed)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const text = String(value);
  if (text === '' && allowed.length === 0) return;
  const items = syntax.list ? text.split(',').filter(Boolean) : [text];
  const bad = items.find((v) => v !== ref.nullValue && !allowed.includes(v));
  if (bad === undefined) return;
  const targetPath = `${target.node.pathOf(targetKeys)}${target.param}`;
  const choices = [...allowed, ...(ref.nullValue !== undefined ? [ref.nullValue] : [])].map((v) => JSON.stringify(v)).join(', ');
  throw new UspError(ErrorCode.InvalidValue, `${JSON.stringify(bad)} is not one of ${targetPath} (${choices}); use one of those (names are case-sensitive)`);
}

/**
 * Resolves a TR-106 reference path relative to the object `from` holds the parameter: each
 * leading "#" is one object up (a table row counts as one level), a leading "." starts at the
 * root object, "Device.…" is absolute, and a bare name is in `from` itself.
 */
export function locateEnumerationTarget(from: ModelNode, targetParam: string): { node: ModelNode; param: string } | undefined {
  let node: ModelNode | undefined = from;
  let rest = targetParam;
  const root = (): ModelNode => {
    let n = from;
    while (n.parent) n = n.parent;
    return n;
  };
  if (rest.startsWith('Device.')) {
    node = root();
    rest = rest.slice('Device.'.length);
  } else if (rest.startsWith('.')) {
    node = root();
    rest = rest.slice(1);
  } else {
    const ups = /^#*/.exec(rest)![0].length;
    for (let i = 0; i < ups && node; i++) node = node.parent;
    rest = rest.slice(ups).replace(/^\./, '');
  }
  const names = rest.split('.');
  const param = names.pop();
  for (const name of names) node = node?.supportedChild(name);
  return node && param ? { node, param } : undefined;
}
