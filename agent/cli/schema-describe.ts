/**
 * `usp-agent schema PATH`: what the committed TR-181 schema says about a path, offline. For a
 * parameter its type, access, list and enumeration values, range, units and default; for an
 * object its parameters, commands, events and child objects; for a command or event its
 * arguments; and the first sentence of its TR-181 description, from the separate generated
 * tr181-descriptions.json, read only here.
 */
import { Schema } from '../../datamodel/schema/Schema.js';
import type { SchemaArgument, Syntax } from '../../datamodel/schema/types.js';
import { alignRows } from './format-response.js';
import { descriptionText, readDescriptions, type Descriptions } from './schema-descriptions.js';
import { lookupSchemaItem, type SchemaItem } from './schema-paths.js';

/** One line summing up a syntax: "unsignedInt [1:4094] (seconds)", "string list, one of A|B". */
export function syntaxSummary(s: Syntax): string {
  const parts = [`${s.list ? 'list of ' : ''}${s.dataType ? `${s.dataType} (${s.type})` : s.type}`];
  if (s.ranges?.length) parts.push(s.ranges.map((r) => `[${r.min ?? ''}:${r.max ?? ''}${r.step ? ` step ${r.step}` : ''}]`).join(' '));
  if (s.units) parts.push(`in ${s.units}`);
  return parts.join(' ');
}

/** Rows describing one syntax (shared by parameters and arguments). */
function syntaxRows(s: Syntax): Array<[string, string]> {
  const rows: Array<[string, string]> = [['type', s.dataType ? `${s.type} (${s.dataType})` : s.type]];
  if (s.list) rows.push(['list', `comma-separated${s.list.minItems !== undefined ? `, at least ${s.list.minItems}` : ''}${s.list.maxItems !== undefined ? `, at most ${s.list.maxItems} items` : ''}`]);
  if (s.enumerations?.length) rows.push(['values', s.enumerations.join(', ')]);
  if (s.enumerationRef)
    rows.push(['values', `those listed by ${s.enumerationRef.targetParam}${s.enumerationRef.nullValue !== undefined ? ` (or ${JSON.stringify(s.enumerationRef.nullValue)})` : ''}`]);
  if (s.ranges?.length) rows.push(['range', s.ranges.map((r) => `${r.min ?? '-∞'}..${r.max ?? '∞'}${r.step ? ` step ${r.step}` : ''}`).join(', ')]);
  if (s.sizes?.length) rows.push(['size', s.sizes.map((z) => `${z.min ?? 0}..${z.max ?? '∞'}`).join(', ')]);
  if (s.patterns?.length) rows.push(['pattern', s.patterns.join(' | ')]);
  if (s.pathRef) rows.push(['reference', `${s.pathRef.refType ?? ''} path to ${s.pathRef.targetParent ?? 'any'} (${s.pathRef.targetType ?? 'any'})`.trim()]);
  rows.push(['units', s.units ?? 'none']);
  rows.push(['default', s.default !== undefined ? `${JSON.stringify(s.default)}${s.defaultType ? ` (${s.defaultType})` : ''}` : 'none']);
  if (s.secured || s.hidden) rows.push(['secured', 'read back as "" unless the controller holds a SecuredRole']);
  return rows;
}

const argRows = (title: string, list: readonly SchemaArgument[]): Array<[string, string]> =>
  list.length === 0
    ? [[title, 'none']]
    : list.map((a, i) => [i === 0 ? title : '', `${a.name}  ${syntaxSummary(a)}${a.mandatory ? ' (mandatory)' : ''}${a.enumerations?.length ? ` one of ${a.enumerations.join('|')}` : ''}`]);

/** The readable description of a schema item; `descriptions` gives its first sentence. */
export function describeItem(schema: Schema, item: SchemaItem, descriptions?: Descriptions): string {
  const head = `${item.path}  (${item.kind})`;
  let rows: Array<[string, string]>;
  switch (item.kind) {
    case 'parameter':
      rows = [['access', item.param.access], ...syntaxRows(item.param)];
      if (item.param.status) rows.push(['status', item.param.status]);
      break;
    case 'command':
      rows = [['mode', item.command.async ? 'asynchronous' : 'synchronous'], ...argRows('input', item.command.input), ...argRows('output', item.command.output)];
      break;
    case 'event':
      rows = argRows('arguments', item.event.args);
      break;
    case 'object': {
      const o = item.object;
      rows = [
        ['access', o.access],
        ['table', o.multi ? `yes${o.minEntries !== undefined ? `, ${o.minEntries}..${o.maxEntries ?? '∞'} rows` : ''}` : 'no'],
      ];
      if (o.uniqueKeys?.length) rows.push(['unique keys', o.uniqueKeys.map((k) => k.params.join('+')).join(', ')]);
      rows.push(
        ...(o.params.length ? o.params.map((p, i): [string, string] => [i === 0 ? 'parameters' : '', `${p.name}  ${syntaxSummary(p)}  ${p.access}`]) : [['parameters', 'none'] as [string, string]]),
      );
      if (o.commands.length) rows.push(...o.commands.map((c, i): [string, string] => [i === 0 ? 'commands' : '', `${c.name}  ${c.async ? 'async' : 'sync'}`]));
      if (o.events.length) rows.push(...o.events.map((e, i): [string, string] => [i === 0 ? 'events' : '', e.name]));
      const children = schema.children(o.path);
      if (children.length) rows.push(...children.map((c, i): [string, string] => [i === 0 ? 'objects' : '', c.path.slice(o.path.length)]));
      if (o.status) rows.push(['status', o.status]);
      break;
    }
  }
  rows.push(['description', descriptionText(descriptions, item.path)]);
  return `${head}\n${alignRows(rows.map(([k, v]) => [`  ${k}`, v]))}`;
}

/**
 * Looks each path up in the committed schema and prints it (JSON: the schema entry itself, and
 * its `description` when there is one).
 */
export function runSchema(args: { paths: string[]; json: boolean }): void {
  const schema = Schema.load();
  const items = args.paths.map((p) => lookupSchemaItem(schema, p));
  const descriptions = readDescriptions();
  if (args.json) {
    const plain = items.map((i) => ({
      kind: i.kind,
      path: i.path,
      ...(descriptions?.has(i.path) && { description: descriptions.get(i.path) }),
      ...(i.kind === 'object' ? { object: i.object } : i.kind === 'parameter' ? { param: i.param } : i.kind === 'command' ? { command: i.command } : { event: i.event }),
    }));
    process.stdout.write(`${JSON.stringify(plain.length === 1 ? plain[0] : plain, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${items.map((i) => describeItem(schema, i, descriptions)).join('\n\n')}\n`);
}
