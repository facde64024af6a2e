/**
 * The tables under Device.DHCPv4.Server.Pool.{i}. on OpenWrt:
 *
 * - StaticAddress.{i}: each `config host` section of the `dhcp` config with a `mac` and an `ip`
 *   inside the pool's network (dnsmasq's dhcp-host), keyed by section name. Chaddr ↔ `mac`,
 *   Yiaddr ↔ `ip`; Add is `uci add dhcp host`, Delete `uci delete dhcp.<section>`. dnsmasq.init
 *   has no switch to keep a host section but not apply it, so Enable reads true and only true
 *   is accepted (delete the row instead).
 * - Client.{i}: dnsmasq's leases (its lease file) whose address lies in the pool's network
 *   (platform/dhcpv4-lease-clients.ts, shared with generic Linux),
 *   keyed by MAC address. Active: the lease has not ended. IPv4Address.{i}: the leased address,
 *   LeaseTimeRemaining the lease's end (TR-181 makes it a dateTime). Option.{i}: the options
 *   the lease file keeps of what the client sent: 61 (client identifier) and 12 (host name),
 *   hexBinary as they came.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { mac, noSuchInstance, refused } from './convert.js';
import type { DhcpState } from './DhcpState.js';
import { inPool, POOL, readPools, type PoolView } from './dhcpv4-server.js';
import { planWrite, type ParamWriter, type UciChange } from './uci.js';
import { stringOption, type UciSection } from './uci-show.js';
import { registerLeaseClients } from '../dhcpv4-lease-clients.js';

const MAC_RE = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;

/** The Client.{i} numbering (one per MAC address, whatever the pool), for Hosts.Host.{i}.DHCPClient. */
export interface PoolClients {
  numberOf(mac: string): number;
}

/** A `config host` is always in effect (Enable stays true: Delete the row instead); the rest is written. */
const STATIC_WRITABLE = ['Alias', 'Chaddr', 'Yiaddr'] as const;

/** Serves Pool.{i}.StaticAddress.{i}., Pool.{i}.Client.{i}. and the Client's IPv4Address and Option tables. */
export function registerDHCPv4PoolTables(state: DhcpState): PoolClients {
  const { model } = state.ctx;

  const poolOf = async (n: number | undefined): Promise<PoolView> => {
    const { pools } = await readPools(state);
    const view = pools.get(state.pools.keyOf(n) ?? '');
    if (!view) throw noSuchInstance('DHCPv4 pool', n);
    return view;
  };
  const hostsOf = async (n: number | undefined): Promise<UciSection[]> => {
    const view = await poolOf(n);
    const hosts = (await state.config()).filter((s) => s.type === 'host' && stringOption(s.options.mac) !== undefined && inPool(view, stringOption(s.options.ip)));
    state.hosts.list(hosts.map((h) => h.name));
    return hosts;
  };
  const host = async ([p, n]: readonly number[]): Promise<[UciSection, PoolView]> => {
    const s = (await hostsOf(p)).find((h) => h.name === state.hosts.keyOf(n));
    if (!s) throw noSuchInstance('static address', n);
    return [s, await poolOf(p)];
  };
  const hostValues = (s: UciSection): Record<string, Value> => ({
    Enable: true,
    Alias: state.aliases.get(s.name) ?? `cpe-${s.name}`,
    // A host section may list several MACs (one device, several NICs); the first is its Chaddr.
    Chaddr: mac(stringOption(s.options.mac)?.split(/\s+/)[0]),
    Yiaddr: stringOption(s.options.ip) ?? '',
  });
  const plan = (name: string, view: PoolView, current: Record<string, Value>, changes: Record<string, Value>): UciChange[] => {
    const writers: Record<string, ParamWriter> = {
      Enable: (v) => (v === true ? [] : 'a static address is always in effect here; delete the row instead'),
      Alias: () => [],
      Chaddr: (v) => (MAC_RE.test(String(v)) ? [{ section: name, option: 'mac', value: String(v).toLowerCase() }] : 'must be a MAC address'),
      Yiaddr: (v) => (inPool(view, String(v)) ? [{ section: name, option: 'ip', value: String(v) }] : "must be an address of the pool's network"),
    };
    return planWrite(current, changes, writers);
  };

  model.register(`${POOL}StaticAddress.{i}.`, {
    params: ['Enable', 'Alias', 'Chaddr', 'Yiaddr'],
    writable: STATIC_WRITABLE,
    list: async ([p]) => state.hosts.list((await hostsOf(p)).map((h) => h.name)),
    get: async (keys) => hostValues((await host(keys))[0]),
    set: async (keys, changes) => {
      const [s, view] = await host(keys);
      const planned = plan(s.name, view, hostValues(s), changes);
      if (planned.length > 0)
        await state.write(async (stage) => {
          for (const c of planned) await stage.set(c);
        });
      if (typeof changes.Alias === 'string') state.aliases.set(state.hosts.keyOf(keys[1]) ?? s.name, changes.Alias);
    },
    add: async ([p], params) => {
      const view = await poolOf(p);
      if (params.Chaddr === undefined || params.Yiaddr === undefined)
        throw refused([{ param: 'Chaddr', message: 'a static address needs Chaddr and Yiaddr in the Add (dnsmasq ignores a host without both)' }]);
      const planned = plan('', view, { Enable: true, Alias: '', Chaddr: '', Yiaddr: '' }, { ...params, Enable: params.Enable ?? true });
      const [name] = await state.write(async (stage) => {
        const created = await stage.add('host');
        for (const c of planned) await stage.set({ ...c, section: created });
      });
      if (typeof params.Alias === 'string' && params.Alias !== '') state.aliases.set(name, params.Alias);
      return state.hosts.numberOf(name);
    },
    delete: async (keys) => {
      const [s] = await host(keys);
      await state.write(async (stage) => stage.remove(s.name));
      state.aliases.delete(s.name);
    },
  });

  // Client.{i}: dnsmasq's leases in the pool's network, served as on generic Linux.
  const clients = registerLeaseClients(model, {
    leasesIn: async (p) => {
      const view = await poolOf(p);
      return (await state.leases()).filter((l) => inPool(view, l.ip));
    },
    now: () => state.ctx.now(),
  });
  return { numberOf: (m) => clients.numberOf(m) };
}
