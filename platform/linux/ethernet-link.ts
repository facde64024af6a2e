/**
 * Device.Ethernet.Link.{i}. and .Stats. of a Linux host (TR-181 EthernetLink:1,
 * EthernetLinkStats:1): one Link on each Ethernet.Interface, the layer IP.Interface.LowerLayers
 * names (TR-181's stack IP.Interface → Ethernet.Link → Ethernet.Interface). Linux has one netdev
 * for both layers, so the Link reads the port's own /sys/class/net/<if>/ files.
 *
 * A Controller may delete a Link and add one over an Ethernet.Interface that has none, or on no
 * lower layer yet (ethernet-link-rows.ts: which rows exist, kept in the store). An Add creates no
 * netdev; a Delete takes none down: both change the data model's stacking only, and IP.Interface
 * then names no Link. The LowerLayers of a device's own Link is fixed; an added one may move to
 * another free Ethernet.Interface or to none.
 *
 * Enable is the netdev's administrative state (`ip link set up|down`), as Ethernet.Interface's
 * and IP.Interface's are, and written only on `--manage-interfaces` netdevs: the agent's own
 * management interface is protected by leaving it out of that list. An Add writes Enable and MTU
 * to the netdev only when the Controller gives them, so adding a Link never takes a port down by
 * default. A Link on no lower layer keeps its Enable itself and reads LowerLayerDown while enabled.
 *
 * Bridges, bonds and VLANs are not Links here: their lower layers would be Bridging objects
 * and VLAN terminations (vlan-termination.ts serves the VLAN devices the agent makes, not as
 * Links).
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
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalidLowerLayers, LinkDeletions, type LinkRow } from '../ethernet-link-rows.js';
import { canonicalizeReferences } from '../reference.js';
import type { EthernetDevices } from './EthernetDevices.js';
import type { LinuxContext } from './LinuxContext.js';
import { deviceGone, registerDeviceStats } from './net-stats.js';
import { IFF_UP, interfaceStatus } from './net-status.js';
import { linkArgs } from './ip-address-write.js';
import type { LinkChanges } from './link-changes.js';

/** What a Set of a Link changes (MACAddress is the netdev's; LowerLayers only on a Link a Controller added). */
const LINK_WRITABLE = ['Enable', 'LowerLayers', 'MTU'] as const;

