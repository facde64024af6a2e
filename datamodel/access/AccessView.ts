/**
 * What a controller may do, as the bottom layer sees it (TR-181 ControllerTrust:1; TR-369 R-SEC.1;
 * TR-181 Permission.{i}). The agent layer (agent/access/) computes it from Role and Permission rows; the
 * path resolver, the subtree reader and the handlers only ask. A request context without an
 * AccessView is the agent itself: everything is allowed.
 *
 * Each permission string of a Permission row ("rwxn", '-' for a missing right) becomes four bits.
 */
import type { Awaitable, InstanceKeys } from '../tree/binding.js';
import type { ModelNode, ObjectInstance } from '../tree/ModelNode.js';

/** Read: Get / GetInstances / GetSupportedDM. */
export const PERM_R = 1;
/** Write: Set (Param), Add (Obj), Delete (InstantiatedObj). */
export const PERM_W = 2;
/** Execute: Operate (CommandEvent). */
export const PERM_X = 4;
/** Notify: ValueChange, ObjectCreation, ObjectDeletion, OperationComplete / Event. */
export const PERM_N = 8;
export const PERM_ALL = PERM_R | PERM_W | PERM_X | PERM_N;

/**
 * The rights on the items of one object (instance): the object itself (`obj`, the Obj string),
 * the instance (`inst`, the InstantiatedObj string; meaningful for table rows), and each of its
 * parameters, commands and events. `param()` already lacks r when the object lacks Obj r: a
 * controller that may not see an object's names may not read its values either (R-GET.1 note).
 */
export interface InstanceAccess {
  readonly obj: number;
  readonly inst: number;
  param(name: string): number;
  command(name: string): number;
  event(name: string): number;
}

export interface AccessView {
  /** The controller holds a role listed in ControllerTrust.SecuredRoles (TP-469 2.27). */
  readonly secured: boolean;
  /** Rights on an existing object or row (keys complete). */
  instance(inst: ObjectInstance): Awaitable<InstanceAccess>;
  /**
   * Rights on a supported object whose trailing instance numbers are unknown: `keys` may be
   * shorter than `node.keyCount` (Add: the parent's keys; GetSupportedDM: none). Targets that
   * pick particular instances at an unknown level do not apply.
   */
  supported(node: ModelNode, keys: InstanceKeys): Awaitable<InstanceAccess>;
  /** The rows of `list` (instance numbers of `node` under `parentKeys`) the controller may see. */
  visibleInstances(node: ModelNode, parentKeys: InstanceKeys, list: number[]): Awaitable<number[]>;
}

class ConstantAccess implements InstanceAccess {
  constructor(
    readonly obj: number,
    readonly inst: number,
    private readonly bits: number,
  ) {}
  param(): number {
    return this.bits;
  }
  command(): number {
    return this.bits;
  }
  event(): number {
    return this.bits;
  }
}

/** Every right on everything (the agent itself, full-access roles). */
export const FULL_ACCESS: InstanceAccess = new ConstantAccess(PERM_ALL, PERM_ALL, PERM_ALL);
/** No right at all (a controller without roles). */
export const NO_ACCESS: InstanceAccess = new ConstantAccess(0, 0, 0);

/** Whether `bits` include all of `need`. */
export function allows(bits: number, need: number): boolean {
  return (bits & need) === need;
}
