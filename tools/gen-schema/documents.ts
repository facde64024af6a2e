/**
 * Loading the modular BBF XML and resolving names across imports (docs/schema.md, "Finding names").
 *
 * Each document has its own namespace of components, dataTypes and models: local definitions
 * plus the names its `<import>` elements bind (`<component name="A" ref="B"/>` binds A to B
 * in the imported document, and bindings chain). Two rules are not plain lexical scoping:
 * virtual components are re-bound from the top-level document (that is how USP gets
 * `_AliasUSP` wherever a component file says `<component ref="Alias"/>`), and a few files
 * use dataTypes they never imported, which fall back to a global lookup by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseDocumentXml, type XmlElement } from './xml.js';

export type DefinitionKind = 'component' | 'dataType' | 'model';

/** A definition found by name resolution, together with the document it lives in. */
export interface Resolved {
  el: XmlElement;
  doc: DmDocument;
}

interface ImportBinding {
  file: string;
  kind: DefinitionKind;
  /** Name of the definition in the imported document. */
  ref: string;
}

export interface DmDocument {
  file: string;
  root: XmlElement;
  /** Document-level definitions by kind and name. */
  local: Map<string, XmlElement>;
  /** Import bindings by kind and local name. */
  imports: Map<string, ImportBinding>;
}

const key = (kind: DefinitionKind, name: string): string => `${kind}:${name}`;

const BBF_URN = 'urn:broadband-forum-org:';
/** tr-181-2-19-wifi, tr-181-2-16-0-root: document number, issue, amendment, corrigendum?, name. */
const VERSIONED_SPEC = /^(tr-\d+-\d+-\d+)(?:-(\d+))?-(.+)$/;

/**
 * The set of file names the top document may use. The `.dep` file next to it lists the exact
 * resolved set the BBF tooling used; without it, every .xml file in the directory is a candidate.
 */
