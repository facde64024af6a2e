/**
 * The role the agent ships (TR-181 ControllerTrust.Role.{i}; TR-369 "Role Definition": an Agent
 * may inform Controllers of pre-defined Roles it does not let them modify). Role.1 "Full Access"
 * is an ordinary Role row with one Permission row, readable by any controller that may read
 * ControllerTrust, and it grants exactly what that row says: everything.
 *
 * Its rows are the lowest layer of the factory defaults: the defaults file may add Permission
 * rows to Role.1 or change its values (the integrator's policy), and FactoryReset() restores
 * both. Controllers may not change it (see read-only-roles.ts), so the controllers the
 * defaults assign to it cannot lock themselves or anyone else out by editing it.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { applyDefaults, type DefaultsFile } from '../defaults/apply-defaults.js';
import { PERMISSION_PATH, ROLE_PATH } from './load-trust.js';

/** Instance number of the built-in role, Device.LocalAgent.ControllerTrust.Role.1. */
export const BUILTIN_ROLE = 1;

const ROLE = `Device.LocalAgent.ControllerTrust.Role.${BUILTIN_ROLE}.`;

/** Role.1's rows as factory-defaults entries. */
export const BUILTIN_ROLE_DEFAULTS: Readonly<DefaultsFile> = {
  [`${ROLE}Name`]: 'Full Access',
  [`${ROLE}Enable`]: true,
  [`${ROLE}Permission.1.Enable`]: true,
  [`${ROLE}Permission.1.Order`]: 1,
  [`${ROLE}Permission.1.Targets`]: 'Device.',
  // Every right each kind of target has: x grants nothing on parameters and objects, w nothing
  // on commands and events (TR-181 Permission.{i}.Param/Obj/InstantiatedObj/CommandEvent).
  [`${ROLE}Permission.1.Param`]: 'rw-n',
  [`${ROLE}Permission.1.Obj`]: 'rw-n',
  [`${ROLE}Permission.1.InstantiatedObj`]: 'rw-n',
  [`${ROLE}Permission.1.CommandEvent`]: 'r-xn',
};

/** The factory defaults to apply: the built-in role underneath, the defaults file on top. */
export function withBuiltinRoles(defaults: DefaultsFile): DefaultsFile {
  return { ...BUILTIN_ROLE_DEFAULTS, ...defaults };
}

/**
 * Saved state from before the built-in role had rows of its own (Role.1 missing, or without any
 * Permission row, then meant full access by its number alone): puts the shipped rows back, so
 * an upgrade does not lock out the controllers assigned to it. Failure is logged, not fatal:
 * the agent still serves what the saved roles allow.
 */
export async function restoreBuiltinRoles(model: DataModel, log: Logger): Promise<void> {
  const roleNode = model.node(ROLE_PATH);
  const permNode = model.node(PERMISSION_PATH);
  if (!roleNode || !permNode || !model.bindingOf(roleNode) || !model.bindingOf(permNode)) return;
  const hasRole = (await model.listInstances(roleNode, [], {})).includes(BUILTIN_ROLE);
  if (hasRole && (await model.listInstances(permNode, [BUILTIN_ROLE], {})).length > 0) return;
  const missing = Object.fromEntries(Object.entries(BUILTIN_ROLE_DEFAULTS).filter(([k]) => !hasRole || k.includes('.Permission.')));
  try {
    await applyDefaults(model, missing);
    log.info('built-in role rows restored', { role: ROLE });
  } catch (e) {
    log.error('built-in role rows could not be restored', { role: ROLE, error: e instanceof Error ? e.message : String(e) });
  }
}
