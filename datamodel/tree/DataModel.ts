/**
 * The supported data model: the generated TR-181 schema with bindings registered per object.
 * This is the seam handlers talk to (through resolve-path, read-object and Transaction); it knows
 * nothing of protobuf or of where values come from.
 */
import { ParsedPathCache } from '../path/ParsedPathCache.js';
import type { SchemaCommand, SchemaEvent, SchemaObject, SchemaParam } from '../schema/types.js';
import { supportedObjectName } from '../schema/Schema.js';
import { ErrorCode, UspError } from '../UspError.js';
import type { Value } from '../value/Value.js';
import type { Awaitable, CommandBinding, InstanceKeys, ObjectBinding, RequestContext } from './binding.js';
import { ModelNode, type ObjectInstance } from './ModelNode.js';
import type { Transaction } from './Transaction.js';
import { ChangeFeed } from './ChangeFeed.js';
import { WriteLock } from './WriteLock.js';
import { ROW_ADD, ROW_DELETE, SupportedModelDiverged, SupportedTree, type DeferredGroup, type SharedSupportedModel, type TreeSchema } from './SupportedTree.js';

/** TR-106 §3.3 vendor-specific name: X_<VENDOR>_<Name>, VENDOR an OUI or a domain with dots as hyphens. */
export const VENDOR_PARAM_NAME = /^X_[0-9A-Za-z-]+_[A-Za-z][0-9A-Za-z_-]*$/;

export interface RegisterOptions {
  /**
   * Vendor-specific parameters the binding serves besides the schema's (e.g.
   * `X_EXAMPLE-COM_SINR`). The schema cannot list them, so their definitions come here; they
   * are served, typed and described (GetSupportedDM) like schema parameters, after them.
   */
  vendorParams?: readonly SchemaParam[];
  /**
   * Replace the object's binding if it has one (a plugin overriding a platform's object): its
   * parameters and commands go with it. Without it a second binding is a programming error.
   */
  override?: boolean;
}

export interface DataModelOptions {
  /**
   * A supported tree to share with the other data models given the same one (a fleet's
   * gateways): the first builds it, the others replay its steps and keep only their bindings
   * (SupportedTree.ts). Call seal() once the model is built. Without it the model has a tree of its own.
   */
  share?: SharedSupportedModel;
}

/**
 * Rewrites a binding as it is registered: how the agent adds what it holds itself to whatever
 * serves an object (an Alias kept for a platform's table, datamodel/store/stored-alias.ts).
 * Returns `binding` itself when it has nothing to add.
 */
export type BindingDecorator = (node: ModelNode, binding: ObjectBinding) => ObjectBinding;

/** Deletes what depends on a deleted instance, through the same transaction. */
export type DeleteCascade = (deleted: ObjectInstance, tx: Transaction) => Promise<void>;

/**
 * How this model's registrations reach the tree: `own` changes a tree of its own; `build` changes
 * the shared tree and records each step; `replay` checks each step against the recorded ones
 * and changes nothing shared; `diverged` is a replay that met a step of its own (seal() then
 * throws; until then nothing shared changes); `sealed` is a shared model after seal(), whose
 * structure is fixed.
 */
type TreeRole = 'own' | 'build' | 'replay' | 'diverged' | 'sealed';

/** A replaying model's deferred group not built yet: what its build needs, nothing more (a fleet gateway holds a few). */
interface PendingGroup {
  readonly group: DeferredGroup;
  readonly build: () => void;
  /** How many decorators there were at registerDeferred: its bindings pass through those only. */
  readonly decorators: number;
}

/** A deferred group being built late: where its replay is among the shared steps. */
interface Materialising {
  readonly group: DeferredGroup;
  at: number;
  readonly decorators: number;
}

const NOTHING_TO_BUILD = (): void => undefined;

