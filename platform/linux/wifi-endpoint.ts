/**
 * Device.WiFi.EndPoint.{i}. on generic Linux (TR-181 WiFiEndPoint:1): the station interfaces a
 * running wpa_supplicant controls (a Wi-Fi WAN), over its control interface (WpaSupplicantSource).
 *
 * - EndPoint.{i}: one per interface socket in wpa_supplicant's control directory (`--wpa-supplicant-dir`).
 *   Status from `status` (wpa_state COMPLETED: Enabled); ProfileReference the CURRENT network,
 *   written with `select_network` (wpa_supplicant then keeps the other networks disabled until
 *   enabled again); Stats from `signal_poll` (RSSI, LINKSPEED: the transmit rate, Mbit/s) and
 *   `iw dev <if> link` (the receive rate). Enable is `disconnect`/`reconnect` and WPS the station's
 *   config_methods (wifi-endpoint-station.ts); Add and Delete run a station through
 *   wpa_supplicant's global control interface (`--wpa-supplicant-global`, wifi-endpoint-added.ts).
 *   SSIDReference is empty: the SSID table of Linux serves hostapd's BSSes, not stations.
 * - Profile.{i}: wpa_supplicant's networks (`list_networks`, `get_network`): SSID, Priority,
 *   Enable (not DISABLED), Security.ModeEnabled from key_mgmt (NONE with a WEP key: WEP). Add is `add_network`, Delete
 *   `remove_network`; the writes are wifi-endpoint-plan.ts. Location is kept by the agent.
 * - After each write, `save_config` when wpa_supplicant runs with update_config=1; otherwise
 *   the change holds until wpa_supplicant restarts, and the agent logs so once per interface.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { LinuxContext } from './LinuxContext.js';
import { endpointModes, planProfile, planProfileSecurity, profilePriority, referencedNetwork, type NetworkField } from './wifi-endpoint-plan.js';
import { endpointStatus, wpaSecurityMode } from './wpa-cli.js';
import { DEFAULT_WPA_SUPPLICANT_DIR, type WpaStation, WpaSupplicantSource } from './WpaSupplicantSource.js';
import type { WpaNetwork } from './wpa-cli.js';
import type { WiFiSettings } from './wifi.js';
import { invalid } from './wifi-write.js';
import { findOnPath } from '../exec/CommandRunner.js';
import { AddedStations } from './wifi-endpoint-added.js';
import { EndPointHeld } from './wifi-endpoint-held.js';
import { registerEndPointWps, StationSettings } from './wifi-endpoint-station.js';
import { WpaSupplicantGlobal } from './wpa-global.js';
import path from 'node:path';

const STORE_ROW = 'Device.WiFi.';
const STORE_KEY = '$endpointLocations';
/** At most this many Locations are kept (stations × networks read); past it, the earliest written goes. */
const MAX_LOCATIONS = 512;

/** TR-181's rate range (1000-600000 kbps) from wpa_supplicant's Mbit/s. */
const rate = (mbps: string | undefined): number => Math.min(600_000, Math.max(1000, Math.round(Number(mbps ?? 0) * 1000) || 0));

/** Profile.Location, which wpa_supplicant does not hold: by "<ifname>/<network id>", in the agent's store. */
class EndPointLocations {
  private readonly held = new Map<string, string>();
  constructor(private readonly store: DataStore | undefined) {}
  private all(): Record<string, string> {
    if (!this.store) return Object.fromEntries(this.held);
    const text = this.store.row(STORE_ROW)?.[STORE_KEY];
    try {
      const v: unknown = typeof text === 'string' ? JSON.parse(text) : {};
      return typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).filter(([, s]) => typeof s === 'string')) : {};
    } catch {
      return {};
    }
  }
  get(key: string): string {
    return this.all()[key] ?? '';
  }
  set(key: string, value: string | undefined): void {
    const all = this.all();
    delete all[key];
    if (value !== undefined && value !== '') all[key] = value;
    const keys = Object.keys(all);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_LOCATIONS))) delete all[old];
    if (!this.store) {
      this.held.clear();
      for (const [k, v] of Object.entries(all)) this.held.set(k, v);
      return;
    }
    this.store.setRow(STORE_ROW, { ...(this.store.row(STORE_ROW) ?? {}), [STORE_KEY]: JSON.stringify(all) });
  }
}

