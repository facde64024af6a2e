/**
 * Device.Ethernet.RMONStats.{i}. of the simulated gateway (TR-181 EthernetRMONStats:1): one row
 * per Ethernet.Interface (the same numbers), for the whole port (VLANID 0, no Queue), counting
 * what the port receives, from the same traffic model as its Interface Stats (traffic.ts):
 * Bytes and Packets (errored frames included, as RMON counts them), Broadcast/Multicast,
 * CRCErroredPackets (the model's receive errors), DropEvents (its receive discards), no
 * undersize or oversize frames, and the size histogram split by the model's frame mix (bulk
 * frames 1024-1518 and 512-1023 bytes, acknowledgements 64-255, broadcast ARP/DHCP 65-127,
 * multicast mDNS/SSDP 256-511).
 *
 * Enable is stored (it persists); a disabled row reports nothing (Status Disabled, counters 0),
 * and one enabled again counts from then, as an RMON probe starts a new etherStatsEntry. Its
 * Interface, VLANID, Queue and AllQueues are fixed (7012 for another value).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { RMON_CONFIG, RMON_COUNTERS, rmonCounters, type RmonGroup } from '../rmon-counters.js';
import type { EthernetPortState } from './ethernet.js';
import { schemaTypes } from './schema-tables.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import { readStats, type StatsTypes, statsTypesAt } from './traffic.js';

const RMON = 'Device.Ethernet.RMONStats.{i}.';

/** A row's writable values until written: enabled, as a CPE ships its port statistics (a module function, one for a fleet). */
const rmonRow = (keys: InstanceKeys): Record<string, Value> => ({ Enable: true, Alias: `cpe-rmon${keys[0]}` });

/** The served names, one array for a fleet (issue 14). */
const RMON_PARAMS: readonly string[] = ['Alias', ...RMON_CONFIG, ...RMON_COUNTERS];
/** Interface, VLANID, Queue and AllQueues are fixed per port (set): a Set changes Alias and Enable. */
const RMON_WRITABLE: readonly string[] = ['Alias', 'Enable'];

/** A port's receive counters, as the kernel names them (rmon-counters.ts maps them). */
type Counts = Record<string, bigint>;

class RmonRows {
  readonly rows: WritableRows;
  readonly types: ReadonlyMap<string, string>;
  readonly statsTypes: StatsTypes;
  /** Counts at the moment a Controller enabled a row again (most gateways have none). */
  private baselines: Map<number, Counts> | undefined;

  constructor(
    readonly ctx: SimContext,
    readonly ports: readonly EthernetPortState[],
  ) {
    this.rows = new WritableRows(ctx, RMON, rmonRow);
    // The schema's types, one table for a fleet (schema-tables.ts; issue 14).
    this.types = schemaTypes(ctx.model, RMON);
    this.statsTypes = statsTypesAt(ctx.model, 'Device.Ethernet.Interface.{i}.Stats.');
  }

  /** Everything the port has received since boot, with the histogram, as plain counts. */
  counts(n: number): Counts {
    const port = nth(this.ports, n);
    const s = readStats(this.statsTypes, this.ctx.seed, port.traffic, port.clock.upSeconds());
    const c = (name: string): bigint => BigInt(s[name] as string | number);
    const unicast = c('UnicastPacketsReceived');
    const errors = c('ErrorsReceived');
    // Which way the bulk flows on this port (traffic.ts): big frames that way, small ones back.
    const bulk = port.traffic.receivedRate > port.traffic.sentRate;
    const [big, mid] = bulk ? [(unicast * 9n) / 10n, 0n] : [0n, 0n];
    const small = unicast - big - mid;
    return {
      rx_bytes: c('BytesReceived'),
      rx_packets: c('PacketsReceived'),
      rx_errors: errors,
      multicast: c('MulticastPacketsReceived'),
      broadcast: c('BroadcastPacketsReceived'),
      rx_crc_errors: errors,
      rx_frame_errors: 0n,
      rx_missed_errors: c('DiscardPacketsReceived'),
      undersize: 0n,
      oversize: 0n,
      // Errored frames are short (runts with a bad FCS): counted at 64 bytes.
      h64: (bulk ? 0n : small / 2n) + errors,
      h127: (bulk ? 0n : (small * 3n) / 10n) + c('BroadcastPacketsReceived'),
      h255: bulk ? 0n : small - small / 2n - (small * 3n) / 10n,
      h511: c('MulticastPacketsReceived'),
      h1023: bulk ? unicast - big : 0n,
      h1518: big,
    };
  }

  /** The counts since the row was last enabled. */
  since(n: number): Counts {
    const now = this.counts(n);
    const base = this.baselines?.get(n);
    if (!base) return now;
    return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (base[k] ?? 0n)]));
  }

  restart(n: number): void {
    (this.baselines ??= new Map()).set(n, this.counts(n));
  }
}

class RmonBinding implements ObjectBinding {
  readonly params = RMON_PARAMS;
  readonly writable = RMON_WRITABLE;

  constructor(private readonly s: RmonRows) {}

  list(): number[] {
    return this.s.ports.map((_, i) => i + 1);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const n = keys[0]!;
    const port = nth(this.s.ports, n);
    const row = this.s.rows.row(keys);
    const enabled = row.Enable === true;
    const config = { ...row, Status: enabled ? 'Enabled' : 'Disabled', Name: port.name, Interface: `Device.Ethernet.Interface.${n}`, VLANID: 0, Queue: '', AllQueues: false };
    if (!enabled) return config;
    const c = this.s.since(n);
    const rmon: RmonGroup = {
      undersize: c.undersize,
      oversize: c.oversize,
      rxHistogram: [
        { low: 0, high: 64, val: c.h64! },
        { low: 65, high: 127, val: c.h127! },
        { low: 128, high: 255, val: c.h255! },
        { low: 256, high: 511, val: c.h511! },
        { low: 512, high: 1023, val: c.h1023! },
        { low: 1024, high: 1518, val: c.h1518! },
      ],
    };
    const kernel = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v.toString()]));
    return { ...config, ...rmonCounters(this.s.types, kernel, rmon, c.broadcast) };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const n = keys[0]!;
    nth(this.s.ports, n);
    const fixed: Record<string, Value> = { Interface: `Device.Ethernet.Interface.${n}`, VLANID: 0, Queue: '', AllQueues: false };
    const bad = Object.keys(fixed)
      .filter((p) => changes[p] !== undefined && String(changes[p]).replace(/\.$/, '') !== String(fixed[p]))
      .map((param) => ({ param, message: 'fixed: one row per Ethernet port, for the whole port (no per-VLAN or per-queue counting)' }));
    if (bad.length > 0) throw invalidParams(bad);
    const { Interface: _i, VLANID: _v, Queue: _q, AllQueues: _a, ...rest } = changes;
    if (rest.Enable === true && this.s.rows.row(keys).Enable !== true) this.s.restart(n);
    this.s.rows.apply(keys, rest);
  }
}

/** Serves Device.Ethernet.RMONStats.{i}. over the gateway's Ethernet ports. */
export function registerEthernetRmon(ctx: SimContext, ports: readonly EthernetPortState[]): void {
  ctx.model.register(RMON, new RmonBinding(new RmonRows(ctx, ports)));
}
