/**
 * Device.Routing.RIP. on the Linux platform: served where bird 2 is installed, the agent runs as
 * root and has a data directory for bird's file and its rows (rip.ts); otherwise not served, with
 * one start-up line naming the package.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { BIRD_BIN, birdUsable } from './bird-process.js';
import type { LinuxContext } from './LinuxContext.js';
import type { IpInterfaceNames } from './nat.js';
import { LinuxRip } from './rip.js';

/** Registers Device.Routing.RIP. and pushes its start and stop onto the platform's lists. */
export function registerLinuxRip(ctx: LinuxContext, store: DataStore, interfaces: IpInterfaceNames, loaded: Array<() => Promise<void>>, stops: Array<() => void>): void {
  const usable = birdUsable();
  if (!usable.usable || !store.dir) {
    ctx.log?.info('Device.Routing.RIP. not served', { why: usable.why ?? 'no data directory for its rows and bird file' });
    return;
  }
  const rip = new LinuxRip({ model: ctx.model, store, interfaces, requireManaged: (d, p) => ctx.ip.requireManaged(d, p), dir: store.dir, binary: BIRD_BIN, log: ctx.log });
  rip.register();
  loaded.push(() => rip.start());
  stops.push(() => rip.stop());
}
