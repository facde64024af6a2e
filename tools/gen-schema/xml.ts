/**
 * Minimal element tree over fast-xml-parser, for the BBF DM-schema files.
 *
 * The generator only needs element names, attributes and child order, so the parser output
 * (preserveOrder form, which keeps document order — the model depends on it) is reduced to
 * plain `{ tag, attrs, children }` nodes. Text and comments are dropped at parse time; a
 * `<description>` is not kept as a child but as its parent's `description` (its text and
 * `action`), because only tr181-descriptions.json uses it and the model builder merges it.
 */
import { XMLParser } from 'fast-xml-parser';

export interface XmlElement {
  /** Local name; namespace prefixes (dm:, dmr:) are stripped. */
  tag: string;
  /** Attributes with prefixes stripped (dmr:previousParameter becomes previousParameter). */
  attrs: Readonly<Record<string, string>>;
  children: XmlElement[];
  /** The element's own `<description>`: raw text (TR-181 markup kept) and its action attribute. */
  description?: { text: string; action?: string };
}

/** Element names whose content never affects the generated files. */
const SKIPPED = new Set(['template', 'bibliography', '#text', '#comment']);

/** The text of a `<description>` node (its `#text` children joined). */
function textOf(nodes: RawNode[]): string {
  return nodes.map((n) => (typeof n['#text'] === 'string' ? n['#text'] : '')).join('');
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  // tr-106-types.xml declares entities (&octet; &dot; ...) in an internal DTD for its patterns.
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type RawNode = Record<string, unknown>;

function convert(nodes: RawNode[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === undefined || SKIPPED.has(tag) || tag === 'description') continue;
    const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawAttrs)) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
      attrs[k] = String(v);
    }
    const raw = (node[tag] ?? []) as RawNode[];
    const el: XmlElement = { tag, attrs, children: convert(raw) };
    const desc = raw.find((n) => 'description' in n);
    if (desc !== undefined) {
      const action = ((desc[':@'] ?? {}) as Record<string, unknown>).action;
      el.description = { text: textOf((desc.description ?? []) as RawNode[]), ...(typeof action === 'string' && { action }) };
    }
    out.push(el);
  }
  return out;
}

/** Parses one DM-schema file and returns its `document` element. */
export function parseDocumentXml(text: string, fileName: string): XmlElement {
  const top = convert(parser.parse(text) as RawNode[]);
  const doc = top.find((e) => e.tag === 'document');
  if (doc === undefined) throw new Error(`${fileName}: no dm:document element`);
  return doc;
}

/** Child elements with the given tag, in document order. */
export function childrenNamed(el: XmlElement, tag: string): XmlElement[] {
  return el.children.filter((c) => c.tag === tag);
}
