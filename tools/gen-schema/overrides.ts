/**
 * Hand-written corrections to the generated schema, for defaults TR-181 2.19.1 states only in
 * prose (or leaves to the implementation) where the machine-readable XML has none. Each entry
 * says why; the generator applies them after emitting and stops if one no longer matches
 * anything, so a newer XML that fixes the defect makes the override visibly obsolete.
 */
import type { SchemaFile } from '../../datamodel/schema/types.js';

export interface DefaultOverride {
  /** Supported object path ("Device.LocalAgent.ControllerTrust."). */
  object: string;
  /** A parameter name, or "Command().Argument" for a command input argument. */
  item: string;
  default: string;
  why: string;
}

export const DEFAULT_OVERRIDES: readonly DefaultOverride[] = [
  {
    object: 'Device.LocalAgent.ControllerTrust.',
    item: 'RequestChallenge().RequestExpiration',
    default: '900',
    why: 'the description says "The default is 900 seconds"; the syntax has no <default>',
  },
  {
    object: 'Device.LocalAgent.Controller.{i}.TransferCompletePolicy.',
    item: 'ResultTypeFilter',
    default: 'Both',
    why: 'no default in TR-181; without one the value would read as the first enumeration, "Success", ' + 'silently hiding failed transfers from every controller that never set the policy',
  },
];

/** Applies `overrides` to `schema` in place; returns one message per override that matched nothing. */
export function applyDefaultOverrides(schema: SchemaFile, overrides: readonly DefaultOverride[] = DEFAULT_OVERRIDES): string[] {
  const problems: string[] = [];
  for (const o of overrides) {
    const obj = schema.objects.find((x) => x.path === o.object);
    const [command, arg] = o.item.includes('().') ? o.item.split('().') : [undefined, o.item];
    const target = !obj ? undefined : command === undefined ? obj.params.find((p) => p.name === arg) : obj.commands.find((c) => c.name === `${command}()`)?.input.find((a) => a.name === arg);
    if (!target) {
      problems.push(`override ${o.object}${o.item}: no such item`);
      continue;
    }
    if (target.default !== undefined) {
      problems.push(`override ${o.object}${o.item}: the XML now has a default (${target.default})`);
      continue;
    }
    target.default = o.default;
    if (command === undefined) target.defaultType = 'object';
  }
  return problems;
}
