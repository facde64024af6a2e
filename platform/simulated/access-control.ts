/**
 * Device.Hosts.AccessControl.{i}. (+ Schedule.{i}.) of the simulated gateway, and what it does to
 * the LAN devices: rows kept in the agent's store and checked like on the live platforms
 * (platform/access-control/), taking effect on the simulated firewall, which drops what a
 * blocked device sends to the WAN. That shows in Device.Hosts.Host.{i}.WANStats.:
 *
 * - each device sends and receives at a steady rate of its own (seeded), from the gateway's boot,
 *   whenever it is not blocked; while blocked its byte and packet counters stand still and the
 *   packets it tries to send count in DiscardPacketsSent. The simulation keeps no presence
 *   history (as for the leases, lan-clients.ts): the time reckoned is the time since boot.
 * - A change of the rules is reckoned from the moment it is made: the blocked seconds each MAC
 *   collected under the rules before are kept (one number per MAC that ever had a rule, at most
 *   MAX_TRACKED: the oldest is forgotten beyond that), the rules now count from then on. The
 *   stored rows count from boot (an agent restart is a reboot here), once the store is loaded
 *   (`afterLoad`: this group may be built before or after that).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { AccessRule } from '../access-control/access-rows.js';
import { AccessControlTables, type AccessBackend } from '../access-control/AccessControlTables.js';
import { blockedAt, blockedSeconds, type Blocking } from '../access-control/access-week.js';
import type { DHCPv4State } from './dhcpv4.js';
import { hash32 } from './random.js';
import type { SimContext } from './SimContext.js';

/** MACs whose blocked time is remembered (rows are bounded to 64 at a time; deleted ones linger here). */
const MAX_TRACKED = 256;
/** Mean IP packet sizes of a LAN device's WAN traffic: small requests out, full frames in. */
const SENT_PACKET_BYTES = 600;
const RECEIVED_PACKET_BYTES = 1200;
const NEVER: Blocking = { kind: 'never' };

interface Tracked {
  /** Blocked seconds collected before `since`. */
  blocked: number;
  since: number;
  blocking: Blocking;
}

/** The simulated firewall's access control: which MAC is blocked, and for how long it has been. */
class SimAccess implements AccessBackend {
  readonly name = 'the simulated firewall';
  readonly maskRefusal = 'the simulated firewall matches whole MAC addresses only';
  /** Made at the first rule: most gateways of a fleet never have one (issue 14). */
  private byMac: Map<string, Tracked> | undefined;
  /** The rules before the first change are known: the stored ones (startAt), or none (a change came first). */
  private started = false;

  constructor(private readonly ctx: SimContext) {}

  /** The stored rules, in force since `at` (boot); nothing once a change was applied. */
  startAt(at: number, rules: readonly AccessRule[]): void {
    if (this.started) return;
    this.started = true;
    for (const r of rules) (this.byMac ??= new Map()).set(r.mac, { blocked: 0, since: at, blocking: r.blocking });
  }

  apply(rules: readonly AccessRule[]): Promise<void> {
    // A change before the store was loaded (the factory defaults' rows): nothing was in force before it.
    this.started = true;
    const now = this.ctx.now();
    const next = new Map(rules.map((r) => [r.mac, r.blocking] as const));
    if (!this.byMac && next.size === 0) return Promise.resolve();
    const byMac = (this.byMac ??= new Map<string, Tracked>());
    for (const mac of new Set([...byMac.keys(), ...next.keys()])) {
      const t = byMac.get(mac);
      const blocked = t ? t.blocked + blockedSeconds(t.blocking, t.since, now) : 0;
      byMac.delete(mac);
      byMac.set(mac, { blocked, since: now, blocking: next.get(mac) ?? NEVER });
    }
    // Oldest first in insertion order: those without a rule now are forgotten first.
    for (const [mac, t] of byMac) {
      if (byMac.size <= MAX_TRACKED) break;
      if (t.blocking.kind === 'never') byMac.delete(mac);
    }
    return Promise.resolve();
  }

  /** Seconds `mac` has been blocked since boot, and whether it is now. */
  state(mac: string): { blocked: number; now: boolean } {
    const t = this.byMac?.get(mac.toLowerCase());
    if (!t) return { blocked: 0, now: false };
    const at = this.ctx.now();
    return { blocked: t.blocked + blockedSeconds(t.blocking, t.since, at), now: blockedAt(t.blocking, at) };
  }
}

const WAN_STATS_PARAMS = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'RetransCount', 'DiscardPacketsSent'] as const;

/** Device.Hosts.Host.{i}.WANStats.: the device's WAN traffic, standing still while it is blocked. */
class WanStatsBinding implements ObjectBinding {
  readonly params = WAN_STATS_PARAMS;

  constructor(
    private readonly ctx: SimContext,
    private readonly dhcp: DHCPv4State,
    private readonly access: SimAccess,
  ) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const c = this.dhcp.lan.byNumber(keys[0]!);
    if (!c) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such host: ${keys[0]}`);
    const up = this.ctx.elapsed();
    const { blocked } = this.access.state(c.mac);
    const open = Math.max(0, up - blocked);
    // A few kB/s out and ten times that in, the device's own.
    const sentRate = 2_000 + (hash32(this.ctx.seed, 'wan-stats', c.label) % 20_000);
    const receivedRate = sentRate * 10;
    // StatsCounter64 (unsignedLong) travels as a decimal string.
    return {
      BytesSent: String(Math.floor(open * sentRate)),
      BytesReceived: String(Math.floor(open * receivedRate)),
      PacketsSent: String(Math.floor((open * sentRate) / SENT_PACKET_BYTES)),
      PacketsReceived: String(Math.floor((open * receivedRate) / RECEIVED_PACKET_BYTES)),
      ErrorsSent: 0,
      RetransCount: 0,
      // StatsCounter32: wraps like the kernel's.
      DiscardPacketsSent: Math.floor((blocked * sentRate) / SENT_PACKET_BYTES) % 2 ** 32,
    };
  }
}

/**
 * Serves Device.Hosts.AccessControl.{i}. (+ Schedule.{i}.) and Device.Hosts.Host.{i}.WANStats.
 * `afterLoad` runs its function once the agent's store is loaded (at once if it is).
 */
export function registerAccessControl(ctx: SimContext, dhcp: DHCPv4State, afterLoad: (f: () => void) => void): void {
  const access = new SimAccess(ctx);
  const tables = new AccessControlTables(ctx.model, ctx.store, access);
  tables.register();
  afterLoad(() => access.startAt(ctx.bootedAt, tables.rules()));
  ctx.model.register('Device.Hosts.Host.{i}.WANStats.', new WanStatsBinding(ctx, dhcp, access));
}
