/**
 * Device.WiFi.EndPoint.{i}. on OpenWrt (TR-181 WiFiEndPoint:1): a wifi-iface in `mode 'sta'`
 * (netifd runs wpa_supplicant on it), as a Wi-Fi WAN or a mesh extender's backhaul uses one.
 *
 * - Every sta wifi-iface is an EndPoint row; its SSID row (SSIDReference) is the same section.
 * - Its one network is its Profile.1: present while the section has an `ssid`; SSID ↔ `ssid`,
 *   Security.ModeEnabled ↔ `encryption`, KeyPassphrase/PreSharedKey ↔ `key`. A wifi-iface holds
 *   one network, so a second Profile is refused (7005) and ProfileReference names Profile.1.
 * - EndPoint Add: SSIDReference is read-only in TR-181, so the Add takes the lowest SSID a
 *   Controller added that has no AccessPoint yet (`usp_ap '0'`, wifi-iface-rows.ts) and makes it a
 *   station: `mode 'sta'`, `usp_ap` deleted, still disabled (Enable false). None: 7017.
 *   EndPoint Delete gives the section back as such an SSID (`mode 'ap'`, `usp_ap '0'`, disabled).
 * - Status from `ubus call iwinfo info` of the running interface: associated (Enabled) while it
 *   reports the BSSID of an AP; Stats from `iwinfo assoclist` of that interface, whose one entry is
 *   the AP (rx: AP → us, the downlink; tx: us → AP).
 * Each write is `uci commit wireless` and `ubus call network reload` (WiFiState.write).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { RAW_PSK } from '../wifi-psk.js';
import { noSuchInstance, SECURITY_MODES, uciSecurityMode } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { IwinfoAssoclist, IwinfoInfo } from './ubus-types.js';
import { planWrite, type UciChange } from './uci.js';
import { stringOption } from './uci-show.js';
import type { IfaceEntry, WiFiState } from './WiFiState.js';

const PERSONAL = new Set(['WPA-Personal', 'WPA2-Personal', 'WPA-WPA2-Personal', 'WPA3-Personal', 'WPA3-Personal-Transition']);
/** What wpa_supplicant of OpenWrt's default wpad (mbedTLS, with SAE and OWE) offers a station, as UCI `encryption` values. */
export const STA_MODES = 'None,WPA-Personal,WPA2-Personal,WPA-WPA2-Personal,WPA3-Personal,WPA3-Personal-Transition,OWE';
const UCI_OF_MODE = new Map<string, string>([...SECURITY_MODES, ['WPA-Personal', 'psk']]);
const NO_BSSID = /^(00:){5}00$/i;

/** A string option of the section (UCI show values are strings). */
const opt = (f: IfaceEntry, name: string): string | undefined => stringOption(f.config[name] as string | string[] | undefined);

/** The EndPoint's SSID as a section that holds a network (its Profile.1). */
const hasProfile = (f: IfaceEntry): boolean => (opt(f, 'ssid') ?? '') !== '';

/** TR-181's rate range (1000-600000 kbps); iwinfo's rates are kbit/s. */
const rate = (kbps: number | undefined): number => Math.min(600_000, Math.max(1000, Math.round(kbps ?? 0)));

/** EndPoint Status and Stats from iwinfo: `info` of the running interface and its assoclist (the AP). */
export function stationLink(f: IfaceEntry, info: IwinfoInfo | undefined, assoc: IwinfoAssoclist | undefined): { status: string; stats: Record<string, Value> } {
  const ap = assoc?.results?.[0];
  const associated = info?.bssid !== undefined && !NO_BSSID.test(info.bssid) && ap !== undefined;
  const status = f.disabled ? 'Disabled' : !hasProfile(f) ? 'Error_Misconfigured' : associated ? 'Enabled' : 'Error';
  if (!associated || f.disabled) return { status, stats: { LastDataDownlinkRate: 1000, LastDataUplinkRate: 1000, SignalStrength: 0, Retransmissions: 0 } };
  const sent = ap.tx?.packets ?? 0;
  return {
    status,
    stats: {
      LastDataDownlinkRate: rate(ap.rx?.rate),
      LastDataUplinkRate: rate(ap.tx?.rate),
      SignalStrength: Math.min(0, ap.signal ?? 0),
      // Of the last 100 frames sent, estimated from the counters since association.
      Retransmissions: sent > 0 ? Math.min(100, Math.round(((ap.tx?.retries ?? 0) * 100) / (sent + (ap.tx?.retries ?? 0)))) : 0,
    },
  };
}

