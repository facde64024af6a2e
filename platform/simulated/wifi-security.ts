/**
 * Device.WiFi.AccessPoint.{i}.Security. and .WPS. of the simulated gateway (TR-181
 * WiFiAccessPoint:1). Personal modes use KeyPassphrase, or a PreSharedKey a Controller wrote;
 * Enterprise modes need a RADIUS server (without one the AccessPoint reads Error_Misconfigured
 * and does not beacon). A change of mode or key restarts the BSS, as hostapd reloading it does:
 * its stations drop and associate again with the new settings.
 */
import { isIP } from 'node:net';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { RAW_PSK, wpaPsk } from '../wifi-psk.js';
import { hash32, Prng } from './random.js';
import { invalidParams, type SimContext, WritableRows } from './SimContext.js';

// WPA3-only on 6 GHz is mandated by Wi-Fi 6E. WEP is not offered: Wi-Fi 6 (802.11ax) forbids it.
const MODES_LEGACY_BANDS = 'None,WPA2-Personal,WPA3-Personal,WPA3-Personal-Transition,WPA2-Enterprise,WPA3-Enterprise';
const MODES_6GHZ = 'WPA3-Personal,WPA3-Enterprise';
const PERSONAL = new Set(['WPA2-Personal', 'WPA3-Personal', 'WPA3-Personal-Transition']);
/** WPS 2.0 works with WPA2 (and its WPA3 transition mode) and open networks, not with SAE or 802.1X only. */
const WPS_MODES = new Set(['None', 'WPA2-Personal', 'WPA3-Personal-Transition']);
const WPS_METHODS = 'PushButton,PIN';

/** What Security needs to know about BSS i (1-based: AccessPoint i serves SSID i). */
export interface SecurityDeps {
  sixGHz(i: number): boolean;
  guest(i: number): boolean;
  /** The SSID name, the salt of the PSK a passphrase makes (IEEE 802.11 PBKDF2). */
  ssid(i: number): string;
  /** Called before a change that makes the BSS restart. */
  reconfigure(i: number): void;
}

export interface SecurityState {
  /** An Enterprise mode without a RADIUS server: the AccessPoint cannot serve. */
  misconfigured(i: number): boolean;
}

