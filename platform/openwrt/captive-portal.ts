/**
 * Device.CaptivePortal. on OpenWrt: the same nftables table and redirect responder as on generic
 * Linux (platform/linux/captive-portal.ts). The table (`inet usp_agent_captive`) is the agent's
 * own and stands beside fw4's: fw4 flushes and rewrites only `inet fw4`, so a firewall reload
 * leaves it in place. Its prerouting chain runs before fw4's dstnat chain; the responder's port is
 * let in by the LAN zone's input (the default `lan` zone accepts input). The nft, kmod-nft-nat and
 * kmod-nft-fib it needs come with firewall4. WAN = the devices with a default route, read from
 * /proc/net/route. Needs the store (Enable, AllowedList and URL are kept there).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { HostFiles } from '../linux/HostFiles.js';
import { captivePortalUsable, LinuxCaptivePortal } from '../linux/captive-portal.js';
import { findNft } from '../linux/packet-classes.js';
import type { OpenWrtContext } from './OpenWrtContext.js';

/** Registers Device.CaptivePortal. where nft runs with CAP_NET_ADMIN; returns what to start once the store is loaded and to stop at the end. */
export function registerOpenWrtCaptivePortal(ctx: OpenWrtContext, store: DataStore): { start(): Promise<void>; stop(): void } | undefined {
  const usable = captivePortalUsable(findNft(ctx.runner));
  if (!usable.usable) {
    ctx.log?.info('Device.CaptivePortal. not served', { why: usable.why });
    return undefined;
  }
  const c = new LinuxCaptivePortal({ model: ctx.model, store, runner: ctx.runner, files: new HostFiles(), log: ctx.log });
  c.register();
  return {
    start: () => c.start().catch((e: unknown) => ctx.log?.warn('captive portal not applied at start; the next change tries again', { why: e instanceof Error ? e.message : String(e) })),
    stop: () => c.stop(),
  };
}
