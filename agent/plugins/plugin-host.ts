/**
 * The PluginApi one plugin receives (plugin-api.ts): each call checks what it is given against
 * the schema and the agent's vendor prefix, guards the bindings (guard-binding.ts) and registers
 * them on the data model exactly as a platform would.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { SchemaParam } from '../../datamodel/schema/types.js';
import type { ObjectBinding } from '../../datamodel/tree/binding.js';
import { cachedObject, cachedSource, constantObject, tableFromList } from '../../datamodel/tree/binding-helpers.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { ExecutionEnvironment } from '../../platform/software/ExecutionEnvironment.js';
import { SELF_TEST_CHECK_NAME_RE, type SelfTestCheck } from '../../platform/self-test-check.js';
import type { FirmwareBackend } from '../firmware/FirmwareBackend.js';
import { guardBinding, guardCommand, type GuardContext } from './guard-binding.js';
import type { BindingHelpers, PluginApi } from './plugin-api.js';
import type { AlarmApi } from '../faultmgmt/FaultMgmt.js';
import { pluginAlarms } from './plugin-alarms.js';
import { PluginUsageError, vendorCommand, vendorEvent, vendorObject, vendorParam } from './vendor-defs.js';

/** What plugins may add to beside the data model: the started platform's backends. */
export interface PluginTargets {
  platform: string;
  firmware?: FirmwareBackend;
  executionEnvs: ExecutionEnvironment[];
  /** Device.SelfTestDiagnostics()'s checks beside the agent's own: the platform's, then the plugins'. */
  selfTestChecks: SelfTestCheck[];
  stops: Array<() => void>;
  /** Device.FaultMgmt.'s alarm calls (agent/faultmgmt/), for PluginApi.alarms. */
  alarms?: AlarmApi;
}

/** How many checks the platform and plugins together may give the self test (its Results hold 1024 characters). */
export const MAX_SELF_TEST_CHECKS = 24;

export const BINDING_HELPERS: BindingHelpers = {
  constant: constantObject,
  cached: cachedObject,
  cachedSource,
  table: tableFromList,
  instanceMap: () => new InstanceMap(),
};