export class DataModel {
  /** The structure (shared or this model's own); the bindings are this model's. */
  private readonly tree: SupportedTree;
  private role: TreeRole;
  private readonly share: SharedSupportedModel | undefined;
  /** Replaying: how many of the shared model's steps this model has matched. */
  private replayed = 0;
  /** Why a replay diverged, thrown by seal(). */
  private divergence: SupportedModelDiverged | undefined;
  /** A diverged replay's own vendor objects, kept out of the shared tree until seal() throws. */
  private divergedVendorNodes: Map<string, ModelNode> | undefined;
  /** This model's object bindings, by ModelNode.slot. */
  private readonly objectBindings: Array<ObjectBinding | undefined>;
  /** This model's command bindings, by SupportedCommand.slot. */
  private readonly commandBindings: Array<CommandBinding | undefined>;
  /** Value changes, object creation/deletion and events, for subscriptions. */
  readonly changes = new ChangeFeed();
  // Replaced by concat, not pushed to: a push leaves room for 16 more, per gateway of a fleet.
  private commitHooks: Array<() => Promise<void>> = [];
  private revertHooks: Array<() => void> = [];
  /** Serialises write transactions (see WriteLock). */
  readonly writeLock = new WriteLock();
  private readonly cascades = new Map<ModelNode, DeleteCascade[]>();
  /** Request path texts already parsed (bounded), for the handlers' hot path. */
  readonly paths = new ParsedPathCache();
  private shapeVersion = 0;
  private readonly decorators: BindingDecorator[] = [];
  /**
   * Replaying: the deferred groups not built yet, by group index; undefined when there is none,
   * so a binding read costs one field check once every group is built.
   */
  private pending: Array<PendingGroup | undefined> | undefined;
  private pendingCount = 0;
  /** Building: the deferred group whose build() runs now (its slots and cascades are recorded). */
  private building: DeferredGroup | undefined;
  /** The deferred group whose build() runs now, in any role (groups do not nest). */
  private deferring: string | undefined;
  /** Replaying: the deferred group built late now, if any. */
  private materialising: Materialising | undefined;

  /**
   * `schema` is a loaded Schema (or anything listing the supported paths in document order and
   * giving their definitions). Definitions are looked up when a node first needs one.
   */
  constructor(schema: TreeSchema, opts: DataModelOptions = {}) {
    const share = opts.share;
    if (share?.sealed && share.tree?.schema === schema) {
      this.tree = share.tree;
      this.role = 'replay';
      this.share = share;
    } else if (share && !share.tree) {
      this.tree = share.tree = new SupportedTree(schema);
      this.role = 'build';
      this.share = share;
    } else {
      // No share, one still being built by another model, or one over another schema.
      this.tree = new SupportedTree(schema);
      this.role = 'own';
    }
    // Replaying, the slots are all numbered: arrays of their final length from the start.
    this.objectBindings = new Array<ObjectBinding | undefined>(this.role === 'replay' ? this.tree.objectSlots : 0);
    this.commandBindings = new Array<CommandBinding | undefined>(this.role === 'replay' ? this.tree.commandSlots : 0);
  }

  get root(): ModelNode {
    return this.tree.root;
  }

  /** True when this model serves a tree shared with other data models (built or replayed). */
  get sharesTree(): boolean {
    return this.share !== undefined;
  }

  /**
   * Ends the build: a shared tree is fixed from here on (a builder's is then replayed by the
   * others); a replaying model whose steps differed from the recorded ones, or were fewer, throws
   * SupportedModelDiverged: its agent must build again on a tree of its own. A model of its own
   * may go on changing.
   */
  seal(): void {
    if (this.role === 'build') {
      this.share!.sealed = true;
      this.role = 'sealed';
    } else if (this.role === 'replay' || this.role === 'diverged') {
      const steps = this.share!.steps;
      this.divergence ??= this.replayed === steps.length ? undefined : new SupportedModelDiverged(this.replayed, `the build ended before ${steps[this.replayed]}`);
      if (this.divergence) throw this.divergence;
      this.role = 'sealed';
    }
  }

  /**
   * Throws SupportedModelDiverged when this model replays a shared tree and a step so far
   * differed: its agent can stop the build before anything else starts.
   */
  throwIfDiverged(): void {
    if (this.divergence) throw this.divergence;
  }

  /** Node by supported path ("Device.WiFi.Radio.{i}."), or undefined. */
  node(supportedPath: string): ModelNode | undefined {
    return this.tree.node(supportedPath) ?? this.divergedVendorNodes?.get(supportedPath);
  }