function availableFiles(xmlDir: string, topFile: string): string[] {
  const depFile = path.join(xmlDir, topFile.replace(/\.xml$/, '.dep'));
  if (fs.existsSync(depFile)) {
    // Skip the makefile comment lines; the $(call DEPENDENCIES,name,paths) line has the list.
    const text = fs
      .readFileSync(depFile, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    const names = [...text.matchAll(/[^\s,()]+\.xml/g)].map((m) => path.basename(m[0]));
    if (names.length > 0) return [...new Set(names)];
  }
  return fs.readdirSync(xmlDir).filter((f) => f.endsWith('.xml'));
}

export class DocumentSet {
  readonly top: DmDocument;
  /** Documents in load order (depth-first import order), used for the global dataType fallback. */
  readonly loaded: DmDocument[] = [];
  /** Names resolved through the global fallback, reported by the generator. */
  readonly fallbacks = new Set<string>();
  private readonly byFile = new Map<string, DmDocument>();
  private readonly files: string[];

  constructor(
    private readonly xmlDir: string,
    topFile: string,
  ) {
    this.files = availableFiles(xmlDir, topFile);
    this.top = this.load(topFile);
  }

  /**
   * Maps an import to a file name. The `file` attribute carries no version
   * (tr-181-2-wifi.xml); the version is in the spec: tr-181-2-19-wifi means the highest
   * corrigendum of 2.19 (tr-181-2-19-0-wifi.xml), tr-181-2-16-0-root names one exactly.
   * Unversioned specs (tr-106, tr-069) use the file name as it is.
   */
  resolveImportFile(file: string, spec: string | undefined): string {
    let name = (spec ?? '').startsWith(BBF_URN) ? spec!.slice(BBF_URN.length) : '';
    name = name.replace(/\.xml$/, ''); // the firewall import's spec ends in ".xml"
    const m = VERSIONED_SPEC.exec(name);
    if (m === null) {
      if (!this.files.includes(file)) throw new Error(`import ${file} (${spec}): file not available`);
      return file;
    }
    const [, prefix, corrigendum, rest] = m;
    if (corrigendum !== undefined) {
      const exact = `${prefix}-${corrigendum}-${rest}.xml`;
      if (!this.files.includes(exact)) throw new Error(`import ${spec}: ${exact} not available`);
      return exact;
    }
    const candidate = new RegExp(`^${prefix}-(\\d+)-${rest.replace(/[.-]/g, '\\$&')}\\.xml$`);
    let best: { file: string; corr: number } | undefined;
    for (const f of this.files) {
      const c = candidate.exec(f);
      if (c !== null && (best === undefined || Number(c[1]) > best.corr)) best = { file: f, corr: Number(c[1]) };
    }
    if (best === undefined) throw new Error(`import ${spec}: no ${prefix}-<corrigendum>-${rest}.xml available`);
    return best.file;
  }

  /** Loads a document and, depth-first, everything it imports. */
  private load(file: string): DmDocument {
    const cached = this.byFile.get(file);
    if (cached !== undefined) return cached;
    const root = parseDocumentXml(fs.readFileSync(path.join(this.xmlDir, file), 'utf8'), file);
    const doc: DmDocument = { file, root, local: new Map(), imports: new Map() };
    this.byFile.set(file, doc);
    this.loaded.push(doc);
    const importedFiles: string[] = [];
    for (const el of root.children) {
      if (el.tag === 'import') {
        const target = this.resolveImportFile(el.attrs.file ?? '', el.attrs.spec);
        importedFiles.push(target);
        for (const b of el.children) {
          if (b.tag !== 'component' && b.tag !== 'dataType' && b.tag !== 'model') continue;
          const name = b.attrs.name;
          if (name === undefined) continue;
          doc.imports.set(key(b.tag, name), { file: target, kind: b.tag, ref: b.attrs.ref ?? name });
        }
      } else if ((el.tag === 'component' || el.tag === 'dataType' || el.tag === 'model') && el.attrs.name) {
        doc.local.set(key(el.tag, el.attrs.name), el);
      }
    }
    for (const f of importedFiles) this.load(f);
    return doc;
  }

  /** Lexical lookup: local definition first, then the import binding chain. */
  private lookup(doc: DmDocument, kind: DefinitionKind, name: string, depth = 0): Resolved | undefined {
    if (depth > 32) throw new Error(`${doc.file}: import chain too deep resolving ${kind} ${name}`);
    const el = doc.local.get(key(kind, name));
    if (el !== undefined) return { el, doc };
    const binding = doc.imports.get(key(kind, name));
    if (binding === undefined) return undefined;
    return this.lookup(this.load(binding.file), kind, binding.ref, depth + 1);
  }

  /** Resolves `<component ref=name>` as seen from `doc`, re-binding virtual components. */
  resolveComponent(doc: DmDocument, name: string): Resolved {
    const found = this.lookup(doc, 'component', name);
    if (found === undefined) throw new Error(`${doc.file}: unknown component ${name}`);
    if (found.el.attrs.virtual === 'true') {
      // A placeholder: the top-level document decides what it means (tr-106 "Alias").
      const bound = this.lookup(this.top, 'component', found.el.attrs.name ?? name);
      if (bound !== undefined && bound.el.attrs.virtual !== 'true') return bound;
    }
    return found;
  }

  /** Resolves a dataType name as seen from `doc`, falling back to any loaded document. */
  resolveDataType(doc: DmDocument, name: string): Resolved {
    const found = this.lookup(doc, 'dataType', name);
    if (found !== undefined) return found;
    for (const d of this.loaded) {
      const el = d.local.get(key('dataType', name));
      if (el !== undefined) {
        this.fallbacks.add(`${doc.file}: dataType ${name} from ${d.file}`);
        return { el, doc: d };
      }
    }
    throw new Error(`${doc.file}: unknown dataType ${name}`);
  }

  resolveModel(doc: DmDocument, name: string): Resolved {
    const found = this.lookup(doc, 'model', name);
    if (found === undefined) throw new Error(`${doc.file}: unknown model ${name}`);
    return found;
  }

  /**
   * The public name of a dataType definition: names with a leading underscore are internal
   * (`_AliasUSP`), so report the name the top-level document binds to the same definition
   * (`Alias`) when there is one.
   */
  publicDataTypeName(resolved: Resolved, written: string): string {
    if (!written.startsWith('_')) return written;
    for (const [k, b] of this.top.imports) {
      if (b.kind !== 'dataType') continue;
      const name = k.slice('dataType:'.length);
      if (name.startsWith('_')) continue;
      if (this.lookup(this.top, 'dataType', name)?.el === resolved.el) return name;
    }
    return written;
  }
}
