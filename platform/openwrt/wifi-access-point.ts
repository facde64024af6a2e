/**
 * Device.WiFi.SSID.{i}., Device.WiFi.AccessPoint.{i}. and AccessPoint.{i}.Security. on OpenWrt
 * (TR-181 WiFiSSID:1, WiFiAccessPoint:1): one SSID per UCI wifi-iface, one AccessPoint per
 * wifi-iface in mode "ap". SSID, BSSID and the security mode in use come from `iwinfo info`
 * while the BSS is up, from the UCI configuration otherwise.
 *
 * Writes go to UCI wireless.<wifi-iface>: SSID (ssid), LowerLayers (device), KeyPassphrase and
 * PreSharedKey (key: a passphrase, or 64 hex digits for a raw PSK), ModeEnabled (encryption),
 * RadiusServerIPAddr, RadiusServerPort and RadiusSecret (auth_server, auth_port, auth_secret),
 * SSIDAdvertisementEnabled (hidden), IsolationEnable (isolate), WMMEnable (wmm), UAPSDEnable
 * (uapsd; OpenWrt's wifi-iface schema defaults it to on), MACAddressControlEnabled and
 * AllowedMACAddress (macfilter 'allow' and the maclist), WEPKey (key1, used only in a WEP mode),
 * RekeyingInterval (wpa_group_rekey). The SSID's and its AccessPoint's Enable are both the
 * wifi-iface's `disabled`: OpenWrt has one switch for the BSS. Rows are added and deleted as in
 * wifi-iface-rows.ts; an AccessPoint's SSIDReference moves its options to another wifi-iface as
 * in wifi-ap-ssid-reference.ts; WPS is in wifi-wps.ts.
 *
 * WMMCapability and UAPSDCapability are true: hostapd on mac80211 (every OpenWrt Wi-Fi driver)
 * runs WMM and U-APSD itself, and every 802.11n and later BSS requires WMM.
 */
import { isIP } from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import { RAW_PSK, wpaPsk } from '../wifi-psk.js';
import { canonicalizeReferences } from '../reference.js';
import { encryptionModes, iwinfoSecurityMode, mac, refused, SECURITY_MODES, uciSecurityMode } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { planWrite, type UciChange } from './uci.js';
import { listOption, stringOption } from './uci-show.js';
import { apSections, type IfaceEntry, truthy, type WiFiState } from './WiFiState.js';
import { setSsidReference } from './wifi-ap-ssid-reference.js';
import { endpointEnablePlan } from './wifi-endpoint-profile-plan.js';
import { addAccessPoint, addSsid, deleteAccessPoint, deleteSsid, ifaceOfReference, NEEDS_AP, orRefuse, radioOfReference } from './wifi-iface-rows.js';

/** hostapd's RADIUS authentication port when UCI sets no auth_port (RFC 2865). */
const RADIUS_PORT = 1812;

/** At most this many AllowedMACAddress entries (each is one `uci add_list`). */
export const MAX_ALLOWED_MACS = 256;

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** A refusal for writes that would turn a deny list configured outside TR-181 into an allow list (or edit it). */
const DENY_LIST = "this AccessPoint has a deny list (UCI macfilter 'deny'), which TR-181 cannot show: set MACAddressControlEnabled true and AllowedMACAddress together to replace it";

/** Why a detached AccessPoint (SSIDReference "") cannot be enabled. */
const DETACHED_AP = 'this AccessPoint names no SSID (SSIDReference is empty): set SSIDReference first';

const PERSONAL = new Set(['WPA-Personal', 'WPA2-Personal', 'WPA-WPA2-Personal', 'WPA3-Personal', 'WPA3-Personal-Transition']);

/** What a Set of an AccessPoint and of its Security changes (their planWrite writers). */
const AP_WRITABLE = ['Enable', 'SSIDReference', 'SSIDAdvertisementEnabled', 'WMMEnable', 'IsolationEnable', 'UAPSDEnable', 'MACAddressControlEnabled', 'AllowedMACAddress'] as const;
const SECURITY_WRITABLE = ['ModeEnabled', 'KeyPassphrase', 'PreSharedKey', 'RadiusServerIPAddr', 'RadiusServerPort', 'RadiusSecret', 'WEPKey', 'RekeyingInterval'] as const;

