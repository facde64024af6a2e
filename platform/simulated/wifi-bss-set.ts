/**
 * The simulated gateway's BSSes, factory and added, as one object per gateway (BssSet): the SSID
 * and AccessPoint rows, their clocks, and the rules that tie them to the radios (LowerLayers,
 * SSIDReference, MLDUnit). The bindings that serve them are in wifi-access-point.ts.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Transaction } from '../../datamodel/tree/Transaction.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { UspError } from '../../datamodel/UspError.js';
import { EnableClock, invalidParams, type LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';
import { AddedRows } from './wifi-added.js';
import { checkMldMember, mldChange, type MldMember, mldUnitOf, NO_MLD } from './wifi-mld.js';
import type { RadioState, RadioWatcher } from './wifi-radio.js';
import { registerWiFiSecurity, type SecurityDeps, type SecurityState } from './wifi-security.js';

export interface BssDef {
  radio: number;
  name: string;
  guest: boolean;
  macOffset: number;
}

export const BSSES: readonly BssDef[] = [
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

/** SSIDs (and as many AccessPoints) a Controller may add beside the factory ones. */
const MAX_ADDED = 8;
const FIRST_ADDED = BSSES.length + 1;
export const FACTORY_INSTANCES = BSSES.map((_, i) => i + 1);

// Reference values, without the trailing "." (set strips one a Controller wrote).
const RADIO_PATH_RE = /^Device\.WiFi\.Radio\.(\d+)$/;
export const SSID_PATH_RE = /^Device\.WiFi\.SSID\.(\d+)$/;

export const at = (keys: InstanceKeys): BssDef => nth(BSSES, keys[0]);
/** The radio number a LowerLayers value names, undefined for none. */
const radioNumber = (ll: Value | undefined): number | undefined => Number(RADIO_PATH_RE.exec(String(ll))?.[1]) || undefined;
export const factory = (n: number): boolean => n >= 1 && n < FIRST_ADDED;

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

export function addedSsidDefaults(n: number): Record<string, Value> {
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

/**
 * One gateway's BSSes, factory and added: the rows, clocks and watchers every Wi-Fi object of
 * the gateway reads, one object for them all. Helpers are its methods, shared by every gateway
 * of a fleet (prototype), rather than closures per gateway (issue 14). It is what Security reads
 * of the BSSes (SecurityDeps) and what the radios tell of their changes (RadioWatcher).
 */
export class BssSet implements SecurityDeps, RadioWatcher {
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

export function invalid(param: string, message: string): UspError {
  return invalidParams([{ param, message }]);
}
