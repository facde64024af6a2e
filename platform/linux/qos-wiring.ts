/**
 * Serves Device.QoS. on Linux where it can be put into effect: nft and tc installed,
 * CAP_NET_ADMIN held and a store to keep the rows in (qos.ts). Otherwise Device.QoS. is not
 * served.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { findOnPath } from '../exec/CommandRunner.js';
import type { LinuxContext } from './LinuxContext.js';
import type { IpInterfaceNames } from './nat.js';
import { effectiveCapabilities, findNft } from './packet-classes.js';
import { LinuxQos } from './qos.js';
import { nftUsable } from './nft-usable.js';

/** Whether the agent may keep its QoS rules; `why` says what is missing. */
export function qosUsable(nftPath: string | undefined, tcPath: string | undefined, capEffHex = effectiveCapabilities()): { usable: boolean; why?: string } {
  if (nftPath !== undefined && tcPath === undefined) return { usable: false, why: 'tc (iproute2) is not installed' };
  return nftUsable(nftPath, capEffHex);
}

export function registerLinuxQos(ctx: LinuxContext, interfaces: IpInterfaceNames, store: DataStore | undefined, loaded: Array<() => Promise<void>>): void {
  const tc = ctx.runner.executable('tc');
  const usable = qosUsable(findNft(ctx.runner), tc === 'tc' ? findOnPath('tc') : tc);
  if (!usable.usable || !store) {
    ctx.log?.info('Device.QoS. not served', { why: usable.why ?? 'no store to keep its rows' });
    return;
  }
  const qos = new LinuxQos({
    model: ctx.model,
    store,
    runner: ctx.runner,
    interfaces,
    // sysfs speed is in Mbit/s, -1 or unreadable when the link does not say.
    linkBps: async (name) => {
      const mbit = Number(await ctx.files.attr(ctx.files.sys('class', 'net', name, 'speed')));
      return Number.isFinite(mbit) && mbit > 0 ? mbit * 1e6 : undefined;
    },
    txQueueLen: async (name) => Number(await ctx.files.attr(ctx.files.sys('class', 'net', name, 'tx_queue_len'))) || undefined,
    log: ctx.log,
  });
  qos.register();
  loaded.push(() => qos.start());
}
