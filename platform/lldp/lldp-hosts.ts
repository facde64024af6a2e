/**
 * Device.LLDP.Discovery.Device.{i}.Host: the Device.Hosts.Host rows that are the discovered LLDP
 * device (TR-181: every Host entry, active or not, that corresponds to it). A neighbour names
 * itself by MAC (a chassis or port ID of subtype "MAC address") and by its management
 * addresses; a Host row matches when its PhysAddress or IPAddress is one of them. The Hosts
 * table is read through the model, so this works over whichever platform serves it.
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { RequestContext } from '../../datamodel/tree/binding.js';

const HOST = 'Device.Hosts.Host.{i}.';
/** TR-181 limits Host to 1024 characters: about 40 paths. */
const MAX_HOST_LIST = 1024;

/** What a neighbour is known by: lower-case MACs and IP addresses. */
export interface LldpIdentity {
  macs: ReadonlySet<string>;
  addresses: ReadonlySet<string>;
}

/** A function answering the Host list of one identity; one read of Hosts serves a whole Get. */
export type HostLookup = (ids: LldpIdentity, ctx: RequestContext) => Promise<string>;

/** The Host lookup over `model`'s Device.Hosts.Host table ("" when nothing serves it). */
export function hostsOfModel(model: DataModel): HostLookup {
  return async (ids, ctx) => {
    if (ids.macs.size === 0 && ids.addresses.size === 0) return '';
    const node = model.node(HOST);
    if (!node || !model.isBound(node)) return '';
    const paths: string[] = [];
    let length = 0;
    for (const n of await model.listInstances(node, [], ctx)) {
      const inst = { node, keys: [n] };
      const [mac, ip] = await Promise.all([model.readValue(inst, 'PhysAddress', ctx), model.readValue(inst, 'IPAddress', ctx)]);
      const matches = (typeof mac === 'string' && ids.macs.has(mac.toLowerCase())) || (typeof ip === 'string' && ip !== '' && ids.addresses.has(ip));
      if (!matches) continue;
      const path = `Device.Hosts.Host.${n}`;
      if (length + path.length + 1 > MAX_HOST_LIST) break;
      paths.push(path);
      length += path.length + 1;
    }
    return paths.join(',');
  };
}
