/**
 * What the agent's dnsmasq learnt of each LAN client's DHCP options (vendor class, client ID,
 * user class, DHCPv4 and DHCPv6), for the Bridging.Filter criteria that name devices by them
 * (bridge-filter-dhcp.ts). dnsmasq's lease script keeps one record per lease in a directory of
 * the agent's data directory (dnsmasq-lease-script.ts); this reads that directory at start and
 * again whenever it changes (inotify, through fs.watch), and tells its listeners when what it
 * holds changed.
 *
 * - Bounded: at most MAX_LEARNT_LEASES records are kept; past that the oldest (by the time they
 *   were written) are deleted. A record that is no record of the script is ignored.
 * - The records are files: what was learnt survives an agent or dnsmasq restart, and leases
 *   dnsmasq deletes (expired, released) take their records with them.
 * - Served only where the agent runs its own dnsmasq with a data directory: nowhere else does
 *   it see the DHCP exchanges.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { LearntDhcpClient } from '../bridge-filter-dhcp.js';
import type { BadParam } from '../stored-table.js';
import { parseLeaseRecord } from './dhcp-class-record.js';
import { dnsmasqUsable } from './dnsmasq-process.js';
import { installLeaseScript } from './dnsmasq-lease-script.js';

/** Lease records kept (a LAN of a gateway has far fewer clients). */
export const MAX_LEARNT_LEASES = 1024;
/** Changes closer together than this are read once. */
const SETTLE_MS = 100;

/** The learnt clients and who wants to know when they change. */
export interface DhcpClassSource {
  clients(): readonly LearntDhcpClient[];
  onChange(listener: () => void): void;
  /** The criteria of a Filter row this source cannot learn, with why (7012); default dhcpCriteriaUnlearnt (what dnsmasq mangles). */
  unlearnt?(r: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>): BadParam[];
}

export class DhcpClassLearning implements DhcpClassSource {
  private learnt: readonly LearntDhcpClient[] = [];
  private text = '[]';
  private readonly listeners: Array<() => void> = [];
  private watcher?: FSWatcher;
  private timer?: ReturnType<typeof setTimeout>;
  private reading: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly dir: string,
    private readonly log?: Logger,
    private readonly max = MAX_LEARNT_LEASES,
  ) {}

  clients(): readonly LearntDhcpClient[] {
    return this.learnt;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Reads the records and watches the directory for the script's writes. */
  async start(): Promise<void> {
    if (this.stopped) return;
    try {
      this.watcher = watch(this.dir, () => this.soon());
      this.watcher.on('error', (e) => this.log?.warn('DHCP lease records no longer watched', { dir: this.dir, error: e.message }));
    } catch (e) {
      this.log?.warn('DHCP lease records not watched', { dir: this.dir, error: e instanceof Error ? e.message : String(e) });
    }
    await this.read();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
  }

  private soon(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.read();
    }, SETTLE_MS);
  }

  /** Reads every record (one read at a time), drops the oldest past the bound, and tells the listeners of a change. */
  read(): Promise<void> {
    this.reading = this.reading.then(async () => {
      const records: Array<{ at: number; client: LearntDhcpClient; file: string }> = [];
      let names: string[] = [];
      try {
        names = (await readdir(this.dir)).filter((n) => !n.startsWith('.'));
      } catch (e) {
        this.log?.warn('DHCP lease records not read', { dir: this.dir, error: e instanceof Error ? e.message : String(e) });
      }
      for (const name of names) {
        const file = join(this.dir, name);
        try {
          const [data, info] = await Promise.all([readFile(file), stat(file)]);
          const client = parseLeaseRecord(data);
          if (client) records.push({ at: info.mtimeMs, client, file });
        } catch {
          // Deleted between the listing and the read (dnsmasq dropped the lease): nothing learnt.
        }
      }
      records.sort((a, b) => b.at - a.at || a.file.localeCompare(b.file));
      for (const old of records.splice(this.max)) await unlink(old.file).catch(() => undefined);
      // The most recent record first: a Filter reads each client's newest lease of a family first.
      const learnt = records.map((r) => r.client);
      const text = JSON.stringify(learnt);
      if (text === this.text) return;
      this.learnt = learnt;
      this.text = text;
      this.log?.debug('DHCP lease records read', { leases: learnt.length });
      for (const l of this.listeners) l();
    });
    return this.reading;
  }
}

/**
 * The learning, where the agent runs its own dnsmasq (the same conditions as dnsmasq.ts) with a
 * data directory: its script installed, its directory made. Undefined elsewhere.
 */
export function dhcpClassLearning(setting: boolean | undefined, binary: string | undefined, dataDir: string | undefined, log?: Logger): { learning: DhcpClassLearning; script: string } | undefined {
  if (dataDir === undefined || !dnsmasqUsable(setting, binary).usable) return undefined;
  const dir = join(dataDir, 'dhcp-lease-classes');
  try {
    const script = installLeaseScript(dataDir, dir);
    return { learning: new DhcpClassLearning(dir, log), script };
  } catch (e) {
    log?.warn('DHCP options of LAN clients not learnt (Bridging.Filter Source/DestMACFrom*)', { error: e instanceof Error ? e.message : String(e) });
    return undefined;
  }
}
