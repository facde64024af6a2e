/**
 * Device.RouterAdvertisement. on OpenWrt from odhcpd's options in the `dhcp` UCI config: each
 * `config dhcp` section (one per netifd interface, the same sections as DHCPv4.Server.Pool.{i},
 * numbered alike) is an InterfaceSetting row. Writes go through `uci`, `uci commit dhcp` and the
 * config.change event for `dhcp` (DhcpState.write), on which procd reloads odhcpd (its init
 * script's reload trigger on `dhcp`), as LuCI's apply does.
 *
 * | TR-181 (InterfaceSetting.{i}.) | odhcpd option (default when absent) |
 * |---|---|
 * | Enable | `ra` 'server' (absent, 'disabled', 'relay', 'hybrid': false; false deletes it) |
 * | Interface | `interface` (read-only here: it is the Pool's too) |
 * | MaxRtrAdvInterval, MinRtrAdvInterval, AdvDefaultLifetime | `ra_maxinterval` (600), `ra_mininterval` (200), `ra_lifetime` (1800) |
 * | AdvManagedFlag, AdvOtherConfigFlag, AdvMobileAgentFlag | `ra_flags` list items managed-config, other-config, home-agent ('none' for none); without it the older `ra_management` (0: O, 1: M+O, 2: M), else odhcpd's default, other-config. A write replaces the list and drops `ra_management` |
 * | AdvPreferredRouterFlag | `ra_preference` high/medium/low (medium) |
 * | AdvLinkMTU, AdvReachableTime, AdvRetransTimer, AdvCurHopLimit | `ra_mtu`, `ra_reachabletime`, `ra_retranstime`, `ra_hoplimit` (0) |
 * | AdvNDProxyFlag | none: read-only, false (odhcpd never sets the P flag) |
 *
 * Rows cannot be added or deleted here (a `config dhcp` section is the Pool's), Option.{i} is
 * not served (odhcpd sends no arbitrary option) and RouterAdvertisement.Enable reads whether any
 * row advertises (odhcpd has no switch of its own beside each section's `ra`).
 */
import type { Value } from '../../datamodel/value/Value.js';
import { RA_SETTING, RA_SETTING_PARAMS, raSettingProblems, ROUTER_ADVERTISEMENT } from '../router-advertisement-rules.js';
import { noSuchInstance, refused } from './convert.js';
import type { DhcpState } from './DhcpState.js';
import type { IPInterfaces } from './ip.js';
import { type ParamWriter, planWrite, type UciChange } from './uci.js';
import { listOption, stringOption, type UciSection } from './uci-show.js';

/** Served: the profile's parameters; Alias is the agent's (by section name, rowIdentity). */
const PARAMS = RA_SETTING_PARAMS.filter((p) => p !== 'Alias');
const WRITABLE = [
  'Enable',
  'MaxRtrAdvInterval',
  'MinRtrAdvInterval',
  'AdvDefaultLifetime',
  'AdvManagedFlag',
  'AdvOtherConfigFlag',
  'AdvMobileAgentFlag',
  'AdvPreferredRouterFlag',
  'AdvLinkMTU',
  'AdvReachableTime',
  'AdvRetransTimer',
  'AdvCurHopLimit',
] as const;
const NUMBERS: ReadonlyArray<[param: string, option: string, dflt: number]> = [
  ['MaxRtrAdvInterval', 'ra_maxinterval', 600],
  ['MinRtrAdvInterval', 'ra_mininterval', 200],
  ['AdvDefaultLifetime', 'ra_lifetime', 1800],
  ['AdvLinkMTU', 'ra_mtu', 0],
  ['AdvReachableTime', 'ra_reachabletime', 0],
  ['AdvRetransTimer', 'ra_retranstime', 0],
  ['AdvCurHopLimit', 'ra_hoplimit', 0],
];
const FLAGS: ReadonlyArray<[param: string, item: string]> = [
  ['AdvManagedFlag', 'managed-config'],
  ['AdvOtherConfigFlag', 'other-config'],
  ['AdvMobileAgentFlag', 'home-agent'],
];
/** odhcpd's router lifetime bound (RFC 4861's 9000 s). */
const ODHCPD_MAX_LIFETIME = 9000;

/** The `ra_flags` items in force: the list, else `ra_management`, else odhcpd's default. */
function flagItems(s: UciSection): string[] {
  if (s.options.ra_flags !== undefined) return listOption(s.options.ra_flags);
  const management = stringOption(s.options.ra_management);
  if (management === '1') return ['managed-config', 'other-config'];
  if (management === '2') return ['managed-config'];
  return ['other-config'];
}

