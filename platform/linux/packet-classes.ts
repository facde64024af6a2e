/**
 * Unicast, broadcast and multicast packet counts per network device, for the TR-181 Stats the
 * kernel does not keep (UnicastPacketsSent/Received, BroadcastPacketsSent/Received,
 * MulticastPacketsSent of Device.Ethernet.Interface.{i}.Stats., Device.Ethernet.Link.{i}.Stats.,
 * Device.IP.Interface.{i}.Stats., Device.Bridging.Bridge.{i}.Port.{i}.Stats.): /sys counts
 * multicast on receive only and no unicast or broadcast at all.
 *
 * The counts come from nftables netdev hooks: one table (`netdev usp_agent_stats`) with, per
 * counted device, a chain on its ingress hook (`rx_<device>`) and one on its egress hook
 * (`tx_<device>`, Linux 5.16 and later), each holding three counters by destination MAC: all
 * packets, group-addressed ones (I/G bit set) and broadcast ones. Unicast is all minus group,
 * multicast is group minus broadcast. The destination address decides, not `meta pkttype`: on
 * egress the pkt_type of a packet is not the class of its address.
 *
 * The ingress chain also counts UnknownProtoPacketsReceived: packets whose protocol (EtherType,
 * after VLAN untagging) no protocol handler of the host takes, per /proc/net/ptype (kept in a
 * set `p_<device>`, refreshed when the handlers change). The kernel's own rx_nohandler does not
 * do: it counts such packets only on devices with exact delivery (inactive bonding slaves) and
 * adds the others to rx_dropped, with every other drop.
 *
 * A device gets its chains on its first reading (that reading answers 0: counting starts when
 * the agent installs the chain), chains of devices gone from the host are dropped, and the
 * table goes when the agent stops. Every reading of every device shares one
 * `nft -j list table netdev usp_agent_stats` per cache period.
 *
 * Packets are counted as the stack handles them: a GRO/GSO aggregate counts once, and a
 * device without an Ethernet header (ppp, tun, WireGuard: /sys/class/net/<if>/type other than
 * 1 or 772) is not counted, its Stats then lack these parameters.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { Logger } from '../../datamodel/Logger.js';
import { type CommandRunner, findOnPath } from '../exec/CommandRunner.js';
import { effectiveCapabilities, nftUsable } from './nft-usable.js';
// Kept importable from here, where they were first written.
export { effectiveCapabilities, hasNetAdmin } from './nft-usable.js';

/** Packets seen on one hook of one device since its chain was installed. */
export interface ClassCounts {
  total: bigint;
  /** Group-addressed (multicast and broadcast). */
  group: bigint;
  broadcast: bigint;
  /** Received only: of a protocol no handler takes (ingress). */
  unknown?: bigint;
}

/** A device's counts: received on ingress, sent on egress (undefined where the kernel has no egress hook). */
export interface DeviceClassCounts {
  received: ClassCounts;
  sent?: ClassCounts;
}

export interface PacketClassOptions {
  runner: CommandRunner;
  /** How long one `nft -j list table` serves every reading, ms. */
  cacheMs: number;
  /** The network devices present now: chains of any other are dropped. */
  devices(): Promise<Iterable<string>>;
  /** Count sent packets too (an egress hook: Linux 5.16 and later); default from the running kernel's release. */
  egress?: boolean;
  /** The nftables table (family netdev); default usp_agent_stats. */
  table?: string;
  /** At most this many devices are counted (default 256); readings of further ones answer nothing. */
  maxDevices?: number;
  /** The kernel's protocol handlers (default /proc/net/ptype). */
  ptypeFile?: string;
  /** Where the kernel lists network devices (default /sys/class/net): a device's link type. */
  sysNetDir?: string;
  log?: Logger;
}

export const DEFAULT_TABLE = 'usp_agent_stats';
const DEFAULT_MAX_DEVICES = 256;
/** Before anything else that may drop a packet on the hook (nftables' lowest useful priority is -2^31). */
const PRIORITY = -500;
/** Device names nft takes unquoted in a chain name (a kernel name may hold other characters: not counted). */
const DEVICE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
const CLASSES = ['total', 'group', 'broadcast', 'unknown'] as const;
/** Link types whose frames carry an Ethernet header: ARPHRD_ETHER (1) and ARPHRD_LOOPBACK (772). */
const ETHERNET_HEADER_TYPES = new Set(['1', '772']);
type Hook = 'rx' | 'tx';

/**
 * Whether the netfilter counters may be used: the setting (`--packet-counters`; undefined =
 * on where possible), `nft` installed and the agent holding CAP_NET_ADMIN. `why` says what is
 * missing, for the start-up message.
 */
