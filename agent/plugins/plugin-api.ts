/**
 * The extension API for firmware integrators: what a plugin (`usp-agent run --plugin FILE`)
 * receives. It is the binding API the built-in platforms use (datamodel/tree/binding.ts), plus
 * the checks a plugin needs: a schema object it binds must be one the platform left unbound
 * (or be overridden explicitly), and everything it adds beside TR-181 carries the agent's
 * vendor prefix (TR-106 §3.3 `X_<VENDOR>_`). Shipped for integrators as the `usp-agent/plugin`
 * types entry; INTEGRATING.md walks through it.
 *
 * A plugin module exports `default` (or `register`) as a function taking the PluginApi, or a
 * `{ name, register, platforms }` object; `register` may be async. It runs once per start, after
 * the platform and before any MTP listens. `platforms` (also a named export) are registry entries
 * of the same type the built-in platforms use (agent/platform-registry.ts), which `--platform
 * NAME` then chooses; they are read when the module is imported, before any platform starts.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { BaseType } from '../../datamodel/schema/types.js';
import type { CommandBinding, InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { CachedOptions, CachedSource, ListTable, TableOptions } from '../../datamodel/tree/binding-helpers.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { ExecutionEnvironment } from '../../platform/software/ExecutionEnvironment.js';
import type { SelfTestCheck } from '../../platform/self-test-check.js';
import type { FirmwareBackend } from '../firmware/FirmwareBackend.js';
import type { SchemaObjectPath } from './generated/schema-object-paths.js';
import type { PlatformEntry } from '../platform-registry.js';
import type { AlarmApi } from '../faultmgmt/FaultMgmt.js';

export type { Awaitable, CommandBinding, CommandInvocation, InstanceKeys, ObjectBinding, RequestContext } from '../../datamodel/tree/binding.js';
export type { Value } from '../../datamodel/value/Value.js';
export type { Logger } from '../../datamodel/Logger.js';
export type { BaseType, SchemaArgument } from '../../datamodel/schema/types.js';
export type { FirmwareBackend, ImageWriter, ImageInfo } from '../firmware/FirmwareBackend.js';
export type { ExecutionEnvironment } from '../../platform/software/ExecutionEnvironment.js';
export type { SelfTestCheck } from '../../platform/self-test-check.js';
export type { CachedOptions, CachedSource, ListTable, TableOptions } from '../../datamodel/tree/binding-helpers.js';
export type { SchemaObjectPath } from './generated/schema-object-paths.js';
export type { AlarmApi } from '../faultmgmt/FaultMgmt.js';
export type { AlarmKey, AlarmRaise, AlarmType, PerceivedSeverity, ReportingMechanism } from '../faultmgmt/alarm-types.js';
export type { PlatformEntry, PlatformOptions, PlatformParts } from '../platform-registry.js';
export type { DataModel } from '../../datamodel/tree/DataModel.js';

/** A vendor parameter's definition (TR-106 base type and access; served and described like a schema parameter). */
export interface VendorParamDef {
  /** Full name with the agent's vendor prefix on a standard object (`X_EXAMPLE-COM_Temperature`); inside a vendor object any TR-106 name. */
  name: string;
  type: BaseType;
  /** Default readOnly. A readWrite parameter needs the binding's `set`. */
  access?: 'readOnly' | 'readWrite';
  units?: string;
  enumerations?: string[];
  /** Inclusive range, as decimal strings or numbers. */
  range?: { min?: number | string; max?: number | string };
  /** List-valued (a comma-separated list of `type`). */
  list?: boolean;
}

/** A vendor object's definition: `X_<VENDOR>_Name.` or the table `X_<VENDOR>_Name.{i}.`. */
export interface VendorObjectDef {
  /** Full supported path, e.g. `Device.X_EXAMPLE-COM_Fan.{i}.`. */
  path: string;
  params: VendorParamDef[];
  /** Tables: the parameters that tell rows apart (TR-369 unique keys). */
  uniqueKeys?: string[];
}

/** A vendor command's definition (`X_<VENDOR>_Name()`). */
export interface VendorCommandDef {
  name: string;
  /** Asynchronous commands get a Request row and an OperationComplete (TR-369 R-OPR). Default false. */
  async?: boolean;
  input?: VendorParamDef[];
  output?: VendorParamDef[];
}

/** A vendor event's definition (`X_<VENDOR>_Name!`). */
export interface VendorEventDef {
  name: string;
  args?: VendorParamDef[];
}

/** Options of PluginApi.bind. */
export interface BindOptions {
  /** Replace the platform's binding of this object (else a clash fails the start). */
  override?: boolean;
  /** Vendor parameters this binding also serves (prefixed names). */
  vendorParams?: VendorParamDef[];
}

