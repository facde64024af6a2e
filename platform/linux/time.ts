/**
 * Device.Time. on generic Linux (TR-181 Time:2, with Time.Client.{i}), from chrony: the NTP
 * client Debian, Yocto and Buildroot ship. chronyc says how the clock is synchronized
 * (chrony.ts); the configuration is the agent's, kept in its store and written to ONE sources
 * file chronyd reads through `sourcedir` (chrony-sources.ts), then `chronyc reload sources`.
 *
 * | TR-181                       | Linux with chrony                                                       |
 * |------------------------------|-------------------------------------------------------------------------|
 * | Time.Enable                  | stored (default true); false writes the sources file with no source     |
 * | Time.Status                  | Disabled when not enabled; Error when chronyd does not answer chronyc; Synchronized when `chronyc -c sources` shows a selected (`*`) source and tracking's leap status is not "Not synchronised"; Error when there are enabled Clients and each is Error_FailedToSynchronize; else Unsynchronized |
 * | Time.CurrentLocalTime        | the clock (dateTime values are canonical UTC in this agent; the zone is LocalTimeZone) |
 * | Time.LocalTimeZone           | stored; until set, the host's: the POSIX TZ string that ends /etc/localtime (TZif v2+) |
 * | Time.Client.{i}.             | stored rows (at most MAX_CLIENTS); each enabled row's Servers are `server` lines of the sources file |
 * | Client.{i}.Status            | Disabled (row or Time disabled), Error (chronyd silent), Synchronized when the selected source is one of its Servers, Error_FailedToSynchronize when each of its servers was sent 4 requests (`ntpdata` Total TX) without a good answer (Total good RX 0), else Unsynchronized |
 * | Client.{i}.ServerInUse       | the selected source, when it is one of the row's Servers                |
 * | Client.{i}.Stats.            | `ntpdata` counters of the row's sources, summed (time-client-stats.ts)  |
 *
 * TR-181 2.19 has no NTPServer1..5 (deleted in 2.19, for Client.{i}): the servers are
 * Client.{i}.Servers. Time.Status's Error_FailedToSynchronize is deleted too (Client.{i}.Status
 * has it); Time.Status's "Error" is a time client that does not run, or every Client failed.
 *
 * A change is written to the file before it is answered: a file that cannot be written refuses
 * it with 7003 and the store put back. A chronyd that does not answer `reload sources` does not
 * refuse it (chronyd reads the file when it starts); it is logged, and Status reads Error.
 * At start the stored configuration is written again when the file differs (an image update,
 * a hand edit, a factory reset that emptied the store); with nothing stored and no file, chrony
 * is left alone until the first change. LocalTimeZone, when `zoneFile` is given, is also written there as a TZif file
 * (tzif.ts: what glibc and musl read as /etc/localtime), so the host's local time follows it.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { writeFileAtomic } from '../../datamodel/store/atomic-write.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { dateTimeOf, type Value } from '../../datamodel/value/Value.js';
import { isPosixTz, posixTzProblem } from '../posix-tz.js';
import { invalid, type Row, StoredTable } from '../stored-table.js';
import { type ChronySource, type ChronyState, type Chronyc, hasFailed, isSynchronized } from './chrony.js';
import { clientProblems, MAX_CLIENTS, renderSources, serverList } from './chrony-sources.js';
import { registerClientStats } from './time-client-stats.js';
import { hostTimeZone, tzifOf } from './tzif.js';
import { SerialRuns } from '../serial-runs.js';

const TIME = 'Device.Time.';
const CLIENT = 'Device.Time.Client.{i}.';
const TIME_PARAMS = ['Enable', 'Status', 'CurrentLocalTime', 'LocalTimeZone'] as const;
const CLIENT_PARAMS = ['Enable', 'Status', 'Alias', 'Mode', 'Port', 'Version', 'Servers', 'MinPoll', 'MaxPoll', 'IBurst', 'ServerInUse'] as const;
/** chrony's client polls its servers: Mode stays Unicast (clientProblems), so it is served read-only. */
const CLIENT_WRITABLE: readonly string[] = CLIENT_PARAMS.filter((p) => p !== 'Mode');
/** Computed on read, never stored. */
const LIVE = new Set(['Status', 'CurrentLocalTime', 'ServerInUse']);
/** The host's zone when neither the store nor /etc/localtime gives one. */
const FALLBACK_ZONE = 'UTC0';