  /** Node by supported path; throws for a path the schema does not have (a programming error). */
  requireNode(supportedPath: string): ModelNode {
    const n = this.node(supportedPath);
    if (!n) throw new Error(`no such object in the TR-181 schema: ${supportedPath}`);
    return n;
  }

  /** The binding that serves `node` in this data model, if any (a deferred group binding it is built first). */
  bindingOf(node: ModelNode): ObjectBinding | undefined {
    const slot = node.slot;
    if (slot < 0) return undefined;
    if (this.pending !== undefined) this.buildGroupOf(this.share!.objectSlotGroup[slot]);
    return this.objectBindings[slot];
  }

  /**
   * Whether `node` is served by a binding in this data model, without building the deferred
   * group that binds it: what start-up checks ask ("is it bound? else the agent serves it").
   */
  isBound(node: ModelNode): boolean {
    const slot = node.slot;
    if (slot < 0) return false;
    if (this.objectBindings[slot] !== undefined) return true;
    const g = this.pending === undefined ? undefined : this.share!.objectSlotGroup[slot];
    return g !== undefined && this.pending![g] !== undefined;
  }

  /**
   * Whether `node`'s binding is there now: bound and not waiting in a deferred group. A
   * background reader that must not build a fleet gateway's areas (the alarm checks) asks this.
   */
  isBuilt(node: ModelNode): boolean {
    return node.slot >= 0 && this.objectBindings[node.slot] !== undefined;
  }

  /**
   * Whether a Controller may add rows to, and delete rows from, the table `node` (its binding's
   * add and delete), without building the deferred group that binds it: GetSupportedDM reads the
   * supported model only (TR-369 "The GetSupportedDM Message"), so a fleet gateway answering one
   * builds no area (issue 14). A pending group's answer is what the builder's binding had.
   */
  rowOps(node: ModelNode): { readonly add: boolean; readonly delete: boolean } {
    const slot = node.slot;
    if (slot < 0) return ROW_OPS[0];
    const b = this.objectBindings[slot];
    if (b === undefined && this.pending !== undefined) {
      const g = this.share!.objectSlotGroup[slot];
      if (g !== undefined && this.pending[g] !== undefined) return ROW_OPS[this.share!.objectSlotRowOps[slot] ?? 0];
    }
    return ROW_OPS[rowOpsOf(b)];
  }

  /** The binding that serves the object at `supportedPath` in this data model, if any. */
  bindingAt(supportedPath: string): ObjectBinding | undefined {
    const node = this.node(supportedPath);
    return node && this.bindingOf(node);
  }

  /** The binding of command `name` (with "()") of `node` in this data model, if it is served. */
  commandBinding(node: ModelNode, name: string): CommandBinding | undefined {
    const c = node.commands.get(name);
    if (!c) return undefined;
    if (this.pending !== undefined) this.buildGroupOf(this.share!.commandSlotGroup[c.slot]);
    return this.commandBindings[c.slot];
  }

  /**
   * Registers what `build` registers, as one group a replaying data model builds only when first
   * needed. A data model of its own, and the first of a fleet (which builds the shared tree), run
   * `build` now; the builder also records the group (its steps, the slots it binds). A data model
   * replaying the shared tree (every later gateway of a fleet) checks the group is the recorded one
   * and skips its steps; the first read of one of its bindings (bindingOf, commandBinding, a
   * register or onDelete over it, a delete its cascades apply to) then runs `build`, whose
   * registrations must be exactly the recorded ones (else it throws naming the group), through the
   * decorators given before this call, as if it had run now. `build` must register the same
   * way whenever it runs (what it serves may depend on the clock and the store only when read).
   * Returns a function that builds the group now if it is not built yet (what a later group
   * needs of it first). Groups do not nest.
   */
  registerDeferred(name: string, build: () => void): () => void {
    const inside = this.deferring ?? this.materialising?.group.name;
    if (inside !== undefined) throw new Error(`deferred group ${name}: deferred groups do not nest (registered inside ${inside})`);
    const step = `deferred ${name}`;
    if (this.role === 'build') {
      const share = this.share!;
      const group: DeferredGroup = { name, index: share.groups.length, start: share.steps.length, end: share.steps.length + 1, cascadeNodes: [] };
      this.record(step);
      share.groups.push(group);
      this.building = group;
      try {
        this.runNow(name, build);
      } finally {
        this.building = undefined;
        group.end = share.steps.length;
      }
      return NOTHING_TO_BUILD;
    }
    if (this.role === 'own') {
      this.runNow(name, build);
      return NOTHING_TO_BUILD;
    }
    const at = this.replayed;
    this.replays(step);
    const group = this.role === 'replay' ? this.share!.groups.find((g) => g.start === at) : undefined;
    if (!group) {
      // A diverged replay is built again on a tree of its own: register as usual meanwhile.
      this.runNow(name, build);
      return NOTHING_TO_BUILD;
    }
    this.replayed = group.end;
    (this.pending ??= [])[group.index] = { group, build, decorators: this.decorators.length };
    this.pendingCount++;
    return () => this.buildGroupOf(group.index);
  }

