/**
 * ControllerTrust access control (TR-181 ControllerTrust:1; TR-369 R-SEC.1, "Role Based Access
 * Control (RBAC)"): turns a controller's roles (AssignedRole ∪ InheritedRole) into its
 * ControllerPermissions, cached per role set and dropped whenever a Controller or ControllerTrust
 * row changes (the change feed), or when the owner says the model changed behind the feed's back
 * (factory defaults, state load).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { AccessView } from '../../datamodel/access/AccessView.js';
import { BUILTIN_ROLE } from './builtin-roles.js';
import { ControllerPermissions } from './ControllerPermissions.js';
import { loadTrust, ROLE_PATH, roleInstances, TRUST_PATH, type TrustTables } from './load-trust.js';
import { ReadOnlyRolesView, roleSubtree } from './read-only-roles.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';

const CONTROLLER_PATH = 'Device.LocalAgent.Controller.{i}.';

/**
 * What every AccessControl over one supported tree shares (a fleet's gateways: issue 14): the
 * nodes whose changes drop the cache, and the view that keeps the built-in role read-only.
 */
interface TreeAccess {
  watched: ReadonlySet<ModelNode>;
  /** Takes w away on the built-in role's rows in every controller's view. */
  readOnly?: (view: AccessView) => AccessView;
}

/** By the tree's root node. */
const treeAccessOf = new WeakMap<ModelNode, TreeAccess>();

function treeAccess(model: DataModel): TreeAccess {
  let known = treeAccessOf.get(model.root);
  if (known) return known;
  const watched = new Set<ModelNode>();
  const role = model.node(ROLE_PATH);
  let readOnly: TreeAccess['readOnly'];
  if (role) {
    const nodes = roleSubtree(role);
    const builtin = new Set([BUILTIN_ROLE]);
    readOnly = (view) => new ReadOnlyRolesView(view, nodes, builtin);
  }
  const controller = model.node(CONTROLLER_PATH);
  if (controller) watched.add(controller);
  const trust = model.node(TRUST_PATH);
  const addTree = (n: ModelNode): void => {
    watched.add(n);
    for (const c of n.children.values()) addTree(c);
  };
  if (trust) addTree(trust);
  treeAccessOf.set(model.root, (known = { watched, readOnly }));
  return known;
}

export class AccessControl implements ChangeObserver {
  private epoch = 0;
  private trust?: Promise<TrustTables>;
  /** By the roles value as stored (e.g. "Device.LocalAgent.ControllerTrust.Role.2"). */
  private readonly byRoles = new Map<string, ControllerPermissions>();
  private readonly tree: TreeAccess;

  constructor(private readonly model: DataModel) {
    this.tree = treeAccess(model);
    model.changes.observe(this);
  }

  /** The change feed's observer method (ChangeFeed.observe: no closure per gateway). */
  modelChanged(c: Change): void {
    if (this.tree.watched.has(c.inst.node)) this.invalidate();
  }

  /** Forget everything computed so far. */
  invalidate(): void {
    this.epoch++;
    this.trust = undefined;
    this.byRoles.clear();
  }

  /** Device.LocalAgent.ControllerTrust.UntrustedRole, for controllers the agent does not know (TP-469 2.9). */
  async untrustedRole(): Promise<string> {
    return (await this.tables()).untrustedRole;
  }

  /**
   * The permissions of a controller with these roles: `roles` is a comma-separated list of Role
   * references (AssignedRole ∪ InheritedRole, see unionRoles). Roles that include
   * ControllerTrust.BannedRole grant nothing and are marked `banned`: the agent then takes no
   * message from the controller and sends it none (TR-181 BannedRole "SHOULD refuse"), whatever
   * other role it holds, assigned or inherited from a Credential.
   */
  async permissionsFor(roles: string): Promise<ControllerPermissions> {
    const cached = this.byRoles.get(roles);
    if (cached) return cached;
    return this.compile(roles);
  }

  /** permissionsFor(roles) when already computed (no async hop), else undefined. */
  cachedPermissions(roles: string): ControllerPermissions | undefined {
    return this.byRoles.get(roles);
  }

  private async compile(roles: string): Promise<ControllerPermissions> {
    const epoch = this.epoch;
    const tables = await this.tables();
    const compiled = [];
    let secured = false;
    const instances = await roleInstances(this.model, roles);
    const banned = tables.bannedRole !== undefined && instances.includes(tables.bannedRole);
    for (const n of banned ? [] : instances) {
      const role = tables.roles.get(n);
      if (!role) continue;
      compiled.push(role);
      if (tables.securedRoles.has(n)) secured = true;
    }
    const perms = new ControllerPermissions(this.model, compiled, secured, banned, this.tree.readOnly);
    // A change while this was being computed: answer this request with it, but do not keep it.
    if (epoch === this.epoch) this.byRoles.set(roles, perms);
    return perms;
  }

  private tables(): Promise<TrustTables> {
    if (!this.trust) {
      const epoch = this.epoch;
      const p = loadTrust(this.model);
      this.trust = p;
      p.catch(() => {
        if (this.epoch === epoch && this.trust === p) this.trust = undefined;
      });
    }
    return this.trust;
  }
}

/**
 * A controller's roles: AssignedRole ∪ InheritedRole (TR-181 Controller.{i}; TR-369 R-SEC.1a), as one
 * Role reference list. With nothing inherited it is AssignedRole unchanged, so the permissions
 * cache keeps one entry per stored value.
 */
export function unionRoles(assigned: string, inherited: string): string {
  if (inherited === '') return assigned;
  if (assigned === '') return inherited;
  const seen = new Set(assigned.split(',').map((r) => r.trim()));
  const extra = inherited
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '' && !seen.has(r));
  return extra.length === 0 ? assigned : `${assigned},${extra.join(',')}`;
}
