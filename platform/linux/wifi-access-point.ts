/**
 * Device.WiFi.SSID.{i}. (+ Stats), AccessPoint.{i}. (+ Security) and
 * AccessPoint.{i}.AssociatedDevice.{i}. (+ Stats) on generic Linux (TR-181 WiFiSSID:1,
 * WiFiAccessPoint:1): one SSID and one AccessPoint per BSS hostapd runs (one control
 * socket each), numbered alike, so AccessPoint.{i}.SSIDReference is SSID.{i}. The SSID and
 * security mode are hostapd's `status` and `get_config`; SSID.Stats the BSS interface's kernel
 * counters (registerBssCounters). Stations are hostapd's `all_sta` (which are associated, authorized)
 * with nl80211's counters and rates (`iw dev <if> station dump`); a station is keyed by MAC
 * inside its AccessPoint, so one that leaves and returns is the same instance again. SSID.SSID and
 * SSID.Enable are written to hostapd (wifi-write.ts), and the AccessPoint's settings and security
 * (wifi-ap-settings.ts: hostapd keys, then a reload); what hostapd cannot report back is read as
 * the agent wrote it (wifi-held.ts). SSID and AccessPoint rows a Controller adds run from a BSS
 * file the agent writes, through hostapd's global control interface (wifi-added.ts); only they
 * take WEP and WPA2-Enterprise (wifi-bss-modes.ts). WPS is in wifi-wps.ts.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { dateTimeOf } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { LinuxContext } from './LinuxContext.js';
import { counter } from './net-stats.js';
import { registerBssCounters } from './wifi-radio.js';
import { hostapdEncryption, hostapdSecurityMode } from './wifi-hostapd-cli.js';
import type { WiFiBss, WiFiSource, WiFiStation } from './WiFiSource.js';
import { type HostapdWriter, invalid, ssidProblem } from './wifi-write.js';
import { AP_WRITABLE, accessPointSettings, SECURITY_WRITABLE, securitySettings } from './wifi-ap-settings.js';
import type { HeldWiFiSettings } from './wifi-held.js';
import { RADIUS_PORT } from './wifi-bss-modes.js';
import { allowedMacs, setAcceptList } from './wifi-mac-access.js';
import type { AddedWiFi } from './wifi-added.js';
import { accessPointIfname, accessPointsOn, apNumberOf, moveAccessPoint, planApMove, referencedSsid } from './wifi-ap-ssid-move.js';
import {
  type AddedRowsContext,
  addAccessPoint,
  addSsid,
  deleteAccessPoint,
  deleteSsid,
  idleAccessPointValues,
  idleSsidValues,
  setAddedAccessPoint,
  setAddedSecurity,
  setAddedSsid,
} from './wifi-added-rows.js';

/** AccessPoint parameters hostapd takes but does not report: read as the agent wrote them (wifi-held.ts). */
const AP_HELD = ['SSIDAdvertisementEnabled', 'IsolationEnable', 'MaxAllowedAssociations', 'WMMEnable', 'UAPSDEnable', 'MACAddressControlEnabled'];

/** The modes hostapd runs (key_mgmt WPA-PSK, SAE, WPA-EAP, OWE and their mixes); SETTABLE_MODES of them can be chosen here. */
const MODES_SUPPORTED = 'None,WPA2-Personal,WPA-WPA2-Personal,WPA3-Personal,WPA3-Personal-Transition,WPA2-Enterprise,WPA-WPA2-Enterprise,OWE';

/** An added AccessPoint's BSS file also runs WEP (wifi-bss-modes.ts). */
const ADDED_MODES_SUPPORTED = `WEP-64,WEP-128,${MODES_SUPPORTED}`;

/** hostapd's default ap_max_inactivity (300 s): a station silent longer is about to be dropped. */
const ACTIVE_WITHIN_MS = 300_000;
/** A Set of an SSID changes its SSID and Enable; LowerLayers moves one a Controller added (hostapd runs its own BSSes on the radio their file names: 7012). */
const SSID_WRITABLE = ['Enable', 'SSID', 'LowerLayers'] as const;

function gone(what: string, n: number | undefined): UspError {
  return new UspError(ErrorCode.ObjectDoesNotExist, `no such ${what}: ${n}`);
}

