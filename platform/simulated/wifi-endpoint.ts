/**
 * Device.WiFi.EndPoint.{i}. of the simulated gateway (TR-181 WiFiEndPoint:1): a Wi-Fi station,
 * as a mesh extender or a 5G router with a Wi-Fi backhaul uses one, joining one of the neighbour
 * networks its radio hears (the ones NeighboringWiFiDiagnostic() reports, wifi-neighbours.ts).
 *
 * The gateway ships none. A Controller adds a station SSID first (Device.WiFi.SSID.{i}. with
 * LowerLayers a radio, served by no AccessPoint), then the EndPoint: TR-181 makes SSIDReference
 * read-only, so the Add binds the EndPoint to the lowest such SSID no other EndPoint uses (7017
 * when there is none). Profile.{i}. rows name networks; ProfileReference picks the one to join.
 * The EndPoint is Enabled (associated) while it, its SSID, its radio and that Profile are enabled,
 * the radio hears the Profile's SSID and the Profile's mode and key fit that network
 * (wifi-endpoint-link.ts); otherwise Error (not heard, wrong mode or key) or Error_Misconfigured
 * (no SSID, no Profile). Stats follow the signal the radio hears the network at.
 *
 * Rows live in the gateway's store (StoredTable, WritableRows), so a gateway nobody configured
 * holds nothing for them but this group's few objects, made when something first reads
 * Device.WiFi.EndPoint. (a deferred group).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalid as invalidRow, publicValues, type Row, StoredTable, type TableRules } from '../stored-table.js';
import { RAW_PSK } from '../wifi-psk.js';
import { hash32 } from './random.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';
import { addedSsidDefaults, factory } from './wifi-bss-set.js';
import { join, linkStats, NO_LINK, STATION_MODES, type JoinResult } from './wifi-endpoint-link.js';
import { drawNeighbours, type Neighbour, neighbourSignal } from './wifi-neighbours.js';
import type { RadioState } from './wifi-radio.js';

export const ENDPOINT = 'Device.WiFi.EndPoint.{i}.';
export const ENDPOINT_PROFILE = 'Device.WiFi.EndPoint.{i}.Profile.{i}.';
const SSID_REF = /^Device\.WiFi\.SSID\.(\d+)$/;
const RADIO_REF = /^Device\.WiFi\.Radio\.(\d+)$/;
const PROFILE_REF = /^Device\.WiFi\.EndPoint\.(\d+)\.Profile\.(\d+)$/;
/** Stations and Profiles per station: a gateway has three radios; a supplicant keeps a short network list. */
const MAX_ENDPOINTS = 3;
const MAX_PROFILES = 8;
const WPS_METHODS = 'PushButton,PIN';

const ENDPOINT_PARAMS = ['Enable', 'Status', 'Alias', 'ProfileReference', 'SSIDReference'] as const;
const ENDPOINT_WRITABLE = ['Enable', 'Alias', 'ProfileReference'] as const;
const PROFILE_PARAMS = ['Enable', 'Status', 'Alias', 'SSID', 'Location', 'Priority'] as const;
const STATUS_LIVE: ReadonlySet<string> = new Set(['Status']);
const PROFILE_SECURITY_PARAMS = ['ModeEnabled', 'WEPKey', 'PreSharedKey', 'KeyPassphrase', 'SAEPassphrase', 'MFPConfig'] as const;
/**
 * A new Profile's security: WPA2-Personal with a passphrase of the gateway's own drawing (TR-181
 * allows no empty one) that no neighbour uses, so it joins nothing protected until given its key.
 * The WEP key (13 zero bytes) is never used: no WEP mode is offered.
 */
function profileSecurityDefaults(seed: number, keys: InstanceKeys): Record<string, Value> {
  const draw = (k: number): string => hash32(seed, 'endpoint-profile-key', keys[0]!, keys[1]!, k).toString(36).padStart(6, '0');
  return { ModeEnabled: 'WPA2-Personal', WEPKey: '00'.repeat(13), PreSharedKey: '', KeyPassphrase: `${draw(0)}-${draw(1)}`, SAEPassphrase: '', MFPConfig: 'Disabled' };
}
const WPS_DEFAULTS: Readonly<Record<string, Value>> = Object.freeze({ Enable: false, ConfigMethodsEnabled: 'PushButton' });