export function packetCountersUsable(setting: boolean | undefined, nftPath: string | undefined, capEffHex = effectiveCapabilities()): { usable: boolean; why?: string } {
  return nftUsable(nftPath, capEffHex, setting === false ? '--packet-counters off' : undefined);
}

/** Where the `nft` that `runner` starts is: inside its command directory when it has one, else on PATH. */
export function findNft(runner: CommandRunner): string | undefined {
  const file = runner.executable('nft');
  if (file === 'nft') return findOnPath('nft');
  return fs.existsSync(file) ? file : undefined;
}

/** True when the running kernel has the netdev egress hook (Linux 5.16). */
export function kernelHasEgressHook(release = os.release()): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m !== null && (Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2]) >= 16));
}

export class PacketClassCounters {
  readonly table: string;
  /** Sent counts are served (an egress hook), decided once from the kernel, then by the first install. */
  egress: boolean;
  private readonly maxDevices: number;
  private ready?: Promise<boolean>;
  /** Devices whose chains could not be installed (logged once each), until they leave the host. */
  private readonly failed = new Set<string>();
  private readonly installing = new Map<string, Promise<DeviceClassCounts | undefined>>();
  /** The handled protocols each device's set holds, as last written (a comparable text). */
  private readonly applied = new Map<string, string>();
  private touched = false;
  /** A table left by an earlier run is removed once, at the first reading; never one this run counts in. */
  private cleaned = false;
  private warnedFull = false;

  constructor(private readonly opts: PacketClassOptions) {
    this.table = opts.table ?? DEFAULT_TABLE;
    this.egress = opts.egress ?? kernelHasEgressHook();
    this.maxDevices = opts.maxDevices ?? DEFAULT_MAX_DEVICES;
  }

  /** The counts of `device`, installing its chains on first use; undefined where it cannot be counted. */
  async of(device: string): Promise<DeviceClassCounts | undefined> {
    if (!DEVICE_RE.test(device) || this.failed.has(device)) return undefined;
    if (!(await this.ensureTable())) return undefined;
    const listed = await this.list();
    if (!listed) return undefined;
    const counts = listed.get(device);
    if (counts?.received) return { received: counts.received, ...(this.egress && counts.sent ? { sent: counts.sent } : {}) };
    if (listed.size >= this.maxDevices) {
      if (!this.warnedFull) this.opts.log?.warn('packet class counters: device limit reached; further devices are not counted', { limit: this.maxDevices });
      this.warnedFull = true;
      return undefined;
    }
    let pending = this.installing.get(device);
    if (!pending) {
      pending = this.install(device).finally(() => this.installing.delete(device));
      this.installing.set(device, pending);
    }
    return pending;
  }

  /** Removes the table (and with it every chain); the nft child outlives a process that exits right after. */
  stop(): void {
    if (!this.touched) return;
    this.touched = false;
    this.ready = undefined;
    this.opts.runner.run('nft', ['delete', 'table', 'netdev', this.table]).catch((e: unknown) => {
      this.opts.log?.debug('packet class counters: table not removed', { why: e instanceof Error ? e.message : String(e) });
    });
  }

  /** A fresh table: one a previous run left (killed before its stop) holds chains of devices long gone. */
  private ensureTable(): Promise<boolean> {
    this.ready ??= (async () => {
      this.touched = true;
      if (!this.cleaned) await this.opts.runner.capture('nft', ['delete', 'table', 'netdev', this.table]).catch(() => undefined);
      this.cleaned = true;
      try {
        await this.opts.runner.run('nft', ['add', 'table', 'netdev', this.table]);
        return true;
      } catch (e) {
        this.opts.log?.warn('packet class counters: nft cannot create its table; the Unicast/Broadcast/MulticastPacketsSent/UnknownProtoPacketsReceived Stats are not read', {
          why: e instanceof Error ? e.message : String(e),
        });
        return false;
      }
    })();
    return this.ready;
  }

