/**
 * Device.WiFi.EndPoint.{i}. on OpenWrt (TR-181 WiFiEndPoint:1): a wifi-iface in `mode 'sta'`
 * (netifd runs wpa_supplicant on it), as a Wi-Fi WAN or a mesh extender's backhaul uses one.
 *
 * - Every sta wifi-iface is an EndPoint row; its SSID row (SSIDReference) is the same section.
 * - The network the wifi-iface holds (`ssid`, `encryption`, `key`) is the referenced Profile;
 *   the EndPoint's other Profiles are `usp_wifi_profile` sections, and a ProfileReference Set
 *   swaps the named one into the wifi-iface (wifi-endpoint-profiles.ts, -profile-plan.ts).
 * - Enable is the wifi-iface's `disabled`, which also stays '1' while the referenced Profile is
 *   disabled (the EndPoint's Enable then kept in `usp_ep_enable`).
 * - EndPoint Add: SSIDReference is read-only in TR-181, so the Add takes the lowest SSID a
 *   Controller added that has no AccessPoint yet (`usp_ap '0'`, wifi-iface-rows.ts) and makes it a
 *   station: `mode 'sta'`, `usp_ap` deleted, still disabled (Enable false). None: 7017.
 *   EndPoint Delete gives the section back as such an SSID (`mode 'ap'`, `usp_ap '0'`, disabled)
 *   and deletes its other Profiles' sections.
 * - Status from `ubus call iwinfo info` of the running interface: associated (Enabled) while it
 *   reports the BSSID of an AP; Stats from `iwinfo assoclist` of that interface, whose one entry is
 *   the AP (rx: AP → us, the downlink; tx: us → AP).
 * Each write is `uci commit wireless` and `ubus call network reload` (WiFiState.write).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { noSuchInstance } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { IwinfoAssoclist, IwinfoInfo } from './ubus-types.js';
import { planWrite, type UciChange } from './uci.js';
import type { IfaceEntry, WiFiState } from './WiFiState.js';
import { endpointEnabled, endpointEnablePlan, holdsNetwork, profileEnabled } from './wifi-endpoint-profile-plan.js';
import { EndPointProfiles, registerEndPointProfiles } from './wifi-endpoint-profiles.js';
import { STA_MODES } from './wifi-endpoint-security.js';

export { STA_MODES };
const NO_BSSID = /^(00:){5}00$/i;

/** The EndPoint's wifi-iface holds a network (its referenced Profile). */
const hasProfile = (f: IfaceEntry): boolean => holdsNetwork(f.config);

/** TR-181's rate range (1000-600000 kbps); iwinfo's rates are kbit/s. */
const rate = (kbps: number | undefined): number => Math.min(600_000, Math.max(1000, Math.round(kbps ?? 0)));

/** EndPoint Status and Stats from iwinfo: `info` of the running interface and its assoclist (the AP). */
export function stationLink(f: IfaceEntry, info: IwinfoInfo | undefined, assoc: IwinfoAssoclist | undefined): { status: string; stats: Record<string, Value> } {
  const ap = assoc?.results?.[0];
  const associated = info?.bssid !== undefined && !NO_BSSID.test(info.bssid) && ap !== undefined;
  // An enabled EndPoint whose referenced Profile is disabled has no network it may join.
  const status = !endpointEnabled(f.config, f.disabled) ? 'Disabled' : !hasProfile(f) || !profileEnabled(f.config) ? 'Error_Misconfigured' : associated ? 'Enabled' : 'Error';
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
  const profiles = new EndPointProfiles(ctx, state);
  const link = async (f: IfaceEntry): Promise<ReturnType<typeof stationLink>> => {
    const info = await state.liveInfo(f);
    const assoc = info && f.ifname ? await ctx.ubus<IwinfoAssoclist>('iwinfo', 'assoclist', { device: f.ifname }) : undefined;
    return stationLink(f, info, assoc);
  };
  const profileReference = async (f: IfaceEntry): Promise<string> => {
    const ep = state.endpoints.numberOf(f.section);
    await profiles.list(ep, f); // numbers every Profile first, whichever is read first
    return profiles.reference(ep, f);
  };
  const endpointValues = async (f: IfaceEntry): Promise<Record<string, Value>> => ({
    Enable: endpointEnabled(f.config, f.disabled),
    Status: (await link(f)).status,
    ProfileReference: await profileReference(f),
    SSIDReference: `Device.WiFi.SSID.${state.ssids.numberOf(f.section)}`,
  });

  model.register('Device.WiFi.EndPoint.{i}.', {
    params: ['Enable', 'Status', 'ProfileReference', 'SSIDReference'],
    changesOnlyThroughAgent: false,
    list: async () => state.endpoints.list([...(await state.read()).ifaces.values()].filter((f) => f.mode === 'sta').map((f) => f.section)),
    get: async ([n]) => endpointValues(await endpoint(n)),
    set: async ([n], changes) => {
      const f = await endpoint(n);
      // Both checked before anything is written; ProfileReference is checked by setReference.
      planWrite(await endpointValues(f), changes, { Enable: () => [], ProfileReference: () => [] });
      if (changes.ProfileReference !== undefined) await profiles.setReference(n!, f, changes.ProfileReference);
      if (changes.Enable !== undefined) {
        const now = await endpoint(n);
        if (endpointEnabled(now.config, now.disabled) !== changes.Enable) await write(endpointEnablePlan(now.section, now.config, changes.Enable === true));
      }
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
      const others = await profiles.sectionsOf(f);
      await state.write(async (stage) => {
        await stage.set({ section: f.section, option: 'mode', value: 'ap' });
        await stage.set({ section: f.section, option: 'usp_ap', value: '0' });
        await stage.set({ section: f.section, option: 'disabled', value: '1' });
        for (const o of ['usp_enable', 'usp_ep_enable'].filter((o) => f.config[o] !== undefined)) await stage.set({ section: f.section, option: o, value: '', remove: true });
        for (const s of others) await stage.remove(s);
      });
      state.endpoints.retire(f.section);
      profiles.drop(n!);
    },
  });

  model.register('Device.WiFi.EndPoint.{i}.Stats.', {
    params: ['LastDataDownlinkRate', 'LastDataUplinkRate', 'SignalStrength', 'Retransmissions'],
    changesOnlyThroughAgent: false,
    get: async ([n]) => (await link(await endpoint(n))).stats,
  });
  model.register('Device.WiFi.EndPoint.{i}.Security.', { params: ['ModesSupported'], get: () => ({ ModesSupported: STA_MODES }) });

  registerEndPointProfiles(ctx, state, profiles, endpoint, async (f) => (await link(f)).status);
}