/** The Profile's Security values a sta section holds. */
export function profileSecurity(f: IfaceEntry): Record<string, Value> {
  const key = opt(f, 'key') ?? '';
  return { ModeEnabled: uciSecurityMode(f.config.encryption) ?? 'None', KeyPassphrase: RAW_PSK.test(key) ? '' : key, PreSharedKey: RAW_PSK.test(key) ? key.toLowerCase() : '' };
}

/** The UCI changes of a Profile Security Set on `section` (7012 for a mode or key it cannot take). */
export function profileSecurityPlan(section: string, current: Record<string, Value>, changes: Record<string, Value>): UciChange[] {
  return planWrite(current, changes, {
    ModeEnabled: (v, all) => {
      const uci = UCI_OF_MODE.get(String(v));
      if (!uci || !STA_MODES.split(',').includes(String(v))) return `${v} is not one of ${STA_MODES}`;
      const key = String(all.KeyPassphrase ?? all.PreSharedKey ?? current.KeyPassphrase ?? '') || String(current.PreSharedKey ?? '');
      if (PERSONAL.has(String(v)) && key === '') return `${v} needs a KeyPassphrase or PreSharedKey`;
      return [{ section, option: 'encryption', value: uci }];
    },
    KeyPassphrase: (v) => [{ section, option: 'key', value: String(v), secret: true }],
    PreSharedKey: (v) => (RAW_PSK.test(String(v)) ? [{ section, option: 'key', value: String(v).toLowerCase(), secret: true }] : 'must be 64 hexadecimal digits'),
  });
}