/** What the EndPoints keep beside wpa_supplicant, and the Add/Delete of stations (undefined: no global control interface). */
export interface EndPointExtras {
  held: EndPointHeld;
  added?: AddedStations;
}

/** Serves Device.WiFi.EndPoint.{i}., its Stats, Security, WPS and Profile.{i}. (+ Security) from wpa_supplicant. */
export function registerLinuxWiFiEndPoints(ctx: LinuxContext, source: WpaSupplicantSource, store: DataStore | undefined, extras: EndPointExtras = { held: new EndPointHeld(store) }): void {
  const { model } = ctx;
  const { held, added } = extras;
  const locations = new EndPointLocations(store);
  const unsaved = new Set<string>();

  const gone = (n: number | undefined, ifname: string): UspError =>
    new UspError(ErrorCode.ObjectDoesNotExist, `Device.WiFi.EndPoint.${n}. does not exist (wpa_supplicant no longer controls ${ifname})`);
  const station = async (n: number | undefined): Promise<WpaStation> => {
    const ifname = source.endpoints.requireKey(n);
    const s = (await source.interfaces()).includes(ifname) ? await source.station(ifname) : undefined;
    if (!s) throw gone(n, ifname);
    return s;
  };
  /** What a write needs of EndPoint `n`: its interface and network ids (list_networks only). */
  const networksOf = async (n: number | undefined): Promise<{ ifname: string; ids: Map<number, number> }> => {
    const ifname = source.endpoints.requireKey(n);
    const list = await source.networks(ifname);
    if (!list) throw gone(n, ifname);
    return { ifname, ids: new Map(list.map((w) => [source.profilesOf(ifname).numberOf(String(w.id)), w.id])) };
  };
  const profile = async (n: number | undefined, p: number | undefined): Promise<{ s: WpaStation; w: WpaNetwork }> => {
    const s = await station(n);
    const id = source.profilesOf(s.ifname).requireKey(p);
    const w = s.networks.find((x) => String(x.id) === id);
    if (!w) throw new UspError(ErrorCode.ObjectDoesNotExist, `Device.WiFi.EndPoint.${n}.Profile.${p}. does not exist`);
    return { s, w };
  };
  /** The interface and network id of Profile `p` of EndPoint `n`, for a write. */
  const network = async (n: number | undefined, p: number | undefined): Promise<{ ifname: string; id: number }> => {
    const { ifname, ids } = await networksOf(n);
    const id = ids.get(p!);
    if (id === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `Device.WiFi.EndPoint.${n}.Profile.${p}. does not exist`);
    return { ifname, id };
  };
  /** Writes wpa_supplicant's networks back to its file, or says once that they are not kept. */
  const persist = async (ifname: string): Promise<void> => {
    if (await source.keepsConfig(ifname)) {
      await source.command(ifname, ['save_config']);
      return;
    }
    if (unsaved.has(ifname)) return;
    unsaved.add(ifname);
    ctx.log?.warn('wpa_supplicant runs without update_config=1: EndPoint Profile changes are not kept across a wpa_supplicant restart', { interface: ifname });
  };
  const settings = new StationSettings(source, held, persist, ctx.now, ctx.log);
  const apply = async (ifname: string, id: number, fields: readonly NetworkField[], enable?: boolean): Promise<void> => {
    for (const f of fields) {
      if (f.secret) await source.secret(ifname, id, f.field, f.value);
      else await source.command(ifname, ['set_network', String(id), f.field, f.value]);
    }
    if (enable !== undefined) await source.command(ifname, [enable ? 'enable_network' : 'disable_network', String(id)]);
  };
  const current = (s: WpaStation): WpaNetwork | undefined => s.networks.find((w) => w.flags.has('CURRENT')) ?? s.networks.find((w) => String(w.id) === s.status.id);

  /** Before each listing: stations a Controller added are added again, and settings wpa_supplicant forgot sent again (it restarted). */
  const reconcile = async (): Promise<string[]> => {
    if (await added?.reconcile()) source.forget();
    const names = await source.interfaces();
    for (const ifname of names) {
      if (held.disabled(ifname) || held.wps(ifname)) await settings.reconcile(ifname, (await source.station(ifname))?.status.wpa_state);
    }
    return names;
  };
  model.register('Device.WiFi.EndPoint.{i}.', {
    params: ['Enable', 'Status', 'ProfileReference', 'SSIDReference'],
    changesOnlyThroughAgent: false,
    list: async () => source.endpoints.list(await reconcile()),
    // SSIDReference is "" on every EndPoint here (Linux's SSID table holds hostapd's BSSes, no station): an empty reference is no clash.
    findByValues: (_parent, params, values) => (params.length === 1 && params[0] === 'SSIDReference' && values.SSIDReference === '' ? [] : undefined),
    get: async ([n]) => {
      const s = await station(n);
      const w = current(s);
      const enabled = settings.enabled(s.ifname);
      return {
        Enable: enabled,
        Status: enabled ? endpointStatus(s.status.wpa_state) : 'Disabled',
        ProfileReference: w ? `Device.WiFi.EndPoint.${n}.Profile.${source.profilesOf(s.ifname).numberOf(String(w.id))}` : '',
        SSIDReference: '',
      };
    },
    set: async ([n], changes) => {
      if (changes.ProfileReference !== undefined) {
        const { ifname, ids } = await networksOf(n);
        const id = referencedNetwork(String(changes.ProfileReference), n!, ids);
        await source.command(ifname, ['select_network', String(id)]);
        await persist(ifname);
      }
      if (changes.Enable !== undefined) await settings.setEnable(source.endpoints.requireKey(n), changes.Enable === true);
    },
    // Add/Delete: a station in wpa_supplicant through its global control interface (wifi-endpoint-added.ts).
    ...(added && {
      add: async (_parent, params) => {
        // A new station has no Profile yet to reference.
        if (params.ProfileReference !== undefined && params.ProfileReference !== '') throw invalid('ProfileReference', 'a new EndPoint has no Profile yet: add one, then set ProfileReference');
        const ifname = await added.add();
        source.forget();
        if (params.Enable === false) await settings.setEnable(ifname, false);
        return source.endpoints.numberOf(ifname);
      },
      delete: async ([n]) => {
        const ifname = source.endpoints.requireKey(n);
        await added.remove(ifname);
        source.forget();
        source.endpoints.retire(ifname);
      },
    }),
  });
  registerEndPointWps(model, settings, async ([n]) => (await station(n)).ifname);
  model.register('Device.WiFi.EndPoint.{i}.Stats.', {
    params: ['LastDataDownlinkRate', 'LastDataUplinkRate', 'SignalStrength'],
    changesOnlyThroughAgent: false,
    get: async ([n]) => {
      const s = await station(n);
      if (s.status.wpa_state !== 'COMPLETED') return { LastDataDownlinkRate: 1000, LastDataUplinkRate: 1000, SignalStrength: 0 };
      // signal_poll's LINKSPEED is the transmit rate; the receive rate is nl80211's (iw), and reads as it when iw is missing.
      const [signal, link] = await Promise.all([source.signal(s.ifname), source.link(s.ifname)]);
      const up = rate(signal.LINKSPEED);
      const down = link?.rxBitrateKbps !== undefined ? rate(String(link.rxBitrateKbps / 1000)) : up;
      const rssi = Number(signal.RSSI);
      return { LastDataDownlinkRate: down, LastDataUplinkRate: up, SignalStrength: Number.isFinite(rssi) ? Math.min(0, rssi) : 0 };
    },
  });
  model.register('Device.WiFi.EndPoint.{i}.Security.', {
    params: ['ModesSupported'],
    get: async ([n]) => ({ ModesSupported: endpointModes(await source.groupCiphers(source.endpoints.requireKey(n))).join(',') }),
  });
  /** ModeEnabled of a network: from key_mgmt; NONE with WEP key 0 held is WEP (its length as the agent gave it; 128-bit otherwise). */
  const modeOf = async (ifname: string, id: number, keyMgmt: string[]): Promise<string> => {
    const mode = wpaSecurityMode(keyMgmt);
    if (mode !== 'None' || !(await source.hasWepKey(ifname, id))) return mode;
    return held.wep(ifname, id) ?? 'WEP-128';
  };

  const profileValues = async (s: WpaStation, w: WpaNetwork): Promise<Record<string, Value>> => {
    const d = await source.details(s.ifname, w);
    const active = current(s)?.id === w.id && s.status.wpa_state === 'COMPLETED';
    const disabled = w.flags.has('DISABLED');
    return {
      Enable: !disabled,
      Status: disabled ? 'Disabled' : active ? 'Active' : w.flags.has('TEMP-DISABLED') ? 'Error' : 'Available',
      SSID: d.ssidValue,
      Location: locations.get(`${s.ifname}/${w.id}`),
      Priority: profilePriority(d.priority),
    };
  };
  model.register('Device.WiFi.EndPoint.{i}.Profile.{i}.', {
    params: ['Enable', 'Status', 'SSID', 'Location', 'Priority'],
    changesOnlyThroughAgent: false,
    list: async ([n]) => {
      const { ifname, ids } = await networksOf(n);
      return source.profilesOf(ifname).list([...ids.values()].map(String));
    },
    get: async ([n, p]) => {
      const { s, w } = await profile(n, p);
      return profileValues(s, w);
    },
    set: async ([n, p], changes) => {
      const plan = planProfile(changes);
      const { ifname, id } = await network(n, p);
      await apply(ifname, id, plan.fields, plan.enable);
      if (plan.location !== undefined) locations.set(`${ifname}/${id}`, plan.location);
      if (plan.fields.length > 0 || plan.enable !== undefined) await persist(ifname);
    },
    add: async ([n], params) => {
      const plan = planProfile(params);
      const { ifname } = await networksOf(n);
      const id = Number(await source.command(ifname, ['add_network']));
      try {
        await apply(ifname, id, plan.fields, plan.enable === true ? true : undefined);
      } catch (e) {
        // The Add fails as a whole: the network it made goes again.
        await source.command(ifname, ['remove_network', String(id)]).catch(() => undefined);
        throw e;
      }
      locations.set(`${ifname}/${id}`, plan.location);
      await persist(ifname);
      return source.profilesOf(ifname).numberOf(String(id));
    },
    delete: async ([n, p]) => {
      const { ifname, id } = await network(n, p);
      await source.command(ifname, ['remove_network', String(id)]);
      locations.set(`${ifname}/${id}`, undefined);
      source.profilesOf(ifname).retire(String(id));
      await persist(ifname);
    },
  });
  model.register('Device.WiFi.EndPoint.{i}.Profile.{i}.Security.', {
    params: ['ModeEnabled', 'WEPKey', 'PreSharedKey', 'KeyPassphrase', 'SAEPassphrase'],
    changesOnlyThroughAgent: false,
    // Keys are write-only (TR-181: they read as empty); wpa_supplicant never prints them either.
    get: async ([n, p]) => {
      const { s, w } = await profile(n, p);
      return { ModeEnabled: await modeOf(s.ifname, w.id, (await source.details(s.ifname, w)).keyMgmt), WEPKey: '', PreSharedKey: '', KeyPassphrase: '', SAEPassphrase: '' };
    },
    set: async ([n, p], changes) => {
      const fields = planProfileSecurity(changes);
      const { ifname, id } = await network(n, p);
      // Without a key, key_mgmt NONE joins open networks: WEP needs one given or held.
      const wep = changes.ModeEnabled === 'WEP-64' || changes.ModeEnabled === 'WEP-128';
      if ((wep || changes.WEPKey !== undefined) && !endpointModes(await source.groupCiphers(ifname)).includes('WEP-128')) {
        throw invalid(wep ? 'ModeEnabled' : 'WEPKey', 'this wpa_supplicant is built without WEP (get_capability group lists no WEP40/WEP104)');
      }
      if (wep && changes.WEPKey === undefined) {
        if (!(await source.hasWepKey(ifname, id))) throw invalid('WEPKey', `${String(changes.ModeEnabled)} needs a WEPKey`);
        // The key held is of the other length (wpa_supplicant would go on using it): a new one must come with the mode.
        const heldMode = held.wep(ifname, id);
        if (heldMode !== undefined && heldMode !== changes.ModeEnabled) throw invalid('WEPKey', `the key held is ${heldMode}: give a WEPKey of ${String(changes.ModeEnabled)} with it`);
      }
      await apply(ifname, id, fields);
      // The WEP length, which wpa_supplicant does not tell ("*"): the key's when one is given.
      if (changes.WEPKey !== undefined) held.setWep(ifname, id, String(changes.WEPKey).length === 10 ? 'WEP-64' : 'WEP-128');
      else if (changes.ModeEnabled !== undefined) held.setWep(ifname, id, wep ? (changes.ModeEnabled as 'WEP-64' | 'WEP-128') : undefined);
      await persist(ifname);
    },
  });
}