/** An InterfaceSetting row as read from its section. */
async function values(s: UciSection, ip: IPInterfaces): Promise<Record<string, Value>> {
  const items = flagItems(s);
  const out: Record<string, Value> = {
    Enable: stringOption(s.options.ra) === 'server',
    Interface: await ip.pathOf(stringOption(s.options.interface)),
    AdvPreferredRouterFlag: ({ high: 'High', low: 'Low' } as Record<string, string>)[stringOption(s.options.ra_preference) ?? ''] ?? 'Medium',
    AdvNDProxyFlag: false,
  };
  for (const [param, option, dflt] of NUMBERS) {
    const n = Number(stringOption(s.options[option]) ?? dflt);
    out[param] = Number.isInteger(n) && n >= 0 ? n : dflt;
  }
  for (const [param, item] of FLAGS) out[param] = items.includes(item);
  out.Status = out.Enable !== true ? 'Disabled' : out.Interface === '' ? 'Error_Misconfigured' : 'Enabled';
  return out;
}

/** Serves Device.RouterAdvertisement. and InterfaceSetting.{i}. over the `dhcp` sections. */
export function registerRouterAdvertisement(state: DhcpState, ip: IPInterfaces): void {
  const { model } = state.ctx;
  const sections = async (): Promise<Map<string, UciSection>> => {
    const out = new Map<string, UciSection>();
    for (const s of (await state.config()).filter((c) => c.type === 'dhcp')) out.set(s.name, s);
    state.pools.list(out.keys());
    return out;
  };
  const section = async (n: number | undefined): Promise<UciSection> => {
    const s = (await sections()).get(state.pools.keyOf(n) ?? '');
    if (!s) throw noSuchInstance('RouterAdvertisement.InterfaceSetting', n);
    return s;
  };

  model.register(ROUTER_ADVERTISEMENT, {
    params: ['Enable'],
    writable: [],
    get: async () => ({ Enable: [...(await sections()).values()].some((s) => stringOption(s.options.ra) === 'server') }),
  });

  model.register(RA_SETTING, {
    params: PARAMS,
    writable: WRITABLE,
    list: async () => state.pools.list((await sections()).keys()),
    rowIdentity: ([n]) => state.pools.keyOf(n),
    get: async ([n]) => values(await section(n), ip),
    set: async ([n], changes) => {
      const s = await section(n);
      const current = await values(s, ip);
      const bad = raSettingProblems({ ...current, ...changes }, changes);
      if (Number(changes.AdvDefaultLifetime ?? 0) > ODHCPD_MAX_LIFETIME) bad.push({ param: 'AdvDefaultLifetime', message: `odhcpd advertises router lifetimes up to ${ODHCPD_MAX_LIFETIME} s` });
      if (bad.length > 0) throw refused(bad);
      const opt = (option: string, value: string): UciChange => ({ section: s.name, option, value });
      let flagsDone = false;
      const writeFlags = (): UciChange[] => {
        if (flagsDone) return [];
        flagsDone = true;
        const items = FLAGS.filter(([param]) => (changes[param] ?? current[param]) === true).map(([, item]) => item);
        if (items.join() === flagItems(s).join()) return [];
        return [
          ...(s.options.ra_flags !== undefined ? [{ ...opt('ra_flags', ''), remove: true }] : []),
          ...(s.options.ra_management !== undefined ? [{ ...opt('ra_management', ''), remove: true }] : []),
          ...(items.length > 0 ? items : ['none']).map((item) => ({ ...opt('ra_flags', item), append: true })),
        ];
      };
      const writers: Record<string, ParamWriter> = {
        // `uci delete` of an option that is not there fails ("Entry not found"): only a change is written.
        Enable: (v) => (v === current.Enable ? [] : v ? [opt('ra', 'server')] : [{ ...opt('ra', ''), remove: true }]),
        AdvPreferredRouterFlag: (v) => (v === current.AdvPreferredRouterFlag ? [] : [opt('ra_preference', String(v).toLowerCase())]),
      };
      for (const [param, option] of NUMBERS) writers[param] = (v) => (v === current[param] ? [] : [opt(option, String(v))]);
      for (const [param] of FLAGS) writers[param] = () => writeFlags();
      const planned = planWrite(current, changes, writers);
      if (planned.length > 0)
        await state.write(async (stage) => {
          for (const c of planned) await stage.set(c);
        });
    },
  });
}
