/**
 * Writes through UCI, the way LuCI does: `uci set` each option, `uci commit <config>`, then have
 * the owning daemon reload. If a set or the commit fails, `uci revert <config>` drops the staged
 * changes and the Set fails with a UspError, so the device keeps its previous configuration and
 * the transaction rolls back. Writes are serialised: two transactions never interleave their
 * staged changes in one commit.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { CommandError } from '../exec/CommandError.js';
import { refused } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';

/**
 * `ubus call network reload` (what `/etc/init.d/network reload` and LuCI's apply run): netifd
 * re-reads network (and wireless) and restarts exactly the interfaces and devices whose options
 * changed (interface_change_config), so a new APN reconnects the modem and a changed bridge-vlan
 * is applied; it also starts an interface that was re-enabled, which `ifup` cannot (a disabled
 * section has no `network.interface.<iface>` object), and `ifup` runs this same reload first.
 */
export const NETWORK_RELOAD = ['ubus', 'call', 'network', 'reload'] as const;

export interface UciChange {
  section: string;
  option: string;
  value: string;
  /** Keep the value out of logs and error messages (passphrases). */
  secret?: boolean;
  /** `uci delete <config>.<section>.<option>` instead of a set (the option falls back to its default). */
  remove?: boolean;
  /** `uci add_list <config>.<section>.<option>=<value>` instead of a set: appends one list item. */
  append?: boolean;
  /** `uci del_list <config>.<section>.<option>=<value>` instead of a set: removes that list item. */
  removeItem?: boolean;
}

/** What a staged write may do inside one `UciWriter.transact`, before the commit. */
export interface UciStage {
  set(change: UciChange): Promise<void>;
  /** `uci add <config> <type>`: a new anonymous section; resolves with the name uci printed. */
  add(type: string): Promise<string>;
  /** `uci set <config>.<name>=<type>`: a new named section (a name libuci never changes; netifd interfaces are named). */
  create(name: string, type: string): Promise<void>;
  /** `uci delete <config>.<section>`. */
  remove(section: string): Promise<void>;
  /** `uci reorder <config>.<section>=<position>`: moves the section to that place (0-based, among every section of the config). */
  reorder(section: string, position: number): Promise<void>;
}

export class UciWriter {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: OpenWrtContext) {}

  /**
   * Stages, commits and applies `changes` to one config. `reload` runs after the commit (e.g.
   * `ubus call network reload`, which makes netifd re-read network and wireless).
   */
  apply(config: string, changes: readonly UciChange[], reload: readonly string[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    return this.transact(
      config,
      async (stage) => {
        for (const c of changes) await stage.set(c);
      },
      reload,
    );
  }

  /**
   * Runs `stage` (adds, sets, deletes of one config), commits, then runs `reload`; resolves with
   * what `stage` returned. A failing step or commit reverts everything staged.
   */
  transact<T>(config: string, stage: (s: UciStage) => Promise<T>, reload: readonly string[]): Promise<T> {
    const run = this.queue.then(() => this.transactNow(config, stage, reload));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transactNow<T>(config: string, stage: (s: UciStage) => Promise<T>, reload: readonly string[]): Promise<T> {
    const { runner, log } = this.ctx;
    const touched: string[] = [];
    let result: T;
    try {
      result = await stage({
        set: async (c) => {
          const option = `${config}.${c.section}.${c.option}`;
          touched.push(option);
          if (c.remove) await runner.run('uci', ['delete', option]);
          else if (c.append) await runner.run('uci', ['add_list', `${option}=${c.value}`]);
          else if (c.removeItem) await runner.run('uci', ['del_list', `${option}=${c.value}`]);
          else await runner.run('uci', ['set', `${option}=${c.value}`], c.secret ? { display: `uci set ${option}=…` } : {});
        },
        add: async (type) => {
          touched.push(`${config} (new ${type})`);
          const name = (await runner.run('uci', ['add', config, type])).trim();
          if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`uci add printed no section name (${JSON.stringify(name.slice(0, 40))})`);
          return name;
        },
        create: async (name, type) => {
          touched.push(`${config}.${name}`);
          await runner.run('uci', ['set', `${config}.${name}=${type}`]);
        },
        remove: async (section) => {
          touched.push(`${config}.${section}`);
          await runner.run('uci', ['delete', `${config}.${section}`]);
        },
        reorder: async (section, position) => {
          touched.push(`${config}.${section} (order)`);
          await runner.run('uci', ['reorder', `${config}.${section}=${position}`]);
        },
      });
      if (touched.length === 0) return result;
      await runner.run('uci', ['commit', config]);
    } catch (e) {
      try {
        await runner.run('uci', ['revert', config]);
      } catch (r) {
        log.error('uci revert failed after a failed write', { config, error: message(r) });
      }
      if (e instanceof UspError) throw e;
      // The options are named, never the values: one of them may be a passphrase.
      throw new UspError(ErrorCode.InternalError, `could not write ${touched.join(', ') || config} (reverted): ${message(e)}`);
    }
    try {
      const [cmd, ...args] = reload;
      await runner.run(cmd, args);
    } catch (e) {
      // Committed already: the device applies it on the next reload or boot at the latest.
      log.error('configuration committed but the reload failed', { config, error: message(e) });
      throw new UspError(ErrorCode.InternalError, `${config} saved but not applied: ${message(e)}`);
    }
    return result;
  }
}

function message(e: unknown): string {
  return e instanceof CommandError || e instanceof Error ? e.message : String(e);
}

/**
 * How one writable parameter becomes UCI options: the changes to stage, or a refusal message
 * for a value the schema allows but this device cannot take. `all` is the whole Set for the
 * object, for parameters that depend on each other (a security mode needs a passphrase), and
 * `current` the object's values before it.
 */
export type ParamWriter = (value: Value, all: Record<string, Value>, current: Record<string, Value>) => UciChange[] | string;

/**
 * The UCI changes for a Set, or a 7012 naming every refused parameter (nothing is written then).
 * A parameter without a writer is accepted only when it keeps its current value: the schema
 * makes it writable, this platform cannot change it.
 */
export function planWrite(current: Record<string, Value>, changes: Record<string, Value>, writers: Readonly<Record<string, ParamWriter>>): UciChange[] {
  const out: UciChange[] = [];
  const bad: Array<{ param: string; message: string }> = [];
  for (const [param, value] of Object.entries(changes)) {
    const write = writers[param];
    if (!write) {
      if (current[param] !== value) bad.push({ param, message: 'this device only accepts its current value' });
      continue;
    }
    const r = write(value, changes, current);
    if (typeof r === 'string') bad.push({ param, message: r });
    else out.push(...r);
  }
  if (bad.length > 0) throw refused(bad);
  return out;
}
