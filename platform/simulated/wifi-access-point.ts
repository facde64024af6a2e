/**
 * Device.WiFi.SSID.{i}. and Device.WiFi.AccessPoint.{i}. of the simulated gateway (TR-181
 * WiFiSSID:1, WiFiAccessPoint:1): one band-steered home network on every radio plus a guest
 * network on 2.4 GHz that ships disabled. Factory SSID i (1-4) is served by AccessPoint i.
 * Security and WPS are in wifi-security.ts; the BSSes' rows and rules (BssSet) in wifi-bss-set.ts.
 *
 * A Controller may add SSIDs and AccessPoints (5, 6, ...; wifi-added.ts): an added AccessPoint
 * serves an added SSID its SSIDReference names. Added BSSes beacon (Status Up) but no simulated
 * device knows them, so no station associates and they carry no traffic; they are not in the
 * LAN bridge. The factory rows are the radios' own BSSes: they can be disabled, not deleted.
 * MLDUnit groups SSIDs on different radios into one multi-link device (wifi-mld.ts).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import type { SimContext } from './SimContext.js';
import { addedSsidDefaults, at, BSSES, BssSet, type BssWatcher, FACTORY_INSTANCES, factory, invalid, SSID_PATH_RE } from './wifi-bss-set.js';
import { mldUnitOf } from './wifi-mld.js';
import type { RadioState } from './wifi-radio.js';

export type { BssWatcher } from './wifi-bss-set.js';

/** What stations, the bridge and the LAN hosts need to know about one BSS (AccessPoint i + SSID i). */
export interface BssState {
  /** Interface name, e.g. "wl0.1". */
  name: string;
  /** The radio the SSID currently sits on. */
  radio(): RadioState;
  /** Beaconing: AccessPoint and SSID enabled and the radio up. */
  serving(): boolean;
  /**
   * Wall-clock ms of the last change of the AccessPoint, the SSID or the radio (boot
   * included), or of the BSS's last restart (a new SSID name, radio or key).
   */
  changedAt(): number;
  /**
   * `watcher` is told just before any change that stops, starts or restarts a BSS of the
   * gateway, with the BSS's index: watching one BSS watches them all (once, however often given).
   */
  onChange(watcher: BssWatcher): void;
  /** Device.WiFi.SSID.{i}.Status. */
  ssidStatus(): 'Up' | 'Down' | 'LowerLayerDown';
  /** Seconds since the SSID's Status last changed (its LastChange). */
  ssidLastChange(): number;
  /**
   * Whether a station with MAC address `mac` may associate: the AccessPoint's MAC filter
   * (MACAddressControlEnabled, AllowedMACAddress) lets it in.
   */
  admits(mac: string): boolean;
  /** AccessPoint.{i}.MaxAllowedAssociations: the stations it lets in at most. */
  maxAssociations(): number;
  /** AccessPoint.{i}.WMMEnable: without WMM (QoS) stations can only use legacy 802.11a/g rates. */
  wmm(): boolean;
}

/** Device.WiFi.SSID.{i}. and AccessPoint.{i}. as served: one list each for every gateway of a fleet (issue 14). */
const SSID_PARAMS = ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'Upstream', 'BSSID', 'MACAddress', 'SSID', 'MLDUnit'];
const AP_PARAMS = [
  'Enable',
  'Status',
  'Alias',
  'SSIDReference',
  'SSIDAdvertisementEnabled',
  'WMMCapability',
  'UAPSDCapability',
  'WMMEnable',
  'UAPSDEnable',
  'IsolationEnable',
  'MACAddressControlEnabled',
  'AllowedMACAddress',
  'MaxAllowedAssociations',
];

/** Serves Device.WiFi.SSID.{i}., AccessPoint.{i}. and AccessPoint.{i}.Security.; returns each BSS's state. */
export function registerWiFiAccessPoints(ctx: SimContext, radios: readonly RadioState[]): BssState[] {
  const { model } = ctx;
  const set = new BssSet(ctx, radios);
  model.register('Device.WiFi.SSID.{i}.', new SsidBinding(set));
  // SSIDReference is a strong reference: an AccessPoint whose SSID goes is left serving none.
  model.onDelete('Device.WiFi.SSID.{i}.', (deleted, tx) => set.ssidDeleted(deleted.keys[0], tx));
  model.register('Device.WiFi.AccessPoint.{i}.', new AccessPointBinding(set));
  return BSSES.map((b, i) => new Bss(b.name, i, set));
}