/** The api for plugin `name` loaded from `file`. */
export function pluginApi(model: DataModel, targets: PluginTargets, p: { name: string; file: string; vendorPrefix?: string; log: Logger; guard: GuardContext }): PluginApi {
  const prefix = p.vendorPrefix;
  const guard = <B extends Partial<ObjectBinding>>(b: B, path: string): B => guardBinding(b, path, p.guard);
  const schemaNode = (path: string, what: string): ModelNode => {
    const node = typeof path === 'string' ? model.node(path) : undefined;
    if (!node)
      throw new PluginUsageError(
        `${String(path)} is not an object of the TR-181 schema (${what})`,
        'give a supported path as in GetSupportedDM, e.g. Device.USB.Port.{i}. (vendor objects: addVendorObject)',
      );
    return node;
  };
  const checkBinding = (b: ObjectBinding | undefined, path: string): void => {
    if (!b || typeof b.get !== 'function') throw new PluginUsageError(`${path}: the binding has no get()`, 'give an object binding with at least get(keys, ctx)');
  };
  return {
    name: p.name,
    platform: targets.platform,
    vendorPrefix: prefix,
    log: p.log,
    helpers: BINDING_HELPERS,
    isBound: (path) => model.bindingAt(path) !== undefined,

    bind(path, binding, opts = {}) {
      const node = schemaNode(path, 'bind');
      checkBinding(binding, path);
      if (model.bindingOf(node) && !opts.override) {
        throw new PluginUsageError(`${path} is already served (by the platform or another plugin)`, 'pass { override: true } to replace that binding, or bind another object');
      }
      if (node.multi && typeof binding.list !== 'function')
        throw new PluginUsageError(`${path} is a table and the binding has no list()`, 'give list(parentKeys) returning the instance numbers (helpers.table does)');
      const vendorParams = (opts.vendorParams ?? []).map((d) => vendorParam(d, path, prefix, true));
      for (const n of binding.params ?? []) {
        if (!node.def.params.some((q) => q.name === n))
          throw new PluginUsageError(`${path}${n} is not in the TR-181 schema`, `vendor parameters go in vendorParams with the prefix ${prefix ?? 'X_<VENDOR>_'}`);
      }
      model.register(path, guard(binding, path), { vendorParams, override: opts.override });
    },

    addVendorParams(path, params, binding) {
      const node = schemaNode(path, 'addVendorParams');
      checkBinding(binding as ObjectBinding, path);
      const defs = params.map((d) => vendorParam(d, path, prefix, true));
      if (defs.some((d) => d.access === 'readWrite') && typeof binding.set !== 'function')
        throw new PluginUsageError(`${path}: a readWrite vendor parameter needs set()`, 'give set(keys, changes) or make the parameters readOnly');
      const own = guard(binding, path);
      const old = model.bindingOf(node);
      if (!old) {
        model.register(path, { params: [], get: own.get, set: own.set }, { vendorParams: defs });
        return;
      }
      // The object stays the platform's; only these names are read from (and written to) the plugin.
      const names = new Set(defs.map((d) => d.name));
      const kept: SchemaParam[] = [...node.params.values()].filter((q) => !node.derivedCounts.has(q.name) && !node.def.params.some((s) => s.name === q.name));
      const composed: ObjectBinding = {
        ...forwarded(old),
        params: old.params ?? [...node.params.keys()].filter((n) => !node.derivedCounts.has(n) && !kept.some((q) => q.name === n)),
        changesOnlyThroughAgent: false,
        // What a Set changes: the platform's as before (nothing without its set), and these names.
        writable: old.set ? (old.writable === undefined ? undefined : [...old.writable, ...names]) : [...names],
        // A whole-object read leaves the plugin's values out when its source fails (logged by the
        // guard); a read of one of its parameters fails (7003) and one of the platform's never calls it.
        get: async (keys, ctx) => {
          const [a, b] = await Promise.all([
            old.get(keys, ctx),
            Promise.resolve()
              .then(() => own.get(keys, ctx))
              .catch(() => undefined),
          ]);
          for (const n of names) {
            if (b) a[n] = b[n];
            else (a as Record<string, Value | undefined>)[n] = undefined;
          }
          return a;
        },
        getParam: async (keys, name, ctx) => (names.has(name) ? (await own.get(keys, ctx))[name] : old.getParam ? old.getParam(keys, name, ctx) : (await old.get(keys, ctx))[name]),
        set: async (keys, changes, ctx) => {
          const mine: Record<string, Value> = {};
          const theirs: Record<string, Value> = {};
          for (const [k, v] of Object.entries(changes)) (names.has(k) ? mine : theirs)[k] = v;
          if (Object.keys(theirs).length) await old.set?.(keys, theirs, ctx);
          if (Object.keys(mine).length) await own.set?.(keys, mine, ctx);
        },
      };
      model.register(path, composed, { vendorParams: [...kept, ...defs], override: true });
    },

    addVendorObject(def, binding) {
      const schema = vendorObject(def, prefix, typeof binding?.add === 'function');
      checkBinding(binding, schema.path);
      if (!model.node(schema.path.replace(/[^.]+\.(\{i\}\.)?$/, '')))
        throw new PluginUsageError(`${schema.path}: its parent object is not in the data model`, 'add the parent (a TR-181 object or a vendor object added before) first');
      if (schema.multi && typeof binding.list !== 'function')
        throw new PluginUsageError(`${schema.path} is a table and the binding has no list()`, 'give list(parentKeys) returning the instance numbers (helpers.table does)');
      if (model.node(schema.path)) throw new PluginUsageError(`${schema.path} is defined twice`, 'add each vendor object once');
      model.addVendorObject(schema);
      model.register(schema.path, guard(binding, schema.path));
    },

    addVendorCommand(path, def, binding) {
      const node = model.node(path) ?? schemaNode(path, 'addVendorCommand');
      const schema = vendorCommand(def, path, prefix);
      if (typeof binding?.run !== 'function') throw new PluginUsageError(`${path}${def.name}: the command binding has no run()`, 'give { run(call) } returning the output arguments');
      if (node.commands.has(schema.name)) throw new PluginUsageError(`${path}${schema.name} is defined twice`, 'add each vendor command once');
      model.registerCommand(path, schema.name, guardCommand(binding, `${path}${schema.name}`, p.guard), schema);
    },

    addVendorEvent(path, def) {
      const node = model.node(path) ?? schemaNode(path, 'addVendorEvent');
      const schema = vendorEvent(def, path, prefix);
      if (node.events.has(schema.name)) throw new PluginUsageError(`${path}${schema.name} is defined twice`, 'add each vendor event once');
      model.registerEvent(path, schema.name, schema);
      return (keys, args) => {
        if (keys.length !== node.keyCount) throw new Error(`${path}${schema.name}: ${node.keyCount} instance numbers expected, got ${keys.length}`);
        model.changes.emit({ kind: 'event', inst: { node, keys }, path: node.pathOf(keys), event: schema.name, args });
      };
    },

    setFirmwareBackend(backend, opts = {}) {
      if (targets.firmware && !opts.override) throw new PluginUsageError(`the ${targets.platform} platform already has a firmware backend`, 'pass { override: true } to replace it');
      targets.firmware = backend;
    },

    addExecutionEnvironment(env) {
      targets.executionEnvs.push(env);
    },

    addSelfTestCheck(check) {
      if (typeof check?.run !== 'function') throw new PluginUsageError('the self-test check has no run()', 'give { name, run(signal) } resolving when the source answers');
      if (typeof check.name !== 'string' || !SELF_TEST_CHECK_NAME_RE.test(check.name))
        throw new PluginUsageError(`self-test check name ${JSON.stringify(check.name)} is not a short name`, 'give 1-32 letters, digits, _ . : -, e.g. "fan"');
      if (targets.selfTestChecks.some((c) => c.name === check.name)) throw new PluginUsageError(`self-test check ${check.name} is added twice`, 'give each check its own name');
      if (targets.selfTestChecks.length >= MAX_SELF_TEST_CHECKS)
        throw new PluginUsageError(`too many self-test checks (${MAX_SELF_TEST_CHECKS} with the platform's)`, 'check several things in one check');
      targets.selfTestChecks.push(check);
    },

    onStop(stop) {
      targets.stops.push(stop);
    },
    alarms: pluginAlarms(targets.alarms),
  };
}

/** `b`'s members as a plain object, methods bound to `b` (it may be a class instance). */
function forwarded(b: ObjectBinding): ObjectBinding {
  const out: Record<string, unknown> = { ...b, params: b.params, writable: b.writable, commands: b.commands, changesOnlyThroughAgent: b.changesOnlyThroughAgent, stored: b.stored };
  for (const m of ['list', 'get', 'getParam', 'set', 'add', 'delete', 'findByValues', 'snapshot', 'restore'] as const) {
    const f = b[m] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof f === 'function') out[m] = f.bind(b);
  }
  return out as unknown as ObjectBinding;
}