/** Serves AccessPoint.{i}.Security. and AccessPoint.{i}.WPS. */
export function registerWiFiSecurity(ctx: SimContext, deps: SecurityDeps): SecurityState {
  const rnd = new Prng(ctx.seed, 'wifi-ap');
  const passphrase = (): string =>
    Array.from({ length: 3 }, () =>
      rnd
        .int(0, 36 ** 4 - 1)
        .toString(36)
        .padStart(4, '0'),
    ).join('-');
  const homeKey = passphrase();
  const guestKey = passphrase();
  const modesOf = (keys: InstanceKeys): string => (deps.sixGHz(keys[0]) ? MODES_6GHZ : MODES_LEGACY_BANDS);

  const security = new WritableRows(ctx, 'Device.WiFi.AccessPoint.{i}.Security.', (keys) => {
    const guest = deps.guest(keys[0]);
    const mode = deps.sixGHz(keys[0]) ? 'WPA3-Personal' : guest ? 'WPA2-Personal' : 'WPA3-Personal-Transition';
    return {
      ModeEnabled: mode,
      EncryptionMode: 'AES',
      KeyPassphrase: guest ? guestKey : homeKey,
      RekeyingInterval: 3600,
      MFPConfig: mode === 'WPA3-Personal' ? 'Required' : mode === 'WPA2-Personal' ? 'Disabled' : 'Optional',
      // "" = the PSK the passphrase makes; a PSK written by a Controller is used as given.
      // A WEP-128 key is held (the parameter needs 5 or 13 bytes) but never used: no WEP mode is offered.
      PreSharedKey: '',
      WEPKey: wepKey(ctx.seed, keys[0]),
      RadiusServerIPAddr: '',
      RadiusServerPort: 1812,
      RadiusSecret: '',
    };
  });
  const misconfigured = (i: number): boolean => {
    const row = security.row([i]);
    return String(row.ModeEnabled).endsWith('-Enterprise') && row.RadiusServerIPAddr === '';
  };

  ctx.model.register('Device.WiFi.AccessPoint.{i}.Security.', {
    params: ['ModesSupported', 'ModeEnabled', 'EncryptionMode', 'WEPKey', 'PreSharedKey', 'KeyPassphrase', 'RekeyingInterval', 'RadiusServerIPAddr', 'RadiusServerPort', 'RadiusSecret', 'MFPConfig'],
    get: (keys) => {
      const row = security.row(keys);
      return { ...row, ModesSupported: modesOf(keys), PreSharedKey: row.PreSharedKey || wpaPsk(String(row.KeyPassphrase), deps.ssid(keys[0])) };
    },
    set: (keys, changes) => {
      const current = security.row(keys);
      const merged = { ...current, ...changes };
      const bad: Array<{ param: string; message: string }> = [];
      const mode = String(merged.ModeEnabled);
      if (!modesOf(keys).split(',').includes(mode)) bad.push({ param: 'ModeEnabled', message: `must be one of ModesSupported (${modesOf(keys)})` });
      // Secured values (keys, secrets) are never echoed in an error message.
      if (changes.PreSharedKey !== undefined && !RAW_PSK.test(String(changes.PreSharedKey))) {
        bad.push({ param: 'PreSharedKey', message: 'must be a 256-bit key (64 hexadecimal digits)' });
      }
      const radius = changes.RadiusServerIPAddr;
      if (radius !== undefined && radius !== '' && isIP(String(radius)) === 0) bad.push({ param: 'RadiusServerIPAddr', message: 'must be an IPv4 or IPv6 address' });
      const port = changes.RadiusServerPort;
      if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) bad.push({ param: 'RadiusServerPort', message: 'must be 1-65535' });
      if (bad.length > 0) throw invalidParams(bad);
      // A new passphrase makes a new PSK; a PSK written with it wins.
      if (changes.KeyPassphrase !== undefined && changes.PreSharedKey === undefined) changes.PreSharedKey = '';
      // hostapd reloads the BSS for what its mode uses: keys in Personal modes, the RADIUS server in Enterprise ones.
      const used = [
        'ModeEnabled',
        ...(PERSONAL.has(mode) ? ['KeyPassphrase', 'PreSharedKey'] : []),
        ...(mode.endsWith('-Enterprise') ? ['RadiusServerIPAddr', 'RadiusServerPort', 'RadiusSecret'] : []),
      ];
      if (used.some((p) => changes[p] !== undefined && changes[p] !== current[p])) deps.reconfigure(keys[0]);
      security.apply(keys, changes);
    },
  });

  const wps = new WritableRows(ctx, 'Device.WiFi.AccessPoint.{i}.WPS.', (keys) => ({
    // The guest network ships without WPS: a push of the button should join the home network.
    Enable: !deps.guest(keys[0]),
    ConfigMethodsEnabled: 'PushButton',
  }));
  ctx.model.register('Device.WiFi.AccessPoint.{i}.WPS.', {
    params: ['Enable', 'ConfigMethodsSupported', 'ConfigMethodsEnabled', 'Status', 'Version'],
    get: (keys) => {
      const row = wps.row(keys);
      const usable = WPS_MODES.has(String(security.row(keys).ModeEnabled));
      const status = !row.Enable || !usable ? 'Disabled' : security.row(keys).ModeEnabled === 'None' ? 'Unconfigured' : 'Configured';
      return { ...row, ConfigMethodsSupported: WPS_METHODS, Status: status, Version: '2.0' };
    },
    set: (keys, changes) => {
      const methods = changes.ConfigMethodsEnabled;
      if (methods !== undefined) {
        const supported = WPS_METHODS.split(',');
        const wanted = String(methods)
          .split(',')
          .filter((m) => m !== '');
        if (wanted.some((m) => !supported.includes(m))) throw invalidParams([{ param: 'ConfigMethodsEnabled', message: `must be a subset of ConfigMethodsSupported (${WPS_METHODS})` }]);
      }
      wps.apply(keys, changes);
    },
  });
  return { misconfigured };
}

/** A seeded 13-byte (WEP-128) key, lower-case hex as hexBinary is canonically written. */
function wepKey(seed: number, i: number): string {
  return Array.from({ length: 13 }, (_, k) => (hash32(seed, 'wep', i, k) & 0xff).toString(16).padStart(2, '0')).join('');
}
