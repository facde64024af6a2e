/**
 * Device.DNS. of the simulated gateway (TR-181 DNS:1, DNSRelay:1, Baseline:4): the gateway
 * resolves through the two DNS servers the 5G network hands out with the data session (protocol
 * configuration options, hence Type "3GPP-NAS"), or the Static servers a Controller adds in their
 * place (with none it can use, Client.Status is Error); its relay (dnsmasq, the LAN's DNS server
 * at the gateway's address) forwards to the same two, or to the Static forwarders a Controller
 * adds in their place.
 */
import { isIP } from 'node:net';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { type IPState, WAN_INTERFACE } from './ip.js';
import { FactoryTable } from './factory-table.js';
import { Prng } from './random.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';

/** Servers the client, and forwarders the relay, hold (dnsmasq takes any number; a bound all the same). */
const MAX_FORWARDERS = 8;
const FORWARDING = 'Device.DNS.Relay.Forwarding.{i}.';

/** Device.DNS.: one binding for every gateway of a fleet (issue 14): nothing in it is the gateway's. */
const DNS: ObjectBinding = {
  params: ['SupportedRecordTypes'],
  get: () => ({ SupportedRecordTypes: 'A,AAAA,SRV,PTR' }),
};

/** Serves Device.DNS., DNS.Client.(Server.{i}.) and DNS.Relay.(Forwarding.{i}.). */
export function registerDNS(ctx: SimContext, ip: IPState): void {
  const { model } = ctx;
  const rnd = new Prng(ctx.seed, 'dns');
  // The operator's resolvers; RFC 5737 documentation addresses, so they can never be real ones.
  const first = rnd.int(2, 120);
  const servers = [`198.51.100.${first}`, `198.51.100.${first + rnd.int(1, 8)}`];

  model.register('Device.DNS.', DNS);

  const clientTop = new WritableRows(ctx, 'Device.DNS.Client.', () => ({ Enable: true }));
  const relayTop = new WritableRows(ctx, 'Device.DNS.Relay.', () => ({ Enable: true }));
  // The gateway resolves through the network's two servers as shipped, and the relay forwards
  // to the same two; a Controller may delete them and add Static servers of its own to either
  // (TR-181 Baseline:4 Client.Server createDelete, DNSRelay:1).
  const client = registerServerTable(ctx, ip, 'Device.DNS.Client.Server.{i}.', 'dns', servers, clientTop);
  registerServerTable(ctx, ip, FORWARDING, 'fwd', servers, relayTop);

  model.register('Device.DNS.Client.', {
    params: ['Enable', 'Status'],
    get: () => {
      const row = clientTop.row([]);
      // A client with no server it can use cannot resolve: Error (TR-181 Client.Status).
      return { ...row, Status: !row.Enable ? 'Disabled' : client.usable().length > 0 ? 'Enabled' : 'Error' };
    },
    set: (keys, changes) => clientTop.apply(keys, changes),
  });
  model.register('Device.DNS.Relay.', {
    params: ['Enable', 'Status'],
    get: () => {
      const row = relayTop.row([]);
      return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled' };
    },
    set: (keys, changes) => relayTop.apply(keys, changes),
  });
}

/** The servers of one table the resolver (or relay) uses now, in instance order. */
export interface ServerTable {
  usable(): string[];
}

/**
 * Client.Server.{i} or Relay.Forwarding.{i}: the network's servers as factory rows (Type
 * 3GPP-NAS, DNSServer and Interface the network's), Static rows a Controller adds (at most
 * MAX_FORWARDERS), any of them deletable.
 */
function registerServerTable(ctx: SimContext, ip: IPState, path: string, aliasPrefix: string, servers: readonly string[], top: WritableRows): ServerTable {
  const table = new FactoryTable(ctx, path, () => servers.map((_, i) => i + 1), MAX_FORWARDERS);
  const rows = new WritableRows(ctx, path, (keys) =>
    table.isFactory(keys)
      ? { Enable: true, Alias: `cpe-${aliasPrefix}-${keys[0]}`, DNSServer: nth(servers, keys[0]), Interface: WAN_INTERFACE }
      : { Enable: false, Alias: '', DNSServer: '', Interface: '' },
  );
  const validate = (keys: InstanceKeys, changes: Record<string, Value>): void => {
    canonicalizeReferences(changes, ['Interface']); // the same Interface with a trailing "." is no change
    if (keys[0] !== 0 && table.isFactory(keys)) {
      refuseNetworkAssigned(rows.row(keys), changes);
      return;
    }
    const bad: Array<{ param: string; message: string }> = [];
    if (changes.DNSServer !== undefined && changes.DNSServer !== '' && isIP(String(changes.DNSServer)) === 0) {
      bad.push({ param: 'DNSServer', message: 'must be an IPv4 or IPv6 address' });
    }
    if (changes.Interface !== undefined && changes.Interface !== '' && changes.Interface !== WAN_INTERFACE) {
      bad.push({ param: 'Interface', message: `DNS servers are reached over the WAN, ${WAN_INTERFACE} (or "" for any)` });
    }
    if (keys[0] === 0 && !changes.DNSServer) bad.push({ param: 'DNSServer', message: 'a server needs its address' });
    if (bad.length > 0) throw invalidParams(bad);
  };
  // A server of a disabled client or relay is not used; one the WAN cannot reach fails.
  const status = (row: Record<string, Value>): string => (!row.Enable || top.row([]).Enable !== true ? 'Disabled' : ip.wanUp() ? 'Enabled' : 'Error');
  ctx.model.register(path, {
    params: ['Enable', 'Status', 'Alias', 'DNSServer', 'Interface', 'Type'],
    list: () => table.list([]),
    get: (keys) => {
      const row = rows.row(table.check(keys));
      return { ...row, Status: status(row), Type: table.isFactory(keys) ? '3GPP-NAS' : 'Static' };
    },
    set: (keys, changes) => {
      validate(table.check(keys), changes);
      rows.apply(keys, changes);
    },
    add: (_parent, params) => {
      const values = { ...params };
      validate([0], values); // instance 0: not numbered yet, so a refused Add uses no number
      const n = table.add([]);
      rows.apply([n], values);
      return n;
    },
    delete: (keys) => table.delete(keys),
    snapshot: (keys) => table.snapshot(keys),
    restore: (keys, snap) => table.restore(keys, snap),
  });
  return {
    usable: () =>
      table
        .list([])
        .map((n) => rows.row([n]))
        .filter((row) => status(row) === 'Enabled' && row.DNSServer !== '')
        .map((row) => String(row.DNSServer)),
  };
}

/** DNSServer and Interface of a server the network assigned are the network's, not a Controller's (7012). */
function refuseNetworkAssigned(row: Record<string, Value>, changes: Record<string, Value>): void {
  const refused = ['DNSServer', 'Interface'].filter((p) => changes[p] !== undefined && changes[p] !== row[p]);
  if (refused.length > 0) {
    throw invalidParams(refused.map((param) => ({ param, message: 'assigned by the network (3GPP-NAS); only Static entries can be changed' })));
  }
}