/** Device.WiFi.SSID.{i}. of one gateway; its methods are shared by every gateway (prototype). */
class SsidBinding implements ObjectBinding {
  readonly params = SSID_PARAMS;

  constructor(private readonly s: BssSet) {}

  list(): number[] {
    return [...FACTORY_INSTANCES, ...this.s.addedSsids.list()];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { s } = this;
    if (!factory(keys[0])) return s.addedSsidValues(keys[0]);
    const b = at(keys);
    const mac = s.ctx.mac(b.macOffset);
    return {
      ...s.ssids.row(keys),
      Status: s.ssidStatus(keys),
      Name: b.name,
      LastChange: s.clocks[keys[0] - 1].lastChange(),
      Upstream: false,
      BSSID: mac,
      MACAddress: mac,
    };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { s } = this;
    canonicalizeReferences(changes, ['LowerLayers']);
    const ll = changes.LowerLayers;
    if (!factory(keys[0])) {
      s.validRadioRef(ll, true);
      s.checkMld(keys[0], s.addedSsids.row(keys[0]), changes);
      s.addedSsids.apply(keys[0], changes);
      return;
    }
    s.validRadioRef(ll, false);
    const row = s.ssids.row(keys);
    s.checkMld(keys[0], row, changes);
    if (changes.Enable !== undefined && changes.Enable !== s.clocks[keys[0] - 1].up) {
      s.notify(keys[0]);
      s.clocks[keys[0] - 1].setUp(changes.Enable === true);
    }
    // A new name, radio or MLD: hostapd brings the BSS up again there, and its stations re-associate.
    const moved = ll !== undefined && ll !== row.LowerLayers;
    const regrouped = changes.MLDUnit !== undefined && changes.MLDUnit !== mldUnitOf(row);
    if (moved || regrouped || (changes.SSID !== undefined && changes.SSID !== row.SSID)) s.restart(keys[0]);
    s.ssids.apply(keys, changes);
  }

  add(_parent: InstanceKeys, params: Record<string, Value>): number {
    canonicalizeReferences(params, ['LowerLayers']);
    this.s.validRadioRef(params.LowerLayers, true);
    this.s.checkMld(0, addedSsidDefaults(0), params);
    return this.s.addedSsids.add(params, 'SSIDs');
  }

  delete(keys: InstanceKeys): void {
    if (factory(keys[0])) throw cannotDelete(`Device.WiFi.SSID.${keys[0]}`);
    this.s.addedSsids.remove(keys[0]);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.s.addedSsids.snapshot(keys[0]);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.s.addedSsids.restore(keys[0], snap);
  }
}

/** Device.WiFi.AccessPoint.{i}. of one gateway; its methods are shared by every gateway (prototype). */
class AccessPointBinding implements ObjectBinding {
  readonly params = AP_PARAMS;

  constructor(private readonly s: BssSet) {}

  list(): number[] {
    return [...FACTORY_INSTANCES, ...this.s.addedAps.list()];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { s } = this;
    const row = factory(keys[0]) ? s.aps.row(keys) : s.addedAps.row(keys[0]);
    const misconfigured = s.security.misconfigured(keys[0]) || row.SSIDReference === '';
    const status = !row.Enable ? 'Disabled' : misconfigured ? 'Error_Misconfigured' : 'Enabled';
    return { ...row, Status: status, WMMCapability: true, UAPSDCapability: true };
  }

  add(_parent: InstanceKeys, params: Record<string, Value>): number {
    canonicalizeReferences(params, ['SSIDReference']);
    this.s.validAddedRef(params.SSIDReference, 0);
    return this.s.addedAps.add(params, 'AccessPoints');
  }

