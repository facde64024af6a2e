/**
 * The first sentence of each item's TR-181 description, as plain text, for
 * datamodel/schema/tr181-descriptions.json (read only by `usp-agent schema PATH`, never by the
 * running agent: the descriptions would cost a router memory for nothing).
 *
 * TR-181 descriptions are written in the BBF's markup (TR-106 Annex A "description" element):
 * `{{param|Name}}`, `{{object}}`, `{{enum|Value}}`, `{{bibref|RFC3986|Section 3}}`, ''italic'',
 * '''bold''', `#`/`*` list lines. Only the first sentence is kept, to keep the file small.
 */
import { supportedParentPath } from '../../datamodel/schema/Schema.js';
import type { Syntax } from '../../datamodel/schema/types.js';
import type { ObjectNode, Tree } from './expand.js';

/** What the self-referring templates (`{{param}}`, `{{units}}`, ...) stand for. */
export interface MarkupContext {
  /** The item's own name: parameter, command or event name, or object path. */
  name?: string;
  /** The object the item belongs to (the object itself for an object). */
  objectPath?: string;
  syntax?: Syntax;
  /** For a NumberOfEntries parameter: the table it counts. */
  countedTable?: string;
}

/** Longest first sentence kept; longer ones are cut at a word with "…". */
export const MAX_SENTENCE_CHARS = 300;

/** Templates that only add generated paragraphs or history, which a first sentence never needs. */
const DROPPED = new Set([
  'deprecated',
  'obsoleted',
  'deleted',
  'template',
  'keys',
  'nokeys',
  'noreference',
  'nolist',
  'noenum',
  'nopattern',
  'nounits',
  'hidden',
  'secured',
  'section',
  'maxval',
  'minval',
  'range',
  'issue',
  'showid',
  'hidden',
  'mount',
  'factory',
  'impldef',
  'paramdef',
  'inform',
  'notify',
]);

