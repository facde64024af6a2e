/**
 * Device.DNS. of the simulated gateway (TR-181 DNS:1, DNSRelay:1): the gateway resolves through
 * the two DNS servers the 5G network hands out with the data session (protocol configuration
 * options, hence Type "3GPP-NAS"), and its relay (dnsmasq, the LAN's DNS server at the
 * gateway's address) forwards to the same two, or to the Static forwarders a Controller adds in
 * their place.
 */
import { isIP } from 'node:net';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { canonicalizeReferences } from '../reference.js';
import { type IPState, WAN_INTERFACE } from './ip.js';
import { FactoryTable } from './factory-table.js';
import { Prng } from './random.js';
import { invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';

/** Forwarders the relay holds (dnsmasq takes any number; a bound all the same). */
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
  for (const [object, top] of [
    ['Client', clientTop],
    ['Relay', relayTop],
  ] as const) {
    model.register(`Device.DNS.${object}.`, {
      params: ['Enable', 'Status'],
      get: () => {
        const row = top.row([]);
        return { ...row, Status: row.Enable ? 'Enabled' : 'Disabled' };
      },
      set: (keys, changes) => top.apply(keys, changes),
    });
  }

  const clientRows = new WritableRows(ctx, 'Device.DNS.Client.Server.{i}.', (keys) => ({
    Enable: true,
    Alias: `cpe-dns-${keys[0]}`,
    DNSServer: nth(servers, keys[0]),
    Interface: WAN_INTERFACE,
  }));
  model.register('Device.DNS.Client.Server.{i}.', {
    params: ['Enable', 'Status', 'Alias', 'DNSServer', 'Interface', 'Type'],
    list: () => servers.map((_, i) => i + 1),
    get: (keys) => {
      nth(servers, keys[0]);
      const row = clientRows.row(keys);
      // A server of a disabled client is not used; one the WAN cannot reach fails.
      const status = !row.Enable || clientTop.row([]).Enable !== true ? 'Disabled' : ip.wanUp() ? 'Enabled' : 'Error';
      return { ...row, Status: status, Type: '3GPP-NAS' };
    },
    set: (keys, changes) => {
      canonicalizeReferences(changes, ['Interface']); // the same Interface with a trailing "." is no change
      refuseNetworkAssigned(clientRows.row(keys), changes);
      clientRows.apply(keys, changes);
    },
  });

  // The relay forwards to the network's two servers as shipped; a Controller may delete them
  // and add Static forwarders of its own (TR-181 DNSRelay:1).
  const forwarding = new FactoryTable(ctx, FORWARDING, () => servers.map((_, i) => i + 1), MAX_FORWARDERS);
  const fwdRows = new WritableRows(ctx, FORWARDING, (keys) =>
    forwarding.isFactory(keys) ? { Enable: true, Alias: `cpe-fwd-${keys[0]}`, DNSServer: nth(servers, keys[0]), Interface: WAN_INTERFACE } : { Enable: false, Alias: '', DNSServer: '', Interface: '' },
  );
  const validateForwarder = (keys: InstanceKeys, changes: Record<string, Value>): void => {
    canonicalizeReferences(changes, ['Interface']);
    if (keys[0] !== 0 && forwarding.isFactory(keys)) {
      refuseNetworkAssigned(fwdRows.row(keys), changes);
      return;
    }
    const bad: Array<{ param: string; message: string }> = [];
    if (changes.DNSServer !== undefined && changes.DNSServer !== '' && isIP(String(changes.DNSServer)) === 0) {
      bad.push({ param: 'DNSServer', message: 'must be an IPv4 or IPv6 address' });
    }
    if (changes.Interface !== undefined && changes.Interface !== '' && changes.Interface !== WAN_INTERFACE) {
      bad.push({ param: 'Interface', message: `the relay forwards over the WAN, ${WAN_INTERFACE} (or "" for any)` });
    }
    if (keys[0] === 0 && !changes.DNSServer) bad.push({ param: 'DNSServer', message: 'a forwarder needs the address of its DNS server' });
    if (bad.length > 0) throw invalidParams(bad);
  };
  model.register(FORWARDING, {
    params: ['Enable', 'Status', 'Alias', 'DNSServer', 'Interface', 'Type'],
    list: () => forwarding.list([]),
    get: (keys) => {
      const row = fwdRows.row(forwarding.check(keys));
      // A forwarder of a disabled relay is not used; one the WAN cannot reach fails.
      const status = !row.Enable || relayTop.row([]).Enable !== true ? 'Disabled' : ip.wanUp() ? 'Enabled' : 'Error';
      return { ...row, Status: status, Type: forwarding.isFactory(keys) ? '3GPP-NAS' : 'Static' };
    },
    set: (keys, changes) => {
      validateForwarder(forwarding.check(keys), changes);
      fwdRows.apply(keys, changes);
    },
    add: (_parent, params) => {
      const values = { ...params };
      validateForwarder([0], values); // instance 0: not numbered yet, so a refused Add uses no number
      const n = forwarding.add([]);
      fwdRows.apply([n], values);
      return n;
    },
    delete: (keys) => forwarding.delete(keys),
    snapshot: (keys) => forwarding.snapshot(keys),
    restore: (keys, snap) => forwarding.restore(keys, snap),
  });
}

/** DNSServer and Interface of a server the network assigned are the network's, not a Controller's (7012). */
function refuseNetworkAssigned(row: Record<string, Value>, changes: Record<string, Value>): void {
  const refused = ['DNSServer', 'Interface'].filter((p) => changes[p] !== undefined && changes[p] !== row[p]);
  if (refused.length > 0) {
    throw invalidParams(refused.map((param) => ({ param, message: 'assigned by the network (3GPP-NAS); only Static entries can be changed' })));
  }
}
