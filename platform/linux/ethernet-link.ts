/**
 * Device.Ethernet.Link.{i}. and .Stats. of a Linux host (TR-181 EthernetLink:1,
 * EthernetLinkStats:1): one Link on each Ethernet.Interface, the layer IP.Interface.LowerLayers
 * names (TR-181's stack IP.Interface → Ethernet.Link → Ethernet.Interface). Linux has one netdev
 * for both layers, so the Link reads the port's own /sys/class/net/<if>/ files.
 *
 * Bridges, bonds and VLANs are not Links here: their lower layers would be Bridging and
 * VLANTermination objects, which this platform does not serve.
 *
 * Enable and MTU are written back with `ip link set` on the interfaces the agent manages.
 *
 * LastChange: the platform's `ip monitor link` watcher (link-changes.ts), in the reading of a
 * device under a stacked object (no carrier under an enabled Link is LowerLayerDown), as
 * IP.Interface reads it.
 *
 * Not served: the writable settings PriorityTagging, FlowControl and NoARP (no write path on
 * this platform).
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { EthernetDevices } from './EthernetDevices.js';
import type { LinuxContext } from './LinuxContext.js';
import { deviceGone, registerDeviceStats } from './net-stats.js';
import { IFF_UP, interfaceStatus } from './net-status.js';
import { linkArgs } from './ip-address-write.js';
import type { LinkChanges } from './link-changes.js';

/** Serves the Ethernet link table and its Stats. */
export function registerEthernetLinks(ctx: LinuxContext, devices: EthernetDevices, changes: LinkChanges): void {
  const { files } = ctx;
  const numbers = devices.links;

  ctx.model.register('Device.Ethernet.Link.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LastChange', 'LowerLayers', 'MTU', 'MACAddress'],
    list: async () => numbers.list(await devices.names()),
    get: async (keys) => {
      const name = numbers.requireKey(keys[0]);
      const at = (a: string) => files.attr(files.sys('class', 'net', name, a));
      const [address, operstate, carrier, flags, mtu] = await Promise.all([at('address'), at('operstate'), at('carrier'), at('flags'), at('mtu')]);
      if (address === undefined && operstate === undefined) throw deviceGone(name);
      const adminUp = flags === undefined ? undefined : (parseInt(flags, 16) & IFF_UP) !== 0;
      // Up administratively on a port without carrier is LowerLayerDown, as for IP.Interface.
      const status = interfaceStatus(operstate, adminUp, carrier === undefined ? undefined : carrier === '1', true);
      const values: Record<string, Value> = {
        Status: status,
        Name: name,
        LastChange: changes.lastChange(name, status, 'stacked'),
        LowerLayers: `Device.Ethernet.Interface.${devices.interfaces.numberOf(name)}`,
      };
      if (adminUp !== undefined) values.Enable = adminUp;
      const bytes = Number(mtu);
      if (mtu !== undefined && Number.isSafeInteger(bytes) && bytes >= 0) values.MTU = Math.min(bytes, 0xffff_ffff);
      if (address !== undefined) values.MACAddress = address;
      return values;
    },
    set: async (keys, changes) => {
      const name = numbers.requireKey(keys[0]);
      const path = `Device.Ethernet.Link.${keys[0]}.`;
      ctx.ip.requireManaged(name, path);
      await ctx.ip.run(['link', 'set', 'dev', name, ...linkArgs(changes, path, 'MTU')], path);
    },
  });

  registerDeviceStats(ctx, 'Device.Ethernet.Link.{i}.Stats.', (keys) => numbers.requireKey(keys[0]));
}