  private runNow(name: string, build: () => void): void {
    this.deferring = name;
    try {
      build();
    } finally {
      this.deferring = undefined;
    }
  }

  /** The names of the deferred groups this data model has not built yet (a fleet's memory checks). */
  pendingGroups(): string[] {
    return (this.pending ?? []).flatMap((p) => (p ? [p.group.name] : []));
  }

  /** Builds the pending deferred group `index`, if it is one, replaying exactly its recorded steps. */
  private buildGroupOf(index: number | undefined): void {
    const p = index === undefined ? undefined : this.pending?.[index];
    if (!p) return;
    const { group } = p;
    // No longer pending before it runs: its own registrations read its slots.
    this.pending![index!] = undefined;
    if (--this.pendingCount === 0) this.pending = undefined;
    const outer = this.materialising;
    const m: Materialising = (this.materialising = { group, at: group.start + 1, decorators: p.decorators });
    try {
      p.build();
      if (m.at !== group.end) throw new Error(`deferred group ${group.name} built differently from its recorded build: it ended before ${this.share!.steps[m.at]}`);
    } finally {
      this.materialising = outer;
    }
  }

  /** Builds the pending deferred groups that register a delete cascade on `node`. */
  private buildCascadeGroups(node: ModelNode): void {
    for (const p of this.pending ?? []) if (p?.group.cascadeNodes.includes(node)) this.buildGroupOf(p.group.index);
  }

  /**
   * Serves one object. Parameters default to all of the schema's; naming one the schema lacks
   * is a programming error and throws at start-up, not at request time. Vendor-specific
   * parameters are added with `opts.vendorParams`.
   */
  register(supportedPath: string, given: ObjectBinding, opts: RegisterOptions = {}): ModelNode {
    const node = this.requireNode(supportedPath);
    // A group built late sees the decorators there were when it was deferred, as if built then.
    const decorators = this.materialising ? this.decorators.slice(0, this.materialising.decorators) : this.decorators;
    const binding = decorators.reduce((b, d) => d(node, b), given);
    const old = this.bindingOf(node);
    if (old && !opts.override) throw new Error(`object already bound: ${supportedPath}`);
    const step = this.role === 'own' ? '' : registerStep(supportedPath, binding, opts);
    const replay = this.replays(step);
    if (old) this.unbind(node, old, replay);
    if (!replay) this.tree.serveParams(node, binding.params, opts.vendorParams ?? [], VENDOR_PARAM_NAME, writableOf(binding));
    // A diverged replay may bind an object the shared tree never numbered: it is built again anyway.
    const slot = replay ? node.slot : this.tree.objectSlot(node);
    if (slot >= 0) this.objectBindings[slot] = binding;
    if (this.role === 'build' && slot >= 0) this.share!.objectSlotRowOps[slot] = rowOpsOf(binding);
    if (this.building && slot >= 0) this.claim(this.share!.objectSlotGroup, slot, supportedPath);
    for (const [name, cmd] of Object.entries(binding.commands ?? {})) this.bindCommand(node, name, cmd, undefined, replay);
    this.served(node, step, replay);
    return node;
  }

  /**
   * Every binding registered from now on passes through `decorator` (after those given before),
   * whoever registers it: the agent, a platform, a plugin (an override too).
   */
  decorateBindings(decorator: BindingDecorator): void {
    this.decorators.push(decorator);
  }

