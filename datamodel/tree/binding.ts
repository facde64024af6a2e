/**
 * The binding API: how a data source (platform provider, the agent's own LocalAgent code, the
 * persistent store) serves one TR-181 object. Registered per *object*, not per leaf, so one ubus or
 * mmcli call fills a whole object. A binding never sees a protobuf; a handler never sees a binding's
 * source. Instance keys are the instance numbers of every multi-instance level on the object's
 * path, outermost first (`Device.WiFi.AccessPoint.3.AssociatedDevice.7.` → [3, 7]).
 */
import type { AccessView } from '../access/AccessView.js';
import type { Value } from '../value/Value.js';

export type InstanceKeys = readonly number[];

/** Who is asking, for logging and for bindings that care (e.g. Subscription.Recipient). */
export interface RequestContext {
  /** Endpoint ID of the controller, or undefined for the agent itself. */
  controllerId?: string;
  /** Path of the controller's Device.LocalAgent.Controller.{i} row ("" if none). */
  controllerPath?: string;
  /**
   * The controller's permissions (ControllerTrust roles), honoured by the resolver, the subtree
   * reader and the handlers. Undefined for the agent itself, which may do anything.
   */
  access?: AccessView;
  /**
   * Set when the agent applies a Subscription's TriggerConfigSettings (its path): the changes
   * carry it, so they notify but do not trigger further configurations.
   */
  triggeredBy?: string;
}

export type Awaitable<T> = T | Promise<T>;

/**
 * How one object is served. The data model never changes a binding: a class instance (its methods
 * shared by every instance) serves as well as an object of closures, and a binding with nothing
 * of one device in it may be registered in several data models (a fleet's gateways) at once.
 */
export interface ObjectBinding {
  /**
   * Parameters (relative names) this binding serves. Default: every parameter of the schema
   * object. The supported model is the schema intersected with these.
   */
  readonly params?: readonly string[];
  /**
   * Parameters a Set can change, of those the schema makes writable. Default: all of them when
   * the binding has `set`, none without. A parameter left out is served read-only: GetSupportedDM
   * says PARAM_READ_ONLY and a Set of it answers 7013, so neither a Controller nor the profile
   * report (agent/profiles) counts on a write the device cannot make. A parameter listed may still
   * refuse particular values (7012).
   */
  readonly writable?: readonly string[];
  /** Tables: instance numbers under the given parent instance, ascending. */
  list?(parentKeys: InstanceKeys, ctx: RequestContext): Awaitable<number[]>;
  /**
   * Current values of the served parameters of one instance (missing names read as defaults).
   * Returns a new object on every call: the data model adds derived values to it. A name present
   * with the value undefined could not be read now: Get leaves it out instead of its default.
   */
  get(keys: InstanceKeys, ctx: RequestContext): Awaitable<Record<string, Value>>;
  /**
   * One parameter's value, for bindings that read it from a source of its own (an object whose
   * vendor parameters a plugin serves: a Get of one of them fails with the plugin's source only,
   * a Get of another never calls it). Default: `get(keys, ctx)[name]`.
   */
  getParam?(keys: InstanceKeys, name: string, ctx: RequestContext): Awaitable<Value | undefined>;
  /**
   * Applies already-validated values; throwing UspError fails the object (the transaction rolls back).
   * A change that implies others (a manual WiFi Radio Channel turns AutoChannelEnable off) adds
   * them to `changes`: the transaction reports them and, on a rollback, undoes them too.
   */
  set?(keys: InstanceKeys, changes: Record<string, Value>, ctx: RequestContext): Awaitable<void>;
  /**
   * Tables with access readWrite: creates an instance and returns its number. `requested` is
   * set only when the factory-defaults file names the instance number.
   */
  add?(parentKeys: InstanceKeys, params: Record<string, Value>, ctx: RequestContext, requested?: number): Awaitable<number>;
  delete?(keys: InstanceKeys, ctx: RequestContext): Awaitable<void>;
  /**
   * Tables: the instances under `parentKeys` whose `params` read as in `values` (ascending), so
   * a unique-key check (TR-369 R-ADD.5, 7025) need not read every sibling; undefined when the
   * binding cannot tell without reading them (the caller then does). Stored bindings answer
   * from an index the store keeps (RowIndex).
   */
  findByValues?(parentKeys: InstanceKeys, params: readonly string[], values: Readonly<Record<string, Value>>): Awaitable<number[] | undefined>;
  /**
   * Stored bindings can restore exactly what a delete removed (the row and its sub-objects), so
   * a failed transaction leaves no trace. Live bindings may omit it.
   */
  snapshot?(keys: InstanceKeys): unknown;
  restore?(keys: InstanceKeys, snapshot: unknown): Awaitable<void>;
  /**
   * Tables whose schema unique keys hold nothing the device fixes (Device.Routing.Router.{i}. has
   * only Alias): a name of the row that survives an agent restart (the kernel routing table, a
   * UCI section), so what the agent keeps for the row (its stored Alias) is not handed to another
   * row that gets its instance number at the next start. Synchronous and cheap (no I/O: it is
   * asked on every read of the row); undefined when the binding cannot tell now.
   */
  rowIdentity?(keys: InstanceKeys): string | undefined;
  /** Commands of this object, by name with "()". */
  readonly commands?: Readonly<Record<string, CommandBinding>>;
  /**
   * True when values change only through the agent's own transactions (stored configuration):
   * ValueChange is then reported on commit and never polled.
   */
  readonly changesOnlyThroughAgent?: boolean;
  /**
   * True when the values live in the agent's persistent store: when a commit cannot be saved,
   * the store itself puts them back as saved (DataModel.revertFailedCommit), so a transaction
   * does not run its undo for them.
   */
  readonly stored?: boolean;
}

export interface CommandInvocation {
  keys: InstanceKeys;
  /** Concrete path of the object the command runs on, e.g. "Device.LocalAgent.Controller.1.". */
  objectPath: string;
  /** Input arguments, validated and defaulted by the schema. */
  input: Record<string, Value>;
  commandKey: string;
  ctx: RequestContext;
  /** Aborted when a controller calls Request.{i}.Cancel() on an async command. */
  signal: AbortSignal;
}

export interface CommandBinding {
  /** Returns the output arguments (typed; formatted at the edge). */
  run(call: CommandInvocation): Promise<Record<string, Value>>;
  /**
   * Checks the input before the command is accepted: a UspError thrown here (e.g. 7027 for an
   * input that names no such object, 7005 when the command's resources are all in use) is the
   * Operate's cmd_failure, and an asynchronous command then gets no Request row and no
   * OperationComplete (TR-369 R-OPR.5 treats invalid input the same way). `given` names the
   * input arguments the Controller sent; the others hold the schema's default, which for an
   * argument without one is only the type's zero or the range minimum. It may return the input
   * the command then runs with (its own defaults for arguments left out).
   */
  precheck?(call: Omit<CommandInvocation, 'signal'>, given: ReadonlySet<string>): Promise<Record<string, Value> | void>;
}
