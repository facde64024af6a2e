/**
 * Device.WiFi.SSID.{i}., Device.WiFi.AccessPoint.{i}. and AccessPoint.{i}.Security. on OpenWrt
 * (TR-181 WiFiSSID:1, WiFiAccessPoint:1): one SSID per UCI wifi-iface, one AccessPoint per
 * wifi-iface in mode "ap". SSID, BSSID and the security mode in use come from `iwinfo info`
 * while the BSS is up, from the UCI configuration otherwise.
 *
 * Writes go to UCI wireless.<wifi-iface>: SSID (ssid), KeyPassphrase and PreSharedKey (key: a
 * passphrase, or 64 hex digits for a raw PSK), ModeEnabled (encryption), RadiusServerIPAddr,
 * RadiusServerPort and RadiusSecret (auth_server, auth_port, auth_secret), SSIDAdvertisementEnabled
 * (hidden), IsolationEnable (isolate), WMMEnable (wmm).
 * Enable=false is refused: netifd drops a disabled wifi-iface from its status, so the row would
 * vanish instead of reading Enable=false.
 */
import { isIP } from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import { RAW_PSK, wpaPsk } from '../wifi-psk.js';
import { canonicalizeReferences } from '../reference.js';
import { encryptionModes, iwinfoSecurityMode, mac, SECURITY_MODES, uciSecurityMode } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { planWrite, type UciChange, type UciWriter } from './uci.js';
import { type IfaceEntry, truthy, WIFI_RELOAD, type WiFiState } from './WiFiState.js';

/** hostapd's RADIUS authentication port when UCI sets no auth_port (RFC 2865). */
const RADIUS_PORT = 1812;

const NO_DISABLE = 'disabling a wifi-iface removes it from netifd; not supported on this platform';
const PERSONAL = new Set(['WPA-Personal', 'WPA2-Personal', 'WPA-WPA2-Personal', 'WPA3-Personal', 'WPA3-Personal-Transition']);

