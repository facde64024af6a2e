/**
 * Device.Cellular. of the simulated gateway (TR-181 CellularInterface:1): one 5G NR modem, the
 * device's uplink. Radio measurements drift with slow fading and faster variation, and are kept
 * mutually consistent: RSSI follows from RSRP and RSRQ over a 100 MHz n78 carrier.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { registerWithVendorParams, sinrParam } from '../vendor-param.js';
import { clampInt, Prng, wave } from './random.js';
import { EnableClock, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import { readStats, STATS_PARAMS, type StatsTypes, statsTypesAt, type TrafficProfile } from './traffic.js';

const SUPPORTED_TECHNOLOGIES = ['UMTS', 'LTE', 'NR'] as const;
/** Peak rates the modem gets on each technology with an excellent signal, kbps. */
const PEAK_KBPS: Record<string, { down: number; up: number }> = {
  NR: { down: 1_600_000, up: 220_000 },
  LTE: { down: 300_000, up: 50_000 },
  UMTS: { down: 42_200, up: 5_760 },
};
const HOME_NETWORK = 'SimNet';
const AVAILABLE_NETWORKS = [HOME_NETWORK, 'Example Mobile'] as const;
/** Resource blocks of a 100 MHz carrier at 30 kHz spacing: RSSI = RSRP - RSRQ + 10·log10(N). */
const RESOURCE_BLOCKS = 273;
/** Seconds after boot the modem needs to register and bring up the data session. */
const ATTACH_S = 18;

/** What the layers above the modem need to know of it. */
export interface CellularState {
  /** The modem is registered with the network (the data session on top is cellular-access-point.ts's). */
  attached(): boolean;
  /** The WAN traffic the counters count; br-lan routes the same bytes, and they heat the modem. */
  traffic: TrafficProfile;
}

const CELLULAR_DEFAULTS = { RoamingEnabled: false } as const;
const INTERFACE_DEFAULTS = { Enable: true, Alias: 'cpe-modem0', PreferredAccessTechnology: 'Auto', NetworkRequested: '' } as const;
const USIM_DEFAULTS = { PINCheck: 'Off' } as const;
const CELLULAR_PARAMS = ['RoamingEnabled', 'RoamingStatus'] as const;
const INTERFACE_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'Name',
  'LastChange',
  'Upstream',
  'IMEI',
  'SupportedAccessTechnologies',
  'PreferredAccessTechnology',
  'CurrentAccessTechnology',
  'AvailableNetworks',
  'NetworkRequested',
  'NetworkInUse',
  'RSSI',
  'RSRP',
  'RSRQ',
  'UpstreamMaxBitRate',
  'DownstreamMaxBitRate',
] as const;
const USIM_PARAMS = ['Status', 'IMSI', 'ICCID', 'MSISDN', 'PINCheck'] as const;
const ONE_MODEM = [1] as const;

/**
 * The modem of one gateway. Its bindings are classes over it, their methods one copy on the
 * prototype for a whole fleet (issue 14).
 */
class Modem {
  readonly rows: WritableRows;
  readonly clock: EnableClock;
  readonly traffic: TrafficProfile;
  /** Where the gateway sits relative to the cell: a decent indoor FWA placement. */
  readonly rsrpMean: number;
  readonly statsTypes: StatsTypes;

  constructor(
    readonly ctx: SimContext,
    lanDownRate: number,
    /** X_<VENDOR>_SINR, when the agent has a vendor prefix. */
    readonly sinrName: string | undefined,
  ) {
    const rnd = new Prng(ctx.seed, 'cellular');
    this.rsrpMean = rnd.int(-98, -82);
    this.rows = new WritableRows(ctx, 'Device.Cellular.Interface.{i}.', INTERFACE_DEFAULTS);
    this.clock = new EnableClock(ctx, this.rows, 1, ATTACH_S * 1000);
    // Wi-Fi clients download too, about as much again as the wired ones.
    const received = Math.round(lanDownRate * (1.6 + 0.6 * rnd.next()));
    this.traffic = { label: 'cell.1', receivedRate: received, sentRate: Math.round(received / 9) };
    this.statsTypes = statsTypesAt(ctx.model, 'Device.Cellular.Interface.{i}.Stats.');
  }

  attached(): boolean {
    return this.clock.up && this.ctx.elapsed() >= ATTACH_S;
  }
}

/** One modem: any instance number but 1 is 7016. */
function modem(keys: InstanceKeys): InstanceKeys {
  nth(ONE_MODEM, keys[0]);
  return keys;
}

/** Device.Cellular. */
class CellularBinding implements ObjectBinding {
  readonly params = CELLULAR_PARAMS;

  constructor(private readonly roaming: WritableRows) {}

  get(): Record<string, Value> {
    return { ...this.roaming.row([]), RoamingStatus: 'Home' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.roaming.apply(keys, changes);
  }
}

/** Device.Cellular.Interface.{i}. */
class InterfaceBinding implements ObjectBinding {
  readonly params = INTERFACE_PARAMS;

  constructor(private readonly m: Modem) {}

