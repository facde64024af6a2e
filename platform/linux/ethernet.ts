/**
 * Device.Ethernet.Interface.{i}. and .Stats. of a Linux host (TR-181 EthernetInterface:2,
 * EthernetInterfaceStats:1) from /sys/class/net/<if>/ and /sys/class/net/<if>/statistics/.
 * Which devices are rows, and their instance numbers, come from EthernetDevices (one scan
 * shared with Ethernet.Link); a row keeps its number while the agent runs.
 *
 * Enable is written back with `ip link set up/down` on the interfaces the agent manages;
 * MaxBitRate and DuplexMode are read and written with ethtool (ethernet-ethtool.ts).
 *
 * LastChange: the platform's `ip monitor link` watcher (link-changes.ts), in the port's reading of
 * Status (no carrier is Down).
 *
 * Not served: EEE and MDIX settings, and the counters net-stats.ts leaves out.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { EthernetDevices } from './EthernetDevices.js';
import type { LinuxContext } from './LinuxContext.js';
import { deviceGone, registerDeviceStats } from './net-stats.js';
import { IFF_UP, interfaceStatus } from './net-status.js';
import { defaultRouteInterfaces } from './proc-parsers.js';
import { linkArgs } from './ip-address-write.js';
import { EthtoolSettings } from './ethernet-ethtool.js';
import type { LinkChanges } from './link-changes.js';

/** Serves the Ethernet interface table and its Stats. */
export function registerEthernet(ctx: LinuxContext, devices: EthernetDevices, changes: LinkChanges): void {
  const { files } = ctx;
  const numbers = devices.interfaces;
  const ethtool = new EthtoolSettings(ctx);

  ctx.model.register('Device.Ethernet.Interface.{i}.', {
    params: ['Enable', 'Status', 'Name', 'LastChange', 'Upstream', 'MACAddress', 'MaxBitRate', 'CurrentBitRate', 'DuplexMode', 'CurrentDuplexMode'],
    list: async () => numbers.list(await devices.names()),
    get: async (keys) => {
      const name = numbers.requireKey(keys[0]);
      const at = (a: string) => files.attr(files.sys('class', 'net', name, a));
      const [address, operstate, carrier, speed, duplex, flags, route, route6, settings] = await Promise.all([
        at('address'),
        at('operstate'),
        at('carrier'),
        at('speed'),
        at('duplex'),
        at('flags'),
        files.read(files.proc('net', 'route')),
        files.read(files.proc('net', 'ipv6_route')),
        ethtool.read(name),
      ]);
      if (address === undefined && operstate === undefined) throw deviceGone(name);
      const adminUp = flags === undefined ? undefined : (parseInt(flags, 16) & IFF_UP) !== 0;
      const mbps = Number(speed);
      const status = interfaceStatus(operstate, adminUp, carrier === undefined ? undefined : carrier === '1');
      const values: Record<string, Value> = {
        Status: status,
        Name: name,
        LastChange: changes.lastChange(name, status, 'port'),
        // Towards the Internet: the interface carries a default route.
        Upstream: defaultRouteInterfaces(route, route6).has(name),
        // sysfs speed is -1 (or unreadable) when unknown; TR-181 says 0 means unknown.
        CurrentBitRate: Number.isSafeInteger(mbps) && mbps > 0 ? Math.min(mbps, 0xffff_ffff) : 0,
        CurrentDuplexMode: duplex === 'full' ? 'Full' : duplex === 'half' ? 'Half' : 'Unknown',
        MaxBitRate: settings.MaxBitRate,
        DuplexMode: settings.DuplexMode,
      };
      if (adminUp !== undefined) values.Enable = adminUp;
      if (address !== undefined) values.MACAddress = address;
      return values;
    },
    set: async (keys, changes) => {
      const name = numbers.requireKey(keys[0]);
      const path = `Device.Ethernet.Interface.${keys[0]}.`;
      ctx.ip.requireManaged(name, path);
      const { MaxBitRate, DuplexMode, ...rest } = changes;
      if (MaxBitRate !== undefined || DuplexMode !== undefined) await ethtool.write(name, { MaxBitRate, DuplexMode }, path);
      if (Object.keys(rest).length > 0) await ctx.ip.run(['link', 'set', 'dev', name, ...linkArgs(rest, path, '')], path);
    },
  });

  registerDeviceStats(ctx, 'Device.Ethernet.Interface.{i}.Stats.', (keys) => numbers.requireKey(keys[0]));
}