/** Where chrony and the zone are, for `--time chrony` (each has a default). */
export interface TimeSettings {
  /** The sources file the agent owns (default DEFAULT_SOURCES_FILE); its directory must be a `sourcedir` of chrony.conf. */
  sourcesFile?: string;
  /** chronyd's command socket (`bindcmdaddress`), given to chronyc as `-h`; default chronyc's own. */
  chronySocket?: string;
  /** `--time-zone-file`: where a written LocalTimeZone goes as a TZif file (e.g. /etc/localtime); default none. */
  zoneFile?: string;
  /** Where the host's zone is read (default /etc/localtime). */
  localtimeFile?: string;
}

/**
 * Whether Device.Time. is served from chrony: the setting (`--time chrony|off`; undefined = on
 * where chronyc answers) and chronyc answering `chronyc -c tracking`. `why` says what is missing,
 * for the start-up line. Run once at start, synchronously (the supported model is fixed when the
 * platform registers).
 */
export function timeUsable(setting: boolean | undefined, settings: TimeSettings, chronyc = 'chronyc'): { usable: boolean; why?: string } {
  if (setting === false) return { usable: false, why: 'switched off (--time off)' };
  const socket = settings.chronySocket !== undefined ? ['-h', settings.chronySocket] : [];
  const r = spawnSync(chronyc, [...socket, '-n', '-c', 'tracking'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return { usable: false, why: 'chronyc (chrony) is not installed' };
  if (r.status !== 0) return { usable: false, why: `chronyd does not answer chronyc: ${(r.stderr || r.stdout || String(r.error ?? '')).trim().slice(0, 200)}` };
  return { usable: true };
}

/** The fix when the sources file's directory is missing: chronyd reads nothing the agent writes until chrony.conf names it. */
function sourcedirFix(file: string): string {
  const dir = dirname(file);
  return `create ${dir} and add \`sourcedir ${dir}\` to chrony.conf (chrony 4.0+)`;
}

export interface LinuxTimeOptions {
  model: DataModel;
  store: DataStore;
  chronyc: Chronyc;
  /** The sources file the agent owns (its directory is one of chrony.conf's `sourcedir`s). */
  sourcesFile: string;
  /** Where the host's zone is read until LocalTimeZone is set (default /etc/localtime). */
  localtimeFile?: string;
  /** Where a written LocalTimeZone goes as a TZif file (e.g. /etc/localtime); undefined: kept by the agent only. */
  zoneFile?: string;
  now?: () => number;
  log?: Logger;
}

/** Device.Time. and its Client rows over chrony: `register`, then `start` once the store is loaded. */
export class LinuxTime {
  private clients!: ModelNode;
  /** Serialises the file writes (a transaction's undo may follow its do at once). */
  private readonly writing = new SerialRuns();
  /** The text last written (or found) in the file: an unchanged configuration is not written or reloaded again. */
  private written?: string;
  private hostZone = FALLBACK_ZONE;

  constructor(readonly opts: LinuxTimeOptions) {}

  /** Serves Device.Time. and Device.Time.Client.{i}. */
  register(): void {
    const { model, store } = this.opts;
    model.register(TIME, new TimeBinding(this, store));
    this.clients = model.register(
      CLIENT,
      new StoredTable(store, model.requireNode(CLIENT), {
        params: CLIENT_PARAMS,
        writable: CLIENT_WRITABLE,
        live: LIVE,
        max: MAX_CLIENTS,
        // chrony's client polls its servers; TR-181 gives Mode no default.
        defaults: { Mode: 'Unicast' },
        // Status and ServerInUse follow chronyd: they are polled.
        changesOnlyThroughAgent: false,
        check: (_keys, merged, changes) => {
          if (changes.Servers !== undefined) merged.Servers = serverList(changes.Servers).join(',');
          const bad = clientProblems(merged);
          if (bad.length > 0) throw invalid(bad);
          return merged;
        },
        read: (_keys, row) => this.readClient(row),
        apply: () => this.applyChange(),
      }),
    );
    registerClientStats(model, this);
    // A commit whose save failed puts the store back as saved (DataStore.revert): the files follow.
    model.onCommit(
      () => Promise.resolve(),
      () => {
        void this.apply().catch(() => undefined);
        const tz = this.timeRow().LocalTimeZone;
        if (typeof tz === 'string') void this.writeZone(tz).catch(() => undefined);
      },
    );
  }

  /** Reads the host's zone and writes the stored configuration when the file holds another. */
  async start(): Promise<void> {
    const zone = await hostTimeZone(this.opts.localtimeFile ?? '/etc/localtime');
    if (zone !== undefined) this.hostZone = zone;
    if (!statSync(dirname(this.opts.sourcesFile), { throwIfNoEntry: false })?.isDirectory()) {
      this.opts.log?.warn('Device.Time. is read from chrony, but its Enable and Client.{i} cannot be written', { file: this.opts.sourcesFile, fix: sourcedirFix(this.opts.sourcesFile) });
    }
    this.written = await readFile(this.opts.sourcesFile, 'utf8').catch(() => undefined);
    // Nothing configured through the agent and no file of its own: chrony is left as the image set it up.
    if (this.written === undefined && Object.keys(this.timeRow()).length === 0 && this.clientRows().length === 0) return;
    try {
      await this.apply();
    } catch (e) {
      this.opts.log?.warn('the NTP sources file could not be written; chrony keeps the sources it has', { file: this.opts.sourcesFile, why: message(e) });
    }
  }

  timeRow(): Row {
    return this.opts.store.row(TIME) ?? {};
  }

  enabled(): boolean {
    return this.timeRow().Enable !== false;
  }

  zone(): string {
    const z = this.timeRow().LocalTimeZone;
    return typeof z === 'string' ? z : this.hostZone;
  }

  /** chronyc's reading, or undefined when chronyd does not answer. */
  async chrony(): Promise<ChronyState | undefined> {
    try {
      return await this.opts.chronyc.state();
    } catch (e) {
      this.opts.log?.debug('chronyc did not answer', { why: message(e) });
      return undefined;
    }
  }

  synchronized(state: ChronyState): boolean {
    return isSynchronized(state.tracking, state.sources);
  }

  /**
   * An enabled Client row's Status and ServerInUse from chronyc's reading: Synchronized when the
   * selected source is one of its Servers; Error_FailedToSynchronize ("attempted to contact the
   * remote NTP server but failed to acquire accurate absolute time") when chronyd lists its
   * servers and every one was sent FAILED_AFTER_REQUESTS requests without a good answer; else
   * Unsynchronized (a name not resolved yet is not listed).
   */
  clientStatus(row: Row, state: ChronyState): { Status: string; ServerInUse: string } {
    const mine = this.sourcesOf(row, state);
    const inUse = mine.find((s) => s.state === 'selected');
    if (inUse && this.synchronized(state)) return { Status: 'Synchronized', ServerInUse: inUse.name };
    return { Status: mine.length > 0 && mine.every(hasFailed) ? 'Error_FailedToSynchronize' : 'Unsynchronized', ServerInUse: '' };
  }

  /** The sources chronyd lists for the row's Servers (a name not resolved yet is not listed). */
  sourcesOf(row: Row, state: ChronyState): ChronySource[] {
    const servers = new Set(serverList(row.Servers).map((s) => s.toLowerCase()));
    return state.sources.filter((s) => servers.has(s.name.toLowerCase()));
  }

  /** Time.Status Error: "None of the configured Time clients were able to synchronize": there are enabled Clients and each failed. */
  everyClientFailed(state: ChronyState): boolean {
    const enabled = this.clientRows().filter(([, r]) => r.Enable === true);
    return enabled.length > 0 && enabled.every(([, r]) => this.clientStatus(r, state).Status === 'Error_FailedToSynchronize');
  }

  clientRows(): Array<[number, Row]> {
    const { store } = this.opts;
    return store.instances(this.clients.tablePathOf([])).map((n) => [n, store.row(this.clients.pathOf([n])) ?? {}]);
  }

  /** The file's text for the stored configuration. */
  private render(): string {
    const clients = this.clientRows()
      .filter(([, r]) => r.Enable === true)
      .map(([n, r]) => ({
        path: this.clients.pathOf([n]).slice(0, -1),
        servers: serverList(r.Servers),
        port: Number(r.Port),
        minPoll: Number(r.MinPoll),
        maxPoll: Number(r.MaxPoll),
        version: Number(r.Version),
        iburst: r.IBurst === true,
      }));
    return renderSources(this.enabled(), clients);
  }

  /**
   * Writes the stored configuration to the file (atomically) and has chronyd read it, once the
   * writes before are done. Rejects when the file cannot be written; a chronyd that does not
   * answer is logged only.
   */
  apply(): Promise<void> {
    return this.writing.run(() => this.applyNow());
  }

  private async applyNow(): Promise<void> {
    const text = this.render();
    if (text === this.written) return;
    // 0644: chronyd reads sourcedir files again after dropping root (Debian runs it as _chrony).
    await writeFileAtomic(this.opts.sourcesFile, text, 0o644);
    this.written = text;
    try {
      await this.opts.chronyc.reloadSources();
    } catch (e) {
      this.opts.log?.warn('chronyd did not reload its sources; it reads the file when it starts', { file: this.opts.sourcesFile, why: message(e) });
    }
  }

  /** LocalTimeZone to the zone file, when the integrator named one. */
  async writeZone(tz: string): Promise<void> {
    if (this.opts.zoneFile === undefined) return;
    await writeFileAtomic(this.opts.zoneFile, tzifOf(tz), 0o644);
  }

  /** Writes the file for a change the store holds; refuses it with 7003 when the file cannot be written (the caller puts the store back). */
  async applyChange(): Promise<void> {
    try {
      await this.apply();
    } catch (e) {
      const fix = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `; ${sourcedirFix(this.opts.sourcesFile)}` : '';
      throw new UspError(ErrorCode.InternalError, `the NTP sources file ${this.opts.sourcesFile} could not be written, so nothing changed: ${message(e)}${fix}`);
    }
  }

  /** A Client row as read: Status and ServerInUse from chronyc. */
  private async readClient(row: Row): Promise<Record<string, Value>> {
    const values: Record<string, Value> = { ...row, Status: 'Disabled', ServerInUse: '' };
    if (row.Enable !== true || !this.enabled()) return values;
    const state = await this.chrony();
    if (state === undefined) return { ...values, Status: 'Error' };
    return { ...values, ...this.clientStatus(row, state) };
  }
}

/** Device.Time.: Enable and LocalTimeZone stored, Status from chronyc. */
class TimeBinding implements ObjectBinding {
  readonly params = TIME_PARAMS;
  readonly stored = true;

  constructor(
    private readonly time: LinuxTime,
    private readonly store: DataStore,
  ) {}

  async get(): Promise<Record<string, Value>> {
    const now = dateTimeOf(this.time.opts.now?.() ?? Date.now());
    if (!this.time.enabled()) return { Enable: false, Status: 'Disabled', CurrentLocalTime: now, LocalTimeZone: this.time.zone() };
    const state = await this.time.chrony();
    const status = state === undefined ? 'Error' : this.time.synchronized(state) ? 'Synchronized' : this.time.everyClientFailed(state) ? 'Error' : 'Unsynchronized';
    return { Enable: true, Status: status, CurrentLocalTime: now, LocalTimeZone: this.time.zone() };
  }

  async set(_keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const tz = changes.LocalTimeZone;
    if (tz !== undefined && !isPosixTz(String(tz))) throw invalid([{ param: 'LocalTimeZone', message: posixTzProblem(String(tz)) }]);
    const before = this.store.row(TIME);
    const next: Record<string, Value> = { ...(before ?? {}) };
    for (const [k, v] of Object.entries(changes)) if (!LIVE.has(k)) next[k] = v;
    // The zone file first: when it cannot be written, nothing has changed yet.
    const zoneBefore = this.time.zone();
    if (tz !== undefined) {
      await this.time.writeZone(String(tz)).catch((e: unknown) => {
        throw new UspError(ErrorCode.InternalError, `LocalTimeZone could not be written to the zone file, so nothing changed: ${message(e)}`);
      });
    }
    this.store.setRow(TIME, next);
    try {
      await this.time.applyChange();
    } catch (e) {
      this.store.setRow(TIME, { ...(before ?? {}) });
      if (tz !== undefined) await this.time.writeZone(zoneBefore).catch(() => undefined);
      throw e;
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
