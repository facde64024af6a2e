/**
 * Device.WiFi.SSID.{i}. and Device.WiFi.AccessPoint.{i}. of the simulated gateway (TR-181
 * WiFiSSID:1, WiFiAccessPoint:1): one band-steered home network on every radio plus a guest
 * network on 2.4 GHz that ships disabled. Factory SSID i (1-4) is served by AccessPoint i.
 * Security and WPS are in wifi-security.ts.
 *
 * A Controller may add SSIDs and AccessPoints (5, 6, ...; wifi-added.ts): an added AccessPoint
 * serves an added SSID its SSIDReference names. Added BSSes beacon (Status Up) but no simulated
 * device knows them, so no station associates and they carry no traffic; they are not in the
 * LAN bridge. The factory rows are the radios' own BSSes: they can be disabled, not deleted.
 * MLDUnit groups SSIDs on different radios into one multi-link device (wifi-mld.ts).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Transaction } from '../../datamodel/tree/Transaction.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import { EnableClock, invalidParams, type LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';
import { AddedRows } from './wifi-added.js';
import { checkMldMember, mldChange, type MldMember, mldUnitOf, NO_MLD } from './wifi-mld.js';
import type { RadioState, RadioWatcher } from './wifi-radio.js';
import { registerWiFiSecurity, type SecurityDeps, type SecurityState } from './wifi-security.js';

interface BssDef {
  radio: number;
  name: string;
  guest: boolean;
  macOffset: number;
}

const BSSES: readonly BssDef[] = [
  { radio: 1, name: 'wl0', guest: false, macOffset: 8 },
  { radio: 2, name: 'wl1', guest: false, macOffset: 9 },
  { radio: 3, name: 'wl2', guest: false, macOffset: 10 },
  { radio: 1, name: 'wl0.1', guest: true, macOffset: 11 },
];

/** Told just before a change that stops, starts or restarts a BSS. */
export interface BssWatcher {
  /** BSS `i` (0-based: AccessPoint and SSID i + 1) is about to stop, start or restart. */
  bssChanging(i: number): void;
}

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

/** SSIDs (and as many AccessPoints) a Controller may add beside the factory ones. */
const MAX_ADDED = 8;
const FIRST_ADDED = BSSES.length + 1;
const FACTORY_INSTANCES = BSSES.map((_, i) => i + 1);

// Reference values, without the trailing "." (set strips one a Controller wrote).
const RADIO_PATH_RE = /^Device\.WiFi\.Radio\.(\d+)$/;
const SSID_PATH_RE = /^Device\.WiFi\.SSID\.(\d+)$/;

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

const at = (keys: InstanceKeys): BssDef => nth(BSSES, keys[0]);
/** The radio number a LowerLayers value names, undefined for none. */
const radioNumber = (ll: Value | undefined): number | undefined => Number(RADIO_PATH_RE.exec(String(ll))?.[1]) || undefined;
const factory = (n: number): boolean => n >= 1 && n < FIRST_ADDED;

/** A factory AccessPoint before any write: nothing of the gateway in it. */
function apDefaults(keys: InstanceKeys): Record<string, Value> {
  const b = at(keys);
  return {
    Enable: true,
    Alias: `cpe-ap-${b.name}`,
    SSIDReference: `Device.WiFi.SSID.${keys[0]}`,
    SSIDAdvertisementEnabled: true,
    WMMEnable: true,
    UAPSDEnable: true,
    IsolationEnable: b.guest,
    MACAddressControlEnabled: false,
    AllowedMACAddress: '',
    MaxAllowedAssociations: b.guest ? 16 : 64,
  };
}

function addedSsidDefaults(n: number): Record<string, Value> {
  return { Enable: false, Alias: `cpe-SSID-${n}`, LowerLayers: '', SSID: '', MLDUnit: NO_MLD };
}

function addedApDefaults(n: number): Record<string, Value> {
  return {
    Enable: false,
    Alias: `cpe-AccessPoint-${n}`,
    SSIDReference: '',
    SSIDAdvertisementEnabled: true,
    WMMEnable: true,
    UAPSDEnable: true,
    IsolationEnable: false,
    MACAddressControlEnabled: false,
    AllowedMACAddress: '',
    MaxAllowedAssociations: 32,
  };
}

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

/**
 * One gateway's BSSes, factory and added: the rows, clocks and watchers every Wi-Fi object of
 * the gateway reads, one object for them all. Helpers are its methods, shared by every gateway
 * of a fleet (prototype), rather than closures per gateway (issue 14). It is what Security reads
 * of the BSSes (SecurityDeps) and what the radios tell of their changes (RadioWatcher).
 */
