/**
 * The built-in role is read-only for every controller (TR-369 "Role Definition": an Agent may
 * expose pre-defined Roles Controllers cannot modify). Whatever a controller's roles grant, it
 * holds no w on Device.LocalAgent.ControllerTrust.Role.1. and below: a Set of its parameters, an
 * Add to its Permission table and a Delete of it or its rows fail with 7006 Permission Denied,
 * the code TR-369 gives a source that "does not have the authorization for this action" in any
 * message. Reading it, and being notified of it, are left as the roles say.
 */
import { PERM_W, type AccessView, type InstanceAccess } from '../../datamodel/access/AccessView.js';
import type { Awaitable, InstanceKeys } from '../../datamodel/tree/binding.js';
import type { ModelNode, ObjectInstance } from '../../datamodel/tree/ModelNode.js';

class WithoutWrite implements InstanceAccess {
  constructor(private readonly a: InstanceAccess) {}
  get obj(): number {
    return this.a.obj & ~PERM_W;
  }
  get inst(): number {
    return this.a.inst & ~PERM_W;
  }
  param(name: string): number {
    return this.a.param(name) & ~PERM_W;
  }
  command(name: string): number {
    return this.a.command(name);
  }
  event(name: string): number {
    return this.a.event(name);
  }
}

function withoutWrite(a: Awaitable<InstanceAccess>): Awaitable<InstanceAccess> {
  return a instanceof Promise ? a.then((x) => new WithoutWrite(x)) : new WithoutWrite(a);
}

/** `view` with w taken away on the rows of the roles in `readOnly` (Role.{i} and its sub-tables). */
export class ReadOnlyRolesView implements AccessView {
  /**
   * `roleNodes`: Role.{i} and every node below it; `readOnly`: instance numbers of the Role rows
   * controllers may not change.
   */
  constructor(
    private readonly view: AccessView,
    private readonly roleNodes: ReadonlySet<ModelNode>,
    private readonly readOnly: ReadonlySet<number>,
  ) {}

  get secured(): boolean {
    return this.view.secured;
  }

  instance(inst: ObjectInstance): Awaitable<InstanceAccess> {
    const a = this.view.instance(inst);
    return this.covers(inst.node, inst.keys) ? withoutWrite(a) : a;
  }

  supported(node: ModelNode, keys: InstanceKeys): Awaitable<InstanceAccess> {
    const a = this.view.supported(node, keys);
    return this.covers(node, keys) ? withoutWrite(a) : a;
  }

  visibleInstances(node: ModelNode, parentKeys: InstanceKeys, list: number[]): Awaitable<number[]> {
    return this.view.visibleInstances(node, parentKeys, list);
  }

  /** A Role row's first key is its instance number; an Add of a new Role row has no keys yet. */
  private covers(node: ModelNode, keys: InstanceKeys): boolean {
    return keys.length > 0 && this.roleNodes.has(node) && this.readOnly.has(keys[0]);
  }
}

/** Role.{i} and every node below it. */
export function roleSubtree(role: ModelNode): Set<ModelNode> {
  const out = new Set<ModelNode>();
  const walk = (n: ModelNode): void => {
    out.add(n);
    for (const c of n.children.values()) walk(c);
  };
  walk(role);
  return out;
}
