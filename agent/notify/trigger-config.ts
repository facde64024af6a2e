/**
 * Subscription.{i}.TriggerAction Config / NotifyAndConfig (TR-181 2.16+, TR-369 "TriggerAction
 * Parameter"; TP-469 1.93/1.94): when the subscription fires, the agent applies its
 * TriggerConfigSettings, a list of `<Parameter Path>=<Value>` entries whose values are written
 * as the parameter's type (strings in double quotes).
 *
 * The settings are applied as one Set by the agent with the rights of the subscription's
 * Recipient: a controller cannot reach through a subscription what it may not write itself.
 * All entries or none (one transaction); a failure is logged, since nobody waits for an answer.
 */
import { PERM_W, type AccessView } from '../../datamodel/access/AccessView.js';
import type { ParsedPath } from '../../datamodel/path/Path.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { checkEnumerationRefs, validateSettings } from '../handlers/param-settings.js';
import { supportedNodeOf } from './subscription-rules.js';

export type TriggerAction = 'Notify' | 'Config' | 'NotifyAndConfig';

export interface TriggerSetting {
  /** The parameter path, parsed once. */
  path: ParsedPath & { kind: 'parameter' };
  /** The value as TR-106 text, quotes removed. */
  value: string;
}

/**
 * Parses TriggerConfigSettings. Commas inside a double-quoted value belong to the value.
 * Throws 7012 for an entry that is not `Path=Value` or whose path is not a parameter path.
 */
export function parseTriggerConfigSettings(text: string): TriggerSetting[] {
  const out: TriggerSetting[] = [];
  for (const entry of splitOutsideQuotes(text)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UspError(ErrorCode.InvalidValue, `TriggerConfigSettings entry "${entry}" is not <Parameter Path>=<Value>`);
    const pathText = entry.slice(0, eq).trim();
    let path: ParsedPath;
    try {
      path = parsePath(pathText);
    } catch (e) {
      if (!(e instanceof UspError)) throw e;
      throw new UspError(ErrorCode.InvalidValue, `TriggerConfigSettings entry "${entry}": ${e.message}`);
    }
    if (path.kind !== 'parameter') throw new UspError(ErrorCode.InvalidValue, `TriggerConfigSettings entry "${entry}" does not name a parameter`);
    let value = entry.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out.push({ path: path as TriggerSetting['path'], value });
  }
  return out;
}

/**
 * Checks TriggerConfigSettings when it is written: every entry parses and names a writable
 * parameter of the supported model (7026 otherwise; 7012 for a read-only one).
 */
export function checkTriggerConfigSettings(model: DataModel, text: string): void {
  for (const s of parseTriggerConfigSettings(text)) {
    const found = supportedNodeOf(model, s.path.segments, `TriggerConfigSettings path ${s.path.text}`);
    if (!found) continue;
    if (found.open) throw new UspError(ErrorCode.InvalidPath, `TriggerConfigSettings path ${s.path.text} names a table, not an instance`);
    const syntax = found.node.params.get(s.path.leaf);
    if (!syntax) throw new UspError(ErrorCode.InvalidPath, `TriggerConfigSettings path ${s.path.text} is not in the supported data model`);
    if (syntax.access === 'readOnly' || found.node.derivedCounts.has(s.path.leaf) || found.node.fixedParams.has(s.path.leaf)) {
      throw new UspError(ErrorCode.InvalidValue, `TriggerConfigSettings path ${s.path.text} is not writable`);
    }
  }
}

/**
 * Applies `settings` with `access` (the Recipient's rights). Every path may match several
 * instances (wildcards, search expressions); each gets the value. The changes carry
 * `triggeredBy`, so they do not fire further configurations: two subscriptions that disagree
 * about a value they both watch would otherwise rewrite it forever.
 */
export async function applyTriggerConfig(model: DataModel, subscriptionPath: string, settings: readonly TriggerSetting[], access: AccessView): Promise<number> {
  let applied = 0;
  await Transaction.run(model, { triggeredBy: subscriptionPath }, async (tx) => {
    for (const s of settings) {
      const objectPart: ParsedPath = { ...s.path, kind: 'object', leaf: undefined };
      for (const m of await new PathResolver(model, {}).resolve(objectPart)) {
        if (m.table) throw new UspError(ErrorCode.InvalidPath, `${s.path.text} names a table, not an instance`);
        const inst = { node: m.node, keys: m.keys };
        const rights = await access.instance(inst);
        const current = await model.readValues(inst, {});
        const setting = [{ param: s.path.leaf, value: s.value, required: true }];
        const v = validateSettings(
          m.node,
          setting,
          'set',
          (_rel, name) => current[name],
          (_rel, name) => (rights.param(name) & PERM_W) !== 0,
        );
        // A value a controller could not Set (outside its enumerationRef list) is not written by its trigger either.
        await checkEnumerationRefs(model, {}, m.keys, v, setting);
        if (v.requiredFailed) {
          const err = v.paramErrors[0];
          throw new UspError(err?.code ?? ErrorCode.InvalidValue, `${m.node.pathOf(m.keys)}${s.path.leaf}: ${err?.message ?? 'refused'}`);
        }
        const values = v.byObject.get('')?.values;
        if (values) {
          await tx.set(inst, values);
          applied++;
        }
      }
    }
  });
  return applied;
}

/** "a=1,b=\"x,y\"" → ["a=1", "b=\"x,y\""], empty entries dropped. */
function splitOutsideQuotes(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}