class BssSet implements SecurityDeps, RadioWatcher {
  /** Told before any BSS stops, starts or restarts. */
  /** Replaced by concat, not pushed to: a push leaves room for 16 more, per fleet gateway (issue 14). */
  private watchers: readonly BssWatcher[] = [];
  readonly restartedAt = BSSES.map(() => 0);
  // SSID and AccessPoint Enable, with the time each last changed; beaconing starts 10 s after boot.
  readonly ssids: WritableRows;
  readonly aps: WritableRows;
  readonly clocks: readonly LinkClock[];
  readonly apClocks: readonly LinkClock[];
  // Rows a Controller added (numbers from FIRST_ADDED on), kept whole in the store.
  readonly addedSsids: AddedRows;
  readonly addedAps: AddedRows;
  readonly security: SecurityState;

  constructor(
    readonly ctx: SimContext,
    private readonly radios: readonly RadioState[],
  ) {
    // WritableRows takes a function: the home network's name is the gateway's own.
    this.ssids = new WritableRows(ctx, 'Device.WiFi.SSID.{i}.', (keys) => this.ssidDefaults(keys));
    this.aps = new WritableRows(ctx, 'Device.WiFi.AccessPoint.{i}.', apDefaults);
    this.clocks = BSSES.map((_, i) => new EnableClock(ctx, this.ssids, i + 1, 10_000));
    this.apClocks = BSSES.map((_, i) => new EnableClock(ctx, this.aps, i + 1, 10_000));
    this.addedSsids = new AddedRows(ctx, 'Device.WiFi.SSID.', FIRST_ADDED, MAX_ADDED, addedSsidDefaults);
    this.addedAps = new AddedRows(ctx, 'Device.WiFi.AccessPoint.', FIRST_ADDED, MAX_ADDED, addedApDefaults);
    this.security = registerWiFiSecurity(ctx, this);
    // A radio going up or down stops or starts every BSS on it; new standards restart them.
    for (const r of radios) r.watch(this);
  }

  private ssidDefaults(keys: InstanceKeys): Record<string, Value> {
    const b = at(keys);
    const home = `EXN-${this.ctx.identity.serialNumber.slice(-4)}`;
    return { Enable: !b.guest, Alias: `cpe-${b.name}`, LowerLayers: `Device.WiFi.Radio.${b.radio}`, SSID: b.guest ? `${home}-Guest` : home, MLDUnit: NO_MLD };
  }

  watch(watcher: BssWatcher): void {
    if (!this.watchers.includes(watcher)) this.watchers = this.watchers.concat(watcher);
  }

  /** Before a change that stops or starts factory BSS n. */
  notify(n: number): void {
    for (const w of this.watchers) w.bssChanging(n - 1);
  }

  /** Before a change that makes factory BSS n restart while it keeps serving. */
  restart(n: number): void {
    this.notify(n);
    this.restartedAt[n - 1] = this.ctx.now();
  }

  radioChanging(r: RadioState, reload: boolean): void {
    for (const n of FACTORY_INSTANCES) {
      if (this.radioOf([n]) !== r) continue;
      if (reload) this.restart(n);
      else this.notify(n);
    }
  }

  /** The radio factory SSID keys[0] sits on. */
  radioOf(keys: InstanceKeys): RadioState {
    return nth(this.radios, Number(RADIO_PATH_RE.exec(String(this.ssids.row(keys).LowerLayers))?.[1]));
  }

  ssidStatus(keys: InstanceKeys): 'Up' | 'Down' | 'LowerLayerDown' {
    return !this.clocks[keys[0] - 1].up ? 'Down' : this.radioOf(keys).clock.up ? 'Up' : 'LowerLayerDown';
  }

  /** The radio an SSID (factory or added) sits on, if any. */
  radioOfSsid(n: number): RadioState | undefined {
    const ll = factory(n) ? this.ssids.row([n]).LowerLayers : this.addedSsids.has(n) ? this.addedSsids.row(n).LowerLayers : '';
    return this.radios[Number(RADIO_PATH_RE.exec(String(ll))?.[1]) - 1];
  }

