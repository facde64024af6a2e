/**
 * Device.WiFi.AccessPoint.{i}.Security. and .WPS. of the simulated gateway (TR-181
 * WiFiAccessPoint:1). Personal modes use KeyPassphrase, or a PreSharedKey a Controller wrote;
 * Enterprise modes need a RADIUS server (without one the AccessPoint reads Error_Misconfigured
 * and does not beacon). A change of mode or key restarts the BSS, as hostapd reloading it does:
 * its stations drop and associate again with the new settings.
 */
import { isIP } from 'node:net';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
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

const SECURITY_PARAMS = [
  'ModesSupported',
  'ModeEnabled',
  'EncryptionMode',
  'WEPKey',
  'PreSharedKey',
  'KeyPassphrase',
  'RekeyingInterval',
  'RadiusServerIPAddr',
  'RadiusServerPort',
  'RadiusSecret',
  'MFPConfig',
];
const WPS_PARAMS = ['Enable', 'ConfigMethodsSupported', 'ConfigMethodsEnabled', 'Status', 'Version'];

/** Serves AccessPoint.{i}.Security. and AccessPoint.{i}.WPS. */
export function registerWiFiSecurity(ctx: SimContext, deps: SecurityDeps): SecurityState {
  const s = new Security(ctx, deps);
  ctx.model.register('Device.WiFi.AccessPoint.{i}.Security.', new SecurityBinding(s));
  ctx.model.register('Device.WiFi.AccessPoint.{i}.WPS.', new WpsBinding(s));
  return s;
}

/**
 * One gateway's Security and WPS rows and factory keys; its methods are shared by every gateway
 * of a fleet (prototype), rather than closures per gateway (issue 14).
 */
class Security implements SecurityState {
  readonly homeKey: string;
  readonly guestKey: string;
  readonly security: WritableRows;
  readonly wps: WritableRows;

  constructor(
    private readonly ctx: SimContext,
    readonly deps: SecurityDeps,
  ) {
    const rnd = new Prng(ctx.seed, 'wifi-ap');
    this.homeKey = passphrase(rnd);
    this.guestKey = passphrase(rnd);
    // WritableRows takes functions: what a row reads before any write depends on the gateway's BSSes.
    this.security = new WritableRows(ctx, 'Device.WiFi.AccessPoint.{i}.Security.', (keys) => this.securityDefaults(keys));
    this.wps = new WritableRows(ctx, 'Device.WiFi.AccessPoint.{i}.WPS.', (keys) => ({
      // The guest network ships without WPS: a push of the button should join the home network.
      Enable: !this.deps.guest(keys[0]),
      ConfigMethodsEnabled: 'PushButton',
    }));
  }

  private securityDefaults(keys: InstanceKeys): Record<string, Value> {
    const guest = this.deps.guest(keys[0]);
    const mode = this.deps.sixGHz(keys[0]) ? 'WPA3-Personal' : guest ? 'WPA2-Personal' : 'WPA3-Personal-Transition';
    return {
      ModeEnabled: mode,
      EncryptionMode: 'AES',
      KeyPassphrase: guest ? this.guestKey : this.homeKey,
      RekeyingInterval: 3600,
      MFPConfig: mode === 'WPA3-Personal' ? 'Required' : mode === 'WPA2-Personal' ? 'Disabled' : 'Optional',
      // "" = the PSK the passphrase makes; a PSK written by a Controller is used as given.
      // A WEP-128 key is held (the parameter needs 5 or 13 bytes) but never used: no WEP mode is offered.
      PreSharedKey: '',
      WEPKey: wepKey(this.ctx.seed, keys[0]),
      RadiusServerIPAddr: '',
      RadiusServerPort: 1812,
      RadiusSecret: '',
    };
  }

  modesOf(keys: InstanceKeys): string {
    return this.deps.sixGHz(keys[0]) ? MODES_6GHZ : MODES_LEGACY_BANDS;
  }

  misconfigured(i: number): boolean {
    const row = this.security.row([i]);
    return String(row.ModeEnabled).endsWith('-Enterprise') && row.RadiusServerIPAddr === '';
  }
}

/** Three seeded groups of four base-36 digits ("k3f9-0q2x-7vbd"). */
function passphrase(rnd: Prng): string {
  return Array.from({ length: 3 }, () =>
    rnd
      .int(0, 36 ** 4 - 1)
      .toString(36)
      .padStart(4, '0'),
  ).join('-');
}

/** AccessPoint.{i}.Security. of one gateway; its methods are shared by every gateway (prototype). */
class SecurityBinding implements ObjectBinding {
  readonly params = SECURITY_PARAMS;

  constructor(private readonly s: Security) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.s.security.row(keys);
    return { ...row, ModesSupported: this.s.modesOf(keys), PreSharedKey: row.PreSharedKey || wpaPsk(String(row.KeyPassphrase), this.s.deps.ssid(keys[0])) };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const { s } = this;
    const current = s.security.row(keys);
    const merged = { ...current, ...changes };
    const bad: Array<{ param: string; message: string }> = [];
    const mode = String(merged.ModeEnabled);
    const modes = s.modesOf(keys);
    if (!modes.split(',').includes(mode)) bad.push({ param: 'ModeEnabled', message: `must be one of ModesSupported (${modes})` });
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
    const used = ['ModeEnabled', ...(PERSONAL.has(mode) ? ['KeyPassphrase', 'PreSharedKey'] : []), ...(mode.endsWith('-Enterprise') ? ['RadiusServerIPAddr', 'RadiusServerPort', 'RadiusSecret'] : [])];
    if (used.some((p) => changes[p] !== undefined && changes[p] !== current[p])) s.deps.reconfigure(keys[0]);
    s.security.apply(keys, changes);
  }
}

/** AccessPoint.{i}.WPS. of one gateway; its methods are shared by every gateway (prototype). */
class WpsBinding implements ObjectBinding {
  readonly params = WPS_PARAMS;

  constructor(private readonly s: Security) {}

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.s.wps.row(keys);
    const mode = this.s.security.row(keys).ModeEnabled;
    const usable = WPS_MODES.has(String(mode));
    const status = !row.Enable || !usable ? 'Disabled' : mode === 'None' ? 'Unconfigured' : 'Configured';
    return { ...row, ConfigMethodsSupported: WPS_METHODS, Status: status, Version: '2.0' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const methods = changes.ConfigMethodsEnabled;
    if (methods !== undefined) {
      const supported = WPS_METHODS.split(',');
      const wanted = String(methods)
        .split(',')
        .filter((m) => m !== '');
      if (wanted.some((m) => !supported.includes(m))) throw invalidParams([{ param: 'ConfigMethodsEnabled', message: `must be a subset of ConfigMethodsSupported (${WPS_METHODS})` }]);
    }
    this.s.wps.apply(keys, changes);
  }
}

/** A seeded 13-byte (WEP-128) key, lower-case hex as hexBinary is canonically written. */
function wepKey(seed: number, i: number): string {
  return Array.from({ length: 13 }, (_, k) => (hash32(seed, 'wep', i, k) & 0xff).toString(16).padStart(2, '0')).join('');
}
