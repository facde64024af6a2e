/**
 * A controller's effective permissions (TR-181 ControllerTrust:1, Role.{i}.Permission.{i}): per role, the
 * enabled Permission with the highest Order whose Targets cover an item decides that item's
 * rights; the roles are then combined with OR, character by character.
 *
 * Fast on the hot path: the rules that can touch a supported node are worked out once per node
 * (a NodeSummary, built on first use and kept until the roles change). When no such rule picks
 * particular instances (instance numbers or search expressions in its Targets) the node's rights
 * are one precomputed InstanceAccess shared by all its instances, so a whole-tree Get pays a map
 * lookup per object and per parameter. Only nodes below such a target are evaluated per
 * instance, memoised for the duration of one request.
 */
import { FULL_ACCESS, NO_ACCESS, PERM_N, PERM_R, PERM_W, PERM_X, type AccessView, type InstanceAccess } from '../../datamodel/access/AccessView.js';
import type { Awaitable, InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode, ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { UspError } from '../../datamodel/UspError.js';
import { relate, type CompiledTarget, type Condition, type Relation } from './Target.js';

/** One enabled Permission row, its four strings as bits. */
export interface PermissionRule {
  order: number;
  param: number;
  obj: number;
  inst: number;
  commandEvent: number;
  targets: readonly CompiledTarget[];
}

/** One enabled Role: its enabled Permission rows, highest Order first. */
export interface CompiledRole {
  instance: number;
  rules: readonly PermissionRule[];
}

/** Every right each kind of target can carry (x means nothing on Param/Obj/InstantiatedObj, w nothing on CommandEvent). */
const RWN = PERM_R | PERM_W | PERM_N;
const RXN = PERM_R | PERM_X | PERM_N;

/**
 * Whether a role's rows grant every right on every item: a rule on the whole tree ("Device.")
 * and no rule anywhere that grants less. Such a role is served by the constant full view, so
 * the hot path stays a constant lookup (e.g. the built-in Role.1).
 */
export function grantsEverything(role: CompiledRole): boolean {
  const full = (r: PermissionRule): boolean => (r.param & RWN) === RWN && (r.obj & RWN) === RWN && (r.inst & RWN) === RWN && (r.commandEvent & RXN) === RXN;
  const wholeTree = (r: PermissionRule): boolean => r.targets.some((t) => t.path.kind === 'object' && t.path.segments.length === 1);
  return role.rules.every(full) && role.rules.some(wholeTree);
}

/** A rule as it applies to one node: its bits, and what of the node it covers under which conditions. */
interface NodeRule extends Relation {
  readonly rule: PermissionRule;
}

class MapAccess implements InstanceAccess {
  constructor(
    readonly obj: number,
    readonly inst: number,
    private readonly params: ReadonlyMap<string, number>,
    private readonly commands: ReadonlyMap<string, number>,
    private readonly events: ReadonlyMap<string, number>,
  ) {}

  param(name: string): number {
    return this.params.get(name) ?? 0;
  }
  command(name: string): number {
    return this.commands.get(name) ?? 0;
  }
  event(name: string): number {
    return this.events.get(name) ?? 0;
  }
}

/** The rules of each role that can touch one node, highest Order first. */
class NodeSummary {
  /** Set when no rule depends on instance numbers: the rights of every instance. */
  readonly fixed?: InstanceAccess;

  constructor(
    readonly node: ModelNode,
    readonly roles: readonly (readonly NodeRule[])[],
  ) {
    if (roles.every((rs) => rs.every((r) => r.conds.length === 0))) this.fixed = this.decide(() => true);
  }

  /** The rights given which rules' conditions hold (`holds(role, index)`). */
  decide(holds: (role: number, index: number) => boolean): InstanceAccess {
    const node = this.node;
    let obj = 0;
    let inst = 0;
    for (let ri = 0; ri < this.roles.length; ri++) {
      const r = this.first(ri, holds, undefined, '');
      if (r) {
        obj |= r.rule.obj;
        inst |= r.rule.inst;
      }
    }
    // No Obj r: the object's names are hidden, so its values are too (R-GET.1 note).
    const paramMask = (obj & PERM_R) !== 0 ? ~0 : ~PERM_R;
    const params = new Map<string, number>();
    for (const name of node.params.keys()) params.set(name, this.itemBits(holds, 'param', name) & paramMask);
    const commands = new Map<string, number>();
    for (const name of node.commands.keys()) commands.set(name, this.itemBits(holds, 'command', name));
    const events = new Map<string, number>();
    for (const name of node.events.keys()) events.set(name, this.itemBits(holds, 'event', name));
    return new MapAccess(obj, inst, params, commands, events);
  }

  private itemBits(holds: (role: number, index: number) => boolean, kind: 'param' | 'command' | 'event', name: string): number {
    let bits = 0;
    for (let ri = 0; ri < this.roles.length; ri++) {
      const r = this.first(ri, holds, kind, name);
      if (r) bits |= kind === 'param' ? r.rule.param : r.rule.commandEvent;
    }
    return bits;
  }

  /** The decisive rule of role `ri` for an item: the first (highest Order) that covers it and holds. */
  private first(ri: number, holds: (role: number, index: number) => boolean, kind: 'param' | 'command' | 'event' | undefined, name: string): NodeRule | undefined {
    const rules = this.roles[ri];
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      if (r.leaf && (r.leaf.kind !== kind || r.leaf.name !== name)) continue;
      if (holds(ri, i)) return r;
    }
    return undefined;
  }
}