  delete(keys: InstanceKeys): void {
    if (factory(keys[0])) throw cannotDelete(`Device.WiFi.AccessPoint.${keys[0]}`);
    this.s.addedAps.remove(keys[0]);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.s.addedAps.snapshot(keys[0]);
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.s.addedAps.restore(keys[0], snap);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { s } = this;
    canonicalizeReferences(changes, ['SSIDReference']);
    if (!factory(keys[0])) {
      s.validAddedRef(changes.SSIDReference, keys[0]);
      s.addedAps.apply(keys[0], changes);
      return;
    }
    // 802.11ax on 6 GHz has no legacy (non-QoS) mode to fall back to.
    if (changes.WMMEnable === false && s.radioOf(keys).def.band === '6GHz') throw invalid('WMMEnable', 'a 6 GHz BSS (802.11ax only) needs WMM');
    const ref = changes.SSIDReference;
    if (ref !== undefined && ref !== `Device.WiFi.SSID.${keys[0]}`) {
      // Each AccessPoint is bound to its own BSS in this hardware; re-pointing it is not supported.
      const valid = SSID_PATH_RE.test(String(ref));
      throw invalid('SSIDReference', valid ? `AccessPoint ${keys[0]} can only serve Device.WiFi.SSID.${keys[0]}` : 'must name a Device.WiFi.SSID.{i}. instance');
    }
    const clock = s.apClocks[keys[0] - 1];
    if (changes.Enable !== undefined && changes.Enable !== clock.up) {
      s.notify(keys[0]);
      clock.setUp(changes.Enable === true);
    } else if (admissionOf(s.aps.row(keys)) !== admissionOf({ ...s.aps.row(keys), ...changes })) {
      // A new MAC filter, station limit or WMM setting reloads the BSS, as hostapd does when its
      // accept list, max_num_sta or wmm_enabled changes: every station re-associates (in the
      // mode the BSS now offers) and the ones no longer let in are refused.
      s.restart(keys[0]);
    }
    s.aps.apply(keys, changes);
  }
}

/**
 * Factory BSS i + 1 as the other Wi-Fi objects see it. A class, so its methods are one copy for
 * every gateway of a fleet rather than nine closures per BSS per gateway (issue 14).
 */
class Bss implements BssState {
  constructor(
    readonly name: string,
    /** 0-based: BSS i + 1. */
    private readonly i: number,
    private readonly set: BssSet,
  ) {}

  radio(): RadioState {
    return this.set.radioOf([this.i + 1]);
  }

  serving(): boolean {
    const { apClocks, clocks, security } = this.set;
    return apClocks[this.i].up && clocks[this.i].up && this.radio().clock.up && !security.misconfigured(this.i + 1);
  }

  changedAt(): number {
    const { apClocks, clocks, restartedAt } = this.set;
    return Math.max(apClocks[this.i].changedAtMs, clocks[this.i].changedAtMs, this.radio().clock.changedAtMs, restartedAt[this.i]);
  }

  onChange(watcher: BssWatcher): void {
    this.set.watch(watcher);
  }

  ssidStatus(): 'Up' | 'Down' | 'LowerLayerDown' {
    return this.set.ssidStatus([this.i + 1]);
  }

  ssidLastChange(): number {
    return this.set.clocks[this.i].lastChange();
  }

  maxAssociations(): number {
    return Number(this.set.aps.row([this.i + 1]).MaxAllowedAssociations);
  }

  wmm(): boolean {
    return this.set.aps.row([this.i + 1]).WMMEnable === true;
  }

  admits(mac: string): boolean {
    const filter = filterOf(this.set.aps.row([this.i + 1]));
    return filter === '' || filter.slice(1).split(',').includes(mac.toLowerCase());
  }
}

/** Who the AccessPoint lets in and how: its effective MAC filter, station limit and WMM. */
function admissionOf(row: Record<string, Value>): string {
  return `${filterOf(row)}/${String(row.MaxAllowedAssociations)}/${String(row.WMMEnable)}`;
}

/**
 * The AccessPoint's effective MAC filter: "" when it lets every station in, else the allowed
 * addresses, lower case, sorted, after a leading "+" (so an empty allow list still differs from "").
 */
function filterOf(row: Record<string, Value>): string {
  if (row.MACAddressControlEnabled !== true) return '';
  const allowed = String(row.AllowedMACAddress)
    .split(',')
    .map((m) => m.trim().toLowerCase())
    .filter((m) => m !== '');
  return `+${[...new Set(allowed)].sort().join(',')}`;
}

function cannotDelete(path: string): UspError {
  return new UspError(ErrorCode.DeleteFailure, `${path} is a BSS of the radio hardware: disable it (Enable false) instead`);
}