/** What a station's link is now: its EndPoint Status, the Profile it tried (if any) and how that went. */
interface Link {
  status: 'Disabled' | 'Enabled' | 'Error_Misconfigured' | 'Error';
  profile?: number;
  result?: JoinResult;
  stats: Readonly<Record<string, Value>>;
}

/** One gateway's stations; methods on the prototype, shared by a whole fleet. */
class SimEndPoints {
  endpoints!: StoredTable;
  profiles!: StoredTable;
  readonly security: WritableRows;
  readonly wps: WritableRows;
  /** Drawn at the first look, the same draws as the scan's. */
  private drawn: Neighbour[] | undefined;

  constructor(
    readonly ctx: SimContext,
    readonly radios: readonly RadioState[],
  ) {
    this.security = new WritableRows(ctx, `${ENDPOINT_PROFILE}Security.`, (keys) => profileSecurityDefaults(ctx.seed, keys));
    this.wps = new WritableRows(ctx, `${ENDPOINT}WPS.`, WPS_DEFAULTS);
  }

  /** Added SSID `n`'s settings, or undefined when it is not there. */
  ssidRow(n: number): Record<string, Value> | undefined {
    if (factory(n) || !this.ctx.store.instances('Device.WiFi.SSID.').includes(n)) return undefined;
    return { ...addedSsidDefaults(n), ...(this.ctx.store.row(`Device.WiFi.SSID.${n}.`) ?? {}) };
  }

  /** Whether an added AccessPoint serves SSID `n` (then it is a BSS, not a station). */
  served(n: number): boolean {
    const ref = `Device.WiFi.SSID.${n}`;
    return this.ctx.store
      .instances('Device.WiFi.AccessPoint.')
      .filter((m) => !factory(m))
      .some((m) => this.ctx.store.row(`Device.WiFi.AccessPoint.${m}.`)?.SSIDReference === ref);
  }

  /** The lowest added SSID on a radio that no AccessPoint serves and no other EndPoint uses. */
  freeStationSsid(): number | undefined {
    const used = new Set(this.endpoints.rows([]).map(([, r]) => r.SSIDReference));
    return this.ctx.store
      .instances('Device.WiFi.SSID.')
      .filter((n) => !factory(n))
      .sort((a, b) => a - b)
      .find((n) => RADIO_REF.test(String(this.ssidRow(n)?.LowerLayers)) && !this.served(n) && !used.has(`Device.WiFi.SSID.${n}`));
  }

  /** The neighbours radio `r` hears now, strongest first, with their current signal. */
  heard(r: RadioState): Neighbour[] {
    if (r.row().Enable !== true) return [];
    const drawn = (this.drawn ??= drawNeighbours(this.ctx.seed, this.radios));
    const now = this.ctx.now();
    return drawn
      .map((n, k) => ({ ...n, meanDbm: neighbourSignal(this.ctx.seed, n, k, now) }))
      .filter((n) => n.radio === r.index)
      .sort((a, b) => b.meanDbm - a.meanDbm);
  }

  profileRow(e: number, p: number): Row | undefined {
    return this.ctx.store.row(`Device.WiFi.EndPoint.${e}.Profile.${p}.`);
  }

  /** The Profile number `ref` names under EndPoint `e`, if that Profile is there. */
  profileOf(e: number, ref: Value | undefined): number | undefined {
    const m = PROFILE_REF.exec(String(ref ?? ''));
    return m && Number(m[1]) === e && this.profileRow(e, Number(m[2])) ? Number(m[2]) : undefined;
  }

