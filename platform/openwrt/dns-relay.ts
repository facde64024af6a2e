/**
 * Device.DNS.Relay. on OpenWrt (TR-181 DNSRelay:1): dnsmasq, the LAN's DNS forwarder.
 *
 * - Enable: dnsmasq answers DNS unless the dnsmasq section's `port` is '0' (its DHCP goes on).
 *   Writing false sets `port` 0, true removes the option (port 53).
 * - Forwarding.{i}: where dnsmasq forwards, keyed by the server address (the table's unique key):
 *   first each item of the dnsmasq section's `server` list that names a server for every domain
 *   ("addr", "addr#port", "addr@device": dnsmasq's --server syntax; '/domain/addr' entries serve
 *   one domain and are left alone), Type Static and writable; then the servers of its resolv
 *   file, which netifd writes from the interfaces' `dns-server` lists: read from the same
 *   `ubus call network.interface dump` as DNS.Client, with that interface and its proto's Type,
 *   read-only (they follow the uplink). With `noresolv` set those rows are absent.
 * - A Static row's Interface is the IP.Interface whose device the item names after '@' (dnsmasq
 *   sends the queries out of that device), "" without one. Enable false moves the item to the
 *   agent's own list option `usp_disabled_server` of the same section, which dnsmasq.init does
 *   not read: dnsmasq stops using the server and the row keeps its settings. Add is
 *   `uci add_list`, Delete `uci del_list`, a change both.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { canonicalizeReferences } from '../reference.js';
import { noSuchInstance, refused } from './convert.js';
import { dnsServerType } from './dns.js';
import { ipv4ToNumber } from '../dnsmasq-leases.js';
import type { DhcpState } from './DhcpState.js';
import type { IPInterfaces } from './ip.js';
import { planWrite, type UciChange } from './uci.js';
import { listOption, stringOption, uciBool, type UciSection } from './uci-show.js';
import type { InterfaceDump, NetIfStatus } from './ubus-types.js';

/** The agent's list of disabled forwarders in the dnsmasq section (dnsmasq.init ignores it). */
export const DISABLED_SERVERS = 'usp_disabled_server';

interface Forwarder {
  server: string;
  /** A configured server: its list item as written, the list it is in, and the device after '@'. */
  item?: string;
  enabled: boolean;
  device?: string;
  /** A server an interface announced (the resolv file). */
  iface?: NetIfStatus;
}