/** A name written relative to the current object ("#.Foo.", "##.Bar") without its hashes. */
const plainName = (arg: string): string => arg.replace(/^#+\.?/, '');

/**
 * Stands for the final dot of a rendered path ("Device.LocalAgent.") until the first sentence is
 * found: that dot, followed by a space, is not the end of a sentence.
 */
const PATH_DOT = '\u0001';

/** A rendered item name whose trailing dot cannot end a sentence. */
const asName = (s: string): string => s.replace(/\.$/, PATH_DOT);

/** One template, its arguments already rendered. */
function renderTemplate(name: string, args: string[], ctx: MarkupContext): string {
  const first = args[0]?.trim();
  if (DROPPED.has(name)) return '';
  switch (name) {
    case 'param':
    case 'command':
    case 'event':
      return asName(first ? plainName(first) : (ctx.name ?? ''));
    case 'object':
      return asName(first ? plainName(first) : (ctx.objectPath ?? ''));
    case 'enum':
    case 'pattern':
      return first ?? '';
    case 'bibref':
      return first ? `[${first}]` : '';
    case 'units':
      return first ?? ctx.syntax?.units ?? '';
    case 'datatype':
      return first && first !== 'expand' ? first : (ctx.syntax?.dataType ?? ctx.syntax?.type ?? '');
    // The BBF's tools expand {{list}} and {{reference}} to whole sentences ("Comma-separated list
    // of strings."); the bare one adds nothing the type row does not say, so it is left out.
    case 'list':
      return first ? `Comma-separated list, ${first.trim()}.` : '';
    case 'reference':
      return first ? `Path name of ${first.trim()}.` : '';
    case 'numentries':
      return ctx.countedTable ? `The number of entries in the ${asName(ctx.countedTable)} table.` : '';
    case 'empty':
      return 'an empty string';
    case 'true':
      return 'true';
    case 'false':
      return 'false';
    case 'null':
      return 'null';
    default:
      return first ?? name;
  }
}

/** Expands every `{{name|arg|...}}`, innermost first (arguments may hold templates). */
export function renderMarkup(text: string, ctx: MarkupContext = {}): string {
  let out = text;
  // `{i}` inside a name ({{param|Fault.{i}.Time}}) is text, not a template.
  const innermost = /\{\{((?:[^{}]|\{i\})*)\}\}/g;
  // Each pass removes one level of nesting; real descriptions nest at most twice.
  for (let pass = 0; pass < 8 && innermost.test(out); pass++) {
    innermost.lastIndex = 0;
    out = out.replace(innermost, (_m, body: string) => {
      const [name = '', ...args] = body.split('|');
      return renderTemplate(name.trim(), args, ctx);
    });
  }
  // MediaWiki-style emphasis and list markers carry no meaning in one plain line.
  return out.replace(/'''?/g, '').replace(/^[ \t]*[#*:]+[ \t]+/gm, '');
}

/** Words ending in a dot that do not end a sentence. */
const ABBREVIATIONS = /(?:^|\s|\()(?:e\.g|i\.e|etc|vs|cf|Sec|No|approx|max|min)\.$/i;

/** The first sentence of an already rendered paragraph, whitespace collapsed. */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = /[.!?](?=\s|$)/g;
  let sentence = flat;
  for (let m = end.exec(flat); m !== null; m = end.exec(flat)) {
    const upTo = flat.slice(0, m.index + 1);
    if (ABBREVIATIONS.test(upTo)) continue;
    sentence = upTo;
    break;
  }
  // A path at the very end of the sentence keeps one dot ("...the containing Device.").
  sentence = sentence.replaceAll(`${PATH_DOT}.`, '.').replaceAll(PATH_DOT, '.');
  if (sentence.length <= MAX_SENTENCE_CHARS) return sentence;
  const cut = sentence.slice(0, MAX_SENTENCE_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1))}…`;
}

/** The first sentence of a raw TR-181 description, or undefined when it says nothing. */
export function describe(raw: string | undefined, ctx: MarkupContext = {}): string | undefined {
  if (raw === undefined) return undefined;
  // The first paragraph that still has words once history and generated notes are dropped.
  for (const paragraph of renderMarkup(raw, ctx).split(/\n[ \t]*\n/)) {
    const s = firstSentence(paragraph);
    if (/\w/.test(s)) return s;
  }
  return undefined;
}

function argDescriptions(tree: Tree, prefix: string, out: Map<string, string>): void {
  for (const obj of tree.values()) {
    for (const p of obj.params.values()) {
      const d = describe(p.description, { name: p.name, objectPath: obj.path, ...(p.syntax && { syntax: p.syntax.syntax }) });
      if (d !== undefined) out.set(`${prefix}${obj.path}${p.name}`, d);
    }
  }
}

/** `counted` maps a NumberOfEntries parameter's path to the table it counts. */
function objectDescriptions(o: ObjectNode, counted: ReadonlyMap<string, string>, out: Map<string, string>): void {
  const d = describe(o.description, { name: o.path, objectPath: o.path });
  if (d !== undefined) out.set(o.path, d);
  for (const p of o.params.values()) {
    const table = counted.get(o.path + p.name);
    const pd = describe(p.description, {
      name: p.name,
      objectPath: o.path,
      ...(p.syntax && { syntax: p.syntax.syntax }),
      ...(table !== undefined && { countedTable: table }),
    });
    if (pd !== undefined) out.set(o.path + p.name, pd);
  }
  for (const c of o.commands.values()) {
    const cd = describe(c.description, { name: c.name, objectPath: o.path });
    if (cd !== undefined) out.set(o.path + c.name, cd);
    argDescriptions(c.input, `${o.path}${c.name}.Input.`, out);
    argDescriptions(c.output, `${o.path}${c.name}.Output.`, out);
  }
  for (const e of o.events.values()) {
    const ed = describe(e.description, { name: e.name, objectPath: o.path });
    if (ed !== undefined) out.set(o.path + e.name, ed);
    argDescriptions(e.args, `${o.path}${e.name}.`, out);
  }
}

/**
 * Path → first sentence, for every object, parameter, command, event and argument that has a
 * description. Argument paths are the command's path plus ".Input."/".Output." (an event's
 * path plus ".") and the argument's name, as the generator's messages write them.
 */
export function emitDescriptions(tree: Tree): Map<string, string> {
  const out = new Map<string, string>();
  const counted = new Map<string, string>();
  for (const t of tree.values()) {
    const parent = supportedParentPath(t.path);
    if (t.numEntriesParameter !== undefined && parent !== undefined) counted.set(parent + t.numEntriesParameter, t.path);
  }
  for (const o of tree.values()) objectDescriptions(o, counted, out);
  return out;
}

/** One entry per line (sorted as the model is, document order), so a regeneration diffs by item. */
export function serializeDescriptions(model: string, descriptions: ReadonlyMap<string, string>): string {
  const lines = [...descriptions].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{"model":${JSON.stringify(model)},"descriptions":{\n${lines.join(',\n')}\n}}\n`;
}