/** Serves Device.WiFi.SSID.{i}., AccessPoint.{i}. and AccessPoint.{i}.Security. */
export function registerWiFiAccessPoints(ctx: OpenWrtContext, state: WiFiState): void {
  const { model } = ctx;
  const write = async (changes: UciChange[]): Promise<void> => {
    if (changes.length === 0) return;
    await state.write(async (stage) => {
      for (const c of changes) await stage.set(c);
    });
  };
  const option = (f: IfaceEntry, name: string, value: string): UciChange[] => [{ section: f.section, option: name, value }];

  const ssidValues = async (f: IfaceEntry): Promise<Record<string, Value>> => {
    const info = await state.liveInfo(f);
    const bssid = mac(info?.bssid);
    return {
      Enable: !f.disabled,
      Status: info ? 'Up' : f.disabled || f.radio.up ? 'Down' : 'LowerLayerDown',
      Name: f.ifname ?? f.section,
      LowerLayers: `Device.WiFi.Radio.${state.radios.numberOf(f.radio.name)}`,
      Upstream: f.mode === 'sta',
      BSSID: bssid,
      MACAddress: bssid,
      SSID: info?.ssid ?? String(f.config.ssid ?? ''),
    };
  };
  type Row = { section: string; hasAp: boolean; apDetached: boolean; mode?: string; config?: Record<string, unknown> };
  /**
   * The SSID's UCI changes. `device` is the Radio section LowerLayers names, looked up (and
   * refused when it names none) before planning, since planWrite's writers are synchronous.
   */
  const ssidPlan = (f: Row, current: Record<string, Value>, changes: Record<string, Value>, device?: string): UciChange[] =>
    planWrite(current, changes, {
      SSID: (v) => (String(v) === '' ? 'an SSID cannot be empty' : [{ section: f.section, option: 'ssid', value: String(v) }]),
      // A station's SSID (mode sta, wifi-endpoint.ts) runs without an AccessPoint.
      Enable: (v) => {
        if (v === true && ((!f.hasAp && f.mode !== 'sta') || f.apDetached)) return NEEDS_AP;
        // A station stays stopped while its referenced Profile is disabled (wifi-endpoint-profile-plan.ts).
        if (f.mode === 'sta' && f.config) return endpointEnablePlan(f.section, f.config, v === true);
        return [{ section: f.section, option: 'disabled', value: v === true ? '0' : '1' }];
      },
      LowerLayers: () => (device === undefined ? [] : [{ section: f.section, option: 'device', value: device }]),
    });
  model.register('Device.WiFi.SSID.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LowerLayers', 'Upstream', 'BSSID', 'MACAddress', 'SSID'],
    list: async () => state.ssids.list((await state.read()).ifaces.keys()),
    get: async ([n]) => ssidValues(await state.ssid(n)),
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['LowerLayers']); // the current stacking with a trailing "." is no change
      const f = await state.ssid(n);
      const current = await ssidValues(f);
      const moved = changes.LowerLayers !== undefined && changes.LowerLayers !== current.LowerLayers;
      const device = moved ? orRefuse('LowerLayers', await radioOfReference(state, changes.LowerLayers)).name : undefined;
      await write(ssidPlan(f, current, changes, device));
    },
    add: async (_keys, params) => {
      canonicalizeReferences(params, ['LowerLayers']);
      const radio = orRefuse('LowerLayers', await radioOfReference(state, params.LowerLayers));
      // Planned before anything is written: a refused parameter leaves no section behind. What
      // the new section holds anyway (its device, disabled) is not staged twice.
      const blank: Record<string, Value> = { Enable: false, SSID: '' };
      const given = Object.fromEntries(Object.entries(params).filter(([k, v]) => k !== 'LowerLayers' && blank[k] !== v));
      const planned = ssidPlan({ section: '', hasAp: false, apDetached: false }, blank, given);
      const name = await addSsid(ctx, state, radio, (section) => planned.map((c) => ({ ...c, section })));
      return state.ssids.numberOf(name);
    },
    delete: async ([n]) => deleteSsid(ctx, state, await state.ssid(n), model.node('Device.WiFi.AccessPoint.{i}.')),
    // The unique-key check (BSSID, Name): a BSS that is not running has no BSSID yet (OpenWrt
    // assigns it when hostapd starts it), so an empty one names no row and clashes with none.
    // Other keys (an Alias served by another layer) are left to the transaction's own scan.
    findByValues: async (_parent, params, values) => {
      if (!params.every((p) => p === 'BSSID' || p === 'Name')) return undefined;
      if (params.includes('BSSID') && values.BSSID === '') return [];
      const out: number[] = [];
      for (const f of (await state.read()).ifaces.values()) {
        const v = await ssidValues(f);
        if (params.every((p) => v[p] === values[p])) out.push(state.ssids.numberOf(f.section));
      }
      return out.sort((a, b) => a - b);
    },
  });

  const apValues = (f: IfaceEntry): Record<string, Value> => ({
    Enable: !f.disabled,
    Status: f.radio.up && f.ifname && !f.disabled ? 'Enabled' : 'Disabled',
    SSIDReference: f.apDetached ? '' : `Device.WiFi.SSID.${state.ssids.numberOf(f.section)}`,
    SSIDAdvertisementEnabled: !truthy(f.config.hidden),
    WMMCapability: true,
    UAPSDCapability: true,
    WMMEnable: f.config.wmm === undefined || truthy(f.config.wmm),
    IsolationEnable: truthy(f.config.isolate),
    UAPSDEnable: f.config.uapsd === undefined || truthy(f.config.uapsd),
    MACAddressControlEnabled: macFilter(f) === 'allow',
    AllowedMACAddress:
      macFilter(f) === 'deny'
        ? ''
        : listOption(uciValue(f.config.maclist))
            .map((m) => m.toLowerCase())
            .join(','),
  });
  const flag = (f: IfaceEntry, name: string, on: boolean): UciChange[] => option(f, name, on ? '1' : '0');
  const apPlan = (f: IfaceEntry, current: Record<string, Value>, changes: Record<string, Value>): UciChange[] =>
    planWrite(current, changes, {
      Enable: (v) => (v === true && f.apDetached ? DETACHED_AP : flag(f, 'disabled', v !== true)),
      SSIDAdvertisementEnabled: (v) => flag(f, 'hidden', !v),
      WMMEnable: (v) => flag(f, 'wmm', v === true),
      IsolationEnable: (v) => flag(f, 'isolate', v === true),
      UAPSDEnable: (v) => flag(f, 'uapsd', v === true),
      MACAddressControlEnabled: (v, all) => {
        const filter = macFilter(f);
        if (v !== true) return filter === 'allow' ? [{ section: f.section, option: 'macfilter', value: '', remove: true }] : [];
        if (filter === 'deny' && all.AllowedMACAddress === undefined) return DENY_LIST;
        return filter === 'allow' ? [] : option(f, 'macfilter', 'allow');
      },
      AllowedMACAddress: (v, all) => {
        if (macFilter(f) === 'deny' && all.MACAddressControlEnabled !== true) return DENY_LIST;
        const macs = [
          ...new Set(
            String(v)
              .split(',')
              .map((m) => m.trim().toLowerCase())
              .filter(Boolean),
          ),
        ];
        const bad = macs.find((m) => !MAC.test(m));
        if (bad !== undefined) return `${bad} is not a MAC address`;
        if (macs.length > MAX_ALLOWED_MACS) return `at most ${MAX_ALLOWED_MACS} addresses`;
        const clear: UciChange[] = f.config.maclist === undefined ? [] : [{ section: f.section, option: 'maclist', value: '', remove: true }];
        return [...clear, ...macs.map((m) => ({ section: f.section, option: 'maclist', value: m, append: true }))];
      },
    });
  model.register('Device.WiFi.AccessPoint.{i}.', {
    params: [
      'Enable',
      'Status',
      'SSIDReference',
      'SSIDAdvertisementEnabled',
      'WMMCapability',
      'UAPSDCapability',
      'WMMEnable',
      'UAPSDEnable',
      'IsolationEnable',
      'MACAddressControlEnabled',
      'AllowedMACAddress',
    ],
    // SSIDReference moves the AccessPoint's options to another wifi-iface (wifi-ap-ssid-reference.ts).
    writable: AP_WRITABLE,
    list: async () => state.aps.list(apSections(await state.read())),
    get: async ([n]) => apValues(await state.ap(n)),
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['SSIDReference']);
      const f = await state.ap(n);
      const current = apValues(f);
      const { SSIDReference: ref, ...rest } = changes;
      if (ref === undefined || ref === current.SSIDReference) await write(apPlan(f, current, rest));
      else await setSsidReference(state, f, String(ref), (target) => apPlan(target, current, rest));
    },
    add: async (_keys, params) => {
      canonicalizeReferences(params, ['SSIDReference']);
      const f = orRefuse('SSIDReference', await ifaceOfReference(state, params.SSIDReference));
      if (f.hasAp) throw refused([{ param: 'SSIDReference', message: `${params.SSIDReference} has its AccessPoint already` }]);
      if (f.mode !== 'ap') throw refused([{ param: 'SSIDReference', message: `${params.SSIDReference} runs in mode ${f.mode}, not as an access point` }]);
      const { SSIDReference: _, ...rest } = params;
      // The row as it reads once it is an AccessPoint: disabled (as it is), the UCI defaults.
      const current: Record<string, Value> = { ...apValues(f), Enable: false };
      const planned = apPlan(f, current, Object.fromEntries(Object.entries(rest).filter(([k, v]) => current[k] !== v)));
      await addAccessPoint(state, f, planned);
      return state.aps.numberOf(f.section);
    },
    delete: async ([n]) => deleteAccessPoint(state, await state.ap(n)),
    // The unique-key check of SSIDReference: the AccessPoint on the section it names. An empty
    // one (detached AccessPoints) names no SSID and clashes with none. Alias is left to the scan.
    findByValues: async (_parent, params, values) => {
      if (params.length !== 1 || params[0] !== 'SSIDReference') return undefined;
      if (values.SSIDReference === '') return [];
      const f = await ifaceOfReference(state, values.SSIDReference);
      return typeof f !== 'string' && f.hasAp && !f.apDetached ? [state.aps.numberOf(f.section)] : [];
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
    // hexBinary of 5 or 13 bytes: with no WEP key configured there is no value to give.
    const wep = wepKey(f.config, mode);
    if (wep.length === 10 || wep.length === 26) values.WEPKey = wep;
    // hostapd's own default without wpa_group_rekey: 600 s with a TKIP group cipher, else a day.
    const rekey = Number(stringOption(uciValue(f.config.wpa_group_rekey)));
    values.RekeyingInterval = Number.isInteger(rekey) && rekey >= 0 ? rekey : ciphers.includes('tkip') ? 600 : 86400;
    return values;
  };
  model.register('Device.WiFi.AccessPoint.{i}.Security.', {
    params: ['ModesSupported', 'ModeEnabled', 'EncryptionMode', 'WEPKey', 'PreSharedKey', 'KeyPassphrase', 'RekeyingInterval', 'RadiusServerIPAddr', 'RadiusServerPort', 'RadiusSecret'],
    // EncryptionMode follows ModeEnabled (the cipher is part of OpenWrt's `encryption`).
    writable: SECURITY_WRITABLE,
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
          // Kept in key1 whatever the mode: `key` is the PSK outside WEP, so it is pointed at key1
          // only while a WEP mode (configured outside this agent) runs.
          WEPKey: (v, _all, current) => {
            const hex = String(v).toLowerCase();
            if (!/^([0-9a-f]{10}|[0-9a-f]{26})$/.test(hex)) return 'must be 5 or 13 bytes in hexadecimal (WEP-64, WEP-128)';
            const key1: UciChange = { section: f.section, option: 'key1', value: hex, secret: true };
            return String(current.ModeEnabled).startsWith('WEP') ? [key1, { section: f.section, option: 'key', value: '1' }] : [key1];
          },
          RekeyingInterval: (v) => option(f, 'wpa_group_rekey', String(v)),
        }),
      );
    },
  });
}

/** A UCI option as parsed from `uci show` (a string or a list), undefined for anything else. */
function uciValue(v: unknown): string | string[] | undefined {
  return typeof v === 'string' || Array.isArray(v) ? (v as string | string[]) : undefined;
}

/** The wifi-iface's `macfilter` ("allow", "deny"; unset: none). */
function macFilter(f: IfaceEntry): string | undefined {
  return stringOption(uciValue(f.config.macfilter));
}

/**
 * WEPKey as hexadecimal: the key `key` names (1-4) in a WEP mode, key1 otherwise. OpenWrt takes
 * a WEP key as 10/26 hex digits or as "s:" and 5/13 ASCII characters.
 */
function wepKey(config: Record<string, unknown>, mode: string): string {
  const index = mode.startsWith('WEP') && /^[1-4]$/.test(String(config.key ?? '')) ? String(config.key) : '1';
  const raw = String(config[`key${index}`] ?? '');
  if (raw.startsWith('s:')) return Buffer.from(raw.slice(2), 'latin1').toString('hex');
  return /^[0-9a-fA-F]+$/.test(raw) ? raw.toLowerCase() : '';
}