const IPV6_RE = /^[0-9a-fA-F:]+$/;
const SERVER_ITEM = /^([0-9a-fA-F.:]+)(?:#\d+)?(?:@([^#]+))?(?:#\d+)?$/;

function isAddress(s: string): boolean {
  return ipv4ToNumber(s) !== undefined || (s.includes(':') && IPV6_RE.test(s));
}

/** "9.9.9.9@br-lan" → ["9.9.9.9", "br-lan"]; undefined for a domain-scoped or malformed item. */
function parseServer(item: string): [string, string | undefined] | undefined {
  const m = SERVER_ITEM.exec(item.trim());
  if (!m || !isAddress(m[1])) return undefined;
  // After '@' dnsmasq takes a source address or a device; only a device is an Interface.
  const via = m[2] !== undefined && !isAddress(m[2].split('#')[0]) ? m[2] : undefined;
  return [m[1], via];
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
    for (const [option, enabled] of [
      ['server', true],
      [DISABLED_SERVERS, false],
    ] as const) {
      for (const item of listOption(s?.options[option])) {
        const parsed = parseServer(item);
        if (parsed && !out.has(parsed[0])) out.set(parsed[0], { server: parsed[0], item, enabled, device: parsed[1] });
      }
    }
    if (s && !uciBool(s.options.noresolv, false)) {
      const dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump');
      for (const iface of dump.interface ?? []) for (const server of iface['dns-server'] ?? []) if (!out.has(server)) out.set(server, { server, iface, enabled: true });
    }
    rows.list(out.keys());
    return out;
  };
  const row = async (n: number | undefined): Promise<Forwarder> => {
    const f = (await read()).get(rows.keyOf(n) ?? '');
    if (!f) throw noSuchInstance('DNS forwarder', n);
    return f;
  };
  /** The IP.Interface whose kernel device is `device`. */
  const interfaceOfDevice = async (device: string | undefined): Promise<string> => {
    if (device === undefined) return '';
    const dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump');
    const iface = (dump.interface ?? []).find((i) => (i.l3_device ?? i.device) === device);
    return iface ? ip.pathOf(iface.interface) : '';
  };
  const values = async (f: Forwarder): Promise<Record<string, Value>> => ({
    Enable: f.enabled,
    Status: f.enabled ? 'Enabled' : 'Disabled',
    Alias: aliases.get(f.server) ?? `cpe-${rows.numberOf(f.server)}`,
    DNSServer: f.server,
    Interface: f.iface ? await ip.pathOf(f.iface.interface) : await interfaceOfDevice(f.device),
    Type: f.iface ? dnsServerType(f.iface.proto) : 'Static',
  });
  /** The list item for a configured server: "addr" or "addr@device". */
  const itemFor = async (server: string, reference: string): Promise<string | { message: string }> => {
    if (reference === '') return server;
    const m = /^Device\.IP\.Interface\.(\d+)$/.exec(reference);
    const device = m && (await ip.nameOf(reference)) !== undefined ? await ip.deviceOf(Number(m[1])) : undefined;
    return device ? `${server}@${device}` : { message: `${reference} is no IP interface with a device` };
  };
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
      canonicalizeReferences(changes, ['Interface']);
      const f = await row(n);
      const s = await dnsmasq();
      const current = await values(f);
      const next = { ...current, ...changes };
      let staged = false;
      // Every writable parameter lands in the one list item: plan it once, whichever changed.
      const rewrite = async (): Promise<UciChange[] | string> => {
        if (staged) return [];
        staged = true;
        if (f.iface) return 'this server comes from the uplink (its DHCP or static configuration), not from dnsmasq';
        if (!isAddress(String(next.DNSServer))) return 'DNSServer must be an IP address';
        const item = await itemFor(String(next.DNSServer), String(next.Interface));
        if (typeof item !== 'string') return item.message;
        return [
          { section: s.name, option: f.enabled ? 'server' : DISABLED_SERVERS, value: f.item ?? f.server, removeItem: true },
          { section: s.name, option: next.Enable === true ? 'server' : DISABLED_SERVERS, value: item, append: true },
        ];
      };
      const planned: UciChange[] = [];
      const bad: Array<{ param: string; message: string }> = [];
      for (const param of ['Enable', 'DNSServer', 'Interface'] as const) {
        if (changes[param] === undefined || changes[param] === current[param]) continue;
        const r = await rewrite();
        if (typeof r === 'string') bad.push({ param, message: r });
        else planned.push(...r);
      }
      if (bad.length > 0) throw refused(bad);
      planWrite(current, Object.fromEntries(Object.entries(changes).filter(([k]) => !['Enable', 'DNSServer', 'Interface'].includes(k))), { Alias: () => [] });
      if (planned.length > 0) await serverWrite(planned);
      const key = String(next.DNSServer);
      if (key !== f.server) rows.rekey([[f.server, key]]);
      if (typeof changes.Alias === 'string') aliases.set(key, changes.Alias);
    },
    add: async (_parent, params) => {
      const p = { ...params };
      canonicalizeReferences(p, ['Interface']);
      const s = await dnsmasq();
      const server = String(p.DNSServer ?? '');
      if (!isAddress(server)) throw refused([{ param: 'DNSServer', message: 'a forwarder needs its IP address in the Add' }]);
      if ((await read()).has(server)) throw refused([{ param: 'DNSServer', message: `${server} is a forwarder already` }]);
      const item = await itemFor(server, String(p.Interface ?? ''));
      if (typeof item !== 'string') throw refused([{ param: 'Interface', message: item.message }]);
      // TR-181's default Enable is false: the row exists, dnsmasq does not use it until enabled.
      await serverWrite([{ section: s.name, option: p.Enable === true ? 'server' : DISABLED_SERVERS, value: item, append: true }]);
      if (typeof p.Alias === 'string' && p.Alias !== '') aliases.set(server, p.Alias);
      return rows.numberOf(server);
    },
    delete: async ([n]) => {
      const f = await row(n);
      if (f.iface) throw refused([{ param: 'DNSServer', message: 'this server comes from the uplink; change the interface instead' }]);
      const s = await dnsmasq();
      await serverWrite([{ section: s.name, option: f.enabled ? 'server' : DISABLED_SERVERS, value: f.item ?? f.server, removeItem: true }]);
      rows.retire(f.server);
      aliases.delete(f.server);
    },
  });
}
