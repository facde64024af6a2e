/**
 * Device.RouterAdvertisement. on OpenWrt from odhcpd's options in the `dhcp` UCI config: each
 * `config dhcp` section (one per netifd interface) with an `ra` mode is an InterfaceSetting row
 * (router-advertisement-enable.ts). Writes go through `uci`, `uci commit dhcp` and the
 * config.change event for `dhcp` (DhcpState.write), on which procd reloads odhcpd (its init
 * script's reload trigger on `dhcp`), as LuCI's apply does.
 *
 * | TR-181 (InterfaceSetting.{i}.) | odhcpd option (default when absent) |
 * |---|---|
 * | the row | `ra` 'server', 'hybrid', 'relay' or 'disabled'; Add sets it on the Interface's section (or creates one), Delete removes it and the options below |
 * | Enable | `ra` 'server' or 'hybrid'; false writes 'disabled' |
 * | Interface | `interface`: a new one moves the row's options to that interface's section (created with `ignore '1'` if none; one with a row: 7012) |
 * | MaxRtrAdvInterval, MinRtrAdvInterval, AdvDefaultLifetime | `ra_maxinterval` (600), `ra_mininterval` (200), `ra_lifetime` (1800, at most 9000) |
 * | AdvManagedFlag, AdvOtherConfigFlag, AdvMobileAgentFlag | `ra_flags` list items managed-config, other-config, home-agent ('none' for none); without it the older `ra_management` (0: O, 1: M+O, 2: M), else odhcpd's default, other-config. A write replaces the list and drops `ra_management` |
 * | AdvPreferredRouterFlag | `ra_preference` high/medium/low (medium) |
 * | AdvLinkMTU, AdvReachableTime, AdvRetransTimer, AdvCurHopLimit | `ra_mtu` (0 deletes it), `ra_reachabletime`, `ra_retranstime` (at most 60000), `ra_hoplimit` (0) |
 * | AdvNDProxyFlag | none: read-only, false (odhcpd never sets the P flag) |
 *
 * Option.{i} is not served (odhcpd sends no arbitrary option). RouterAdvertisement.Enable is a
 * kept-aside switch (router-advertisement-enable.ts): odhcpd has none of its own.
 */
