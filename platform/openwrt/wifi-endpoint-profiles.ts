/**
 * Device.WiFi.EndPoint.{i}.Profile.{i}. and its Security on OpenWrt (TR-181 WiFiEndPoint:1),
 * with the EndPoint's ProfileReference: the networks a station knows, the referenced one held by
 * the station's wifi-iface itself and the others in `usp_wifi_profile` sections
 * (wifi-endpoint-profile-plan.ts says how). Every write is one `uci commit wireless` and
 * `ubus call network reload`, reverted when a step fails (WiFiState.write).
 *
 * Profile instance numbers are kept per EndPoint instance (which survives libuci's renames of an
 * anonymous wifi-iface); the referenced Profile's key is "" (the wifi-iface itself), another's its
 * section, and a ProfileReference change swaps the two keys with the options.
 */
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalReference } from '../reference.js';
import { noSuchInstance, refused } from './convert.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { planWrite, type UciChange } from './uci.js';
import type { IfaceEntry, WiFiState } from './WiFiState.js';
import { dropNetworkPlan, endpointEnabled, holdsNetwork, MAX_PROFILES, opt, PROFILE_TYPE, profileLabels, profileWriters, swapPlan } from './wifi-endpoint-profile-plan.js';
import { profileSecurity, profileSecurityPlan } from './wifi-endpoint-security.js';

/** One Profile: where its options are, and whether it is the one the station runs. */
export interface ProfileEntry {
  /** "" for the referenced Profile (the station's wifi-iface), else its section. */
  key: string;
  section: string;
  config: Readonly<Record<string, unknown>>;
  referenced: boolean;
}

/** The Profiles of the stations, with their instance numbers. */
export class EndPointProfiles {
  private readonly numbers = new Map<number, InstanceMap>();

  constructor(
    private readonly ctx: OpenWrtContext,
    private readonly state: WiFiState,
  ) {}

  /** The instance numbers of EndPoint `ep`'s Profiles. */
  map(ep: number): InstanceMap {
    let m = this.numbers.get(ep);
    if (!m) this.numbers.set(ep, (m = new InstanceMap()));
    return m;
  }

  /** Forgets a deleted EndPoint's numbering. */
  drop(ep: number): void {
    this.numbers.delete(ep);
  }

  /** The Profiles of station `f` (EndPoint `ep`), numbered, the referenced one first. */
  async list(ep: number, f: IfaceEntry): Promise<Array<ProfileEntry & { n: number }>> {
    const out: ProfileEntry[] = holdsNetwork(f.config) ? [{ key: '', section: f.section, config: f.config, referenced: true }] : [];
    for (const s of await this.ctx.uci('wireless')) {
      if (s.type === PROFILE_TYPE && opt(s.options, 'endpoint') === f.section) out.push({ key: s.name, section: s.name, config: s.options, referenced: false });
    }
    const m = this.map(ep);
    m.list(out.map((p) => p.key));
    return out.map((p) => ({ ...p, n: m.numberOf(p.key) }));
  }

  /** Profile `p` of station `f`, or 7016. */
  async profile(ep: number, f: IfaceEntry, p: number | undefined): Promise<ProfileEntry & { n: number }> {
    const found = (await this.list(ep, f)).find((e) => e.n === p);
    if (!found) throw noSuchInstance('Profile', p);
    return found;
  }

  /** ProfileReference of station `f`: its own network's Profile, "" without one. */
  reference(ep: number, f: IfaceEntry): string {
    return holdsNetwork(f.config) ? `Device.WiFi.EndPoint.${ep}.Profile.${this.map(ep).numberOf('')}` : '';
  }

  /**
   * ProfileReference set: the named Profile's options move into the wifi-iface (a swap). "" is
   * refused while the station runs a network: OpenWrt's station always joins the one it holds
   * (disable the EndPoint or the Profile instead).
   */
  async setReference(ep: number, f: IfaceEntry, value: Value): Promise<void> {
    const ref = canonicalReference(String(value));
    if (ref === this.reference(ep, f)) return;
    const bad = (message: string): UspError => refused([{ param: 'ProfileReference', message }]);
    if (ref === '') throw bad('an OpenWrt station joins the network its wifi-iface holds: disable the EndPoint or its Profile instead');
    const m = new RegExp(`^Device\\.WiFi\\.EndPoint\\.${ep}\\.Profile\\.(\\d+)$`).exec(ref);
    if (!m) throw bad(`${ref} is not a Profile of Device.WiFi.EndPoint.${ep}`);
    const target = (await this.list(ep, f)).find((e) => e.n === Number(m[1]));
    if (!target) throw bad(`${ref} names no Profile`);
    if (!holdsNetwork(target.config)) throw bad(`${ref} has no SSID to join`);
    const { changes, removeTarget } = swapPlan(f, target);
    await this.state.write(async (stage) => {
      for (const c of changes) await stage.set(c);
      if (removeTarget) await stage.remove(target.section);
    });
    const had = holdsNetwork(f.config);
    this.map(ep).rekey(
      had
        ? [
            ['', target.key],
            [target.key, ''],
          ]
        : [[target.key, '']],
    );
  }

