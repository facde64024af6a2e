/**
 * Device.USB. on Linux (platform/usb/usb-sysfs.ts, shared with OpenWrt) from the sysfs of the
 * device's hardware (USP_AGENT_SYSFS_ROOT when set). Interface.{i}.Enable is `ip link set
 * up/down` on the interfaces the agent manages (--manage-interfaces), as for Ethernet; the Stats
 * take the agent's nftables packet classes where those are in use.
 */
import { registerSysfsUsb } from '../usb/usb-sysfs.js';
import type { HostFiles } from './HostFiles.js';
import type { LinuxContext } from './LinuxContext.js';

export function registerHostUsb(ctx: LinuxContext, files: HostFiles): boolean {
  return registerSysfsUsb(ctx.model, files, ctx.now, {
    packetClasses: ctx.packetClasses,
    setLinkEnable: async (name, enable, path) => {
      ctx.ip.requireManaged(name, path);
      await ctx.ip.run(['link', 'set', 'dev', name, enable ? 'up' : 'down'], path);
    },
  });
}
