/**
 * Device.DHCPv6.Server. on OpenWrt from odhcpd: its configuration is the `config dhcp` sections
 * of the `dhcp` UCI config (one per netifd interface, shared with the DHCPv4 pools and
 * RouterAdvertisement), its leases `ubus call dhcp ipv6leases` (odhcpd-leases.ts). Writes go
 * through DhcpState.write: `uci`, `uci commit dhcp`, the config.change event on which procd
 * reloads odhcpd, as for the router advertisement options.
 *
 * | TR-181 (Pool.{i}.) | odhcpd option of the `dhcp` section (default when absent) |
 * |---|---|
 * | the row | a section with `dhcpv6` 'server', 'hybrid' or 'disabled' (absent: odhcpd's default, disabled, and no row; 'relay' is no server) |
 * | Enable | `dhcpv6` 'server' or 'hybrid'; false writes 'disabled' |
 * | Interface | `interface` (read-only: the section's, the DHCPv4 pool's too) |
 * | Order | the row's place among the rows (read-only: odhcpd serves one pool per interface) |
 * | IANAEnable, IAPDEnable | `dhcpv6_na`, `dhcpv6_pd` (1) |
 * | IANAPrefixes | the Interface's IPv6Prefix rows netifd assigned it (Origin Child), while the pool serves addresses |
 * | Client.{i} | the `ipv6leases` of the interface's device, one per DUID; IPv6Address/IPv6Prefix from `ipv6-addr`/`ipv6-prefix`, Option 1 the DUID |
 *
 * - Add (Interface required: an odhcpd pool is an interface's) gives that interface's section
 *   `dhcpv6`, or creates one with `ignore '1'` (DHCPv6 only: dnsmasq leaves the interface
 *   alone); Delete removes `dhcpv6` (the section stays: it holds the DHCPv4 pool and the RA).
 * - Server.Enable: odhcpd has no switch of its own beside each section's `dhcpv6`; false
 *   disables every serving pool, keeping its mode in an option of the agent's, true gives them
 *   back (dhcpv6-server-enable.ts). Status Error while odhcpd does not answer on ubus.
 * - Not served: Option.{i} (odhcpd sends no option a Controller could choose; its undocumented
 *   `dhcpv6_raw` aside), IAPDAddLength, IAPDPrefixes and the pool criteria.
 * - Client SourceAddress: odhcpd does not report it; found from the kernel's IPv6 neighbours by
 *   the DUID's MAC (platform/linux/dhcpv6-source-address.ts), else "".
 */