/** Serves Device.WiFi.SSID.{i}., AccessPoint.{i}. and AccessPoint.{i}.Security. */
export function registerWiFiAccessPoints(ctx: OpenWrtContext, state: WiFiState, uci: UciWriter): void {
  const { model } = ctx;
  const write = async (changes: UciChange[]): Promise<void> => {
    await uci.apply('wireless', changes, WIFI_RELOAD);
    state.forget();
  };
  const option = (f: IfaceEntry, name: string, value: string): UciChange[] => [{ section: f.section, option: name, value }];

  const ssidValues = async (f: IfaceEntry): Promise<Record<string, Value>> => {
    const info = await state.liveInfo(f);
    const bssid = mac(info?.bssid);
    return {
      Enable: true,
      Status: info ? 'Up' : f.radio.up ? 'Down' : 'LowerLayerDown',
      Name: f.ifname ?? f.section,
      LowerLayers: `Device.WiFi.Radio.${state.radios.numberOf(f.radio.name)}`,
      Upstream: f.mode === 'sta',
      BSSID: bssid,
      MACAddress: bssid,
      SSID: info?.ssid ?? String(f.config.ssid ?? ''),
    };
  };
  model.register('Device.WiFi.SSID.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LowerLayers', 'Upstream', 'BSSID', 'MACAddress', 'SSID'],
    list: async () => state.ssids.list((await state.read()).ifaces.keys()),
    get: async ([n]) => ssidValues(await state.ssid(n)),
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['LowerLayers']); // the current stacking with a trailing "." is no change
      const f = await state.ssid(n);
      await write(
        planWrite(await ssidValues(f), changes, {
          SSID: (v) => (String(v) === '' ? 'an SSID cannot be empty' : option(f, 'ssid', String(v))),
          Enable: (v) => (v ? [] : NO_DISABLE),
        }),
      );
    },
  });

  const apValues = (f: IfaceEntry): Record<string, Value> => ({
    Enable: true,
    Status: f.radio.up && f.ifname ? 'Enabled' : 'Disabled',
    SSIDReference: `Device.WiFi.SSID.${state.ssids.numberOf(f.section)}`,
    SSIDAdvertisementEnabled: !truthy(f.config.hidden),
    WMMEnable: f.config.wmm === undefined || truthy(f.config.wmm),
    IsolationEnable: truthy(f.config.isolate),
  });
  const flag = (f: IfaceEntry, name: string, on: boolean): UciChange[] => option(f, name, on ? '1' : '0');
  model.register('Device.WiFi.AccessPoint.{i}.', {
    params: ['Enable', 'Status', 'SSIDReference', 'SSIDAdvertisementEnabled', 'WMMEnable', 'IsolationEnable'],
    list: async () => state.aps.list([...(await state.read()).ifaces.values()].filter((f) => f.mode === 'ap').map((f) => f.section)),
    get: async ([n]) => apValues(await state.ap(n)),
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['SSIDReference']);
      const f = await state.ap(n);
      await write(
        planWrite(apValues(f), changes, {
          Enable: (v) => (v ? [] : NO_DISABLE),
          SSIDAdvertisementEnabled: (v) => flag(f, 'hidden', !v),
          WMMEnable: (v) => flag(f, 'wmm', v === true),
          IsolationEnable: (v) => flag(f, 'isolate', v === true),
        }),
      );
    },
  });

  const securityValues = async (f: IfaceEntry): Promise<Record<string, Value>> => {
    const info = await state.liveInfo(f);
    const uciMode = uciSecurityMode(f.config.encryption) ?? 'None';
    const mode = info ? iwinfoSecurityMode(info.encryption) : uciMode;
    const supported = SECURITY_MODES.map(([m]) => m);
    if (!supported.includes(mode)) supported.push(mode);
    const ciphers =
      info?.encryption?.ciphers ??
      String(f.config.encryption ?? '')
        .split('+')
        .slice(1);
    const values: Record<string, Value> = {
      ModesSupported: supported.join(','),
      ModeEnabled: mode,
      // Without an explicit cipher, hostapd runs CCMP (AES) for WPA2 and WPA3.
      EncryptionMode: mode === 'None' || mode === 'OWE' ? encryptionModes(ciphers) : encryptionModes(ciphers) || 'AES',
    };
    const key = String(f.config.key ?? '');
    // A 64-hex-digit key is a raw PSK, not a passphrase (KeyPassphrase is 8..63 characters).
    if (key.length >= 8 && key.length <= 63) values.KeyPassphrase = key;
    // The PSK hostapd runs with: the raw one, or the one the passphrase makes for this SSID.
    const ssid = info?.ssid ?? String(f.config.ssid ?? '');
    values.PreSharedKey = RAW_PSK.test(key) ? key.toLowerCase() : key.length >= 8 && key.length <= 63 ? wpaPsk(key, ssid) : '';
    values.RadiusServerIPAddr = String(f.config.auth_server ?? '');
    values.RadiusServerPort = Number(f.config.auth_port ?? RADIUS_PORT);
    values.RadiusSecret = String(f.config.auth_secret ?? '');
    return values;
  };
  model.register('Device.WiFi.AccessPoint.{i}.Security.', {
    params: ['ModesSupported', 'ModeEnabled', 'EncryptionMode', 'PreSharedKey', 'KeyPassphrase', 'RadiusServerIPAddr', 'RadiusServerPort', 'RadiusSecret'],
    get: async ([n]) => securityValues(await state.ap(n)),
    set: async ([n], changes) => {
      const f = await state.ap(n);
      await write(
        planWrite(await securityValues(f), changes, {
          ModeEnabled: (v, all, current) => {
            const uciName = SECURITY_MODES.find(([m]) => m === v)?.[1];
            // A mode configured outside this agent (e.g. Enterprise) may be kept, not chosen.
            if (!uciName) return v === current.ModeEnabled ? [] : `${v} is not one of ${SECURITY_MODES.map(([m]) => m).join(',')}`;
            const key = String(all.KeyPassphrase ?? f.config.key ?? '');
            if (PERSONAL.has(String(v)) && (key.length < 8 || key.length > 64)) return `${v} needs a KeyPassphrase`;
            return option(f, 'encryption', uciName);
          },
          KeyPassphrase: (v) => [{ section: f.section, option: 'key', value: String(v), secret: true }],
          PreSharedKey: (v) => (RAW_PSK.test(String(v)) ? [{ section: f.section, option: 'key', value: String(v), secret: true }] : 'must be 64 hexadecimal digits'),
          RadiusServerIPAddr: (v) => (v === '' || isIP(String(v)) !== 0 ? option(f, 'auth_server', String(v)) : 'must be an IPv4 or IPv6 address'),
          RadiusServerPort: (v) => (Number(v) >= 1 && Number(v) <= 65535 ? option(f, 'auth_port', String(v)) : 'must be 1-65535'),
          RadiusSecret: (v) => [{ section: f.section, option: 'auth_secret', value: String(v), secret: true }],
        }),
      );
    },
  });
}
