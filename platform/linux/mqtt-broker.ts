/**
 * Device.MQTT.Broker.{i}. (MQTTBrokerBase:1, MQTTBrokerExtended:1) on generic Linux: each
 * enabled row is one Mosquitto the agent runs (`--mqtt-broker mosquitto`), the way dnsmasq.ts
 * runs dnsmasq:
 *
 * - The rows are configuration kept in the agent's store. Each change is checked before it is
 *   kept (7012, nothing kept): an Interface that names no IP.Interface row, a Name another row
 *   has, a Username Mosquitto's password file cannot hold. Once the transaction commits, each
 *   row's file is made (mosquitto-conf.ts) and its broker restarted on it before the answer.
 * - Safe by default: a row added without an Interface gets the loopback interface's (the broker
 *   answers on 127.0.0.1 only); Interface "" is every interface, as TR-181 says. A Username
 *   turns anonymous access off. The broker never runs as root: as the `mosquitto` user (else
 *   `nobody`) when the agent is root, its files in a directory of that user's outside the data
 *   directory (`runDir`), the password file 0600.
 * - Status: Disabled; Error_Misconfigured (a Username without a Password, an Interface whose
 *   device has no IPv4 address: nothing runs); Error while Mosquitto cannot run (it exits: a
 *   port in use, the reason in the log); else Enabled.
 * - Stats.: the broker's $SYS counters (../mqtt-broker/BrokerSysStats.ts); they start at 0
 *   with each start of the broker.
 * - Bridge.{i}. with Server.{i}. and Subscription.{i}.: `connection` sections in the same file
 *   (mqtt-broker-bridges.ts).
 * - Interface is kept as written and, beside it, the device it named then (`$device`), as the
 *   NAT and dnsmasq rows do: IP.Interface numbers are assigned afresh at each start.
 *
 * The OpenWrt platform runs the same brokers (platform/openwrt/mqtt-broker.ts) through the seam of
 * the options: what an Interface names (`interfaces`: a netifd interface there, a kernel device
 * here), its IPv4 address (`addressOf`), the loopback's name and the fix a port in use calls for.
 */
import { chownSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { CommitApplier } from '../commit-applier.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ConfiguredDaemon } from '../exec/ConfiguredDaemon.js';
import type { BrokerSysStats } from '../mqtt-broker/BrokerSysStats.js';
import { BridgeLog, connectionErrorLine } from '../mqtt-broker/mosquitto-log.js';
import { ZERO_STATS } from '../mqtt-broker/broker-stats.js';
import { BROKER, BROKER_PARAMS, BROKER_STATS, brokerMisconfigured, brokerStatsValues, brokerProblems, MAX_BROKERS, mosquittoPasswordLine, STATS_PARAMS } from '../mqtt-broker/broker-rows.js';
import { invalid, publicValues, type Row, StoredTable } from '../stored-table.js';
import type { IpLink } from './ip-addr.js';
import { brokerUser, MOSQUITTO_BIN, mosquittoConfText } from './mosquitto-conf.js';
import { LinuxBrokerBridges } from './mqtt-broker-bridges.js';
import type { IpInterfaceNames } from './nat.js';
import { SerialRuns } from '../serial-runs.js';

const DEVICE_KEY = '$device';
const LOOPBACK = 'lo';
const PORT_IN_USE = /Address already in use/i;

export interface LinuxMqttBrokerOptions {
  model: DataModel;
  store: DataStore;
  /** IP.Interface rows <-> the names the rows keep (Linux: kernel devices; OpenWrt: netifd interfaces). */
  interfaces: IpInterfaceNames;
  /** The IPv4 address the listener of a row on the interface `name` binds (linkIpv4 on Linux). */
  addressOf: (name: string) => Promise<string | undefined>;
  /** The name of the loopback interface, the Interface of a row added without one (default "lo"). */
  loopback?: string;
  /** What the operator can do when a broker's port is taken, logged with Mosquitto's "Address already in use". */
  portInUseFix?: string;
  /** The agent's data directory (the brokers' pid files). */
  dataDir: string;
  /** The brokers' configuration and password files: a directory the broker's user owns. */
  runDir: string;
  binary?: string;
  log?: Logger;
}

/** One running broker: its child, its $SYS client and what they were started with. */
interface RunningBroker {
  daemon: ConfiguredDaemon;
  stats?: BrokerSysStats;
  statsKey?: string;
  credentials?: string;
  credentialsVersion: number;
  /** Its bridges' attempts, from its log. */
  bridgeLog: BridgeLog;
}

/** The Broker rows and their Mosquittos. */
export class LinuxMqttBroker {
  private table!: StoredTable;
  private bridges!: LinuxBrokerBridges;
  private readonly running = new Map<number, RunningBroker>();
  private readonly user = brokerUser();
  private readonly applying = new SerialRuns();
  private stopped = false;

  constructor(private readonly opts: LinuxMqttBrokerOptions) {}

  register(): void {
    const { model, store } = this.opts;
    const { changed } = new CommitApplier(model, () => this.apply(), this.opts.log, 'MQTT broker configuration');
    this.table = new StoredTable(store, model.requireNode(BROKER), {
      params: BROKER_PARAMS,
      live: new Set(['Status']),
      max: MAX_BROKERS,
      references: ['Interface'],
      // Status follows the broker process, not only the agent's writes.
      changesOnlyThroughAgent: false,
      check: async (keys, merged, changes) => {
        const n = keys[keys.length - 1]!;
        const others = this.table
          .rows([])
          .filter(([m]) => m !== n)
          .map(([, r]) => r);
        const bad = brokerProblems(merged, changes, others);
        if (bad.length > 0) throw invalid(bad);
        // Safe by default: a new row without an Interface listens on loopback only.
        if (n === 0 && changes.Interface === undefined) {
          const loopback = this.opts.loopback ?? LOOPBACK;
          const lo = await this.opts.interfaces.pathOf(loopback);
          if (lo !== undefined) return { ...merged, Interface: lo, [DEVICE_KEY]: loopback };
        }
        return this.withDevice(merged, changes);
      },
      read: async (keys, row) => {
        const values = await this.readInterface(row);
        values.Status = await this.status(keys[0]!, row);
        return values;
      },
      apply: changed,
    });
    model.register(BROKER, this.table);
    model.register(BROKER_STATS, new BrokerStatsBinding(this.running));
    this.bridges = new LinuxBrokerBridges(
      model,
      store,
      {
        running: (n) => this.running.get(n)?.daemon.status() === 'running',
        bridge: (n, name) => {
          const b = this.running.get(n);
          return { status: b?.bridgeLog.status(name, b.stats?.bridgeConnected(name)) ?? 'Connecting', server: b?.bridgeLog.server(name) };
        },
      },
      changed,
    );
    this.bridges.register();
  }

  /** Ends brokers an earlier agent left (killed without its stop), then starts the stored enabled rows. */
  async start(): Promise<void> {
    for (const [n] of this.table.rows([])) this.brokerOf(n).daemon.endLeftover();
    await this.apply();
  }

  stop(): void {
    this.stopped = true;
    for (const b of this.running.values()) {
      b.stats?.stop();
      b.daemon.stop();
    }
    this.running.clear();
    // The password files go with the brokers (made again from the store at the next start).
    rmSync(this.opts.runDir, { recursive: true, force: true });
  }

  private async status(n: number, row: Row): Promise<string> {
    if (row.Enable !== true) return 'Disabled';
    if ((await this.misconfigured(row)) !== undefined) return 'Error_Misconfigured';
    return this.running.get(n)?.daemon.status() === 'running' ? 'Enabled' : 'Error';
  }

  private async misconfigured(row: Row): Promise<string | undefined> {
    const why = brokerMisconfigured(row);
    if (why !== undefined) return why;
    const device = deviceOf(row);
    if (device !== undefined && (await this.opts.addressOf(device)) === undefined) return `its Interface (${device}) has no IPv4 address`;
    return undefined;
  }

  private files(n: number): { confFile: string; passwordFile: string; pidFile: string } {
    return { confFile: join(this.opts.runDir, `broker-${n}.conf`), passwordFile: join(this.opts.runDir, `broker-${n}.passwd`), pidFile: join(this.opts.dataDir, `mqtt-broker-${n}.pid`) };
  }

  private brokerOf(n: number): RunningBroker {
    let b = this.running.get(n);
    if (b) return b;
    const f = this.files(n);
    const daemon: ConfiguredDaemon = new ConfiguredDaemon({
      name: 'mosquitto',
      binary: this.opts.binary ?? MOSQUITTO_BIN,
      confFile: f.confFile,
      pidFile: f.pidFile,
      args: ['-c', f.confFile],
      ...(this.user ? { spawnAs: { uid: this.user.uid, gid: this.user.gid } } : {}),
      // Mosquitto says so once its listener is open.
      ready: /mosquitto version \S+ running/,
      onLine: (line) => {
        this.running.get(n)?.bridgeLog.line(line);
        // Said once per start that failed: the daemon logs the exit and retries after a back-off.
        if (PORT_IN_USE.test(line)) this.opts.log?.warn('MQTT broker port in use', { broker: n, fix: this.opts.portInUseFix ?? 'stop the program that listens on it or set another Port' });
        if (connectionErrorLine(line)) {
          const stats = this.running.get(n)?.stats;
          if (stats) stats.connectionErrors++;
        }
      },
      offMessage: `${BROKER.replace('{i}', String(n))} disabled`,
      log: this.opts.log,
    });
    b = { daemon, credentialsVersion: 0, bridgeLog: new BridgeLog() };
    this.running.set(n, b);
    return b;
  }

  /** Makes each row's files from the store as it is now and (re)starts its broker, after the runs before. */
  apply(): Promise<void> {
    return this.applying.run(() => this.applyNow());
  }

  private async applyNow(): Promise<void> {
    if (this.stopped) return;
    this.prepareRunDir();
    const rows = new Map(this.table.rows([]));
    for (const [n, b] of [...this.running]) {
      const row = rows.get(n);
      if (row?.Enable === true && (await this.misconfigured(row)) === undefined) continue;
      b.stats?.stop();
      b.stats = undefined;
      b.statsKey = undefined;
      await b.daemon.apply(undefined);
      this.running.delete(n);
      rmSync(this.files(n).passwordFile, { force: true });
    }
    for (const [n, row] of rows) {
      if (row.Enable !== true || (await this.misconfigured(row)) !== undefined) continue;
      await this.run(n, row);
    }
  }

  private async run(n: number, row: Row): Promise<void> {
    const b = this.brokerOf(n);
    const f = this.files(n);
    const user = String(row.Username ?? '');
    const password = String(row.Password ?? '');
    const credentials = user === '' ? '' : `${user}\n${password}`;
    if (credentials !== b.credentials) {
      b.credentials = credentials;
      b.credentialsVersion++;
      if (user === '') rmSync(f.passwordFile, { force: true });
      else this.writeOwned(f.passwordFile, mosquittoPasswordLine(user, password));
    }
    const device = deviceOf(row);
    const address = device === undefined ? undefined : await this.opts.addressOf(device);
    const port = Number(row.Port ?? 1883);
    if (address === undefined && device === undefined) this.warnOpen(n, user);
    const path = BROKER.replace('{i}', String(n)).slice(0, -1);
    await b.daemon.apply(
      mosquittoConfText({ path, port, address, passwordFile: user === '' ? undefined : f.passwordFile, credentialsVersion: b.credentialsVersion, bridges: this.bridges.confLines(n) }),
    );
    const statsKey = `${address ?? '127.0.0.1'}:${port}:${credentials}:${b.credentialsVersion}`;
    if (b.statsKey !== statsKey) {
      b.stats?.stop();
      b.stats = undefined;
      b.statsKey = statsKey;
      // MQTT.js is loaded only here: an agent that runs no broker (and no MQTT MTP) never loads it.
      const { BrokerSysStats } = await import('../mqtt-broker/BrokerSysStats.js');
      const stats = new BrokerSysStats({ host: address ?? '127.0.0.1', port, ...(user !== '' ? { username: user, password } : {}), log: this.opts.log });
      // Only if nothing replaced it meanwhile (the run loop is serialised; the broker may have been stopped).
      if (b.statsKey !== statsKey || this.stopped) return;
      b.stats = stats;
      stats.start();
    }
  }

  private warnOpen(n: number, user: string): void {
    if (user === '') this.opts.log?.warn('MQTT broker listens on every interface and lets any client in (Interface "" and no Username)', { broker: n });
  }

  /** The run directory, owned by the broker's user (it reads its files there after the agent wrote them). */
  private prepareRunDir(): void {
    // Its parent is traversable (/run/usp-agent); the directory itself is the broker user's alone.
    mkdirSync(dirname(this.opts.runDir), { recursive: true, mode: 0o755 });
    mkdirSync(this.opts.runDir, { recursive: true, mode: 0o700 });
    if (this.user) chownSync(this.opts.runDir, this.user.uid, this.user.gid);
  }

  /** A file only the broker's user reads (the password file). */
  private writeOwned(file: string, text: string): void {
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text, { mode: 0o600 });
    if (this.user) chownSync(tmp, this.user.uid, this.user.gid);
    // Renamed into place: the broker never reads half a file.
    renameSync(tmp, file);
  }

  /** `merged` with the device of its Interface when the change wrote one; 7012 for a path that names no IP.Interface row. */
  private async withDevice(merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    if (changes.Interface === undefined) return merged;
    const reference = String(changes.Interface);
    const out = { ...merged };
    delete out[DEVICE_KEY];
    if (reference === '') return out;
    const device = await this.opts.interfaces.nameOf(reference);
    if (device === undefined) throw invalid([{ param: 'Interface', message: `${reference} is no Device.IP.Interface row of this device` }]);
    out[DEVICE_KEY] = device;
    return out;
  }

  /** The stored values with Interface as the path of its device now (it follows the device across restarts). */
  private async readInterface(row: Row): Promise<Record<string, Value>> {
    const values = publicValues(row);
    const device = deviceOf(row);
    const present = device === undefined ? undefined : await this.opts.interfaces.pathOf(device);
    if (present !== undefined) values.Interface = present;
    return values;
  }
}

/** Device.MQTT.Broker.{i}.Stats.: the running broker's $SYS counters, 0 while it does not run. */
class BrokerStatsBinding implements ObjectBinding {
  readonly params = STATS_PARAMS;
  readonly changesOnlyThroughAgent = false;
  constructor(private readonly running: ReadonlyMap<number, RunningBroker>) {}
  get(keys: InstanceKeys): Record<string, Value> {
    return brokerStatsValues(this.running.get(keys[0]!)?.stats?.values() ?? ZERO_STATS);
  }
}

function deviceOf(row: Row): string | undefined {
  const d = row[DEVICE_KEY];
  return typeof d === 'string' && d !== '' ? d : undefined;
}

/** LinuxMqttBrokerOptions.addressOf over `ip -j addr` (Linux): the first IPv4 address of the kernel device. */
export function linkIpv4(links: () => Promise<ReadonlyMap<string, IpLink>>): (device: string) => Promise<string | undefined> {
  return async (device) => (await links()).get(device)?.addr_info?.find((a) => a.family === 'inet')?.local;
}
