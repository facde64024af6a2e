/**
 * Device.WiFi.SSID.{i}. and Device.WiFi.AccessPoint.{i}.(.Security.) of the simulated gateway
 * (TR-181 WiFiSSID:1, WiFiAccessPoint:1): one band-steered home network on every radio plus a
 * guest network on 2.4 GHz that ships disabled. SSID i is served by AccessPoint i.
 */
import type { UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { canonicalizeReferences } from '../reference.js';
import { Prng } from './random.js';
import { invalidParams, LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';
import type { RadioState } from './wifi-radio.js';

interface BssDef { radio: number; name: string; guest: boolean; macOffset: number }

const BSSES: readonly BssDef[] = [
  { radio: 1, name: 'wl0', guest: false, macOffset: 8 },
  { radio: 2, name: 'wl1', guest: false, macOffset: 9 },
  { radio: 3, name: 'wl2', guest: false, macOffset: 10 },
  { radio: 1, name: 'wl0.1', guest: true, macOffset: 11 },
];

// WPA3-only on 6 GHz is mandated by Wi-Fi 6E; Enterprise modes are left out (no RADIUS simulated).
const MODES_LEGACY_BANDS = 'None,WPA2-Personal,WPA3-Personal,WPA3-Personal-Transition';
const MODES_6GHZ = 'WPA3-Personal';

/** What stations, the bridge and the LAN hosts need to know about one BSS (AccessPoint i + SSID i). */
export interface BssState {
  /** Interface name, e.g. "wl0.1". */
  name: string;
  /** The radio the SSID currently sits on. */
  radio(): RadioState;
  /** Beaconing: AccessPoint and SSID enabled and the radio up. */
  serving(): boolean;
  /** Wall-clock ms of the last change of the AccessPoint, the SSID or the radio (boot included). */
  changedAt(): number;
  /** Device.WiFi.SSID.{i}.Status. */
  ssidStatus(): 'Up' | 'Down' | 'LowerLayerDown';
  /** Seconds since the SSID's Status last changed (its LastChange). */
  ssidLastChange(): number;
}

// Reference values, without the trailing "." (set strips one a Controller wrote).
const RADIO_PATH_RE = /^Device\.WiFi\.Radio\.(\d+)$/;
const SSID_PATH_RE = /^Device\.WiFi\.SSID\.(\d+)$/;

/** Serves Device.WiFi.SSID.{i}., AccessPoint.{i}. and AccessPoint.{i}.Security.; returns each BSS's state. */
export function registerWiFiAccessPoints(ctx: SimContext, radios: readonly RadioState[]): BssState[] {
  const { model, identity, seed } = ctx;
  const rnd = new Prng(seed, 'wifi-ap');
  const homeSsid = `EXN-${identity.serialNumber.slice(-4)}`;
  const passphrase = (): string => Array.from({ length: 3 }, () => rnd.int(0, 36 ** 4 - 1).toString(36).padStart(4, '0')).join('-');
  const homeKey = passphrase();
  const guestKey = passphrase();
  // SSID and AccessPoint Enable, with the time each last changed; beaconing starts 10 s after boot.
  const clocks = BSSES.map((_, i) => new LinkClock(ctx, () => ssids.row([i + 1]).Enable === true, 10_000));
  const apClocks = BSSES.map((_, i) => new LinkClock(ctx, () => aps.row([i + 1]).Enable === true, 10_000));
  const instances = BSSES.map((_, i) => i + 1);
  const at = (keys: InstanceKeys) => nth(BSSES, keys[0]);

  const ssids = new WritableRows(ctx, 'Device.WiFi.SSID.{i}.', (keys) => {
    const b = at(keys);
    return { Enable: !b.guest, Alias: `cpe-${b.name}`, LowerLayers: `Device.WiFi.Radio.${b.radio}`, SSID: b.guest ? `${homeSsid}-Guest` : homeSsid };
  });
  const aps = new WritableRows(ctx, 'Device.WiFi.AccessPoint.{i}.', (keys) => {
    const b = at(keys);
    return {
      Enable: true, Alias: `cpe-ap-${b.name}`, SSIDReference: `Device.WiFi.SSID.${keys[0]}`, SSIDAdvertisementEnabled: true,
      WMMEnable: true, UAPSDEnable: true, IsolationEnable: b.guest, MACAddressControlEnabled: false, AllowedMACAddress: '',
      MaxAllowedAssociations: b.guest ? 16 : 64,
    };
  });
  const radioOf = (keys: InstanceKeys): RadioState => nth(radios, Number(RADIO_PATH_RE.exec(String(ssids.row(keys).LowerLayers))?.[1]));
  const ssidStatus = (keys: InstanceKeys): 'Up' | 'Down' | 'LowerLayerDown' =>
    (!clocks[keys[0] - 1].up ? 'Down' : radioOf(keys).clock.up ? 'Up' : 'LowerLayerDown');
  const modesOf = (keys: InstanceKeys): string => (radioOf(keys).def.band === '6GHz' ? MODES_6GHZ : MODES_LEGACY_BANDS);
  const security = new WritableRows(ctx, 'Device.WiFi.AccessPoint.{i}.Security.', (keys) => {
    const b = at(keys);
    const sixGHz = radioOf(keys).def.band === '6GHz';
    const mode = sixGHz ? 'WPA3-Personal' : b.guest ? 'WPA2-Personal' : 'WPA3-Personal-Transition';
    return {
      ModeEnabled: mode, EncryptionMode: 'AES', KeyPassphrase: b.guest ? guestKey : homeKey, RekeyingInterval: 3600,
      MFPConfig: mode === 'WPA3-Personal' ? 'Required' : mode === 'WPA2-Personal' ? 'Disabled' : 'Optional',
    };
  });

  model.register('Device.WiFi.SSID.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'Upstream', 'BSSID', 'MACAddress', 'SSID'],
    list: () => instances,
    get: (keys) => {
      const b = at(keys);
      const mac = ctx.mac(b.macOffset);
      return {
        ...ssids.row(keys), Status: ssidStatus(keys), Name: b.name, LastChange: clocks[keys[0] - 1].lastChange(), Upstream: false,
        BSSID: mac, MACAddress: mac,
      };
    },
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['LowerLayers']);
      const ll = changes.LowerLayers;
      if (ll !== undefined) {
        const n = Number(RADIO_PATH_RE.exec(String(ll))?.[1]);
        if (!(n >= 1 && n <= radios.length)) throw invalid('LowerLayers', 'must name exactly one Device.WiFi.Radio.{i}. instance');
      }
      if (changes.Enable !== undefined) clocks[keys[0] - 1].setUp(changes.Enable === true);
      ssids.apply(keys, changes);
    },
  });

  model.register('Device.WiFi.AccessPoint.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'SSIDReference', 'SSIDAdvertisementEnabled', 'WMMCapability', 'UAPSDCapability',
      'WMMEnable', 'UAPSDEnable', 'IsolationEnable', 'MACAddressControlEnabled', 'AllowedMACAddress', 'MaxAllowedAssociations'],
    list: () => instances,
    get: (keys) => {
      const row = aps.row(keys);
      return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled', WMMCapability: true, UAPSDCapability: true };
    },
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['SSIDReference']);
      const ref = changes.SSIDReference;
      if (ref !== undefined && ref !== `Device.WiFi.SSID.${keys[0]}`) {
        // Each AccessPoint is bound to its own BSS in this hardware; re-pointing it is not supported.
        const valid = SSID_PATH_RE.test(String(ref));
        throw invalid('SSIDReference', valid ? `AccessPoint ${keys[0]} can only serve Device.WiFi.SSID.${keys[0]}` : 'must name a Device.WiFi.SSID.{i}. instance');
      }
      if (changes.Enable !== undefined) apClocks[keys[0] - 1].setUp(changes.Enable === true);
      aps.apply(keys, changes);
    },
  });

  model.register('Device.WiFi.AccessPoint.{i}.Security.', {
    params: ['ModesSupported', 'ModeEnabled', 'EncryptionMode', 'KeyPassphrase', 'RekeyingInterval', 'MFPConfig'],
    get: (keys) => ({ ...security.row(keys), ModesSupported: modesOf(keys) }),
    set: (keys, changes) => {
      const mode = changes.ModeEnabled;
      if (mode !== undefined && !modesOf(keys).split(',').includes(String(mode))) {
        throw invalid('ModeEnabled', `must be one of ModesSupported (${modesOf(keys)})`);
      }
      // KeyPassphrase is secured: stored as given, and never echoed in an error message.
      security.apply(keys, changes);
    },
  });

  return BSSES.map((b, i) => ({
    name: b.name,
    radio: () => radioOf([i + 1]),
    serving: () => apClocks[i].up && clocks[i].up && radioOf([i + 1]).clock.up,
    changedAt: () => Math.max(apClocks[i].changedAtMs, clocks[i].changedAtMs, radioOf([i + 1]).clock.changedAtMs),
    ssidStatus: () => ssidStatus([i + 1]),
    ssidLastChange: () => clocks[i].lastChange(),
  }));
}

function invalid(param: string, message: string): UspError {
  return invalidParams([{ param, message }]);
}
