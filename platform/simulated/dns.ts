/**
 * Device.DNS. of the simulated gateway (TR-181 DNS:1, DNSRelay:1): the gateway resolves through
 * the two DNS servers the 5G network hands out with the data session (protocol configuration
 * options, hence Type "3GPP-NAS"), and its relay (dnsmasq, the LAN's DNS server at the
 * gateway's address) forwards to the same two.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { type IPState, WAN_INTERFACE } from './ip.js';
import { Prng } from './random.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';

/** Serves Device.DNS., DNS.Client.(Server.{i}.) and DNS.Relay.(Forwarding.{i}.). */
export function registerDNS(ctx: SimContext, ip: IPState): void {
  const { model } = ctx;
  const rnd = new Prng(ctx.seed, 'dns');
  // The operator's resolvers; RFC 5737 documentation addresses, so they can never be real ones.
  const first = rnd.int(2, 120);
  const servers = [`198.51.100.${first}`, `198.51.100.${first + rnd.int(1, 8)}`];

  model.register('Device.DNS.', {
    params: ['SupportedRecordTypes'],
    get: () => ({ SupportedRecordTypes: 'A,AAAA,SRV,PTR' }),
  });

  for (const [object, table, prefix] of [['Client', 'Server', 'dns'], ['Relay', 'Forwarding', 'fwd']] as const) {
    const top = new WritableRows(ctx, `Device.DNS.${object}.`, () => ({ Enable: true }));
    model.register(`Device.DNS.${object}.`, {
      params: ['Enable', 'Status'],
      get: () => {
        const row = top.row([]);
        return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled' };
      },
      set: (keys, changes) => top.apply(keys, changes),
    });

    const rows = new WritableRows(ctx, `Device.DNS.${object}.${table}.{i}.`, (keys) => ({
      Enable: true, Alias: `cpe-${prefix}-${keys[0]}`, DNSServer: server(keys), Interface: WAN_INTERFACE,
    }));
    const server = (keys: InstanceKeys): string => nth(servers, keys[0]);
    model.register(`Device.DNS.${object}.${table}.{i}.`, {
      params: ['Enable', 'Status', 'Alias', 'DNSServer', 'Interface', 'Type'],
      list: () => servers.map((_, i) => i + 1),
      get: (keys) => {
        server(keys);
        const row = rows.row(keys);
        // A server of a disabled client or relay is not used; one the WAN cannot reach fails.
        const status = !row.Enable || !top.row([]).Enable ? 'Disabled' : ip.wanUp() ? 'Enabled' : 'Error';
        return { ...row, Status: status, Type: '3GPP-NAS' };
      },
      set: (keys, changes) => {
        canonicalizeReferences(changes, ['Interface']); // the same Interface with a trailing "." is no change
        refuseNetworkAssigned(rows.row(keys), changes);
        rows.apply(keys, changes);
      },
    });
  }
}

/** DNSServer and Interface of a server the network assigned are the network's, not a Controller's (7012). */
function refuseNetworkAssigned(row: Record<string, Value>, changes: Record<string, Value>): void {
  const refused = ['DNSServer', 'Interface'].filter((p) => changes[p] !== undefined && changes[p] !== row[p]);
  if (refused.length > 0) {
    throw invalidParams(refused.map((param) => ({ param, message: 'assigned by the network (3GPP-NAS); only Static entries can be changed' })));
  }
}
