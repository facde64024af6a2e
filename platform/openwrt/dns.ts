/**
 * Device.DNS.Client. on OpenWrt (TR-181 DNS:1, Baseline:4's DNS.Client.Server createDelete).
 *
 * - Server.{i}: one row per server address, keyed by it (DNSServer is the table's unique key):
 *   first each item of the `dns` lists of the `config interface` sections in `uci -q -X show
 *   network` (the servers netifd writes to resolv.conf.auto for that interface, whatever its
 *   protocol learns), Type Static and writable, Interface the section's IP.Interface; Enable
 *   false moves the item to the agent's own list option `usp_disabled_dns` of the same section,
 *   which netifd does not read, so the row keeps its settings while unused. Then the servers the
 *   interfaces announce in the cached `ubus call network.interface dump` (`dns-server[]`), read
 *   only: the first interface's in netifd's order (its Interface, its `proto` for Type) where
 *   several announce one.
 * - Client.Enable: dnsmasq as the device's own resolver, switched by its dhcp options
 *   (dns-client-enable.ts).
 * - Add is `uci add_list network.<iface>.dns=<address>` (or usp_disabled_dns: TR-181's default
 *   Enable is false), Delete `uci del_list`, a change both; then `uci commit network` and
 *   NETWORK_RELOAD. An Add without Interface goes to the interface holding the default route.
 */
import net from 'node:net';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { canonicalizeReferences } from '../reference.js';
import { noSuchInstance, refused } from './convert.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { IPInterfaces } from './ip.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { NETWORK_RELOAD, type UciChange, type UciWriter } from './uci.js';
import { registerDNSClientEnable } from './dns-client-enable.js';
import { listOption, type UciConfig } from './uci-show.js';
import type { InterfaceDump, NetIfStatus } from './ubus-types.js';

/** The agent's list of disabled servers in an interface section (netifd does not read it). */
export const DISABLED_DNS = 'usp_disabled_dns';

/** netifd `proto` → DNS.Client.Server.Type. */
const SERVER_TYPE: Record<string, string> = {
  dhcp: 'DHCPv4',
  dhcpv6: 'DHCPv6',
  static: 'Static',
  pppoe: 'IPCP',
  pppoa: 'IPCP',
  ppp: 'IPCP',
  '3g': 'IPCP',
  qmi: '3GPP-NAS',
  mbim: '3GPP-NAS',
  ncm: '3GPP-NAS',
  modemmanager: '3GPP-NAS',
  wwan: '3GPP-NAS',
};

interface ServerRow {
  server: string;
  /** A configured server: the interface section whose list holds it, and whether that is `dns`. */
  section?: string;
  enabled: boolean;
  /** A server an interface announced (read only). */
  iface?: NetIfStatus;
}

export function dnsServerType(proto: string | undefined): string {
  return SERVER_TYPE[proto ?? ''] ?? 'Static';
}