  /** EndPoint `e`'s link now (see the file comment). */
  link(e: number, row: Row): Link {
    if (row.Enable !== true) return { status: 'Disabled', stats: NO_LINK };
    const n = Number(SSID_REF.exec(String(row.SSIDReference))?.[1]);
    const ssid = this.ssidRow(n);
    const radio = this.radios.find((r) => `Device.WiFi.Radio.${r.index}` === ssid?.LowerLayers);
    const p = this.profileOf(e, row.ProfileReference);
    const profile = p === undefined ? undefined : this.profileRow(e, p);
    if (!ssid || !radio || this.served(n) || profile?.Enable !== true) return { status: 'Error_Misconfigured', stats: NO_LINK };
    if (ssid.Enable !== true) return { status: 'Error', profile: p, result: 'not-found', stats: NO_LINK };
    const { result, bss } = join(String(profile.SSID ?? ''), this.security.row([e, p!]), this.heard(radio));
    if (result !== 'ok') return { status: 'Error', profile: p, result, stats: NO_LINK };
    return { status: 'Enabled', profile: p, result, stats: linkStats(radio.def.band, bss!.meanDbm) };
  }

  endpointRow(e: number): Row {
    const row = this.ctx.store.row(`Device.WiFi.EndPoint.${e}.`);
    if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.WiFi.EndPoint.${e}.`);
    return row;
  }
}

class EndPointRules implements TableRules {
  readonly params = ENDPOINT_PARAMS;
  readonly writable = ENDPOINT_WRITABLE;
  readonly live = STATUS_LIVE;
  readonly max = MAX_ENDPOINTS;
  readonly references = ['ProfileReference'] as const;
  // Status follows the neighbours' signal and the radio, not only the agent's writes.
  readonly changesOnlyThroughAgent = false;
  constructor(private readonly s: SimEndPoints) {}

  check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Record<string, Value> {
    const e = keys[0]!;
    const out = { ...merged };
    if (e === 0) {
      // SSIDReference is read-only: the Add binds the station to a free station SSID.
      const n = this.s.freeStationSsid();
      if (n === undefined) {
        throw new UspError(ErrorCode.ObjectCouldNotBeCreated, 'no station SSID: add a Device.WiFi.SSID.{i}. with LowerLayers a Device.WiFi.Radio.{i} and no AccessPoint serving it first');
      }
      out.SSIDReference = `Device.WiFi.SSID.${n}`;
    }
    const ref = changes.ProfileReference;
    if (ref !== undefined && ref !== '' && this.s.profileOf(e, ref) === undefined) {
      throw invalidRow([{ param: 'ProfileReference', message: `must name a Device.WiFi.EndPoint.${e === 0 ? '{i}' : e}.Profile.{i} of this EndPoint` }]);
    }
    return out;
  }

  read(keys: InstanceKeys, row: Row): Record<string, Value> {
    const e = keys[0]!;
    const out = publicValues(row);
    out.Status = this.s.link(e, row).status;
    // Strong references: a deleted Profile or SSID leaves "" (numbers are never reused).
    if (this.s.profileOf(e, row.ProfileReference) === undefined) out.ProfileReference = '';
    if (!this.s.ssidRow(Number(SSID_REF.exec(String(row.SSIDReference))?.[1]))) out.SSIDReference = '';
    return out;
  }
}

class ProfileRules implements TableRules {
  readonly params = PROFILE_PARAMS;
  readonly live = STATUS_LIVE;
  readonly max = MAX_PROFILES;
  readonly changesOnlyThroughAgent = false;
  constructor(private readonly s: SimEndPoints) {}

  check(keys: InstanceKeys, merged: Record<string, Value>): Record<string, Value> {
    this.s.endpointRow(keys[0]!);
    return merged;
  }

  read(keys: InstanceKeys, row: Row): Record<string, Value> {
    const [e, p] = [keys[0]!, keys[1]!];
    const out = publicValues(row);
    const link = this.s.link(e, this.s.endpointRow(e));
    const tried = link.profile === p && link.result !== undefined;
    // Active: the network the station is associated with; Error: the one it fails to join (mode or key).
    out.Status = row.Enable !== true ? 'Disabled' : tried && link.result === 'ok' ? 'Active' : tried && link.result !== 'not-found' ? 'Error' : 'Available';
    return out;
  }
}

/** Device.WiFi.EndPoint.{i}.Profile.{i}.Security.: what the station joins with. */
class ProfileSecurityBinding implements ObjectBinding {
  readonly params = PROFILE_SECURITY_PARAMS;
  constructor(private readonly s: SimEndPoints) {}

  get(keys: InstanceKeys): Record<string, Value> {
    return this.s.security.row(keys);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const bad: Array<{ param: string; message: string }> = [];
    const mode = changes.ModeEnabled;
    if (mode !== undefined && !STATION_MODES.split(',').includes(String(mode))) bad.push({ param: 'ModeEnabled', message: `must be one of ModesSupported (${STATION_MODES})` });
    // Secured values are never echoed in an error message.
    const psk = changes.PreSharedKey;
    if (psk !== undefined && psk !== '' && !RAW_PSK.test(String(psk))) bad.push({ param: 'PreSharedKey', message: 'must be a 256-bit key (64 hexadecimal digits)' });
    if (bad.length > 0) throw invalidParams(bad);
    // A new passphrase is used from now on: a PSK written before it no longer wins.
    if (changes.KeyPassphrase !== undefined && changes.PreSharedKey === undefined) changes.PreSharedKey = '';
    this.s.security.apply(keys, changes);
  }
}

/** Device.WiFi.EndPoint.{i}.Security.: the modes the supplicant offers. */
class EndPointSecurityBinding implements ObjectBinding {
  readonly params = ['ModesSupported'];
  get(): Record<string, Value> {
    return { ModesSupported: STATION_MODES };
  }
}

/** Device.WiFi.EndPoint.{i}.WPS.: kept as set (no simulated neighbour runs a WPS registrar, so no push joins one). */
class EndPointWpsBinding implements ObjectBinding {
  readonly params = ['Enable', 'ConfigMethodsSupported', 'ConfigMethodsEnabled', 'Status'];
  constructor(private readonly s: SimEndPoints) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.s.wps.row(keys);
    return { ...row, ConfigMethodsSupported: WPS_METHODS, Status: row.Enable === true ? 'Unconfigured' : 'Disabled' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const methods = changes.ConfigMethodsEnabled;
    if (
      methods !== undefined &&
      String(methods)
        .split(',')
        .some((m) => m !== '' && !WPS_METHODS.split(',').includes(m))
    ) {
      throw invalidParams([{ param: 'ConfigMethodsEnabled', message: `must be a subset of ConfigMethodsSupported (${WPS_METHODS})` }]);
    }
    this.s.wps.apply(keys, changes);
  }
}

/** Device.WiFi.EndPoint.{i}.Stats.: the link's, moving with the signal, not through the agent. */
class EndPointStatsBinding implements ObjectBinding {
  readonly params = ['LastDataDownlinkRate', 'LastDataUplinkRate', 'SignalStrength', 'Retransmissions'];
  readonly changesOnlyThroughAgent = false;
  constructor(private readonly s: SimEndPoints) {}
  get(keys: InstanceKeys): Record<string, Value> {
    return { ...this.s.link(keys[0]!, this.s.endpointRow(keys[0]!)).stats };
  }
}

/** Serves Device.WiFi.EndPoint.{i}. with its Profiles, Security, WPS and Stats on `radios`. */
export function registerWiFiEndPoints(ctx: SimContext, radios: readonly RadioState[]): void {
  const s = new SimEndPoints(ctx, radios);
  const { model } = ctx;
  s.endpoints = new StoredTable(ctx.store, model.requireNode(ENDPOINT), new EndPointRules(s));
  s.profiles = new StoredTable(ctx.store, model.requireNode(ENDPOINT_PROFILE), new ProfileRules(s));
  model.register(ENDPOINT, s.endpoints);
  model.register(ENDPOINT_PROFILE, s.profiles);
  model.register(`${ENDPOINT_PROFILE}Security.`, new ProfileSecurityBinding(s));
  model.register(`${ENDPOINT}Security.`, new EndPointSecurityBinding());
  model.register(`${ENDPOINT}WPS.`, new EndPointWpsBinding(s));
  model.register(`${ENDPOINT}Stats.`, new EndPointStatsBinding(s));
}