import type { UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { RA_SETTING, RA_SETTING_PARAMS, raSettingProblems, ROUTER_ADVERTISEMENT } from '../router-advertisement-rules.js';
import { noSuchInstance, refused } from './convert.js';
import type { DhcpState } from './DhcpState.js';
import type { IPInterfaces } from './ip.js';
import { type ParamWriter, planWrite, type UciChange } from './uci.js';
import { listOption, stringOption, type UciConfig, type UciSection } from './uci-show.js';
import { RA_MODE_OPTION, raEnableChanges, raOff, raRowDeleteChanges, raRowEnableChanges, raRowEnabled, raRowMoveChanges, raRowSections } from './router-advertisement-enable.js';

/** Served: the profile's parameters; Alias is the agent's (by section name, rowIdentity). */
const PARAMS = RA_SETTING_PARAMS.filter((p) => p !== 'Alias');
const WRITABLE = [
  'Enable',
  'Interface',
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
/** odhcpd's bound on `ra_retranstime` (ms): past it, it leaves the interface unconfigured. */
const ODHCPD_MAX_RETRANS = 60000;

/** The `ra_flags` items in force: the list, else `ra_management`, else odhcpd's default. */
function flagItems(s: UciSection): string[] {
  if (s.options.ra_flags !== undefined) return listOption(s.options.ra_flags);
  const management = stringOption(s.options.ra_management);
  if (management === '1') return ['managed-config', 'other-config'];
  if (management === '2') return ['managed-config'];
  return ['other-config'];
}

/** An InterfaceSetting row as read from its section. */
async function values(s: UciSection, ip: IPInterfaces, off: boolean): Promise<Record<string, Value>> {
  const items = flagItems(s);
  const out: Record<string, Value> = {
    Enable: raRowEnabled(s, off),
    Interface: await ip.pathOf(stringOption(s.options.interface)),
    AdvPreferredRouterFlag: ({ high: 'High', low: 'Low' } as Record<string, string>)[stringOption(s.options.ra_preference) ?? ''] ?? 'Medium',
    AdvNDProxyFlag: false,
  };
  for (const [param, option, dflt] of NUMBERS) {
    const n = Number(stringOption(s.options[option]) ?? dflt);
    out[param] = Number.isInteger(n) && n >= 0 ? n : dflt;
  }
  for (const [param, item] of FLAGS) out[param] = items.includes(item);
  out.Status = out.Enable !== true || off ? 'Disabled' : out.Interface === '' ? 'Error_Misconfigured' : 'Enabled';
  return out;
}

/** The UCI changes of a Set of a row's RA options (Enable aside), or a refusal (7012/7013). */
export function raOptionChanges(s: UciSection, current: Record<string, Value>, changes: Record<string, Value>): UciChange[] {
  const bad = raSettingProblems({ ...current, ...changes }, changes);
  if (Number(changes.AdvDefaultLifetime ?? 0) > ODHCPD_MAX_LIFETIME) bad.push({ param: 'AdvDefaultLifetime', message: `odhcpd advertises router lifetimes up to ${ODHCPD_MAX_LIFETIME} s` });
  // odhcpd drops the whole interface from its configuration on a value past these bounds.
  if (Number(changes.AdvRetransTimer ?? 0) > ODHCPD_MAX_RETRANS) bad.push({ param: 'AdvRetransTimer', message: `odhcpd advertises retransmission timers up to ${ODHCPD_MAX_RETRANS} ms` });
  if (bad.length > 0) throw refused(bad);
  const opt = (option: string, value: string): UciChange => ({ section: s.name, option, value });
  const drop = (option: string): UciChange[] => (s.options[option] !== undefined ? [{ ...opt(option, ''), remove: true }] : []);
  let flagsDone = false;
  const writeFlags = (): UciChange[] => {
    if (flagsDone) return [];
    flagsDone = true;
    const items = FLAGS.filter(([param]) => (changes[param] ?? current[param]) === true).map(([, item]) => item);
    if (items.join() === flagItems(s).join()) return [];
    return [...drop('ra_flags'), ...drop('ra_management'), ...(items.length > 0 ? items : ['none']).map((item) => ({ ...opt('ra_flags', item), append: true }))];
  };
  const writers: Record<string, ParamWriter> = {
    AdvPreferredRouterFlag: (v) => (v === current.AdvPreferredRouterFlag ? [] : [opt('ra_preference', String(v).toLowerCase())]),
  };
  // ra_mtu 0 is no MTU to odhcpd but an error (it takes 1280-65535): 0 deletes the option.
  for (const [param, option] of NUMBERS) writers[param] = (v) => (v === current[param] ? [] : v === 0 && option === 'ra_mtu' ? drop(option) : [opt(option, String(v))]);
  for (const [param] of FLAGS) writers[param] = () => writeFlags();
  return planWrite(current, changes, writers);
}

/** Serves Device.RouterAdvertisement. and InterfaceSetting.{i}. over the `dhcp` sections. */
export function registerRouterAdvertisement(state: DhcpState, ip: IPInterfaces): void {
  const { model } = state.ctx;
  const rows = async (): Promise<{ config: UciConfig; rows: UciSection[] }> => {
    const config = await state.config();
    const found = raRowSections(config);
    state.raSettings.list(found.map((s) => s.name));
    return { config, rows: found };
  };
  const row = async (n: number | undefined): Promise<{ s: UciSection; off: boolean }> => {
    const { config, rows: found } = await rows();
    const s = found.find((r) => r.name === state.raSettings.keyOf(n));
    if (!s) throw noSuchInstance('RouterAdvertisement.InterfaceSetting', n);
    return { s, off: raOff(config) };
  };
  const write = (changes: readonly UciChange[]): Promise<string[]> =>
    state.write(async (stage) => {
      for (const c of changes) await stage.set(c);
    });

  model.register(ROUTER_ADVERTISEMENT, {
    params: ['Enable'],
    get: async () => ({ Enable: !raOff(await state.config()) }),
    set: async (_keys, changes) => {
      const config = await state.config();
      const planned = planWrite({ Enable: !raOff(config) }, changes, { Enable: (v) => raEnableChanges(config, v) });
      if (planned.length > 0) await write(planned);
    },
  });

  model.register(RA_SETTING, {
    params: PARAMS,
    writable: WRITABLE,
    list: async () => state.raSettings.list((await rows()).rows.map((s) => s.name)),
    rowIdentity: ([n]) => state.raSettings.keyOf(n),
    get: async ([n]) => {
      const { s, off } = await row(n);
      return values(s, ip, off);
    },
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['Interface']);
      const { s, off } = await row(n);
      const current = await values(s, ip, off);
      const rest = { ...changes };
      delete rest.Enable;
      delete rest.Interface;
      if (changes.Interface === undefined || changes.Interface === current.Interface) {
        const planned = [...(changes.Enable === undefined ? [] : raRowEnableChanges(s, changes.Enable === true, off)), ...raOptionChanges(s, current, rest)];
        if (planned.length > 0) await write(planned);
        return;
      }
      // A new Interface: the row's options move to that interface's section (created if none).
      const { config, rows: found } = await rows();
      const ifname = changes.Interface === '' ? undefined : await ip.nameOf(String(changes.Interface));
      if (ifname === undefined) throw refused([{ param: 'Interface', message: 'name the Device.IP.Interface odhcpd is to advertise on' }]);
      const existing = config.find((c) => c.type === 'dhcp' && stringOption(c.options.interface) === ifname);
      if (existing && found.includes(existing)) throw refused([{ param: 'Interface', message: `${ifname} has its InterfaceSetting already` }]);
      const { changes: move, moved } = raRowMoveChanges(s, existing ?? { name: '', type: 'dhcp', options: {} });
      const planned = [...move, ...(changes.Enable === undefined ? [] : raRowEnableChanges(moved, changes.Enable === true, off)), ...raOptionChanges(moved, current, rest)];
      let target = existing?.name;
      if (existing) await write(planned);
      else
        [target] = await state.write(async (stage) => {
          const created = await stage.add('dhcp');
          for (const [option, value] of [
            ['interface', ifname],
            ['ignore', '1'],
          ])
            await stage.set({ section: created, option: option!, value: value! });
          for (const c of planned) await stage.set(c.section === '' ? { ...c, section: created } : c);
        });
      state.raSettings.rekey([[s.name, target!]]);
    },
    // A row is an interface's `ra` mode: Add gives that interface's section one (or creates the
    // section, `ignore '1'` so dnsmasq leaves the interface alone; odhcpd still advertises).
    add: async (_parent, params) => {
      canonicalizeReferences(params, ['Interface']);
      const bad = (message: string): UspError => refused([{ param: 'Interface', message }]);
      const ifname = typeof params.Interface === 'string' && params.Interface !== '' ? await ip.nameOf(params.Interface) : undefined;
      if (ifname === undefined) throw bad('name the Device.IP.Interface odhcpd is to advertise on');
      const { config, rows: found } = await rows();
      const existing = config.find((s) => s.type === 'dhcp' && stringOption(s.options.interface) === ifname);
      if (existing && found.includes(existing)) throw bad(`${ifname} has its InterfaceSetting already`);
      const off = raOff(config);
      // TR-181's default Enable is false: the row exists as `ra 'disabled'` until it is enabled.
      const first: Array<[string, string]> = [
        ['ra', params.Enable === true && !off ? 'server' : 'disabled'],
        ...(params.Enable === true && off ? [[RA_MODE_OPTION, 'server'] as [string, string]] : []),
      ];
      const rest = { ...params };
      for (const p of ['Interface', 'Enable', 'Alias']) delete rest[p];
      const target: UciSection = existing ?? { name: '', type: 'dhcp', options: {} };
      const planned = raOptionChanges(target, await values(target, ip, off), rest);
      if (existing) {
        await write([...first.map(([option, value]) => ({ section: existing.name, option, value })), ...planned]);
        return state.raSettings.numberOf(existing.name);
      }
      const [name] = await state.write(async (stage) => {
        const created = await stage.add('dhcp');
        for (const [option, value] of [['interface', ifname], ['ignore', '1'], ...first]) await stage.set({ section: created, option: option!, value: value! });
        for (const c of planned) await stage.set({ ...c, section: created });
      });
      return state.raSettings.numberOf(name!);
    },
    // The section stays (it may hold the DHCPv4 and DHCPv6 pools): only the RA options go.
    delete: async ([n]) => {
      const { s } = await row(n);
      await write(raRowDeleteChanges(s));
      state.raSettings.retire(s.name);
    },
  });
}