/** Serves the Ethernet link table and its Stats. */
export function registerEthernetLinks(ctx: LinuxContext, devices: EthernetDevices, changes: LinkChanges): void {
  const { files } = ctx;
  const rows = devices.links;
  const undo = new LinkDeletions(rows);
  const rowOf = async (keys: InstanceKeys): Promise<LinkRow> => rows.row(keys[0], await devices.names());
  /** The device a LowerLayers value names: one Ethernet.Interface ("" for none); 7012 otherwise. */
  const lowerDevice = async (ref: string): Promise<string> => {
    if (ref === '') return '';
    const m = /^Device\.Ethernet\.Interface\.(\d+)$/.exec(ref);
    const dev = m ? devices.interfaces.keyOf(Number(m[1])) : undefined;
    if (dev === undefined || !(await devices.names()).includes(dev)) throw invalidLowerLayers(`${JSON.stringify(ref)} names no Device.Ethernet.Interface of this device (a Link here stacks on one)`);
    return dev;
  };
  /** Checks an Add's or Set's LowerLayers for row `n` (0: being added); the device, or undefined when not given. */
  const checkLower = async (n: number, params: Record<string, Value>): Promise<string | undefined> => {
    canonicalizeReferences(params, ['LowerLayers']);
    if (params.LowerLayers === undefined) return undefined;
    const ref = String(params.LowerLayers);
    const dev = await lowerDevice(ref);
    if (dev !== '') rows.checkFree(n, dev, ref, await devices.names());
    return dev;
  };
  /** Enable of a Link over a device is the device's administrative state: `ip link set up|down`, on managed interfaces only. */
  const setDevice = async (dev: string, link: Record<string, Value>, path: string): Promise<void> => {
    if (Object.keys(link).length === 0) return;
    ctx.ip.requireManaged(dev, path);
    await ctx.ip.run(['link', 'set', 'dev', dev, ...linkArgs(link, path, 'MTU')], path);
  };

  ctx.model.register('Device.Ethernet.Link.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LastChange', 'LowerLayers', 'MTU', 'MACAddress'],
    writable: LINK_WRITABLE,
    list: async () => rows.rows(await devices.names()).map((r) => r.n),
    get: async (keys) => {
      const row = await rowOf(keys);
      // A Link a Controller added on no device yet: Down, or LowerLayerDown while enabled (TR-181).
      if (row.dev === undefined) return { Enable: row.enable, Status: row.enable ? 'LowerLayerDown' : 'Down', Name: '', LastChange: 0, LowerLayers: '', MACAddress: '' };
      const name = row.dev;
      // An added Link whose netdev went (a USB adapter pulled) stays, naming it, until it is back.
      if (!(await devices.names()).includes(name)) return { Enable: row.enable, Status: 'NotPresent', Name: name, LastChange: 0, LowerLayers: '', MACAddress: '' };
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
      const row = await rowOf(keys);
      const path = `Device.Ethernet.Link.${keys[0]}.`;
      const { LowerLayers, ...link } = changes;
      let dev = row.dev;
      let moved = false;
      if (LowerLayers !== undefined) {
        const to = await checkLower(row.n, changes);
        if (to !== (row.dev ?? '')) {
          // The Link of a device is that device's: a Controller deletes it and adds one over the other.
          if (!row.added) throw invalidLowerLayers(`the Link of ${row.dev ?? 'its device'} stays on it: Delete it and Add a Link over the other lower layer`);
          dev = to === '' ? undefined : to;
          moved = true;
        }
      }
      if (dev === undefined && link.MTU !== undefined) throw invalidLink('MTU', 'a Link on no lower layer has no MTU: set LowerLayers first', path);
      // The device first: when `ip` refuses, the row is as it was (the transaction undoes only what succeeded).
      if (dev !== undefined) await setDevice(dev, link, path);
      const enable = dev === undefined && link.Enable !== undefined ? { enable: link.Enable === true } : {};
      if (row.added && (moved || 'enable' in enable)) rows.update(row.n, { ...(moved ? { dev } : {}), ...enable });
    },
    add: async (_parent, params) => {
      const values = { ...params };
      // Checked before a number is taken, so a refused Add keeps nothing.
      const dev = await checkLower(0, values);
      const { LowerLayers: _, Alias: __, ...link } = values;
      const path = 'Device.Ethernet.Link.{i}.';
      if (!dev && link.MTU !== undefined) throw invalidLink('MTU', 'a Link on no lower layer has no MTU: give LowerLayers', path);
      // Only what the Controller gave is written to the device: an Add does not take an interface down by default.
      if (dev) await setDevice(dev, link, path);
      return rows.add(dev || undefined, link.Enable === true);
    },
    delete: async (keys) => {
      undo.keep(rows.delete(await rowOf(keys)));
    },
    // What a Delete took is kept by the Delete itself (it reads the row first); a rollback puts it back.
    snapshot: () => true,
    restore: (keys) => undo.restore(keys[0]!),
    // MACAddress is read from the device, never written by the agent, and a VLAN device shares its parent's (br-lan.1, br-lan):
    // no Add or Set can make a clash. Rows on no device have no Name (""), which is no clash either.
    findByValues: (_parent, params, values) => (params.length === 1 && (params[0] === 'MACAddress' || (params[0] === 'Name' && values.Name === '')) ? [] : undefined),
  });

  registerDeviceStats(ctx, 'Device.Ethernet.Link.{i}.Stats.', async (keys) => {
    const dev = (await rowOf(keys)).dev;
    return dev !== undefined && (await devices.names()).includes(dev) ? dev : undefined;
  });
}

/** 7012 on one parameter of a Link. */
function invalidLink(param: string, message: string, path: string): UspError {
  return new UspError(ErrorCode.InvalidValue, `${path}${param}: ${message}`, { path, paramErrors: [{ param, message, code: ErrorCode.InvalidValue }] });
}