/**
 * Device.WiFi.EndPoint. where wpa_cli is installed and Wi-Fi is not turned off (`--wifi off`):
 * over the wpa_supplicant whose control directory `--wpa-supplicant-dir` names (default
 * /run/wpa_supplicant). Independent of hostapd: a gateway may run stations without access points.
 */
export function registerWpaSupplicantEndPoints(ctx: LinuxContext, setting: boolean | WiFiSettings | undefined, store: DataStore | undefined): void {
  if (setting === false) return;
  const exe = ctx.runner.executable('wpa_cli');
  if ((exe.includes('/') ? findOnPath(path.basename(exe), path.dirname(exe)) : findOnPath(exe)) === undefined) {
    ctx.log?.info('Device.WiFi.EndPoint. not served', { why: 'wpa_cli not installed', setting: '--wifi' });
    return;
  }
  const dir = (typeof setting === 'object' ? setting.wpaSupplicantDir : undefined) ?? DEFAULT_WPA_SUPPLICANT_DIR;
  const globalSocket = typeof setting === 'object' ? setting.wpaSupplicantGlobal : undefined;
  const held = new EndPointHeld(store);
  let added: AddedStations | undefined;
  const source = new WpaSupplicantSource({ runner: ctx.runner, dir, cacheMs: ctx.cacheMs, log: ctx.log });
  if (globalSocket === undefined || store?.dir === undefined) {
    ctx.log?.info('Device.WiFi.EndPoint. Add/Delete not served', {
      why: globalSocket === undefined ? 'no wpa_supplicant global control interface named (wpa_supplicant -g PATH)' : "no data directory to keep the stations' files in",
      setting: globalSocket === undefined ? '--wpa-supplicant-global' : '--data-dir',
    });
  } else {
    const confDir = path.join(store.dir, 'wpa_supplicant');
    added = new AddedStations({
      global: new WpaSupplicantGlobal(ctx.runner, globalSocket),
      running: () => source.interfaces(),
      held,
      confDir,
      ctrlDir: dir,
      runner: ctx.runner,
      cacheMs: ctx.cacheMs,
      now: ctx.now,
      log: ctx.log,
    });
  }
  registerLinuxWiFiEndPoints(ctx, source, store, { held, added });
}