  /** Every SSID, factory and added, as the MLD rule sees it (read when a Set asks: nothing kept). */
  mldMembers(): MldMember[] {
    const added = this.addedSsids.list().map((n) => [n, this.addedSsids.row(n)] as const);
    const rows = [...FACTORY_INSTANCES.map((n) => [n, this.ssids.row([n])] as const), ...added];
    return rows.map(([n, row]) => ({ ssid: n, radio: radioNumber(row.LowerLayers), unit: mldUnitOf(row) }));
  }

  /** Refuses (7012) SSID `n` (0: being added) as `row` after `changes` when that puts two BSSes of one MLD on one radio. */
  checkMld(n: number, row: Readonly<Record<string, Value>>, changes: Readonly<Record<string, Value>>): void {
    const changed = mldChange(changes);
    if (!changed) return;
    const merged = { ...row, ...changes };
    checkMldMember({ ssid: n, radio: radioNumber(merged.LowerLayers), unit: mldUnitOf(merged) }, this.mldMembers(), changed);
  }

  /** The SSID AccessPoint `m` serves (0 for none). */
  ssidOfAp(m: number): number {
    return factory(m) ? m : Number(SSID_PATH_RE.exec(String(this.addedAps.row(m).SSIDReference))?.[1] ?? 0);
  }

  ssidName(n: number): string {
    return String(factory(n) ? this.ssids.row([n]).SSID : this.addedSsids.has(n) ? this.addedSsids.row(n).SSID : '');
  }

  // SecurityDeps: AccessPoint m's BSS.
  sixGHz(m: number): boolean {
    return this.radioOfSsid(this.ssidOfAp(m))?.def.band === '6GHz';
  }

  guest(m: number): boolean {
    return factory(m) && at([m]).guest;
  }

  ssid(m: number): string {
    return this.ssidName(this.ssidOfAp(m));
  }

  reconfigure(m: number): void {
    if (factory(m)) this.restart(m);
  }

  validRadioRef(ll: Value | undefined, allowEmpty: boolean): void {
    if (ll === undefined || (allowEmpty && ll === '')) return;
    const n = Number(RADIO_PATH_RE.exec(String(ll))?.[1]);
    if (!(n >= 1 && n <= this.radios.length)) throw invalid('LowerLayers', 'must name exactly one Device.WiFi.Radio.{i}. instance');
  }

  /** An added SSID: beaconing while enabled on a radio that is up and served by an enabled AccessPoint. */
  addedSsidValues(n: number): Record<string, Value> {
    const row = this.addedSsids.row(n);
    const radio = this.radioOfSsid(n);
    const served = this.addedAps.list().some((m) => this.ssidOfAp(m) === n && this.addedAps.row(m).Enable === true);
    const status = !row.Enable || !served ? 'Down' : radio?.clock.up ? 'Up' : 'LowerLayerDown';
    // A locally administered address beyond the factory block, one per instance number (never reused).
    const mac = this.ctx.mac(0x100 + n);
    return { ...row, Status: status, Name: `wlan${n}`, LastChange: 0, Upstream: false, BSSID: mac, MACAddress: mac };
  }

  /** An added AccessPoint serves an added SSID that no other AccessPoint serves, or none yet (""). */
  validAddedRef(ref: Value | undefined, self: number): void {
    if (ref === undefined || ref === '') return;
    const n = Number(SSID_PATH_RE.exec(String(ref))?.[1]);
    if (factory(n)) throw invalid('SSIDReference', `Device.WiFi.SSID.${n} is served by Device.WiFi.AccessPoint.${n}`);
    if (!this.addedSsids.has(n)) throw invalid('SSIDReference', 'must name an existing Device.WiFi.SSID.{i}. instance');
    const other = this.addedAps.list().find((m) => m !== self && this.ssidOfAp(m) === n);
    if (other !== undefined) throw invalid('SSIDReference', `Device.WiFi.SSID.${n} is served by Device.WiFi.AccessPoint.${other}`);
  }

  /** SSID `n` was deleted: the added AccessPoints that served it serve none. */
  async ssidDeleted(n: number, tx: Transaction): Promise<void> {
    const node = this.ctx.model.requireNode('Device.WiFi.AccessPoint.{i}.');
    for (const m of this.addedAps.list()) {
      if (this.ssidOfAp(m) === n) await tx.set({ node, keys: [m] }, { SSIDReference: '' });
    }
  }
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

function invalid(param: string, message: string): UspError {
  return invalidParams([{ param, message }]);
}

function cannotDelete(path: string): UspError {
  return new UspError(ErrorCode.DeleteFailure, `${path} is a BSS of the radio hardware: disable it (Enable false) instead`);
}