import type { ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { clientSourceAddress } from '../linux/dhcpv6-source-address.js';
import { canonicalizeReferences } from '../reference.js';
import { lifetimeEnd, noSuchInstance, refused } from './convert.js';
import type { DhcpState } from './DhcpState.js';
import type { IPInterfaces } from './ip.js';
import { DHCPV6_MODE_OPTION, dhcpv6ServerEnableChanges, dhcpv6ServerOff, v6PoolEnableChanges, v6PoolEnabled } from './dhcpv6-server-enable.js';
import { type OdhcpdLease, parseIpv6Leases } from './odhcpd-leases.js';
import type { InterfaceDump } from './ubus-types.js';
import { type ParamWriter, planWrite, type UciChange } from './uci.js';
import { stringOption, uciBool, type UciConfig, type UciSection } from './uci-show.js';

const SERVER = 'Device.DHCPv6.Server.';
const POOL = 'Device.DHCPv6.Server.Pool.{i}.';
const CLIENT = `${POOL}Client.{i}.`;
const POOL_PARAMS = ['Enable', 'Status', 'Order', 'Interface', 'IANAEnable', 'IAPDEnable', 'IANAPrefixes'] as const;
const POOL_WRITABLE = ['Enable', 'IANAEnable', 'IAPDEnable'] as const;
/** The `dhcpv6` modes that make a section a Pool row, and those of them that serve. */
const POOL_MODES = new Set(['server', 'hybrid', 'disabled']);
const SERVING = new Set(['server', 'hybrid']);

/** The Pool rows: `config dhcp` sections with a server mode, in config order. */
export function v6PoolSections(config: UciConfig): UciSection[] {
  return config.filter((s) => s.type === 'dhcp' && POOL_MODES.has(stringOption(s.options.dhcpv6) ?? ''));
}

/** A Pool row as read from its section (Interface resolved by the caller). */
export function v6PoolValues(s: UciSection, order: number, serverOff = false): Record<string, Value> {
  return {
    Enable: v6PoolEnabled(s, serverOff),
    Order: order,
    IANAEnable: uciBool(s.options.dhcpv6_na, true),
    IAPDEnable: uciBool(s.options.dhcpv6_pd, true),
  };
}

/** The UCI changes of a Set of Enable/IANAEnable/IAPDEnable (a refusal for the rest: planWrite). */
export function v6PoolChanges(s: UciSection, current: Record<string, Value>, changes: Record<string, Value>, serverOff = false): UciChange[] {
  const opt = (option: string, value: string): UciChange => ({ section: s.name, option, value });
  // A true flag deletes the option (odhcpd's default is on); `uci delete` of an absent option fails.
  const flag =
    (option: string, param: string): ParamWriter =>
    (v) =>
      v === current[param] ? [] : v === true ? (s.options[option] !== undefined ? [{ ...opt(option, ''), remove: true }] : []) : [opt(option, '0')];
  return planWrite(current, changes, {
    Enable: (v) => v6PoolEnableChanges(s, v === true, serverOff),
    IANAEnable: flag('dhcpv6_na', 'IANAEnable'),
    IAPDEnable: flag('dhcpv6_pd', 'IAPDEnable'),
  });
}

/** Serves Device.DHCPv6.Server., Pool.{i} (add, delete, set) and the pools' Client tables. */
export function registerOpenWrtDHCPv6Server(state: DhcpState, ip: IPInterfaces): void {
  const { model } = state.ctx;
  const clients = new InstanceMap();

  const pools = async (): Promise<{ config: UciConfig; rows: UciSection[] }> => {
    const config = await state.config();
    const rows = v6PoolSections(config);
    state.v6pools.list(rows.map((s) => s.name));
    return { config, rows };
  };
  const pool = async (n: number | undefined): Promise<{ s: UciSection; order: number; off: boolean }> => {
    const { config, rows } = await pools();
    const name = state.v6pools.keyOf(n);
    const i = rows.findIndex((s) => s.name === name);
    if (i < 0) throw noSuchInstance('DHCPv6 pool', n);
    return { s: rows[i]!, order: i + 1, off: dhcpv6ServerOff(config) };
  };
  const values = async (s: UciSection, order: number, off: boolean): Promise<Record<string, Value>> => {
    const v = v6PoolValues(s, order, off);
    v.Interface = await ip.pathOf(stringOption(s.options.interface));
    v.Status = v.Enable !== true || off ? 'Disabled' : v.Interface === '' ? 'Error_Misconfigured' : (await odhcpdAnswers(state)) ? 'Enabled' : 'Error';
    v.IANAPrefixes = v.Status === 'Enabled' && v.IANAEnable === true ? await assignedPrefixes(model, String(v.Interface)) : '';
    return v;
  };
  const write = (changes: readonly UciChange[]): Promise<string[]> =>
    state.write(async (stage) => {
      for (const c of changes) await stage.set(c);
    });

  model.register(SERVER, {
    params: ['Enable'],
    get: async () => ({ Enable: !dhcpv6ServerOff(await state.config()) }),
    set: async (_keys, changes) => {
      const { config, rows } = await pools();
      const planned = planWrite({ Enable: !dhcpv6ServerOff(config) }, changes, { Enable: (v) => dhcpv6ServerEnableChanges(config, rows, v) });
      if (planned.length > 0) await write(planned);
    },
  });

  model.register(POOL, {
    params: POOL_PARAMS,
    writable: POOL_WRITABLE,
    list: async () => state.v6pools.list((await pools()).rows.map((s) => s.name)),
    rowIdentity: ([n]) => state.v6pools.keyOf(n),
    get: async ([n]) => {
      const { s, order, off } = await pool(n);
      return values(s, order, off);
    },
    set: async ([n], changes) => {
      const { s, order, off } = await pool(n);
      const planned = v6PoolChanges(s, await values(s, order, off), changes, off);
      if (planned.length > 0) await write(planned);
    },
    add: async (_parent, params) => {
      canonicalizeReferences(params, ['Interface']);
      const bad = (message: string): UspError => refused([{ param: 'Interface', message }]);
      const ifname = typeof params.Interface === 'string' && params.Interface !== '' ? await ip.nameOf(params.Interface) : undefined;
      if (ifname === undefined) throw bad('name the Device.IP.Interface odhcpd is to serve DHCPv6 on');
      const config = await state.config();
      const existing = config.find((s) => s.type === 'dhcp' && stringOption(s.options.interface) === ifname);
      if (existing && v6PoolSections(config).includes(existing)) throw bad(`${ifname} has its DHCPv6 pool already`);
      // A relay's section stays a relay: the Controller switches it off first (UCI, not this table).
      if (existing && stringOption(existing.options.dhcpv6) === 'relay') throw bad(`odhcpd relays DHCPv6 on ${ifname}`);
      // While the server is off a new enabled pool waits, its mode kept (dhcpv6-server-enable.ts).
      const off = dhcpv6ServerOff(config);
      const mode = params.Enable === true && !off ? 'server' : 'disabled';
      const kept = params.Enable === true && off ? [['usp_dhcpv6_mode', 'server']] : [];
      const rest = { ...params };
      delete rest.Interface;
      delete rest.Enable;
      delete rest.Alias;
      if (existing) {
        const planned = v6PoolChanges(existing, v6PoolValues(existing, 0), rest);
        const first = [['dhcpv6', mode], ...kept].map(([option, value]) => ({ section: existing.name, option: option!, value: value! }));
        await write([...first, ...planned]);
        return state.v6pools.numberOf(existing.name);
      }
      const fresh: UciSection = { name: '', type: 'dhcp', options: {} };
      const planned = v6PoolChanges(fresh, v6PoolValues(fresh, 0), rest);
      const [name] = await state.write(async (stage) => {
        const created = await stage.add('dhcp');
        for (const [option, value] of [['interface', ifname], ['ignore', '1'], ['dhcpv6', mode], ...kept]) await stage.set({ section: created, option: option!, value: value! });
        for (const c of planned) await stage.set({ ...c, section: created });
      });
      return state.v6pools.numberOf(name!);
    },
    delete: async ([n]) => {
      const { s } = await pool(n);
      const gone = ['dhcpv6', DHCPV6_MODE_OPTION].filter((o) => s.options[o] !== undefined);
      await write(gone.map((option) => ({ section: s.name, option, value: '', remove: true })));
      state.v6pools.retire(s.name);
    },
  });
  registerClients(state, clients, pool);
}

/**
 * The IP.Interface's IPv6Prefix rows netifd assigned it (Origin Child, from `ipv6-prefix-assignment`):
 * the prefixes odhcpd hands out addresses from, as a reference list.
 */
async function assignedPrefixes(model: DataModel, ipInterface: string): Promise<string> {
  const n = /^Device\.IP\.Interface\.(\d+)$/.exec(ipInterface)?.[1];
  const node = model.node('Device.IP.Interface.{i}.IPv6Prefix.{i}.');
  if (n === undefined || !node || !model.isBound(node)) return '';
  const refs: string[] = [];
  for (const k of await model.listInstances(node, [Number(n)], {})) {
    const v = await model.readValues({ node, keys: [Number(n), k] }, {});
    if (v.Origin === 'Child') refs.push(`${ipInterface}.IPv6Prefix.${k}`);
  }
  return refs.join(',');
}

/** Whether odhcpd answers on ubus (`dhcp ipv6leases`, the call the Client tables read too). */
async function odhcpdAnswers(state: DhcpState): Promise<boolean> {
  try {
    await state.ctx.ubus<unknown>('dhcp', 'ipv6leases');
    return true;
  } catch {
    return false;
  }
}

/** The leases of each pool's device, grouped by client DUID. */
function registerClients(state: DhcpState, clients: InstanceMap, pool: (n: number | undefined) => Promise<{ s: UciSection }>): void {
  const { ctx } = state;
  const leasesOf = async (p: number | undefined): Promise<{ device?: string; byDuid: Map<string, OdhcpdLease[]>; section: string }> => {
    const { s } = await pool(p);
    const iface = stringOption(s.options.interface);
    const dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump');
    const st = dump.interface?.find((i) => i.interface === iface);
    const device = st?.l3_device ?? st?.device;
    const byDuid = new Map<string, OdhcpdLease[]>();
    if (device === undefined || !SERVING.has(stringOption(s.options.dhcpv6) ?? '')) return { device, byDuid, section: s.name };
    // odhcpd not running (its `dhcp` ubus object absent): no clients, and the pool's Status Error.
    const answer = await ctx.ubus<unknown>('dhcp', 'ipv6leases').catch(() => undefined);
    for (const l of parseIpv6Leases(answer).get(device) ?? []) {
      byDuid.set(l.duid, [...(byDuid.get(l.duid) ?? []), l]);
      clients.numberOf(`${s.name}/${l.duid}`);
    }
    return { device, byDuid, section: s.name };
  };
  const client = async ([p, n]: readonly (number | undefined)[]): Promise<{ device?: string; leases: OdhcpdLease[] }> => {
    const { device, byDuid, section } = await leasesOf(p);
    const key = clients.keyOf(n) ?? '';
    const leases = key.startsWith(`${section}/`) ? byDuid.get(key.slice(section.length + 1)) : undefined;
    if (!leases) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such DHCPv6 client: ${String(n)}`);
    return { device, leases };
  };
  const rows = (params: readonly string[], list: (leases: OdhcpdLease[]) => Array<Record<string, Value>>): ObjectBinding => ({
    params,
    changesOnlyThroughAgent: false,
    list: async (keys) => list((await client(keys)).leases).map((_, i) => i + 1),
    get: async (keys) => {
      const row = list((await client(keys)).leases)[keys[2]! - 1];
      if (!row) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such row: ${String(keys[2])}`);
      return row;
    },
  });
  const now = (): number => ctx.now();
  ctx.model.register(CLIENT, {
    params: ['Active', 'SourceAddress'],
    changesOnlyThroughAgent: false,
    list: async ([p]) => {
      const { byDuid, section } = await leasesOf(p);
      return [...byDuid.keys()].map((d) => clients.numberOf(`${section}/${d}`)).sort((a, b) => a - b);
    },
    get: async (keys) => {
      const { device, leases } = await client(keys);
      const neighbours = (await state.ipv6Neighbours()).map((x) => ({ dst: x.ip, dev: x.device, lladdr: x.mac, state: ['STALE'] }));
      const leased = leases.flatMap((l) => l.addresses.map((a) => a.address));
      return { Active: true, SourceAddress: clientSourceAddress(leases[0]!.duid, leased, device, neighbours) };
    },
  });
  ctx.model.register(
    `${CLIENT}IPv6Address.{i}.`,
    rows(['IPAddress', 'PreferredLifetime', 'ValidLifetime'], (leases) =>
      leases.flatMap((l) => l.addresses).map((a) => ({ IPAddress: a.address, PreferredLifetime: lifetimeEnd(now(), a.preferred), ValidLifetime: lifetimeEnd(now(), a.valid) })),
    ),
  );
  ctx.model.register(
    `${CLIENT}IPv6Prefix.{i}.`,
    rows(['Prefix', 'PreferredLifetime', 'ValidLifetime'], (leases) =>
      leases.flatMap((l) => l.prefixes).map((a) => ({ Prefix: `${a.address}/${a.prefixLength!}`, PreferredLifetime: lifetimeEnd(now(), a.preferred), ValidLifetime: lifetimeEnd(now(), a.valid) })),
    ),
  );
  ctx.model.register(
    `${CLIENT}Option.{i}.`,
    rows(['Tag', 'Value'], (leases) => [{ Tag: 1, Value: leases[0]!.duid }]),
  );
}