  /** Forgets `node`'s binding with the parameters and commands it served (derived NumberOfEntries stay). */
  private unbind(node: ModelNode, old: ObjectBinding, replay: boolean): void {
    this.objectBindings[node.slot] = undefined;
    if (!replay) this.tree.forgetParams(node);
    for (const [name, cmd] of Object.entries(old.commands ?? {})) {
      const slot = this.tree.commandSlot(node, name, !replay);
      if (slot === undefined || this.commandBindings[slot] !== cmd) continue;
      this.commandBindings[slot] = undefined;
      if (!replay) node.deleteCommand(name);
    }
    this.shapeVersion++;
  }

  /**
   * Adds a command to an already supported object (e.g. Device.Reboot() on Device.). A
   * vendor-specific command (TR-106 `X_<VENDOR>_Name()`) brings its definition in `vendorDef`.
   */
  registerCommand(supportedPath: string, name: string, binding: CommandBinding, vendorDef?: SchemaCommand): void {
    const node = this.requireNode(supportedPath);
    const step = this.role === 'own' ? '' : `command ${supportedPath}${name} ${vendorDef ? JSON.stringify(vendorDef) : ''}`;
    const replay = this.replays(step);
    this.bindCommand(node, name, binding, vendorDef, replay);
    this.served(node, step, replay);
  }

  /**
   * Declares that the agent emits this event (it then shows in GetSupportedDM). A
   * vendor-specific event (`X_<VENDOR>_Name!`) brings its definition in `vendorDef`.
   */
  registerEvent(supportedPath: string, name: string, vendorDef?: SchemaEvent): void {
    const node = this.requireNode(supportedPath);
    const step = this.role === 'own' ? '' : `event ${supportedPath}${name} ${vendorDef ? JSON.stringify(vendorDef) : ''}`;
    const replay = this.replays(step);
    if (!replay) this.tree.serveEvent(node, name, vendorDef, VENDOR_PARAM_NAME);
    this.served(node, step, replay);
  }

  /**
   * Adds a vendor-specific object (TR-106 §3.3: `X_<VENDOR>_Name.` or `X_<VENDOR>_Name.{i}.`)
   * under an object of the model, with its definition; it is served once a binding is
   * registered for it (register()), like a schema object. Its parent may itself be a vendor
   * object added before.
   */
  addVendorObject(def: SchemaObject): ModelNode {
    const path = def.path;
    const step = this.role === 'own' ? '' : `vendor object ${JSON.stringify(def)}`;
    if (this.replays(step)) {
      this.shapeVersion++;
      const known = this.node(path);
      if (known) return known;
      // A diverged replay's own vendor object stays out of the shared tree (the agent builds again).
      const own = new ModelNode(supportedObjectName(path), path, undefined, { getObject: () => def });
      (this.divergedVendorNodes ??= new Map()).set(path, own);
      return own;
    }
    if (!VENDOR_PARAM_NAME.test(supportedObjectName(path))) throw new Error(`${path} is not a vendor-specific object name (X_<VENDOR>_<Name>)`);
    if (def.multi !== path.endsWith('.{i}.')) throw new Error(`${path}: a table's path ends in ".{i}." (multi ${def.multi})`);
    const node = this.tree.addVendorObject(def);
    this.shapeVersion++;
    this.record(step);
    return node;
  }

  private bindCommand(node: ModelNode, name: string, binding: CommandBinding, vendorDef: SchemaCommand | undefined, replay: boolean): void {
    if (!replay) this.tree.serveCommand(node, name, vendorDef, VENDOR_PARAM_NAME);
    const slot = this.tree.commandSlot(node, name, !replay);
    if (slot === undefined) return;
    // A command bound over a deferred group's: the group first, as it was built first.
    if (this.pending !== undefined) this.buildGroupOf(this.share!.commandSlotGroup[slot]);
    this.commandBindings[slot] = binding;
    if (this.building) this.claim(this.share!.commandSlotGroup, slot, `${node.supportedPath}${name}`);
  }

  /** The builder records that the group being built binds `slot` (one group per slot: a replay builds that one for it). */
  private claim(bySlot: number[], slot: number, what: string): void {
    const group = this.building!;
    const other = bySlot[slot];
    if (other !== undefined && other !== group.index) throw new Error(`deferred groups ${this.share!.groups[other]!.name} and ${group.name} both bind ${what}: make them one group`);
    bySlot[slot] = group.index;
  }

