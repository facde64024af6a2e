/**
 * Reads Device.LocalAgent.ControllerTrust (TR-181 ControllerTrust:1) out of the data model: the
 * Role and Permission rows, SecuredRoles and UntrustedRole. Rows from the factory-defaults file
 * and rows a controller wrote are the same stored rows and are read the same way.
 *
 * Every role, the built-in Role.1 included (builtin-roles.ts), grants exactly what its enabled
 * Permission rows say.
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { UspError } from '../../datamodel/UspError.js';
import type { CompiledRole, PermissionRule } from './ControllerPermissions.js';
import { parsePermissionString } from './permission-string.js';
import { compileTargets } from './Target.js';

export const TRUST_PATH = 'Device.LocalAgent.ControllerTrust.';
export const ROLE_PATH = 'Device.LocalAgent.ControllerTrust.Role.{i}.';
export const PERMISSION_PATH = 'Device.LocalAgent.ControllerTrust.Role.{i}.Permission.{i}.';

export interface TrustTables {
  /** Enabled roles by instance number. */
  roles: Map<number, CompiledRole>;
  /** Instance numbers listed in SecuredRoles. */
  securedRoles: Set<number>;
  /** UntrustedRole as stored (a list of Role references). */
  untrustedRole: string;
  /** Instance number of the role BannedRole names, if it names an existing one. */
  bannedRole?: number;
}

export async function loadTrust(model: DataModel): Promise<TrustTables> {
  const out: TrustTables = { roles: new Map(), securedRoles: new Set(), untrustedRole: '' };
  const trust = model.node(TRUST_PATH);
  if (trust && model.bindingOf(trust)) {
    const v = await model.readValues({ node: trust, keys: [] }, {});
    out.untrustedRole = String(v.UntrustedRole ?? '');
    out.bannedRole = (await roleInstances(model, String(v.BannedRole ?? '')))[0];
    for (const n of await roleInstances(model, String(v.SecuredRoles ?? ''))) out.securedRoles.add(n);
  }
  const roleNode = model.node(ROLE_PATH);
  const permNode = model.node(PERMISSION_PATH);
  if (!roleNode || !model.bindingOf(roleNode)) return out;
  for (const r of await model.listInstances(roleNode, [], {})) {
    const v = await model.readValues({ node: roleNode, keys: [r] }, {});
    if (v.Enable !== true) continue;
    out.roles.set(r, { instance: r, rules: permNode ? await loadRules(model, permNode, r) : [] });
  }
  return out;
}

/** Enabled Permission rows of one role, highest Order first. */
async function loadRules(model: DataModel, permNode: ModelNode, role: number): Promise<PermissionRule[]> {
  const rules: PermissionRule[] = [];
  for (const p of await model.listInstances(permNode, [role], {})) {
    const v = await model.readValues({ node: permNode, keys: [role, p] }, {});
    if (v.Enable !== true) continue;
    rules.push({
      order: Number(v.Order ?? 0),
      param: parsePermissionString(String(v.Param ?? '')),
      obj: parsePermissionString(String(v.Obj ?? '')),
      inst: parsePermissionString(String(v.InstantiatedObj ?? '')),
      commandEvent: parsePermissionString(String(v.CommandEvent ?? '')),
      targets: compileTargets(model, String(v.Targets ?? '')),
    });
  }
  // Order is a unique key of the table; the sort is stable for rows the store let through anyway.
  return rules.sort((a, b) => b.order - a.order);
}

const ROLE_REF = /^Device\.LocalAgent\.ControllerTrust\.Role\.(\d+)\.?$/;

/** A list of Role references (AssignedRole, SecuredRoles, ...) → instance numbers of existing rows. */
export async function roleInstances(model: DataModel, refs: string): Promise<number[]> {
  const out: number[] = [];
  for (const ref of refs
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = ROLE_REF.exec(ref);
    if (m) {
      out.push(Number(m[1]));
      continue;
    }
    // Key-based references ("Role.[Name=="x"]") as the factory-defaults file may give them.
    try {
      for (const x of await new PathResolver(model, {}).resolve(parsePath(ref.endsWith('.') ? ref : `${ref}.`))) {
        if (!x.table && x.node.supportedPath === ROLE_PATH) out.push(x.keys[0]);
      }
    } catch (e) {
      if (!(e instanceof UspError)) throw e;
    }
  }
  return [...new Set(out)];
}
