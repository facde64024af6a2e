/**
 * Collection of one Profile's parameters (TR-369 Annex A; TR-181 Profile.{i}.Parameter.{i}):
 * every Reference resolved and read through the same path resolver and batch reads as Get (one
 * binding call per object instance, readSubtree for object references), with the permissions of
 * the Controller that owns the Profile (TR-181 Profile.{i}.Controller: "defines the set of
 * permissions to use when generating the Bulk Data report"). What that Controller may not read
 * is left out, secured values read as "" unless it holds a secured role, exactly as in its Get.
 */
import { PERM_R, type InstanceAccess } from '../../datamodel/access/AccessView.js';
import type { ParsedPath } from '../../datamodel/path/Path.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { readSubtree, type ObjectValues } from '../../datamodel/tree/read-object.js';
import { PathResolver, expandTables } from '../../datamodel/tree/resolve-path.js';
import type { SchemaParam } from '../../datamodel/schema/types.js';
import { defaultValue } from '../../datamodel/value/default-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import { yieldToEventLoop } from '../request-limits.js';
import { MAX_REPORT_PARAMETERS } from './bulkdata-limits.js';
import type { CollectedReport, ReportEntry } from './report-contract.js';
import { reportName } from './report-names.js';

/** One Profile.{i}.Parameter.{i} row as configured. */
export interface ParameterRow {
  readonly name: string;
  readonly reference: string;
  readonly exclude: boolean;
}

/** What a collection found besides the report: references that resolve to nothing or fail. */
export interface CollectionNotes {
  /** References that could not be resolved (left out of the report), with why. */
  readonly failed: ReadonlyArray<{ reference: string; why: string }>;
  /** True when the expansion passed MAX_REPORT_PARAMETERS and the rest was left out. */
  readonly truncated: boolean;
}

/**
 * Reads the rows' parameters now. Rows with Exclude true remove what they match from the
 * report, whatever order the rows have (TR-181 Parameter.{i}.Exclude). A reference that matches
 * nothing instantiated adds nothing; one that fails to resolve is noted and skipped, so one bad
 * row never costs the whole report.
 */
export async function collectReport(
  model: DataModel,
  rows: readonly ParameterRow[],
  ctx: RequestContext,
  now: () => Date = () => new Date(),
): Promise<{ report: CollectedReport; notes: CollectionNotes }> {
  const collector = new Collector(model, ctx);
  const failed: Array<{ reference: string; why: string }> = [];
  const excluded = new Set<string>();
  const excludedObjects: string[] = [];
  const collectedAt = now();
  for (const row of rows.filter((r) => r.exclude && r.reference !== '')) {
    try {
      await collector.visit(
        parsePath(row.reference),
        (e) => {
          excluded.add(e.path);
        },
        (objectPath) => {
          excludedObjects.push(objectPath);
        },
      );
    } catch (e) {
      failed.push({ reference: row.reference, why: e instanceof Error ? e.message : String(e) });
    }
  }
  const entries: ReportEntry[] = [];
  const seen = new Set<string>();
  let truncated = false;
  for (const [i, row] of rows.filter((r) => !r.exclude && r.reference !== '').entries()) {
    if (truncated) break;
    // Like Get between requested paths: one Profile of many whole-tree rows must not hold up requests.
    if (i > 0) await yieldToEventLoop();
    try {
      const ref = parsePath(row.reference);
      await collector.visit(ref, (e) => {
        if (seen.has(e.path) || excluded.has(e.path) || excludedObjects.some((o) => e.path.startsWith(o))) return;
        if (entries.length >= MAX_REPORT_PARAMETERS) {
          truncated = true;
          return;
        }
        seen.add(e.path);
        entries.push({ name: reportName(ref, row.name, e.path), path: e.path, value: e.value, type: e.type });
      });
    } catch (e) {
      failed.push({ reference: row.reference, why: e instanceof Error ? e.message : String(e) });
    }
  }
  return { report: { collectedAt, entries }, notes: { failed, truncated } };
}

interface Found {
  path: string;
  value: Value;
  type: string;
}

/** Resolves references and reads objects once per collection (a parameter reference per object shares one read). */
class Collector {
  private readonly resolver: PathResolver;
  private readonly values = new Map<string, Promise<Record<string, Value>>>();
  private readonly secured: boolean;

  constructor(
    private readonly model: DataModel,
    private readonly ctx: RequestContext,
  ) {
    this.resolver = new PathResolver(model, ctx);
    this.secured = ctx.access?.secured ?? false;
  }

  /** Calls `found` for every readable parameter `ref` covers; `objectMatched` for each object path an object reference matched. */
  async visit(ref: ParsedPath, found: (f: Found) => void, objectMatched?: (objectPath: string) => void): Promise<void> {
    if (ref.kind !== 'parameter' && ref.kind !== 'object') return;
    const matches = await this.resolver.resolve(ref);
    if (ref.kind === 'parameter') {
      for (const m of matches) {
        const syntax = m.node.params.get(ref.leaf);
        if (!syntax) continue;
        const access = await this.accessOf(m);
        if (access && ((access.obj & PERM_R) === 0 || (access.param(ref.leaf) & PERM_R) === 0)) continue;
        const path = m.node.pathOf(m.keys);
        const values = await this.read(path, m);
        found({ path: `${path}${ref.leaf}`, value: this.shown(syntax, values[ref.leaf]), type: typeOf(syntax) });
      }
      return;
    }
    const objects: ObjectValues[] = [];
    for (const inst of await expandTables(this.model, matches, this.ctx)) {
      objectMatched?.(inst.node.pathOf(inst.keys));
      await readSubtree(this.model, inst, 0, this.ctx, objects);
    }
    for (const o of objects) {
      for (const [name, syntax] of o.inst.node.params) {
        if (o.access && (o.access.param(name) & PERM_R) === 0) continue;
        found({ path: `${o.path}${name}`, value: this.shown(syntax, o.values[name]), type: typeOf(syntax) });
      }
    }
  }

  private async accessOf(inst: ObjectInstance): Promise<InstanceAccess | undefined> {
    const a = this.ctx.access?.instance(inst);
    return a instanceof Promise ? await a : a;
  }

  private read(path: string, inst: ObjectInstance): Promise<Record<string, Value>> {
    let p = this.values.get(path);
    if (!p) {
      p = this.model.readValues(inst, this.ctx);
      this.values.set(path, p);
    }
    return p;
  }

  /** Hidden values always, secured ones unless the owner holds a secured role, read as "" (as in Get). */
  private shown(syntax: SchemaParam, v: Value | undefined): Value {
    if (syntax.hidden || (syntax.secured && !this.secured)) return '';
    return v ?? defaultValue(syntax);
  }
}

/** The TR-106 type a report states: list-valued parameters are strings whatever their items are. */
function typeOf(syntax: SchemaParam): string {
  return syntax.list ? 'string' : syntax.type;
}