  /**
   * Whether this registration leaves the tree alone: a replayed step of the shared tree (its
   * structure is there already: only the bindings are this model's), or any step once a replay
   * diverged. The first step that differs from the recorded one is kept for seal() to throw: the
   * agent's build goes on to its end (its platform then stops cleanly) and starts again on a tree
   * of its own. A structural change to a sealed shared tree, which every data model sharing it
   * would see, is a programming error.
   */
  private replays(step: string): boolean {
    const m = this.materialising;
    if (m) {
      // A deferred group built late replays its recorded steps: anything else is a programming error.
      if (m.at < m.group.end && this.share!.steps[m.at] === step) {
        m.at++;
        return true;
      }
      throw new Error(`deferred group ${m.group.name} built differently from its recorded build: ${step} where it has ${m.at < m.group.end ? this.share!.steps[m.at] : 'no more steps'}`);
    }
    if (this.role === 'own' || this.role === 'build') return false;
    if (this.role === 'sealed') throw new Error(`the supported model is shared with other data models and sealed: ${step} cannot be added after the build`);
    if (this.role === 'diverged') return true;
    const steps = this.share!.steps;
    if (steps[this.replayed] === step) this.replayed++;
    else {
      this.divergence = new SupportedModelDiverged(this.replayed, `${step} where the shared model has ${steps[this.replayed] ?? 'no more steps'}`);
      this.role = 'diverged';
    }
    return true;
  }

  /** A builder records each structural step once it succeeded. */
  private record(step: string): void {
    if (this.role === 'build') this.share!.steps.push(step);
  }

  /** After a registration: the node and its ancestors are supported; the step is recorded. */
  private served(node: ModelNode, step: string, replay: boolean): void {
    if (!replay) this.tree.markSupported(node);
    this.shapeVersion++;
    this.record(step);
  }

  /**
   * Changes whenever the supported model does (a node, parameter, command or event served): what
   * was computed from it alone (resolve-path.ts's plain-name matches) is stale once it moves.
   */
  get shape(): number {
    return this.shapeVersion;
  }

  /**
   * What else goes when an instance of `supportedPath` is deleted, in the same transaction:
   * TR-181 strong references whose description says the referring row is deleted with its
   * target (e.g. Subscription.{i}.Recipient → Controller.{i}, TP-469 1.78).
   */
  onDelete(supportedPath: string, cascade: DeleteCascade): void {
    const node = this.requireNode(supportedPath);
    if (this.pending !== undefined) {
      // After the cascades of a deferred group over this node, as if it had been built at once.
      this.buildGroupOf(node.slot < 0 ? undefined : this.share!.objectSlotGroup[node.slot]);
      this.buildCascadeGroups(node);
    }
    if (this.building && !this.building.cascadeNodes.includes(node)) this.building.cascadeNodes.push(node);
    this.cascades.set(node, (this.cascades.get(node) ?? []).concat(cascade));
  }

  /** The cascades registered for `node` (Transaction.delete runs them), a deferred group's included. */
  deleteCascades(node: ModelNode): readonly DeleteCascade[] {
    if (this.pending !== undefined) this.buildCascadeGroups(node);
    return this.cascades.get(node) ?? [];
  }

  /**
   * `hook` runs when a transaction with changes commits (the persistent store flushes here);
   * `revert`, after a commit whose hooks failed, puts the hook's state back to what it saved.
   */
  onCommit(hook: () => Promise<void>, revert?: () => void): void {
    this.commitHooks = this.commitHooks.concat(hook);
    if (revert) this.revertHooks = this.revertHooks.concat(revert);
  }

  /**
   * After runCommitHooks rejected, called under the write lock: the stored values go back to
   * what is saved, so a change answered with 7003 is not in the model either.
   */
  revertFailedCommit(): void {
    for (const r of this.revertHooks) r();
  }

  /**
   * Calls every hook at once; each takes what it saves synchronously (DataStore.flush snapshots
   * at the call), so the caller may release the write lock before awaiting the result.
   */
  runCommitHooks(): Promise<void> {
    return Promise.all(this.commitHooks.map((h) => h())).then(() => undefined);
  }

