/**
 * Generates datamodel/schema/tr181-schema.json (and tr181-descriptions.json, the first sentence
 * of each item's description, for `usp-agent schema PATH` only) from the modular BBF TR-181 2.19.1 USP XML.
 *
 *   node dist/tools/gen-schema.js [xmlDir]
 *
 * xmlDir defaults to vendor/bbf/tr181, the BBF's unmodified XML kept in the repository (provenance
 * in vendor/bbf/README.md). The rules (imports, virtual components, base= modifications,
 * deletions, component expansion, dataType chains) are described in docs/schema.md and in the
 * modules under gen-schema/. The output is committed; the schema unit test regenerates it and
 * fails on any drift.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SchemaFile } from '../datamodel/schema/types.js';
import { checkSchema } from './gen-schema/check.js';
import { emitDescriptions, serializeDescriptions } from './gen-schema/descriptions.js';
import { DocumentSet } from './gen-schema/documents.js';
import { emitSchema, serializeSchema } from './gen-schema/emit.js';
import { ModelBuilder } from './gen-schema/expand.js';
import { ProfileResolver, serializeProfiles } from './gen-schema/profiles.js';
import type { ProfilesFile } from '../datamodel/schema/profile-types.js';
import { applyDefaultOverrides } from './gen-schema/overrides.js';
import { SyntaxResolver } from './gen-schema/syntax.js';

export { serializeDescriptions, serializeProfiles, serializeSchema };

/** The USP root document of TR-181 2.19.1; everything else is reached through its imports. */
export const TOP_FILE = 'tr-181-2-19-1-usp.xml';

export interface GenerateReport {
  schema: SchemaFile;
  /** Path → first sentence of its description (tr181-descriptions.json, read only by `usp-agent schema`). */
  descriptions: Map<string, string>;
  /** The model's profiles, flattened (tr181-profiles.json, read only when asked: agent/profiles/). */
  profiles: ProfilesFile;
  /** Modifications of items that do not exist, dangling references and similar oddities. */
  warnings: string[];
  /** dataTypes used without being imported, found by global name lookup. */
  fallbacks: string[];
  /** Files loaded, in import order. */
  files: string[];
}

/** Builds the schema and says how: the warnings are printed by the CLI. */
export function generateSchemaWithReport(xmlDir: string, topFile: string = TOP_FILE): GenerateReport {
  const docs = new DocumentSet(xmlDir, topFile);
  const builder = new ModelBuilder(docs, new SyntaxResolver(docs));
  const { name, tree } = builder.build();
  const schema = emitSchema(name, tree);
  const overrideProblems = applyDefaultOverrides(schema);
  if (overrideProblems.length > 0) throw new Error(overrideProblems.join('; '));
  const profiles = new ProfileResolver(builder.profiles, schema);
  const profilesFile = profiles.resolve();
  return {
    schema,
    descriptions: emitDescriptions(tree),
    profiles: profilesFile,
    warnings: [...builder.warnings, ...checkSchema(schema), ...profiles.warnings],
    fallbacks: [...docs.fallbacks],
    files: docs.loaded.map((d) => d.file),
  };
}

/** Builds the flattened TR-181 schema from the modular XML in `xmlDir`. */
export function generateSchema(xmlDir: string): SchemaFile {
  return generateSchemaWithReport(xmlDir).schema;
}

/** The directory holding package.json above this module (works from tools/ and dist/tools/). */
export function findRepoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The vendored BBF TR-181 2.19.1 USP XML (vendor/bbf/tr181), read by `npm run gen:schema` and the drift test. */
export function defaultXmlDir(repoRoot: string = findRepoRoot()): string {
  return path.join(repoRoot, 'vendor', 'bbf', 'tr181');
}

export function schemaOutputPath(repoRoot: string = findRepoRoot()): string {
  return path.join(repoRoot, 'datamodel', 'schema', 'tr181-schema.json');
}

/** Beside the schema, read only when asked (`usp-agent profiles`, the X_<VENDOR>_Profiles parameter), never at start. */
export function profilesOutputPath(repoRoot: string = findRepoRoot()): string {
  return path.join(repoRoot, 'datamodel', 'schema', 'tr181-profiles.json');
}

/** Beside the schema, never loaded by the agent: only `usp-agent schema PATH` reads it. */
export function descriptionsOutputPath(repoRoot: string = findRepoRoot()): string {
  return path.join(repoRoot, 'datamodel', 'schema', 'tr181-descriptions.json');
}

function main(): void {
  const repoRoot = findRepoRoot();
  const xmlDir = path.resolve(process.argv[2] ?? defaultXmlDir(repoRoot));
  const started = performance.now();
  const report = generateSchemaWithReport(xmlDir);
  const text = serializeSchema(report.schema);
  const out = schemaOutputPath(repoRoot);
  fs.writeFileSync(out, text);
  const descText = serializeDescriptions(report.schema.model, report.descriptions);
  const descOut = descriptionsOutputPath(repoRoot);
  fs.writeFileSync(descOut, descText);
  const profText = serializeProfiles(report.profiles);
  const profOut = profilesOutputPath(repoRoot);
  fs.writeFileSync(profOut, profText);

  const objs = report.schema.objects;
  const count = (f: (o: SchemaFile['objects'][number]) => number): number => objs.reduce((n, o) => n + f(o), 0);
  console.log(`${report.files.length} files from ${xmlDir}`);
  console.log(
    `${report.schema.model}: ${objs.length} objects (${objs.filter((o) => o.multi).length} multi-instance), ` +
      `${count((o) => o.params.length)} parameters, ${count((o) => o.commands.length)} commands, ` +
      `${count((o) => o.events.length)} events`,
  );
  for (const f of report.fallbacks) console.log(`fallback: ${f}`);
  for (const w of report.warnings) console.warn(`warning: ${w}`);
  console.log(
    `wrote ${path.relative(process.cwd(), out)} (${text.length} bytes) and ${path.relative(process.cwd(), descOut)} ` +
      `(${report.descriptions.size} descriptions, ${Buffer.byteLength(descText)} bytes) in ${Math.round(performance.now() - started)} ms`,
  );
  const { skipped } = report.profiles;
  console.log(
    `wrote ${path.relative(process.cwd(), profOut)} (${report.profiles.profiles.length} profiles, ${profText.length} bytes); left out ` +
      `${skipped.deleted.length} deleted, ${skipped.obsoleted.length} obsoleted (${skipped.obsoleted.join(', ')}), ` +
      `${skipped.internal.length} internal (${skipped.internal.join(', ')}, folded into the public profiles that extend them)`,
  );
}

/** True when this module is the script node was started with (not when imported by a test). */
function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined || !fs.existsSync(script)) return false;
  return import.meta.url === pathToFileURL(fs.realpathSync(script)).href;
}

if (isMain()) main();