/** Serves Device.WiFi.EndPoint.{i}. with Profile.{i}., their Security, and Stats, over `state`. */
export function registerWiFiEndPoints(ctx: OpenWrtContext, state: WiFiState): void {
  const { model } = ctx;
  const write = async (changes: UciChange[]): Promise<void> => {
    if (changes.length === 0) return;
    await state.write(async (stage) => {
      for (const c of changes) await stage.set(c);
    });
  };
  const endpoint = async (n: number | undefined): Promise<IfaceEntry> => {
    const f = (await state.read()).ifaces.get(state.endpoints.keyOf(n) ?? '');
    if (f?.mode !== 'sta') throw noSuchInstance('EndPoint', n);
    return f;
  };
  const profile = async (n: number | undefined, p: number | undefined): Promise<IfaceEntry> => {
    const f = await endpoint(n);
    if (p !== 1 || !hasProfile(f)) throw noSuchInstance('Profile', p);
    return f;
  };
  const link = async (f: IfaceEntry): Promise<ReturnType<typeof stationLink>> => {
    const info = await state.liveInfo(f);
    const assoc = info && f.ifname ? await ctx.ubus<IwinfoAssoclist>('iwinfo', 'assoclist', { device: f.ifname }) : undefined;
    return stationLink(f, info, assoc);
  };
  const endpointValues = async (f: IfaceEntry): Promise<Record<string, Value>> => ({
    Enable: !f.disabled,
    Status: (await link(f)).status,
    ProfileReference: hasProfile(f) ? `Device.WiFi.EndPoint.${state.endpoints.numberOf(f.section)}.Profile.1` : '',
    SSIDReference: `Device.WiFi.SSID.${state.ssids.numberOf(f.section)}`,
  });

  model.register('Device.WiFi.EndPoint.{i}.', {
    params: ['Enable', 'Status', 'ProfileReference', 'SSIDReference'],
    // ProfileReference: a wifi-iface has one network, always the one it joins.
    writable: ['Enable'],
    changesOnlyThroughAgent: false,
    list: async () => state.endpoints.list([...(await state.read()).ifaces.values()].filter((f) => f.mode === 'sta').map((f) => f.section)),
    get: async ([n]) => endpointValues(await endpoint(n)),
    set: async ([n], changes) => {
      const f = await endpoint(n);
      await write(planWrite(await endpointValues(f), changes, { Enable: (v) => [{ section: f.section, option: 'disabled', value: v === true ? '0' : '1' }] }));
    },
    add: async (_keys, params) => {
      const free = [...(await state.read()).ifaces.values()].filter((f) => f.mode === 'ap' && !f.hasAp).sort((a, b) => state.ssids.numberOf(a.section) - state.ssids.numberOf(b.section))[0];
      if (!free) throw new UspError(ErrorCode.ObjectCouldNotBeCreated, 'no station SSID: add a Device.WiFi.SSID.{i} (without an AccessPoint) on the Radio to use first');
      const changes: UciChange[] = [
        { section: free.section, option: 'mode', value: 'sta' },
        { section: free.section, option: 'usp_ap', value: '', remove: true },
      ];
      if (params.Enable === true) changes.push({ section: free.section, option: 'disabled', value: '0' });
      await write(changes);
      return state.endpoints.numberOf(free.section);
    },
    delete: async ([n]) => {
      const f = await endpoint(n);
      await write([
        { section: f.section, option: 'mode', value: 'ap' },
        { section: f.section, option: 'usp_ap', value: '0' },
        { section: f.section, option: 'disabled', value: '1' },
      ]);
      state.endpoints.retire(f.section);
    },
  });

  model.register('Device.WiFi.EndPoint.{i}.Stats.', {
    params: ['LastDataDownlinkRate', 'LastDataUplinkRate', 'SignalStrength', 'Retransmissions'],
    changesOnlyThroughAgent: false,
    get: async ([n]) => (await link(await endpoint(n))).stats,
  });
  model.register('Device.WiFi.EndPoint.{i}.Security.', { params: ['ModesSupported'], get: () => ({ ModesSupported: STA_MODES }) });

  const profileValues = async (f: IfaceEntry): Promise<Record<string, Value>> => ({
    Enable: true,
    Status: (await link(f)).status === 'Enabled' ? 'Active' : f.disabled ? 'Available' : 'Error',
    SSID: opt(f, 'ssid') ?? '',
    Location: '',
    Priority: 0,
  });
  model.register('Device.WiFi.EndPoint.{i}.Profile.{i}.', {
    params: ['Enable', 'Status', 'SSID', 'Location', 'Priority'],
    writable: ['SSID'],
    changesOnlyThroughAgent: false,
    list: async ([n]) => (hasProfile(await endpoint(n)) ? [1] : []),
    get: async ([n, p]) => profileValues(await profile(n, p)),
    set: async ([n, p], changes) => {
      const f = await profile(n, p);
      await write(planWrite(await profileValues(f), changes, { SSID: (v) => (String(v) === '' ? 'a network needs an SSID' : [{ section: f.section, option: 'ssid', value: String(v) }]) }));
    },
    add: async ([n], params) => {
      const f = await endpoint(n);
      if (hasProfile(f)) throw new UspError(ErrorCode.ResourcesExceeded, 'an OpenWrt station (one wifi-iface) holds one network: change Profile.1 instead');
      const ssid = String(params.SSID ?? '');
      if (ssid === '')
        throw new UspError(ErrorCode.InvalidValue, 'SSID: a network needs an SSID', { paramErrors: [{ param: 'SSID', message: 'a network needs an SSID', code: ErrorCode.InvalidValue }] });
      const rest = planWrite({ Enable: true, Location: '', Priority: 0 }, Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'SSID')), {});
      await write([{ section: f.section, option: 'ssid', value: ssid }, ...rest]);
      return 1;
    },
    delete: async ([n, p]) => {
      const f = await profile(n, p);
      const drop = ['ssid', 'key'].filter((o) => f.config[o] !== undefined).map((option) => ({ section: f.section, option, value: '', remove: true }));
      await write([...drop, { section: f.section, option: 'encryption', value: 'none' }]);
    },
  });
  model.register('Device.WiFi.EndPoint.{i}.Profile.{i}.Security.', {
    params: ['ModeEnabled', 'PreSharedKey', 'KeyPassphrase'],
    get: async ([n, p]) => profileSecurity(await profile(n, p)),
    set: async ([n, p], changes) => {
      const f = await profile(n, p);
      await write(profileSecurityPlan(f.section, profileSecurity(f), changes));
    },
  });
}