  /** The `usp_wifi_profile` sections of station `f` (deleted with it). */
  async sectionsOf(f: IfaceEntry): Promise<string[]> {
    return (await this.ctx.uci('wireless')).filter((s) => s.type === PROFILE_TYPE && opt(s.options, 'endpoint') === f.section).map((s) => s.name);
  }
}

/** The first `usp_wprof<k>` no section of the wireless config is named. */
async function freeProfileName(ctx: OpenWrtContext): Promise<string> {
  const taken = new Set((await ctx.uci('wireless')).map((s) => s.name));
  let k = 1;
  while (taken.has(`usp_wprof${k}`)) k++;
  return `usp_wprof${k}`;
}

/** Registers Device.WiFi.EndPoint.{i}.Profile.{i}. and its Security; `endpoint` finds the station of an EndPoint instance (7016). */
export function registerEndPointProfiles(
  ctx: OpenWrtContext,
  state: WiFiState,
  profiles: EndPointProfiles,
  endpoint: (n: number | undefined) => Promise<IfaceEntry>,
  linkStatus: (f: IfaceEntry) => Promise<string>,
): void {
  const write = async (changes: UciChange[]): Promise<void> => {
    if (changes.length === 0) return;
    await state.write(async (stage) => {
      for (const c of changes) await stage.set(c);
    });
  };
  const values = async (f: IfaceEntry, p: ProfileEntry): Promise<Record<string, Value>> => {
    const labels = profileLabels(p.config);
    // Active: the station is associated on it; Available: enabled, not the one in use (or not associated).
    const status = !labels.Enable ? 'Disabled' : p.referenced && (await linkStatus(f)) === 'Enabled' ? 'Active' : p.referenced && !f.disabled ? 'Error' : 'Available';
    return { ...labels, Status: status };
  };
  const located = async ([n, p]: readonly number[]): Promise<{ ep: number; f: IfaceEntry; entry: ProfileEntry }> => {
    const f = await endpoint(n);
    return { ep: n!, f, entry: await profiles.profile(n!, f, p) };
  };

  ctx.model.register('Device.WiFi.EndPoint.{i}.Profile.{i}.', {
    params: ['Enable', 'Status', 'SSID', 'Location', 'Priority'],
    changesOnlyThroughAgent: false,
    list: async ([n]) => (await profiles.list(n!, await endpoint(n))).map((p) => p.n),
    get: async (keys) => {
      const { f, entry } = await located(keys);
      return values(f, entry);
    },
    set: async (keys, changes) => {
      const { f, entry } = await located(keys);
      await write(planWrite(await values(f, entry), changes, profileWriters(entry.section, entry.config, entry.referenced, endpointEnabled(f.config, f.disabled))));
    },
    add: async ([n], params) => {
      const f = await endpoint(n);
      const existing = await profiles.list(n!, f);
      if (existing.length >= MAX_PROFILES) throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_PROFILES} Profiles per EndPoint`);
      const blank = { Enable: true, SSID: '', Location: '', Priority: 0 };
      const given = Object.fromEntries(Object.entries(params).filter(([k, v]) => blank[k as keyof typeof blank] !== v));
      // A station without a network takes the new one as its own (it becomes the referenced Profile).
      const own = !holdsNetwork(f.config) && String(params.SSID ?? '') !== '';
      if (own) {
        const planned = planWrite({ ...blank, Status: '' }, given, profileWriters(f.section, { ...f.config, ssid: undefined }, true, endpointEnabled(f.config, f.disabled)));
        await write(planned);
        return profiles.map(n!).numberOf('');
      }
      const name = await freeProfileName(ctx);
      const planned = planWrite({ ...blank, Status: '' }, given, profileWriters(name, {}, false, false));
      await state.write(async (stage) => {
        await stage.create(name, PROFILE_TYPE);
        await stage.set({ section: name, option: 'endpoint', value: f.section });
        await stage.set({ section: name, option: 'encryption', value: 'none' });
        for (const c of planned) await stage.set(c);
      });
      return profiles.map(n!).numberOf(name);
    },
    delete: async (keys) => {
      const { ep, f, entry } = await located(keys);
      if (entry.referenced) await write(dropNetworkPlan(f.section, f.config, f.disabled));
      else await state.write(async (stage) => stage.remove(entry.section));
      profiles.map(ep).retire(entry.key);
    },
  });

  ctx.model.register('Device.WiFi.EndPoint.{i}.Profile.{i}.Security.', {
    params: ['ModeEnabled', 'WEPKey', 'PreSharedKey', 'KeyPassphrase'],
    get: async (keys) => profileSecurity((await located(keys)).entry.config),
    set: async (keys, changes) => {
      const { entry } = await located(keys);
      await write(profileSecurityPlan(entry.section, profileSecurity(entry.config), changes));
    },
  });
}
