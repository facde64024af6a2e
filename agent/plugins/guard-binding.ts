/**
 * A plugin's bindings, wrapped so that a provider that throws or rejects at run time fails only
 * its own paths: what it threw becomes a 7003 (TR-369 Internal Error) for the request that read
 * it, logged once per burst (BurstLog) with the plugin's name, and the agent keeps serving the
 * rest of the tree. A UspError the plugin throws on purpose (7016, 7012...) passes unchanged.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { CommandBinding, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { BurstLog } from './burst-log.js';

export interface GuardContext {
  plugin: string;
  file: string;
  failures: BurstLog;
}

/** `binding` with each call guarded; `path` is the supported path it serves (the log key). */
export function guardBinding<B extends Partial<ObjectBinding>>(binding: B, path: string, g: GuardContext): B {
  // Read member by member, not spread: a plugin's binding may be a class instance whose methods
  // live on its prototype.
  const out: Record<string, unknown> = { ...binding };
  for (const k of ['params', 'writable', 'changesOnlyThroughAgent', 'stored'] as const) if (binding[k] !== undefined) out[k] = binding[k];
  if (binding.snapshot) out.snapshot = binding.snapshot.bind(binding);
  for (const m of ['list', 'get', 'getParam', 'set', 'add', 'delete', 'findByValues', 'restore'] as const) {
    const f = binding[m] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof f === 'function') out[m] = guardCall((...args: unknown[]) => f.apply(binding, args), `${path} ${m}`, g);
  }
  if (binding.commands) {
    out.commands = Object.fromEntries(Object.entries(binding.commands).map(([name, c]) => [name, guardCommand(c, `${path}${name}`, g)]));
  }
  return out as B;
}

export function guardCommand(c: CommandBinding, where: string, g: GuardContext): CommandBinding {
  return {
    run: guardCall((call) => c.run(call), where, g) as CommandBinding['run'],
    ...(c.precheck ? { precheck: guardCall((call, given) => c.precheck!(call, given), `${where} precheck`, g) as CommandBinding['precheck'] } : {}),
  };
}

/** `f`, its throws and rejections turned into logged 7003s (UspErrors pass). Synchronous results stay synchronous. */
function guardCall<A extends unknown[]>(f: (...args: A) => unknown, where: string, g: GuardContext): (...args: A) => unknown {
  const fail = (e: unknown): never => {
    if (e instanceof UspError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    g.failures.error(`${g.plugin} ${where}`, 'plugin provider failed', { plugin: g.plugin, file: g.file, at: where, error: why });
    throw new UspError(ErrorCode.InternalError, `plugin ${g.plugin} failed: ${why}`, { logged: true, isolated: true });
  };
  return (...args: A) => {
    let r: unknown;
    try {
      r = f(...args);
    } catch (e) {
      return fail(e);
    }
    return r instanceof Promise ? r.catch(fail) : r;
  };
}