/** One AssociatedDevice row; rates are kbit/s (TR-181 starts them at 1000: 0 means not measured yet). */
export function stationValues(s: WiFiStation, band: string | undefined, now: number): Record<string, Value> {
  const h = s.hostapd?.values ?? {};
  const flags = s.hostapd?.flags;
  const num = (iw: number | undefined, hostapd: string | undefined): number | undefined => iw ?? (hostapd !== undefined && /^-?\d+$/.test(hostapd) ? Number(hostapd) : undefined);
  const gen = s.iw?.generation ?? (flags?.has('HE') ? 'he' : flags?.has('VHT') ? 'vht' : flags?.has('HT') ? 'ht' : undefined);
  const standard = gen === 'eht' ? 'be' : gen === 'he' ? 'ax' : gen === 'vht' ? 'ac' : gen === 'ht' ? 'n' : band === '2.4GHz' ? 'g' : 'a';
  const v: Record<string, Value> = {
    MACAddress: s.mac,
    OperatingStandard: standard,
    AuthenticationState: flags ? flags.has('AUTHORIZED') : s.iw?.authorized === true,
    Active: (num(s.iw?.inactiveMs, h.inactive_msec) ?? 0) < ACTIVE_WITHIN_MS,
  };
  const signal = num(s.iw?.signalDbm, h.signal);
  if (signal !== undefined) v.SignalStrength = Math.max(-200, Math.min(0, signal));
  if ((s.iw?.txBitrateKbps ?? 0) >= 1000) v.LastDataDownlinkRate = s.iw!.txBitrateKbps!;
  if ((s.iw?.rxBitrateKbps ?? 0) >= 1000) v.LastDataUplinkRate = s.iw!.rxBitrateKbps!;
  const connected = num(s.iw?.connectedSeconds, h.connected_time);
  if (connected !== undefined) v.AssociationTime = dateTimeOf(now - connected * 1000);
  // TR-181 counts retransmissions among the last 100 packets; nl80211 has totals since association.
  const packets = s.iw?.txPackets ?? 0;
  v.Retransmissions = packets > 0 ? Math.min(100, Math.round((100 * (s.iw?.txRetries ?? 0)) / packets)) : 0;
  return v;
}

