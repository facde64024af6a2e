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
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import { EnableClock, invalidParams, type LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';
import { AddedRows } from './wifi-added.js';
import type { RadioState } from './wifi-radio.js';
import { registerWiFiSecurity } from './wifi-security.js';

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
  /** `listener` runs just before any change that stops, starts or restarts the BSS. */
  onChange(listener: () => void): void;
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

// Reference values, without the trailing "." (set strips one a Controller wrote).
const RADIO_PATH_RE = /^Device\.WiFi\.Radio\.(\d+)$/;
const SSID_PATH_RE = /^Device\.WiFi\.SSID\.(\d+)$/;

/** Serves Device.WiFi.SSID.{i}., AccessPoint.{i}. and AccessPoint.{i}.Security.; returns each BSS's state. */
export function registerWiFiAccessPoints(ctx: SimContext, radios: readonly RadioState[]): BssState[] {
  const { model, identity } = ctx;
  const homeSsid = `EXN-${identity.serialNumber.slice(-4)}`;
  const listeners = BSSES.map((): Array<() => void> => []);
  const restartedAt = BSSES.map(() => 0);
  const notify = (i: number): void => {
    for (const l of listeners[i - 1]) l();
  };
  /** Before a change that makes BSS i restart while it keeps serving. */
  const restart = (i: number): void => {
    notify(i);
    restartedAt[i - 1] = ctx.now();
  };
  // SSID and AccessPoint Enable, with the time each last changed; beaconing starts 10 s after boot.
  const ssids = new WritableRows(ctx, 'Device.WiFi.SSID.{i}.', (keys) => {
    const b = at(keys);
    return { Enable: !b.guest, Alias: `cpe-${b.name}`, LowerLayers: `Device.WiFi.Radio.${b.radio}`, SSID: b.guest ? `${homeSsid}-Guest` : homeSsid };
  });
  const aps = new WritableRows(ctx, 'Device.WiFi.AccessPoint.{i}.', (keys) => {
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
  });
  const clocks = BSSES.map((_, i) => new EnableClock(ctx, ssids, i + 1, 10_000));
  const apClocks = BSSES.map((_, i) => new EnableClock(ctx, aps, i + 1, 10_000));
  const instances = BSSES.map((_, i) => i + 1);
  const at = (keys: InstanceKeys) => nth(BSSES, keys[0]);

  const radioOf = (keys: InstanceKeys): RadioState => nth(radios, Number(RADIO_PATH_RE.exec(String(ssids.row(keys).LowerLayers))?.[1]));
  const ssidStatus = (keys: InstanceKeys): 'Up' | 'Down' | 'LowerLayerDown' => (!clocks[keys[0] - 1].up ? 'Down' : radioOf(keys).clock.up ? 'Up' : 'LowerLayerDown');
  // Rows a Controller added (numbers from FIRST_ADDED on), kept whole in the store.
  const addedSsids = new AddedRows(ctx, 'Device.WiFi.SSID.', FIRST_ADDED, MAX_ADDED, (n) => ({
    Enable: false,
    Alias: `cpe-SSID-${n}`,
    LowerLayers: '',
    SSID: '',
  }));
  const addedAps = new AddedRows(ctx, 'Device.WiFi.AccessPoint.', FIRST_ADDED, MAX_ADDED, (n) => ({
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
  }));
  const factory = (n: number): boolean => n >= 1 && n < FIRST_ADDED;
  /** The radio an SSID (factory or added) sits on, if any. */
  const radioOfSsid = (n: number): RadioState | undefined => {
    const ll = factory(n) ? ssids.row([n]).LowerLayers : addedSsids.has(n) ? addedSsids.row(n).LowerLayers : '';
    return radios[Number(RADIO_PATH_RE.exec(String(ll))?.[1]) - 1];
  };
  /** The SSID AccessPoint `m` serves (0 for none). */
  const ssidOfAp = (m: number): number => (factory(m) ? m : Number(SSID_PATH_RE.exec(String(addedAps.row(m).SSIDReference))?.[1] ?? 0));
  const ssidName = (n: number): string => String(factory(n) ? ssids.row([n]).SSID : addedSsids.has(n) ? addedSsids.row(n).SSID : '');
  const security = registerWiFiSecurity(ctx, {
    sixGHz: (m) => radioOfSsid(ssidOfAp(m))?.def.band === '6GHz',
    guest: (m) => factory(m) && at([m]).guest,
    ssid: (m) => ssidName(ssidOfAp(m)),
    reconfigure: (m) => {
      if (factory(m)) restart(m);
    },
  });
  // A radio going up or down stops or starts every BSS on it; new standards restart them.
  for (const r of radios) {
    r.onEnableChange(() => {
      BSSES.forEach((_, i) => {
        if (radioOf([i + 1]) === r) notify(i + 1);
      });
    });
    r.onReload(() => {
      BSSES.forEach((_, i) => {
        if (radioOf([i + 1]) === r) restart(i + 1);
      });
    });
  }

  const validRadioRef = (ll: Value | undefined, allowEmpty: boolean): void => {
    if (ll === undefined || (allowEmpty && ll === '')) return;
    const n = Number(RADIO_PATH_RE.exec(String(ll))?.[1]);
    if (!(n >= 1 && n <= radios.length)) throw invalid('LowerLayers', 'must name exactly one Device.WiFi.Radio.{i}. instance');
  };
  /** An added SSID: beaconing while enabled on a radio that is up and served by an enabled AccessPoint. */
  const addedSsidValues = (n: number): Record<string, Value> => {
    const row = addedSsids.row(n);
    const radio = radioOfSsid(n);
    const served = addedAps.list().some((m) => ssidOfAp(m) === n && addedAps.row(m).Enable === true);
    const status = !row.Enable || !served ? 'Down' : radio?.clock.up ? 'Up' : 'LowerLayerDown';
    // A locally administered address beyond the factory block, one per instance number (never reused).
    const mac = ctx.mac(0x100 + n);
    return { ...row, Status: status, Name: `wlan${n}`, LastChange: 0, Upstream: false, BSSID: mac, MACAddress: mac };
  };

  model.register('Device.WiFi.SSID.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'Upstream', 'BSSID', 'MACAddress', 'SSID'],
    list: () => [...instances, ...addedSsids.list()],
    get: (keys) => {
      if (!factory(keys[0])) return addedSsidValues(keys[0]);
      const b = at(keys);
      const mac = ctx.mac(b.macOffset);
      return {
        ...ssids.row(keys),
        Status: ssidStatus(keys),
        Name: b.name,
        LastChange: clocks[keys[0] - 1].lastChange(),
        Upstream: false,
        BSSID: mac,
        MACAddress: mac,
      };
    },
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['LowerLayers']);
      const ll = changes.LowerLayers;
      if (!factory(keys[0])) {
        validRadioRef(ll, true);
        addedSsids.apply(keys[0], changes);
        return;
      }
      validRadioRef(ll, false);
      const row = ssids.row(keys);
      if (changes.Enable !== undefined && changes.Enable !== clocks[keys[0] - 1].up) {
        notify(keys[0]);
        clocks[keys[0] - 1].setUp(changes.Enable === true);
      }
      // A new name or radio: hostapd brings the BSS up again there, and its stations re-associate.
      const moved = ll !== undefined && ll !== row.LowerLayers;
      if (moved || (changes.SSID !== undefined && changes.SSID !== row.SSID)) restart(keys[0]);
      ssids.apply(keys, changes);
    },
    add: (_parent, params) => {
      canonicalizeReferences(params, ['LowerLayers']);
      validRadioRef(params.LowerLayers, true);
      return addedSsids.add(params, 'SSIDs');
    },
    delete: (keys) => {
      if (factory(keys[0])) throw cannotDelete(`Device.WiFi.SSID.${keys[0]}`);
      addedSsids.remove(keys[0]);
    },
    snapshot: (keys) => addedSsids.snapshot(keys[0]),
    restore: (keys, snap) => addedSsids.restore(keys[0], snap),
  });
  // SSIDReference is a strong reference: an AccessPoint whose SSID goes is left serving none.
  model.onDelete('Device.WiFi.SSID.{i}.', async (deleted, tx) => {
    const node = model.requireNode('Device.WiFi.AccessPoint.{i}.');
    for (const m of addedAps.list()) {
      if (ssidOfAp(m) === deleted.keys[0]) await tx.set({ node, keys: [m] }, { SSIDReference: '' });
    }
  });

  model.register('Device.WiFi.AccessPoint.{i}.', {
    params: [
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
    ],
    list: () => [...instances, ...addedAps.list()],
    get: (keys) => {
      const row = factory(keys[0]) ? aps.row(keys) : addedAps.row(keys[0]);
      const misconfigured = security.misconfigured(keys[0]) || row.SSIDReference === '';
      const status = !row.Enable ? 'Disabled' : misconfigured ? 'Error_Misconfigured' : 'Enabled';
      return { ...row, Status: status, WMMCapability: true, UAPSDCapability: true };
    },
    add: (_parent, params) => {
      canonicalizeReferences(params, ['SSIDReference']);
      validAddedRef(params.SSIDReference, 0);
      return addedAps.add(params, 'AccessPoints');
    },
    delete: (keys) => {
      if (factory(keys[0])) throw cannotDelete(`Device.WiFi.AccessPoint.${keys[0]}`);
      addedAps.remove(keys[0]);
    },
    snapshot: (keys) => addedAps.snapshot(keys[0]),
    restore: (keys, snap) => addedAps.restore(keys[0], snap),
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['SSIDReference']);
      if (!factory(keys[0])) {
        validAddedRef(changes.SSIDReference, keys[0]);
        addedAps.apply(keys[0], changes);
        return;
      }
      // 802.11ax on 6 GHz has no legacy (non-QoS) mode to fall back to.
      if (changes.WMMEnable === false && radioOf(keys).def.band === '6GHz') throw invalid('WMMEnable', 'a 6 GHz BSS (802.11ax only) needs WMM');
      const ref = changes.SSIDReference;
      if (ref !== undefined && ref !== `Device.WiFi.SSID.${keys[0]}`) {
        // Each AccessPoint is bound to its own BSS in this hardware; re-pointing it is not supported.
        const valid = SSID_PATH_RE.test(String(ref));
        throw invalid('SSIDReference', valid ? `AccessPoint ${keys[0]} can only serve Device.WiFi.SSID.${keys[0]}` : 'must name a Device.WiFi.SSID.{i}. instance');
      }
      if (changes.Enable !== undefined && changes.Enable !== apClocks[keys[0] - 1].up) {
        notify(keys[0]);
        apClocks[keys[0] - 1].setUp(changes.Enable === true);
      } else if (admissionOf(aps.row(keys)) !== admissionOf({ ...aps.row(keys), ...changes })) {
        // A new MAC filter, station limit or WMM setting reloads the BSS, as hostapd does when its
        // accept list, max_num_sta or wmm_enabled changes: every station re-associates (in the
        // mode the BSS now offers) and the ones no longer let in are refused.
        restart(keys[0]);
      }
      aps.apply(keys, changes);
    },
  });

  /** An added AccessPoint serves an added SSID that no other AccessPoint serves, or none yet (""). */
  function validAddedRef(ref: Value | undefined, self: number): void {
    if (ref === undefined || ref === '') return;
    const n = Number(SSID_PATH_RE.exec(String(ref))?.[1]);
    if (factory(n)) throw invalid('SSIDReference', `Device.WiFi.SSID.${n} is served by Device.WiFi.AccessPoint.${n}`);
    if (!addedSsids.has(n)) throw invalid('SSIDReference', 'must name an existing Device.WiFi.SSID.{i}. instance');
    const other = addedAps.list().find((m) => m !== self && ssidOfAp(m) === n);
    if (other !== undefined) throw invalid('SSIDReference', `Device.WiFi.SSID.${n} is served by Device.WiFi.AccessPoint.${other}`);
  }

  const set: BssSet = { radioOf, ssidStatus, clocks, apClocks, restartedAt, listeners, security, aps };
  return BSSES.map((b, i) => new Bss(b.name, i, set));
}

/** What the BssState of one gateway's BSSes read: the gateway's own, one object for the four. */
interface BssSet {
  radioOf(keys: InstanceKeys): RadioState;
  ssidStatus(keys: InstanceKeys): 'Up' | 'Down' | 'LowerLayerDown';
  clocks: readonly LinkClock[];
  apClocks: readonly LinkClock[];
  restartedAt: readonly number[];
  listeners: ReadonlyArray<Array<() => void>>;
  security: { misconfigured(ap: number): boolean };
  aps: WritableRows;
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

  onChange(listener: () => void): void {
    this.set.listeners[this.i].push(listener);
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