  /** Every counted device's counts, from one cached listing; drops the chains of devices gone meanwhile. */
  private async list(): Promise<Map<string, Partial<DeviceClassCounts>> | undefined> {
    try {
      return await this.opts.runner.cached('nft', ['-j', 'list', 'table', 'netdev', this.table], this.opts.cacheMs, (out) => {
        const listed = parseNftCounters(out);
        void this.prune(listed);
        return listed;
      });
    } catch (e) {
      // The table went (an operator's `nft flush ruleset`): make it again at the next reading.
      this.ready = undefined;
      this.opts.log?.debug('packet class counters: listing failed', { why: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }

  private async install(device: string): Promise<DeviceClassCounts | undefined> {
    // The rules read an Ethernet header: ppp, tun and WireGuard devices (ARPHRD_PPP, _NONE) have none.
    const type = await fs.promises.readFile(`${this.opts.sysNetDir ?? '/sys/class/net'}/${device}/type`, 'utf8').then(
      (t) => t.trim(),
      () => undefined,
    );
    if (type !== undefined && !ETHERNET_HEADER_TYPES.has(type)) {
      this.failed.add(device);
      this.opts.log?.debug('packet class counters: not an Ethernet device, not counted', { device, type });
      return undefined;
    }
    const zero = (): ClassCounts => ({ total: 0n, group: 0n, broadcast: 0n });
    const hooks: Hook[] = this.egress ? ['rx', 'tx'] : ['rx'];
    const handled = handledFor(await this.handlers(), device);
    try {
      await this.opts.runner.run('nft', [chainCommands(this.table, device, hooks, handled)]);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (!this.egress) return this.fail(device, why);
      // A kernel without the egress hook (before 5.16, e.g. OpenWrt 23.05's 5.15) takes ingress only.
      try {
        await this.opts.runner.run('nft', [chainCommands(this.table, device, ['rx'], handled)]);
      } catch {
        return this.fail(device, why);
      }
      this.egress = false;
      this.opts.log?.info('packet class counters: the kernel has no netdev egress hook (Linux < 5.16); Unicast/Multicast/BroadcastPacketsSent are not read', { why });
    }
    this.applied.set(device, handled.join(','));
    this.opts.runner.invalidate(`nft -j list table netdev ${this.table}`);
    return { received: { ...zero(), unknown: 0n }, ...(this.egress ? { sent: zero() } : {}) };
  }

  private fail(device: string, why: string): undefined {
    this.failed.add(device);
    this.opts.log?.warn('packet class counters: device not counted', { device, why });
    return undefined;
  }

  /** The kernel's protocol handlers now; none when they cannot be read (every protocol then counts as unknown: logged). */
  private async handlers(): Promise<Handlers> {
    try {
      return parsePtype(await fs.promises.readFile(this.opts.ptypeFile ?? '/proc/net/ptype', 'utf8'));
    } catch (e) {
      this.opts.log?.debug('packet class counters: protocol handlers not read', { why: e instanceof Error ? e.message : String(e) });
      return { global: [], byDevice: new Map() };
    }
  }

  /**
   * After each listing: drops the chains and sets of devices gone from the host, and rewrites
   * the handled-protocol set of a device whose handlers changed (a daemon opened a packet
   * socket for one, a module was loaded).
   */
  private async prune(listed: Map<string, Partial<DeviceClassCounts>>): Promise<void> {
    let present: Set<string>;
    try {
      present = new Set(await this.opts.devices());
    } catch {
      return;
    }
    for (const d of this.failed) if (!present.has(d)) this.failed.delete(d);
    const cmds: string[] = [];
    const gone = [...listed.keys()].filter((d) => !present.has(d));
    for (const d of gone) {
      for (const h of ['rx', 'tx'] as const) if (listed.get(d)?.[h === 'rx' ? 'received' : 'sent']) cmds.push(`delete chain netdev ${this.table} ${h}_${d}`);
      if (this.applied.has(d)) cmds.push(`delete set netdev ${this.table} p_${d}`);
      this.applied.delete(d);
    }
    const handlers = await this.handlers();
    for (const [d, was] of this.applied) {
      const now = handledFor(handlers, d);
      if (now.join(',') === was) continue;
      cmds.push(`flush set netdev ${this.table} p_${d}`, ...(now.length > 0 ? [`add element netdev ${this.table} p_${d} { ${now.join(', ')} }`] : []));
      this.applied.set(d, now.join(','));
    }
    if (cmds.length === 0) return;
    await this.opts.runner
      .run('nft', [cmds.join('; ')])
      .then(() => this.opts.runner.invalidate(`nft -j list table netdev ${this.table}`))
      .catch((e: unknown) => this.opts.log?.debug('packet class counters: table not brought up to date', { gone: gone.join(','), why: e instanceof Error ? e.message : String(e) }));
  }
}

/**
 * The nft script (one transaction) creating `device`'s chains on `hooks` with their counters,
 * and the set of the protocols handled on it (`handled`, EtherTypes as 0x-hex) for the ingress
 * chain's unknown-protocol counter.
 */
export function chainCommands(table: string, device: string, hooks: readonly Hook[], handled: readonly string[]): string {
  const out: string[] = [];
  if (hooks.includes('rx')) {
    out.push(`add set netdev ${table} p_${device} { type ether_type ; }`);
    if (handled.length > 0) out.push(`add element netdev ${table} p_${device} { ${handled.join(', ')} }`);
  }
  for (const h of hooks) {
    const chain = `${h}_${device}`;
    out.push(`add chain netdev ${table} ${chain} { type filter hook ${h === 'rx' ? 'ingress' : 'egress'} device "${device}" priority ${PRIORITY} ; policy accept ; }`);
    out.push(`add rule netdev ${table} ${chain} ether daddr ff:ff:ff:ff:ff:ff counter comment "broadcast"`);
    out.push(`add rule netdev ${table} ${chain} ether daddr & 01:00:00:00:00:00 == 01:00:00:00:00:00 counter comment "group"`);
    out.push(`add rule netdev ${table} ${chain} counter comment "total"`);
    if (h === 'rx') out.push(`add rule netdev ${table} ${chain} meta protocol != @p_${device} counter comment "unknown"`);
  }
  return out.join('; ');
}

/** The protocol handlers of /proc/net/ptype: those of every device and those bound to one. */
export interface Handlers {
  global: string[];
  byDevice: Map<string, string[]>;
}

/**
 * /proc/net/ptype ("Type Device Function" lines, the type in hex or ALL) → EtherTypes as 0x-hex.
 * ALL (a packet tap such as tcpdump) handles no protocol: it sees packets, the stack still has
 * no use for them.
 */
export function parsePtype(text: string): Handlers {
  const out: Handlers = { global: [], byDevice: new Map() };
  for (const line of text.split('\n').slice(1)) {
    if (!/^[0-9a-fA-F]{4} /.test(line)) continue;
    const type = `0x${line.slice(0, 4).toLowerCase()}`;
    // The kernel prints "%04x %-8s %ps": the device column is blank for a handler of every device.
    const device = /^(\S+)\s/.exec(line.slice(5))?.[1];
    if (device === undefined) out.global.push(type);
    else out.byDevice.set(device, [...(out.byDevice.get(device) ?? []), type]);
  }
  return out;
}

/** The EtherTypes handled on `device`, sorted, without repeats. */
export function handledFor(h: Handlers, device: string): string[] {
  return [...new Set([...h.global, ...(h.byDevice.get(device) ?? [])])].sort();
}

interface NftRule {
  rule?: { chain?: string; comment?: string; expr?: Array<{ counter?: { packets?: number } }> };
}

/**
 * `nft -j list table netdev T` → counts per device, from the rules' chain names (`rx_eth0`,
 * `tx_eth0`) and comments (total, group, broadcast). A hook missing a counter is left out.
 */
export function parseNftCounters(json: string): Map<string, Partial<DeviceClassCounts>> {
  const doc = JSON.parse(json) as { nftables?: NftRule[] };
  const found = new Map<string, Partial<Record<Hook, Partial<ClassCounts>>>>();
  for (const item of doc.nftables ?? []) {
    const r = item.rule;
    const m = /^(rx|tx)_(.+)$/.exec(r?.chain ?? '');
    const cls = CLASSES.find((c) => c === r?.comment);
    const packets = r?.expr?.find((e) => e.counter)?.counter?.packets;
    if (!m || !cls || typeof packets !== 'number') continue;
    const dev = found.get(m[2]!) ?? {};
    const hook = (dev[m[1] as Hook] ??= {});
    hook[cls] ??= BigInt(packets);
    found.set(m[2]!, dev);
  }
  const out = new Map<string, Partial<DeviceClassCounts>>();
  const whole = (c: Partial<ClassCounts> | undefined): ClassCounts | undefined => (c?.total !== undefined && c.group !== undefined && c.broadcast !== undefined ? (c as ClassCounts) : undefined);
  for (const [dev, hooks] of found) {
    const received = whole(hooks.rx);
    const sent = whole(hooks.tx);
    out.set(dev, { ...(received ? { received } : {}), ...(sent ? { sent } : {}) });
  }
  return out;
}

/** The TR-181 Stats parameters the counters give (a Stats object's schema may lack some, e.g. Link's). */
export const RECEIVED_CLASS_PARAMS = ['UnicastPacketsReceived', 'BroadcastPacketsReceived', 'UnknownProtoPacketsReceived'] as const;
export const SENT_CLASS_PARAMS = ['UnicastPacketsSent', 'MulticastPacketsSent', 'BroadcastPacketsSent'] as const;

/** The Stats parameters of `counts` as counts (bigint), by TR-181 name. */
export function classStats(counts: DeviceClassCounts | undefined): Record<string, bigint> {
  if (!counts) return {};
  const out: Record<string, bigint> = {};
  const { received: r, sent: s } = counts;
  out.UnicastPacketsReceived = nonNegative(r.total - r.group);
  out.BroadcastPacketsReceived = r.broadcast;
  if (r.unknown !== undefined) out.UnknownProtoPacketsReceived = r.unknown;
  if (s) {
    out.UnicastPacketsSent = nonNegative(s.total - s.group);
    out.MulticastPacketsSent = nonNegative(s.group - s.broadcast);
    out.BroadcastPacketsSent = s.broadcast;
  }
  return out;
}

/** The rules count one after the other: a reading between two of them can see a subset ahead of its superset. */
function nonNegative(n: bigint): bigint {
  return n < 0n ? 0n : n;
}
