/**
 * Device.DNS.Relay. on OpenWrt (TR-181 DNSRelay:1): dnsmasq, the LAN's DNS forwarder.
 *
 * - Enable: dnsmasq answers DNS unless the dnsmasq section's `port` is '0' (its DHCP goes on).
 *   Writing false sets `port` 0, true removes the option (port 53).
 * - Forwarding.{i}: where dnsmasq forwards, keyed by the server address (the table's unique key):
 *   first each plain address of the dnsmasq section's `server` list (Type Static, writable:
 *   Add is `uci add_list`, Delete `uci del_list`, a new DNSServer both; domain-scoped entries
 *   such as '/lan/…' are not forwarders for the whole LAN and are not served), then the servers
 *   of its resolv file, which netifd writes from the interfaces' `dns-server` lists: read from
 *   the same `ubus call network.interface dump` as DNS.Client, with that interface and its
 *   proto's Type, read-only (they change with the uplink). With `noresolv` set the resolv file
 *   is not read and those rows are absent.
 * - Interface of a Static row is "" (dnsmasq picks the route); only "" is accepted.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { noSuchInstance, refused } from './convert.js';
import { dnsServerType } from './dns.js';
import { ipv4ToNumber } from './dhcp-leases.js';
import type { DhcpState } from './DhcpState.js';
import type { IPInterfaces } from './ip.js';
import { planWrite, type UciChange } from './uci.js';
import { listOption, stringOption, uciBool, type UciSection } from './uci-show.js';
import type { InterfaceDump, NetIfStatus } from './ubus-types.js';

interface Forwarder {
  server: string;
  /** The interface that announced it; undefined for a configured (Static) one. */
  iface?: NetIfStatus;
}

const IPV6_RE = /^[0-9a-fA-F:]+(%\w+)?$/;

function isAddress(s: string): boolean {
  return ipv4ToNumber(s) !== undefined || (s.includes(':') && IPV6_RE.test(s));
}

/** Serves Device.DNS.Relay. and Device.DNS.Relay.Forwarding.{i}. */
export function registerDNSRelay(state: DhcpState, ip: IPInterfaces): void {
  const { ctx } = state;
  const rows = new InstanceMap();
  const aliases = new Map<string, string>();

  const dnsmasq = async (): Promise<UciSection> => {
    const s = await state.dnsmasq();
    if (!s) throw refused([{ param: 'Enable', message: 'no dnsmasq section in /etc/config/dhcp' }]);
    return s;
  };
  const read = async (): Promise<Map<string, Forwarder>> => {
    const s = await state.dnsmasq();
    const out = new Map<string, Forwarder>();
    for (const item of listOption(s?.options.server)) if (isAddress(item) && !out.has(item)) out.set(item, { server: item });
    if (s && !uciBool(s.options.noresolv, false)) {
      const dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump');
      for (const iface of dump.interface ?? []) for (const server of iface['dns-server'] ?? []) if (!out.has(server)) out.set(server, { server, iface });
    }
    rows.list(out.keys());
    return out;
  };
  const row = async (n: number | undefined): Promise<Forwarder> => {
    const f = (await read()).get(rows.keyOf(n) ?? '');
    if (!f) throw noSuchInstance('DNS forwarder', n);
    return f;
  };
  const values = async (f: Forwarder): Promise<Record<string, Value>> => ({
    Enable: true,
    Status: 'Enabled',
    Alias: aliases.get(f.server) ?? `cpe-${rows.numberOf(f.server)}`,
    DNSServer: f.server,
    Interface: f.iface ? await ip.pathOf(f.iface.interface) : '',
    Type: f.iface ? dnsServerType(f.iface.proto) : 'Static',
  });
  const serverWrite = async (changes: UciChange[]): Promise<void> => {
    await state.write(async (stage) => {
      for (const c of changes) await stage.set(c);
    });
  };

  ctx.model.register('Device.DNS.Relay.', {
    params: ['Enable', 'Status'],
    get: async () => {
      const on = stringOption((await state.dnsmasq())?.options.port) !== '0';
      return { Enable: on, Status: on ? 'Enabled' : 'Disabled' };
    },
    set: async (_keys, changes) => {
      const s = await dnsmasq();
      const on = stringOption(s.options.port) !== '0';
      if (changes.Enable === undefined || changes.Enable === on) return;
      await serverWrite([changes.Enable ? { section: s.name, option: 'port', value: '', remove: true } : { section: s.name, option: 'port', value: '0' }]);
    },
  });

  ctx.model.register('Device.DNS.Relay.Forwarding.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'DNSServer', 'Interface', 'Type'],
    list: async () => rows.list((await read()).keys()),
    get: async ([n]) => values(await row(n)),
    set: async ([n], changes) => {
      const f = await row(n);
      const s = await dnsmasq();
      const current = await values(f);
      const planned = planWrite(current, changes, {
        Enable: (v) => (v === true ? [] : 'a forwarder here is always in use; delete the row instead'),
        Alias: () => [],
        DNSServer: (v) => {
          if (f.iface) return 'this server comes from the uplink (its DHCP or static configuration), not from dnsmasq';
          if (!isAddress(String(v))) return 'must be an IP address';
          return [
            { section: s.name, option: 'server', value: f.server, removeItem: true },
            { section: s.name, option: 'server', value: String(v), append: true },
          ];
        },
      });
      if (planned.length > 0) await serverWrite(planned);
      const key = typeof changes.DNSServer === 'string' ? changes.DNSServer : f.server;
      if (typeof changes.DNSServer === 'string' && changes.DNSServer !== f.server) rows.rekey([[f.server, key]]);
      if (typeof changes.Alias === 'string') aliases.set(key, changes.Alias);
    },
    add: async (_parent, params) => {
      const s = await dnsmasq();
      const server = String(params.DNSServer ?? '');
      const bad: Array<{ param: string; message: string }> = [];
      if (!isAddress(server)) bad.push({ param: 'DNSServer', message: 'a forwarder needs its IP address in the Add' });
      if (params.Enable === false) bad.push({ param: 'Enable', message: 'a forwarder here is always in use' });
      if (params.Interface !== undefined && params.Interface !== '') bad.push({ param: 'Interface', message: 'dnsmasq picks the route; only "" is accepted' });
      if (bad.length > 0) throw refused(bad);
      await serverWrite([{ section: s.name, option: 'server', value: server, append: true }]);
      if (typeof params.Alias === 'string' && params.Alias !== '') aliases.set(server, params.Alias);
      return rows.numberOf(server);
    },
    delete: async ([n]) => {
      const f = await row(n);
      if (f.iface) throw refused([{ param: 'DNSServer', message: 'this server comes from the uplink; change the interface instead' }]);
      const s = await dnsmasq();
      await serverWrite([{ section: s.name, option: 'server', value: f.server, removeItem: true }]);
      rows.retire(f.server);
      aliases.delete(f.server);
    },
  });
}
