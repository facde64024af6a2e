/**
 * Device.WiFi.SSID.{i}. and Device.WiFi.AccessPoint.{i}. of the simulated gateway (TR-181
 * WiFiSSID:1, WiFiAccessPoint:1): one band-steered home network on every radio plus a guest
 * network on 2.4 GHz that ships disabled. SSID i is served by AccessPoint i. Security and WPS
 * are in wifi-security.ts.
 */
import type { UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { canonicalizeReferences } from '../reference.js';
import { invalidParams, LinkClock, nth, type SimContext, WritableRows } from './SimContext.js';
import type { RadioState } from './wifi-radio.js';
import { registerWiFiSecurity } from './wifi-security.js';

interface BssDef { radio: number; name: string; guest: boolean; macOffset: number }

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
}

// Reference values, without the trailing "." (set strips one a Controller wrote).
const RADIO_PATH_RE = /^Device\.WiFi\.Radio\.(\d+)$/;
const SSID_PATH_RE = /^Device\.WiFi\.SSID\.(\d+)$/;

/** Serves Device.WiFi.SSID.{i}., AccessPoint.{i}. and AccessPoint.{i}.Security.; returns each BSS's state. */
export function registerWiFiAccessPoints(ctx: SimContext, radios: readonly RadioState[]): BssState[] {
  const { model, identity } = ctx;
  const homeSsid = `EXN-${identity.serialNumber.slice(-4)}`;
  const listeners = BSSES.map((): Array<() => void> => []);
  const restartedAt = BSSES.map(() => 0);
  const notify = (i: number): void => { for (const l of listeners[i - 1]) l(); };
  /** Before a change that makes BSS i restart while it keeps serving. */
  const restart = (i: number): void => { notify(i); restartedAt[i - 1] = ctx.now(); };
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
  const security = registerWiFiSecurity(ctx, {
    sixGHz: (i) => radioOf([i]).def.band === '6GHz',
    guest: (i) => at([i]).guest,
    ssid: (i) => String(ssids.row([i]).SSID),
    reconfigure: restart,
  });
  // A radio going up or down stops or starts every BSS on it.
  for (const r of radios) r.onEnableChange(() => { BSSES.forEach((_, i) => { if (radioOf([i + 1]) === r) notify(i + 1); }); });

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
  });

  model.register('Device.WiFi.AccessPoint.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'SSIDReference', 'SSIDAdvertisementEnabled', 'WMMCapability', 'UAPSDCapability',
      'WMMEnable', 'UAPSDEnable', 'IsolationEnable', 'MACAddressControlEnabled', 'AllowedMACAddress', 'MaxAllowedAssociations'],
    list: () => instances,
    get: (keys) => {
      const row = aps.row(keys);
      const status = !row.Enable ? 'Disabled' : security.misconfigured(keys[0]) ? 'Error_Misconfigured' : 'Enabled';
      return { ...row, Status: status, WMMCapability: true, UAPSDCapability: true };
    },
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['SSIDReference']);
      const ref = changes.SSIDReference;
      if (ref !== undefined && ref !== `Device.WiFi.SSID.${keys[0]}`) {
        // Each AccessPoint is bound to its own BSS in this hardware; re-pointing it is not supported.
        const valid = SSID_PATH_RE.test(String(ref));
        throw invalid('SSIDReference', valid ? `AccessPoint ${keys[0]} can only serve Device.WiFi.SSID.${keys[0]}` : 'must name a Device.WiFi.SSID.{i}. instance');
      }
      if (changes.Enable !== undefined && changes.Enable !== apClocks[keys[0] - 1].up) {
        notify(keys[0]);
        apClocks[keys[0] - 1].setUp(changes.Enable === true);
      }
      aps.apply(keys, changes);
    },
  });

  return BSSES.map((b, i) => ({
    name: b.name,
    radio: () => radioOf([i + 1]),
    serving: () => apClocks[i].up && clocks[i].up && radioOf([i + 1]).clock.up && !security.misconfigured(i + 1),
    changedAt: () => Math.max(apClocks[i].changedAtMs, clocks[i].changedAtMs, radioOf([i + 1]).clock.changedAtMs, restartedAt[i]),
    onChange: (l) => { listeners[i].push(l); },
    ssidStatus: () => ssidStatus([i + 1]),
    ssidLastChange: () => clocks[i].lastChange(),
  }));
}

function invalid(param: string, message: string): UspError {
  return invalidParams([{ param, message }]);
}