  list(): number[] {
    return [1];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { ctx, sinrName } = this.m;
    const row = this.m.rows.row(modem(keys));
    const tech = row.PreferredAccessTechnology === 'Auto' ? 'NR' : String(row.PreferredAccessTechnology);
    const requested = String(row.NetworkRequested);
    const attached = this.m.attached();
    const values: Record<string, Value> = {
      ...row,
      Status: !row.Enable ? 'Down' : attached ? 'Up' : 'Dormant',
      Name: 'modem0',
      LastChange: this.m.clock.lastChange(),
      Upstream: true,
      IMEI: ctx.identity.imei,
      SupportedAccessTechnologies: SUPPORTED_TECHNOLOGIES.join(','),
      CurrentAccessTechnology: tech,
      AvailableNetworks: AVAILABLE_NETWORKS.join(','),
      NetworkInUse: (AVAILABLE_NETWORKS as readonly string[]).includes(requested) ? requested : HOME_NETWORK,
    };
    // The modem measures the cell from power-on; there is no data rate before the session is up.
    const { SINR, ...radio } = radioMeasurements(ctx, this.m.rsrpMean, tech);
    if (!attached) radio.DownstreamMaxBitRate = radio.UpstreamMaxBitRate = 0;
    return { ...values, ...radio, ...(sinrName ? { [sinrName]: SINR } : {}) };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const tech = changes.PreferredAccessTechnology;
    if (tech !== undefined && tech !== 'Auto' && !(SUPPORTED_TECHNOLOGIES as readonly string[]).includes(String(tech))) {
      throw invalidParams([{ param: 'PreferredAccessTechnology', message: `must be Auto or one of ${SUPPORTED_TECHNOLOGIES.join(',')}` }]);
    }
    if (changes.Enable !== undefined) this.m.clock.setUp(changes.Enable === true);
    this.m.rows.apply(keys, changes);
  }
}

/** Device.Cellular.Interface.{i}.Stats.: counting starts when the data session comes up, not at boot. */
class InterfaceStatsBinding implements ObjectBinding {
  readonly params = STATS_PARAMS;

  constructor(private readonly m: Modem) {}

  get(keys: InstanceKeys): Record<string, Value> {
    modem(keys);
    return readStats(this.m.statsTypes, this.m.ctx.seed, this.m.traffic, Math.max(0, this.m.clock.upSeconds() - ATTACH_S));
  }
}

/** Device.Cellular.Interface.{i}.USIM. */
class UsimBinding implements ObjectBinding {
  readonly params = USIM_PARAMS;

  constructor(
    private readonly ctx: SimContext,
    private readonly usim: WritableRows,
  ) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const { identity } = this.ctx;
    return { ...this.usim.row(modem(keys)), Status: 'Valid', IMSI: identity.imsi, ICCID: identity.iccid, MSISDN: identity.msisdn };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.usim.apply(keys, changes);
  }
}

/**
 * Registers the Cellular objects; `lanDownRate` (bytes/s) sizes the WAN traffic so the uplink
 * carries what the LAN side downloads.
 */
export function registerCellular(ctx: SimContext, lanDownRate: number, vendorPrefix?: string): CellularState {
  const { model } = ctx;
  // TR-181 2.19 has no SINR: X_<VENDOR>_SINR when the agent has a vendor prefix, as with ModemManager.
  const sinr = sinrParam(vendorPrefix);
  const m = new Modem(ctx, lanDownRate, sinr?.name);
  model.register('Device.Cellular.', new CellularBinding(new WritableRows(ctx, 'Device.Cellular.', CELLULAR_DEFAULTS)));
  registerWithVendorParams(model, 'Device.Cellular.Interface.{i}.', new InterfaceBinding(m), sinr ? [sinr] : []);
  model.register('Device.Cellular.Interface.{i}.Stats.', new InterfaceStatsBinding(m));
  model.register('Device.Cellular.Interface.{i}.USIM.', new UsimBinding(ctx, new WritableRows(ctx, 'Device.Cellular.Interface.{i}.USIM.', USIM_DEFAULTS)));
  return cellularState(m);
}

/** Apart from registerCellular, so `attached` keeps only the modem in its context. */
function cellularState(m: Modem): CellularState {
  return { attached: () => m.attached(), traffic: m.traffic };
}

/** RSRP/RSRQ/RSSI and the bit rates they allow, at the current time. */
function radioMeasurements(ctx: SimContext, rsrpMean: number, tech: string): Record<string, Value> {
  const t = ctx.elapsed();
  const fading = wave(ctx.seed, 'rsrp', t, [23, 310, 5400]);
  const rsrp = clampInt(rsrpMean + 7 * fading, -140, -44);
  // Interference moves on its own, but a weaker signal also degrades quality a little.
  const rsrq = clampInt(-10.5 + 2.5 * wave(ctx.seed, 'rsrq', t, [17, 240]) + 0.15 * (rsrp - rsrpMean), -20, -3);
  // SS-SINR follows the same interference (RSRQ) and the signal, with fast scheduling noise of its
  // own: about 15 dB at a typical RSRQ of -10.5 dB, below 0 dB only at the cell edge.
  const sinr = clampInt(1.6 * (rsrq + 20) + 0.25 * (rsrp - rsrpMean) + 1.5 * wave(ctx.seed, 'sinr', t, [7, 60]), -23, 40);
  const rssi = Math.round(rsrp - rsrq + 10 * Math.log10(RESOURCE_BLOCKS));
  // Link quality 0..1 from RSRP: cell-edge at -120 dBm, peak rates from -80 dBm.
  const quality = Math.min(1, Math.max(0.03, (rsrp + 120) / 40));
  const peak = PEAK_KBPS[tech] ?? PEAK_KBPS.NR;
  return {
    RSRP: rsrp,
    RSRQ: rsrq,
    RSSI: rssi,
    SINR: sinr,
    DownstreamMaxBitRate: Math.round((peak.down * quality) / 100) * 100,
    UpstreamMaxBitRate: Math.round((peak.up * quality) / 100) * 100,
  };
}