export class ControllerPermissions {
  private get summaries(): Map<ModelNode, NodeSummary> {
    return (this.summariesOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private summariesOf?: Map<ModelNode, NodeSummary>;
  private readonly full: boolean;

  /**
   * `secured`: one of the roles is listed in ControllerTrust.SecuredRoles; `banned`: one is
   * ControllerTrust.BannedRole (the roles then grant nothing, and the controller is not served);
   * `readOnly`: what no role may change (the built-in role's rows), applied to every view.
   */
  constructor(
    private readonly model: DataModel,
    readonly roles: readonly CompiledRole[],
    readonly secured: boolean,
    readonly banned = false,
    private readonly readOnly?: (view: AccessView) => AccessView,
  ) {
    this.full = roles.some(grantsEverything);
  }

  /** The view for one request (search conditions are evaluated at most once per request). */
  view(): AccessView {
    const view = this.full ? (this.secured ? FULL_SECURED : FULL) : this.roles.length === 0 ? NONE : new RequestAccess(this);
    return this.readOnly && view !== NONE ? this.readOnly(view) : view;
  }

  summary(node: ModelNode): NodeSummary {
    let s = this.summaries.get(node);
    if (!s) {
      s = this.build(node);
      this.summaries.set(node, s);
    }
    return s;
  }

  private build(node: ModelNode): NodeSummary {
    const chain: ModelNode[] = [];
    for (let n: ModelNode | undefined = node; n; n = n.parent) chain.unshift(n);
    const perRole: NodeRule[][] = [];
    for (const role of this.roles) {
      const rules: NodeRule[] = [];
      // Rules are highest Order first; an unconditional rule covering the whole node decides
      // every item of it, so nothing after it matters here.
      outer: for (const rule of role.rules) {
        for (const t of rule.targets) {
          const rel = relate(t, chain);
          if (!rel) continue;
          rules.push({ ...rel, rule });
          if (!rel.leaf && rel.conds.length === 0) break outer;
        }
      }
      perRole.push(rules);
    }
    return new NodeSummary(node, perRole);
  }

  /** Whether `c` holds for an instance with `keys`, of which only the first `known` are given. */
  async conditionHolds(c: Condition, keys: InstanceKeys, known: number): Promise<boolean> {
    if (c.level >= known) return false;
    if (c.kind === 'instance') return keys[c.level] === c.n;
    try {
      // Targets are the agent's own configuration: evaluated with the agent's rights.
      return await new PathResolver(this.model, {}).matchesSearch({ node: c.node, keys: keys.slice(0, c.level + 1) }, c.terms, c.path);
    } catch (e) {
      if (e instanceof UspError) return false;
      throw e;
    }
  }
}

class FixedView implements AccessView {
  constructor(
    private readonly access: InstanceAccess,
    readonly secured: boolean,
    private readonly visible: boolean,
  ) {}
  instance(): InstanceAccess {
    return this.access;
  }
  supported(): InstanceAccess {
    return this.access;
  }
  visibleInstances(_node: ModelNode, _parentKeys: InstanceKeys, list: number[]): number[] {
    return this.visible ? list : [];
  }
}

const FULL = new FixedView(FULL_ACCESS, false, true);
const FULL_SECURED = new FixedView(FULL_ACCESS, true, true);
const NONE = new FixedView(NO_ACCESS, false, false);

/** Rights for one request; per-instance results of nodes with conditional rules are memoised. */
class RequestAccess implements AccessView {
  private readonly searches = new Map<string, Promise<boolean>>();
  private readonly byInstance = new Map<ModelNode, Map<string, Promise<InstanceAccess>>>();

  constructor(private readonly perms: ControllerPermissions) {}

  get secured(): boolean {
    return this.perms.secured;
  }

  instance(inst: ObjectInstance): Awaitable<InstanceAccess> {
    const s = this.perms.summary(inst.node);
    return s.fixed ?? this.memo(s, inst.keys, inst.keys.length);
  }

  supported(node: ModelNode, keys: InstanceKeys): Awaitable<InstanceAccess> {
    const s = this.perms.summary(node);
    if (s.fixed) return s.fixed;
    const known = Math.min(keys.length, node.keyCount);
    return this.memo(s, keys.slice(0, known), known);
  }

  visibleInstances(node: ModelNode, parentKeys: InstanceKeys, list: number[]): Awaitable<number[]> {
    const s = this.perms.summary(node);
    if (s.fixed) return (s.fixed.inst & PERM_R) !== 0 ? list : [];
    return (async () => {
      const out: number[] = [];
      for (const n of list) {
        const keys = [...parentKeys, n];
        if (((await this.memo(s, keys, keys.length)).inst & PERM_R) !== 0) out.push(n);
      }
      return out;
    })();
  }

  private memo(s: NodeSummary, keys: InstanceKeys, known: number): Promise<InstanceAccess> {
    let m = this.byInstance.get(s.node);
    if (!m) {
      m = new Map();
      this.byInstance.set(s.node, m);
    }
    const key = known === s.node.keyCount ? keys.join('.') : `${keys.join('.')}?`;
    let p = m.get(key);
    if (!p) {
      p = this.evaluate(s, keys, known);
      m.set(key, p);
    }
    return p;
  }

  private async evaluate(s: NodeSummary, keys: InstanceKeys, known: number): Promise<InstanceAccess> {
    const holds: boolean[][] = [];
    for (const rules of s.roles) {
      const row: boolean[] = [];
      for (const r of rules) row.push(await this.allHold(r.conds, keys, known));
      holds.push(row);
    }
    return s.decide((ri, i) => holds[ri][i]);
  }

  private async allHold(conds: readonly Condition[], keys: InstanceKeys, known: number): Promise<boolean> {
    for (const c of conds) {
      if (c.kind === 'search' && c.level < known) {
        const key = `${c.id}@${keys.slice(0, c.level + 1).join('.')}`;
        let p = this.searches.get(key);
        if (!p) {
          p = this.perms.conditionHolds(c, keys, known);
          this.searches.set(key, p);
        }
        if (!(await p)) return false;
      } else if (!(await this.perms.conditionHolds(c, keys, known))) {
        return false;
      }
    }
    return true;
  }
}