  /** Instance numbers of a table under its parent instance (empty when the table has no binding). */
  async listInstances(node: ModelNode, parentKeys: InstanceKeys, ctx: RequestContext): Promise<number[]> {
    const b = this.bindingOf(node);
    if (!b?.list) return [];
    return b.list(parentKeys, ctx);
  }

  /** Whether one instance exists (its parents are assumed to exist). */
  async exists(inst: ObjectInstance, ctx: RequestContext): Promise<boolean> {
    if (!inst.node.multi) return true;
    const own = inst.keys[inst.keys.length - 1];
    const list = await this.listInstances(inst.node, inst.keys.slice(0, -1), ctx);
    return list.includes(own);
  }

  /** All served values of one instance, including derived NumberOfEntries. */
  async readValues(inst: ObjectInstance, ctx: RequestContext): Promise<Record<string, Value>> {
    const { node, keys } = inst;
    const b = this.bindingOf(node);
    // A binding returns a new object per call (binding.ts), so the derived counts can go straight
    // into it: copying every object of a whole-tree Get again was a measurable share of its cost.
    const values: Record<string, Value> = b ? await b.get(keys, ctx) : {};
    for (const [name, table] of node.derivedCounts) {
      values[name] = (await this.listInstances(table, keys, ctx)).length;
    }
    return values;
  }

  /**
   * One served value of one instance: readValues(inst, ctx)[name] without reading the other
   * derived NumberOfEntries (each lists a table). Synchronous when the binding is.
   */
  readValue(inst: ObjectInstance, name: string, ctx: RequestContext): Awaitable<Value | undefined> {
    const table = inst.node.derivedCounts.get(name);
    if (table) return this.listInstances(table, inst.keys, ctx).then((l) => l.length);
    const b = this.bindingOf(inst.node);
    if (!b) return undefined;
    if (b.getParam) return b.getParam(inst.keys, name, ctx);
    const values = b.get(inst.keys, ctx);
    return values instanceof Promise ? values.then((v) => v[name]) : values[name];
  }

  /** Every supported object in schema order, for GetSupportedDM. */
  supportedNodes(): Iterable<ModelNode> {
    return this.tree.supportedNodes();
  }

  /** Schema definition lookup for nodes that are not necessarily supported. */
  schemaObject(supportedPath: string): SchemaObject | undefined {
    return this.node(supportedPath)?.def;
  }
}

/** A registration's structural step: everything of it that shapes the supported model, none of the binding's code. */
function registerStep(path: string, binding: ObjectBinding, opts: RegisterOptions): string {
  const commands = Object.keys(binding.commands ?? {}).join(',');
  // The row operations too: a replay answers GetSupportedDM from the builder's (rowOps).
  const rows = rowOpsOf(binding);
  // And what a Set can change: a replay's parameters are the builder's read-only ones too.
  const writable = writableOf(binding);
  return `register ${path} ${opts.override ? 'override ' : ''}${JSON.stringify(binding.params ?? null)} ${JSON.stringify(opts.vendorParams ?? [])} ${commands}${rows ? ` rows:${rows}` : ''}${writable ? ` writable:${JSON.stringify(writable)}` : ''}`;
}

/** ObjectBinding.writable with its default: undefined (everything) with `set`, nothing without. */
function writableOf(binding: ObjectBinding): readonly string[] | undefined {
  return binding.set ? binding.writable : NOTHING_WRITABLE;
}
const NOTHING_WRITABLE: readonly string[] = [];

/** ROW_ADD | ROW_DELETE of a binding (0 for none). */
function rowOpsOf(binding: ObjectBinding | undefined): number {
  return (binding?.add ? ROW_ADD : 0) | (binding?.delete ? ROW_DELETE : 0);
}

/** DataModel.rowOps's answers, by ROW_ADD | ROW_DELETE. */
const ROW_OPS = [
  { add: false, delete: false },
  { add: true, delete: false },
  { add: false, delete: true },
  { add: true, delete: true },
] as const;

/** A 7026 for a path outside the supported model. */
export function invalidPath(path: string, why = 'path is not in the supported data model'): UspError {
  return new UspError(ErrorCode.InvalidPath, `${why}: ${path}`, { path });
}
