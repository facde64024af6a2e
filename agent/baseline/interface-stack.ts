/**
 * Device.InterfaceStack.{i}. (TR-181 Baseline:4; TR-181 "Interface layering"): one row per
 * (HigherLayer, LowerLayer) pair, derived from the LowerLayers of every interface object the
 * platform serves (Ethernet, Wi-Fi, cellular, bridge ports, PPP, IP, ...). Nothing is stored:
 * the table always agrees with the LowerLayers a controller can read, whichever binding (a
 * platform or a plugin) serves them.
 *
 * A pair keeps its instance number while it exists; a number is never given to another pair
 * while the agent runs (TR-369 instance numbers are not reused). One derivation serves every
 * list/get of a request: it is kept for CACHE_MS, and concurrent callers share one pass.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { ModelNode, ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import type { Value } from '../../datamodel/value/Value.js';

export const INTERFACE_STACK_PATH = 'Device.InterfaceStack.{i}.';

/** How long one derivation answers list and get calls (a whole-tree Get reads it many times). */
const CACHE_MS = 1000;
/** Bound on rows (a CPE has tens of interfaces; a broken LowerLayers list must not grow this without end). */
export const MAX_INTERFACE_STACK_ROWS = 4096;

interface StackRow {
  higher: string;
  lower: string;
  higherAlias: string;
  lowerAlias: string;
}

/** "Device.IP.Interface.1." and "Device.IP.Interface.1" name the same row. */
const bare = (ref: string): string => (ref.endsWith('.') ? ref.slice(0, -1) : ref);

/** Every served interface object with a LowerLayers parameter, in schema order. */
function layeredNodes(model: DataModel): ModelNode[] {
  const out: ModelNode[] = [];
  for (const n of model.supportedNodes()) if (model.bindingOf(n) && n.params.has('LowerLayers')) out.push(n);
  return out;
}

export function registerInterfaceStack(model: DataModel): void {
  model.register(INTERFACE_STACK_PATH, new InterfaceStack(model));
}

/**
 * The table's binding and what it keeps between derivations: a class, so a fleet's gateways
 * share its methods; the instance numbers are made at the first derivation (issue 14).
 */
class InterfaceStack implements ObjectBinding {
  private numbersOf?: InstanceMap;
  private present?: Set<string>;
  private cache?: { at: number; rows: Map<number, StackRow> };
  private pending?: Promise<Map<number, StackRow>>;

  constructor(private readonly model: DataModel) {}

  private get numbers(): InstanceMap {
    return (this.numbersOf ??= new InstanceMap());
  }

  async list(): Promise<number[]> {
    return [...(await this.current()).keys()].sort((a, b) => a - b);
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const row = (await this.current()).get(keys[0]!);
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.InterfaceStack.${keys[0]}.`);
    return { Alias: `cpe-stack-${keys[0]}`, HigherLayer: row.higher, LowerLayer: row.lower, HigherAlias: row.higherAlias, LowerAlias: row.lowerAlias };
  }

  private current(): Promise<Map<number, StackRow>> {
    const cache = this.cache;
    if (cache && Date.now() - cache.at < CACHE_MS) return Promise.resolve(cache.rows);
    this.pending ??= this.derive()
      .then((rows) => {
        this.cache = { at: Date.now(), rows };
        return rows;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async derive(): Promise<Map<number, StackRow>> {
    // The agent's own view: the table describes the device, and a controller's access to
    // InterfaceStack itself is checked by the handlers as for any object.
    const ctx = {};
    const resolver = new PathResolver(this.model, ctx);
    const pairs: Array<{ higher: string; lower: string; higherAlias: string }> = [];
    const aliasOf = new Map<string, string>();
    for (const node of layeredNodes(this.model)) {
      const matches = await resolver.resolve(parsePath(node.supportedPath.replaceAll('{i}', '*'))).catch(() => []);
      for (const m of matches) {
        const inst: ObjectInstance = { node: m.node, keys: m.keys };
        let values: Record<string, Value>;
        try {
          values = await this.model.readValues(inst, ctx);
        } catch {
          continue;
        } // a row that vanished meanwhile
        const higher = bare(node.pathOf(m.keys));
        const higherAlias = typeof values.Alias === 'string' ? values.Alias : '';
        aliasOf.set(higher, higherAlias);
        const lowers = typeof values.LowerLayers === 'string' ? values.LowerLayers.split(',') : [];
        for (const l of lowers) {
          const lower = bare(l.trim());
          if (lower !== '') pairs.push({ higher, lower, higherAlias });
        }
      }
    }
    const rows = new Map<number, StackRow>();
    const seen = new Set<string>();
    for (const p of pairs) {
      const key = `${p.higher}|${p.lower}`;
      if (seen.has(key)) continue;
      if (rows.size >= MAX_INTERFACE_STACK_ROWS) break;
      seen.add(key);
      const n = this.numbers.numberOf(key);
      rows.set(n, { higher: p.higher, lower: p.lower, higherAlias: p.higherAlias, lowerAlias: aliasOf.get(p.lower) ?? (await lowerAlias(resolver, this.model, p.lower)) });
    }
    // A pair that went away keeps its number retired: if it comes back it is a new row.
    for (const key of this.present ?? []) if (!seen.has(key)) this.numbers.retire(key);
    this.present = seen;
    return rows;
  }
}

/** Alias of a lower layer that has no LowerLayers of its own (e.g. a Wi-Fi radio); '' if none. */
async function lowerAlias(resolver: PathResolver, model: DataModel, ref: string): Promise<string> {
  try {
    const [m] = await resolver.resolve(parsePath(`${ref}.`));
    if (!m || m.table || !m.node.params.has('Alias')) return '';
    const v = (await model.readValues({ node: m.node, keys: m.keys }, {})).Alias;
    return typeof v === 'string' ? v : '';
  } catch {
    return '';
  }
}