/** Serves Device.DNS.Client. and Device.DNS.Client.Server.{i}.; `uci` writes the servers. */
export function registerDNS(ctx: OpenWrtContext, ip: IPInterfaces, uci: UciWriter): void {
  const { model } = ctx;
  const servers = new InstanceMap();
  const read = async (): Promise<{ rows: Map<string, ServerRow>; config: UciConfig; dump: InterfaceDump }> => {
    const [dump, config] = await Promise.all([ctx.ubus<InterfaceDump>('network.interface', 'dump'), ctx.uci('network')]);
    const rows = new Map<string, ServerRow>();
    for (const [option, enabled] of [
      ['dns', true],
      [DISABLED_DNS, false],
    ] as const) {
      for (const s of config) {
        if (s.type !== 'interface') continue;
        for (const server of listOption(s.options[option])) if (!rows.has(server)) rows.set(server, { server, section: s.name, enabled });
      }
    }
    for (const iface of dump.interface ?? []) {
      for (const server of iface['dns-server'] ?? []) if (!rows.has(server)) rows.set(server, { server, iface, enabled: true });
    }
    servers.list(rows.keys()); // number in this order, whatever is read first
    return { rows, config, dump };
  };
  const row = async (n: number | undefined): Promise<ServerRow> => {
    const r = (await read()).rows.get(servers.keyOf(n) ?? '');
    if (!r) throw noSuchInstance('DNS server', n);
    return r;
  };
  const values = async (r: ServerRow): Promise<Record<string, Value>> => ({
    Enable: r.enabled,
    Status: r.enabled ? 'Enabled' : 'Disabled',
    DNSServer: r.server,
    Interface: await ip.pathOf(r.section ?? r.iface?.interface),
    Type: r.section !== undefined ? 'Static' : dnsServerType(r.iface?.proto),
  });
  /** The interface section an Interface reference names, or why it cannot hold a server. */
  const sectionFor = async (reference: string, config: UciConfig, dump: InterfaceDump): Promise<string | { message: string }> => {
    let name: string | undefined;
    if (reference === '') {
      // "" lets the CPE choose: the uplink, i.e. the interface holding the default route.
      name = (dump.interface ?? []).find((i) => (i.route ?? []).some((r) => r.mask === 0))?.interface;
      if (name === undefined) return { message: 'no interface holds a default route: name one' };
    } else {
      name = await ip.nameOf(reference);
      if (name === undefined) return { message: `${reference} is no Device.IP.Interface of this device` };
    }
    return config.some((s) => s.type === 'interface' && s.name === name) ? name : { message: `interface ${name} has no UCI section (netifd made it at run time)` };
  };
  const write = (changes: UciChange[]): Promise<void> =>
    uci.apply('network', changes, NETWORK_RELOAD).finally(() => {
      ctx.forgetUci('network');
      ctx.forget('network.interface');
    });

  registerDNSClientEnable(ctx, uci);
  model.register('Device.DNS.Client.Server.{i}.', {
    params: ['Enable', 'Status', 'DNSServer', 'Interface', 'Type'],
    list: async () => servers.list((await read()).rows.keys()),
    get: async ([n]) => values(await row(n)),
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['Interface']);
      const { rows, config, dump } = await read();
      const r = rows.get(servers.keyOf(n) ?? '');
      if (!r) throw noSuchInstance('DNS server', n);
      const current = await values(r);
      const changed = Object.fromEntries(Object.entries(changes).filter(([p, v]) => current[p] !== v));
      if (Object.keys(changed).length === 0) return;
      const next = { ...current, ...changed };
      const bad: Array<{ param: string; message: string }> = [];
      if (r.section === undefined) {
        for (const param of Object.keys(changed)) bad.push({ param, message: `${r.server} comes from the uplink's ${r.iface?.proto ?? ''} configuration, not from a dns list` });
        throw refused(bad);
      }
      const server = String(next.DNSServer);
      if (!net.isIP(server)) bad.push({ param: 'DNSServer', message: 'must be an IP address' });
      else if (server !== r.server && rows.has(server)) bad.push({ param: 'DNSServer', message: `${server} is a server already` });
      const section = await sectionFor(String(next.Interface), config, dump);
      if (typeof section !== 'string') bad.push({ param: 'Interface', message: section.message });
      if (bad.length > 0 || typeof section !== 'string') throw refused(bad);
      await write([
        { section: r.section, option: r.enabled ? 'dns' : DISABLED_DNS, value: r.server, removeItem: true },
        { section, option: next.Enable === true ? 'dns' : DISABLED_DNS, value: server, append: true },
      ]);
      if (server !== r.server) servers.rekey([[r.server, server]]);
    },
    add: async (_parent, params) => {
      const p = { ...params };
      canonicalizeReferences(p, ['Interface']);
      const { rows, config, dump } = await read();
      const server = String(p.DNSServer ?? '');
      if (!net.isIP(server)) throw refused([{ param: 'DNSServer', message: 'a server needs its IP address in the Add' }]);
      if (rows.has(server)) throw refused([{ param: 'DNSServer', message: `${server} is a server already` }]);
      const section = await sectionFor(String(p.Interface ?? ''), config, dump);
      if (typeof section !== 'string') throw refused([{ param: 'Interface', message: section.message }]);
      await write([{ section, option: p.Enable === true ? 'dns' : DISABLED_DNS, value: server, append: true }]);
      return servers.numberOf(server);
    },
    delete: async ([n]) => {
      const r = await row(n);
      if (r.section === undefined) throw new UspError(ErrorCode.DeleteFailure, `${r.server} comes from the uplink's configuration, not from a dns list; change that interface instead`);
      await write([{ section: r.section, option: r.enabled ? 'dns' : DISABLED_DNS, value: r.server, removeItem: true }]);
      servers.retire(r.server);
    },
  });
}
