/**
 * Minimal element tree over fast-xml-parser, for the BBF DM-schema files.
 *
 * The generator only needs element names, attributes and child order, so the parser output
 * (preserveOrder form, which keeps document order — the model depends on it) is reduced to
 * plain `{ tag, attrs, children }` nodes. Descriptions, text and comments are dropped at parse
 * time: they are most of the 4.9 MB and the schema file carries no description text.
 */
import { XMLParser } from 'fast-xml-parser';

export interface XmlElement {
  /** Local name; namespace prefixes (dm:, dmr:) are stripped. */
  tag: string;
  /** Attributes with prefixes stripped (dmr:previousParameter becomes previousParameter). */
  attrs: Readonly<Record<string, string>>;
  children: XmlElement[];
}

/** Element names whose content never affects the generated schema. */
const SKIPPED = new Set(['description', 'template', 'bibliography', '#text', '#comment']);

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
    if (tag === undefined || SKIPPED.has(tag)) continue;
    const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawAttrs)) {
      if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
      attrs[k] = String(v);
    }
    out.push({ tag, attrs, children: convert((node[tag] ?? []) as RawNode[]) });
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
