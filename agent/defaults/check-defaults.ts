/**
 * Checks of the factory defaults that need the model with the defaults already applied (inside
 * the not yet committed transaction): values that must come from a list another parameter holds
 * (TR-106 enumerationRef, e.g. Device.LocalAgent.MTP.{i}.Protocol from SupportedProtocols), and
 * read-only parameters the agent would silently ignore. Either starts an agent that is not what
 * its operator wrote (an MTP with Protocol "Websocket" is simply never started), so each stops
 * the start naming the path.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { SchemaParam } from '../../datamodel/schema/types.js';
import type { Value } from '../../datamodel/value/Value.js';

/** One entry of the defaults file, located and parsed. */
export interface DefaultsEntry { path: string; node: ModelNode; keys: number[]; param: string; syntax: SchemaParam; value: Value }

/** A problem with one entry: `why` says what is wrong and what to write instead. */
export interface EntryProblem { path: string; why: string }

/**
 * A read-only parameter is taken from the defaults only where the agent keeps it as its own
 * configuration (Device.LocalAgent.EndpointID, Device.UnixDomainSockets.UnixDomainSocket.{i}.Path
 * and Mode: TR-181 makes them read-only for controllers, the device sets them). Anywhere else the
 * device provides the value (DeviceInfo.SoftwareVersion, LocalAgent.SupportedProtocols, UpTime),
 * and the entry would be ignored: it reads back different from what the file says.
 */
export async function readOnlyIgnored(model: DataModel, entries: readonly DefaultsEntry[]): Promise<EntryProblem | undefined> {
  for (const e of entries) {
    if (e.syntax.access !== 'readOnly') continue;
    const now = (await model.readValues({ node: e.node, keys: e.keys }, {}))[e.param];
    if (now !== e.value) {
      return { path: e.path, why: 'read-only: the device provides this value, the factory defaults cannot set it; remove it from the file' };
    }
  }
  return undefined;
}

/**
 * TR-106 enumerationRef: the value (each item, for a list) must be one of the comma-separated
 * values of the target parameter, or its nullValue. The target is read from the model, so it is
 * what this agent really supports (SupportedProtocols depends on --legacy-coap).
 */
export async function outsideEnumerationRef(model: DataModel, entries: readonly DefaultsEntry[]): Promise<EntryProblem | undefined> {
  for (const e of entries) {
    const ref = e.syntax.enumerationRef;
    if (!ref) continue;
    const target = locateTarget(e.node, ref.targetParam);
    if (!target?.node.supported) continue; // the agent does not serve the list: nothing to check against
    const keys = e.keys.slice(0, target.node.keyCount);
    const listed = (await model.readValues({ node: target.node, keys }, {}))[target.param];
    if (listed === undefined) continue;
    const allowed = String(listed).split(',').map((s) => s.trim()).filter(Boolean);
    const text = String(e.value);
    const items = e.syntax.list ? text.split(',').filter(Boolean) : [text];
    const bad = items.find((v) => v !== ref.nullValue && !allowed.includes(v));
    if (bad !== undefined) {
      const targetPath = `${target.node.pathOf(keys)}${target.param}`;
      const choices = [...allowed, ...(ref.nullValue !== undefined ? [ref.nullValue] : [])].map((v) => JSON.stringify(v)).join(', ');
      return { path: e.path, why: `${JSON.stringify(bad)} is not one of ${targetPath} (${choices}); use one of those (names are case-sensitive)` };
    }
  }
  return undefined;
}

/**
 * Resolves a TR-106 reference such as "#.SupportedProtocols" (each "#" one object up from the
 * parameter's object; a table row counts as one level) or an absolute "Device.X.Y".
 */
function locateTarget(from: ModelNode, targetParam: string): { node: ModelNode; param: string } | undefined {
  let node: ModelNode | undefined = from;
  let rest = targetParam;
  if (rest.startsWith('Device.')) {
    while (node.parent) node = node.parent;
    rest = rest.slice('Device.'.length);
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