/** Serves SSID.{i}. (+ Stats), AccessPoint.{i}. (+ Security), AssociatedDevice.{i}. (+ Stats). */
export function registerWiFiAccessPoints(ctx: LinuxContext, source: WiFiSource, writer: HostapdWriter, held: HeldWiFiSettings, added: AddedWiFi): void {
  const { model } = ctx;
  const x: AddedRowsContext = { added, source, writer, held };
  const bss = async (n: number | undefined, what: string): Promise<WiFiBss> => (await source.bss(n)) ?? Promise.reject(gone(what, n));
  /** A row a Controller added, and its BSS when hostapd runs it. */
  const addedRow = async (n: number | undefined): Promise<{ row: ReturnType<AddedWiFi['byIfname']>; b?: WiFiBss }> => {
    const key = source.bssNumbers.keyOf(n);
    const row = key === undefined ? undefined : added.byIfname(key);
    return { row, b: row ? await source.bss(n) : undefined };
  };
  /** AccessPoint `n`: the BSS it is (wifi-ap-ssid-move.ts: identity unless it moved), its added row, and the BSS when hostapd runs it. */
  const apOf = async (n: number | undefined): Promise<{ ifname: string; row: ReturnType<AddedWiFi['byIfname']>; b?: WiFiBss }> => {
    const ifname = accessPointIfname(added, source, n);
    if (ifname === undefined) throw gone('AccessPoint', n);
    return { ifname, row: added.byIfname(ifname), b: (await source.read()).bsses.get(ifname) };
  };
  const apBss = async (n: number | undefined): Promise<WiFiBss> => (await apOf(n)).b ?? Promise.reject(gone('AccessPoint', n));
  // The BSSes hostapd runs, and the added SSIDs (and AccessPoints) that do not run.
  const list = async (ap: boolean): Promise<number[]> => {
    const names = [...(await source.read()).bsses.keys()];
    if (!ap) {
      for (const r of added.all()) if (!names.includes(r.ifname)) names.push(r.ifname);
      return source.bssNumbers.list(names);
    }
    // hostapd's own BSSes by their number; added AccessPoints by theirs (one that moved keeps it).
    const rows = added.all();
    const own = source.bssNumbers.list(names.filter((i) => !rows.some((r) => r.ifname === i)));
    return [...own, ...rows.filter((r) => r.ap).map(apNumberOf)].sort((a, b) => a - b);
  };

  model.register('Device.WiFi.SSID.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LowerLayers', 'Upstream', 'BSSID', 'MACAddress', 'SSID'],
    writable: SSID_WRITABLE,
    list: async () => list(false),
    // An SSID whose BSS does not run has no BSSID yet (""): two such added SSIDs do not share a unique key.
    findByValues: (_parent, params, values) => (params.length === 1 && params[0] === 'BSSID' && values.BSSID === '' ? [] : undefined),
    add: async (_parent, params) => addSsid(x, params),
    delete: async ([n]) => deleteSsid(x, n),
    get: async ([n]) => {
      const a = await addedRow(n);
      if (a.row && !a.b) return idleSsidValues(x, a.row);
      const b = await bss(n, 'SSID');
      return {
        Enable: b.state !== 'DISABLED',
        Status: b.state === 'ENABLED' ? 'Up' : b.state === 'DISABLED' ? 'Down' : 'Dormant',
        Name: b.ifname,
        LowerLayers: `Device.WiFi.Radio.${source.radios.numberOf(b.phy!)}`,
        Upstream: false,
        BSSID: b.bssid ?? b.iw?.addr ?? '',
        MACAddress: b.iw?.addr ?? b.bssid ?? '',
        SSID: b.ssid ?? '',
      };
    },
    // SSID and Enable go to hostapd (wifi-write.ts); LowerLayers cannot move a BSS of hostapd's own file.
    set: async ([n], changes) => {
      const a = await addedRow(n);
      if (a.row) return setAddedSsid(x, a.row, changes, a.b);
      const b = await bss(n, 'SSID');
      const radio = `Device.WiFi.Radio.${source.radios.numberOf(b.phy!)}`;
      if (changes.LowerLayers !== undefined && String(changes.LowerLayers).replace(/\.$/, '') !== radio)
        throw invalid('LowerLayers', 'hostapd runs this BSS on the radio its configuration file names: only an SSID a Controller added moves');
      if (changes.SSID !== undefined) {
        const problem = ssidProblem(String(changes.SSID));
        if (problem) throw invalid('SSID', problem);
      }
      try {
        if (changes.SSID !== undefined && changes.SSID !== b.ssid) await writer.setSsid(b.ifname, String(changes.SSID));
        if (changes.Enable !== undefined && changes.Enable !== (b.state !== 'DISABLED')) await writer.setEnable(b.ifname, changes.Enable === true);
      } finally {
        source.forget();
      }
    },
  });
  registerBssCounters(ctx, 'Device.WiFi.SSID.{i}.Stats.', async ([n]) => [source.bssNumbers.requireKey(n)]);

  model.register('Device.WiFi.AccessPoint.{i}.', {
    params: ['Enable', 'Status', 'SSIDReference', 'WMMCapability', 'UAPSDCapability', 'AllowedMACAddress', ...AP_HELD],
    writable: [...AP_WRITABLE, 'SSIDReference'],
    list: async () => list(true),
    // The unique key SSIDReference (7025) from the rows, without reading every AccessPoint through hostapd.
    findByValues: async (_parent, params, values) => (params.length === 1 && params[0] === 'SSIDReference' ? accessPointsOn(added, source, values.SSIDReference) : undefined),
    add: async (_parent, params) => addAccessPoint(x, params),
    delete: async ([n]) => deleteAccessPoint(x, n),
    get: async ([n]) => {
      const a = await apOf(n);
      if (a.row && !a.row.ap) throw gone('AccessPoint', n);
      if (a.row && !a.b) return { ...idleAccessPointValues(a.row), ...held.read(`bss:${a.row.ifname}`, [...AP_HELD, 'AllowedMACAddress']) };
      const b = await apBss(n);
      const [phy, accept] = await Promise.all([source.phy(b.phy!), source.acceptList(b.ifname)]);
      return {
        Enable: b.state !== 'DISABLED',
        Status: b.state === 'ENABLED' ? 'Enabled' : b.state === 'DISABLED' ? 'Disabled' : 'Error_Misconfigured',
        SSIDReference: `Device.WiFi.SSID.${source.bssNumbers.numberOf(b.ifname)}`,
        // hostapd on mac80211 runs WMM itself; every 802.11n and later BSS requires it.
        WMMCapability: true,
        UAPSDCapability: phy?.apUapsd ?? false,
        AllowedMACAddress: accept.join(','),
        ...held.read(`bss:${b.ifname}`, AP_HELD),
      };
    },
    // hostapd configuration keys, one reload (wifi-ap-settings.ts); Enable is hostapd's enable/disable.
    set: async ([n], given) => {
      // AllowedMACAddress as hostapd lists it (lower case, each once): 7012 for what is not a MAC address.
      const accept = given.AllowedMACAddress === undefined ? undefined : allowedMacs(given.AllowedMACAddress);
      const { SSIDReference, ...changes } = accept === undefined ? given : { ...given, AllowedMACAddress: accept.join(',') };
      let a = await apOf(n);
      if (a.row?.ap) {
        // Onto another SSID first (a disabled AccessPoint: files and the store only), then the rest there.
        const plan = SSIDReference === undefined ? undefined : planApMove(a.row, SSIDReference, added.byIfname(source.bssNumbers.keyOf(referencedSsid(SSIDReference)) ?? ''));
        if (plan) {
          accessPointSettings(changes); // the other values checked before anything moves (7012)
          await moveAccessPoint(x, plan);
          a = await apOf(n);
        }
        if (Object.keys(changes).length === 0) return;
        return setAddedAccessPoint(x, a.row!, changes, a.b, held.read(`bss:${a.ifname}`, AP_HELD));
      }
      const b = await apBss(n);
      // hostapd's own BSS is its own SSID: its current value only (the agent does not rewrite hostapd's file).
      if (SSIDReference !== undefined && referencedSsid(SSIDReference) !== source.bssNumbers.numberOf(b.ifname))
        throw invalid('SSIDReference', 'hostapd runs this AccessPoint from its own configuration file, as the BSS of its SSID: only an AccessPoint a Controller added moves');
      const settings = accessPointSettings(changes, held.read(`bss:${b.ifname}`, AP_HELD));
      if (changes.UAPSDEnable === true && !(await source.phy(b.phy!))?.apUapsd) throw invalid('UAPSDEnable', 'the radio does not support U-APSD (UAPSDCapability false)');
      try {
        // The list first: enabling the control with it refuses no station that the new list allows.
        if (accept !== undefined) await setAcceptList(writer, b.ifname, accept);
        await writer.configure(b.ifname, settings);
        held.write(`bss:${b.ifname}`, changes);
        if (changes.Enable !== undefined && changes.Enable !== (b.state !== 'DISABLED')) await writer.setEnable(b.ifname, changes.Enable === true);
      } finally {
        source.forget();
      }
    },
  });
  model.register('Device.WiFi.AccessPoint.{i}.Security.', {
    params: [
      'ModesSupported',
      'ModeEnabled',
      'EncryptionMode',
      'KeyPassphrase',
      'PreSharedKey',
      'SAEPassphrase',
      'WEPKey',
      'RekeyingInterval',
      'RadiusServerIPAddr',
      'RadiusServerPort',
      'RadiusSecret',
    ],
    writable: SECURITY_WRITABLE,
    get: async ([n]) => {
      const a = await apOf(n);
      const id = `bss:${a.ifname}`;
      const rekey = held.read(id, ['RekeyingInterval']);
      // Keys read as "" (TR-181); hostapd does not report them either.
      const keys = { KeyPassphrase: '', PreSharedKey: '', SAEPassphrase: '', WEPKey: '', RadiusSecret: '' };
      // An added AccessPoint runs the mode its file has (get_config shows nothing of WEP): the row says which.
      if (a.row?.ap) {
        const mode = a.row.ap.mode;
        const radius = a.row.ap.radius;
        return {
          ModesSupported: ADDED_MODES_SUPPORTED,
          ModeEnabled: mode,
          EncryptionMode: mode === 'None' || mode.startsWith('WEP') ? '' : 'AES',
          ...keys,
          RadiusServerIPAddr: radius?.addr ?? '',
          RadiusServerPort: radius?.port ?? RADIUS_PORT,
          ...rekey,
        };
      }
      const b = await apBss(n);
      const mode = hostapdSecurityMode(b);
      // Without an explicit cipher, hostapd runs CCMP (AES) for WPA2 and WPA3.
      const enc = hostapdEncryption(b.pairwise) || (mode === 'None' ? '' : 'AES');
      return {
        ModesSupported: MODES_SUPPORTED.split(',').includes(mode) ? MODES_SUPPORTED : `${MODES_SUPPORTED},${mode}`,
        ModeEnabled: mode,
        EncryptionMode: enc,
        ...keys,
        // The first RADIUS server of hostapd's file (hostapd-conf.ts), which hostapd uses first.
        ...held.read(id, ['RadiusServerIPAddr', 'RadiusServerPort']),
        ...rekey,
      };
    },
    set: async ([n], given) => {
      // RekeyingInterval is a held hostapd key like the AccessPoint's (wpa_group_rekey); the rest are Security's.
      const { RekeyingInterval, ...changes } = given;
      const a = await apOf(n);
      const ifname = a.ifname;
      const rekey = accessPointSettings(RekeyingInterval === undefined ? {} : { RekeyingInterval }, held.read(`bss:${ifname}`, ['RekeyingInterval']));
      try {
        if (a.row?.ap) {
          await setAddedSecurity(x, a.row, changes, a.b);
          if (a.b) await writer.configure(a.b.ifname, rekey);
        } else {
          const b = await apBss(n);
          await writer.configure(b.ifname, [...securitySettings(changes, hostapdSecurityMode(b)), ...rekey]);
        }
        if (RekeyingInterval !== undefined) held.write(`bss:${ifname}`, { RekeyingInterval });
      } finally {
        source.forget();
      }
    },
  });

  const station = async (ap: number | undefined, n: number | undefined): Promise<{ s: WiFiStation; b: WiFiBss }> => {
    const b = await apBss(ap);
    const key = source.stationsOf(b.ifname).keyOf(n);
    const s = (await source.stations(b.ifname)).find((x) => x.mac === key);
    if (!s) throw gone('associated device', n); // it left between list and get
    return { s, b };
  };
  model.register('Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.', {
    params: ['MACAddress', 'OperatingStandard', 'AuthenticationState', 'LastDataDownlinkRate', 'LastDataUplinkRate', 'AssociationTime', 'SignalStrength', 'Retransmissions', 'Active'],
    list: async ([ap]) => {
      const b = accessPointIfname(added, source, ap) === undefined ? undefined : (await apOf(ap)).b;
      if (!b) return [];
      return source.stationsOf(b.ifname).list((await source.stations(b.ifname)).map((s) => s.mac));
    },
    get: async ([ap, n]) => {
      const { s, b } = await station(ap, n);
      const band = b.freq === undefined ? undefined : b.freq < 3000 ? '2.4GHz' : b.freq < 5955 ? '5GHz' : '6GHz';
      return stationValues(s, band, ctx.now());
    },
  });
  const types = new Map(model.requireNode('Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.').def.params.map((p) => [p.name, p.type]));
  model.register('Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.', {
    params: ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'RetransCount', 'FailedRetransCount'],
    get: async ([ap, n]) => {
      const { s } = await station(ap, n);
      const h = s.hostapd?.values ?? {};
      const pick = (iw: number | undefined, hostapd: string | undefined): string | undefined => (iw !== undefined ? String(iw) : hostapd);
      // The AP's viewpoint: tx is what it sent to the station.
      const raw: Record<string, string | undefined> = {
        BytesSent: pick(s.iw?.txBytes, h.tx_bytes),
        BytesReceived: pick(s.iw?.rxBytes, h.rx_bytes),
        PacketsSent: pick(s.iw?.txPackets, h.tx_packets),
        PacketsReceived: pick(s.iw?.rxPackets, h.rx_packets),
        RetransCount: pick(s.iw?.txRetries, undefined),
        FailedRetransCount: pick(s.iw?.txFailed, undefined),
      };
      return Object.fromEntries(Object.entries(raw).map(([k, r]) => [k, counter(types.get(k), r) ?? counter(types.get(k), '0')!]));
    },
  });
}
