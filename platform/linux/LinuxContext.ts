/**
 * What every Linux provider shares: where the kernel's files are, the clock, the command
 * runner and how long a tool's output is reused.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { HostFiles } from './HostFiles.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import type { IpWriter } from './ip-write.js';
import type { PacketClassCounters } from './packet-classes.js';

export interface LinuxContext {
  model: DataModel;
  files: HostFiles;
  /** Wall clock, ms since the epoch. */
  now: () => number;
  /** The shared runner (platform/exec): cached, counted calls of host programs. */
  runner: CommandRunner;
  /** How long one `ip -j addr` serves every IP object of a read, ms. */
  cacheMs: number;
  /** The write path (`ip link/addr/route`), limited to the managed interfaces. */
  ip: IpWriter;
  /** Unicast/broadcast/multicast counts from nftables (`--packet-counters`); undefined: not served. */
  packetClasses?: PacketClassCounters;
  log?: Logger;
}