/** The binding shapes named once (datamodel/tree/binding-helpers.ts). */
export interface BindingHelpers {
  /** A read-only object with fixed values. */
  constant(values: Readonly<Record<string, Value>>): ObjectBinding;
  /** A single object filled by one call of `fetch`, reused for `maxAgeMs`. */
  cached(params: readonly string[], fetch: () => Promise<Record<string, Value>> | Record<string, Value>, opts: CachedOptions): ObjectBinding;
  /** Any source read at most once per `maxAgeMs`, concurrent reads sharing one call. */
  cachedSource<T>(fetch: () => Promise<T> | T, opts: CachedOptions): CachedSource<T>;
  /** A read-only table from keyed rows, instance numbers stable per key. */
  table<Row>(opts: TableOptions<Row>): ListTable;
  /** The one instance-number allocator (stable numbers per row key). */
  instanceMap(): InstanceMap;
}

/** What `register(api)` receives. Every method throws (failing the start, naming the plugin) on a bad path, name or clash. */
export interface PluginApi {
  /** The plugin's name (its export, else its file name). */
  readonly name: string;
  /** The started platform (`simulated`, `openwrt`, `linux`, `none`). */
  readonly platform: string;
  /** The agent's TR-106 vendor prefix (`--vendor-prefix`), or undefined: then no vendor name can be added. */
  readonly vendorPrefix: string | undefined;
  /** A logger whose lines name the plugin. */
  readonly log: Logger;
  readonly helpers: BindingHelpers;
  /** Whether a schema object is already served (by the platform, the agent or a plugin). */
  isBound(supportedPath: string): boolean;
  /**
   * Serves a TR-181 object (`Device.USB.Port.{i}.`) the platform leaves unbound; with
   * `override: true` replaces the platform's binding of that one object. The path is checked at
   * compile time against the schema's objects (a computed one needs `as SchemaObjectPath`) and
   * again at start.
   */
  bind(supportedPath: SchemaObjectPath, binding: ObjectBinding, opts?: BindOptions): void;
  /** Adds vendor parameters to an object someone already serves; `binding` reads (and writes) only those. */
  addVendorParams(supportedPath: SchemaObjectPath, params: VendorParamDef[], binding: Pick<ObjectBinding, 'get' | 'set'>): void;
  /** Adds and serves a vendor object (its parent must exist; a standard parent then shows in GetSupportedDM). */
  addVendorObject(def: VendorObjectDef, binding: ObjectBinding): void;
  /** Adds a vendor command to an object (standard or vendor). */
  addVendorCommand(supportedPath: string, def: VendorCommandDef, binding: CommandBinding): void;
  /** Adds a vendor event; returns the function that emits it for one instance (`keys`, the instance numbers on the path). */
  addVendorEvent(supportedPath: string, def: VendorEventDef): (keys: InstanceKeys, args: Record<string, Value>) => void;
  /** Serves Firmware:1 Download()/Activate() through this backend (it must also bind Device.DeviceInfo.FirmwareImage.{i}.). */
  setFirmwareBackend(backend: FirmwareBackend, opts?: { override?: boolean }): void;
  /** Adds an execution environment (Device.SoftwareModules.ExecEnv.{i}), after the platform's. */
  addExecutionEnvironment(env: ExecutionEnvironment): void;
  /**
   * Adds a check to Device.SelfTestDiagnostics() (`name=ok` or `name=fail(why)` in its Results):
   * `run(signal)` makes one cheap read of the plugin's source, rejecting with why it failed.
   */
  addSelfTestCheck(check: SelfTestCheck): void;
  /** Called when the agent stops (timers, watchers, child processes of the plugin). */
  onStop(stop: () => void): void;
  /**
   * Device.FaultMgmt.: `supportAlarm(type)` adds a SupportedAlarm row (in register(), in the same
   * order at every start), then `raise(alarm)` and `clear(alarm)` whenever the condition starts and ends.
   */
  readonly alarms: AlarmApi;
}

/** What a plugin module exports as `default` (or `register`, or `plugin`). */
export type PluginRegister = (api: PluginApi) => void | Promise<void>;
export interface PluginObject {
  name?: string;
  /** May be left out when the plugin only brings platforms. */
  register?: PluginRegister;
  /**
   * `--platform` values this plugin adds (a name a built-in platform has fails the start). The
   * chosen entry's `start(model, opts)` registers its bindings on the model, as a built-in does.
   */
  platforms?: PlatformEntry[];
}
export type PluginExport = PluginRegister | PluginObject;
