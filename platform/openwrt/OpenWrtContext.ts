/**
 * What every OpenWrt provider shares: the data model, the command runner with its cache, the
 * clock and the log. Reads go through `ubus()`: one cached `ubus call` per source, whose
 * failure becomes the UspError of the objects that depend on it and of nothing else.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { sourceError } from '../exec/CommandError.js';
import { commandLine, type CommandRunner } from '../exec/CommandRunner.js';
import { parseUciShow, type UciConfig } from './uci-show.js';
import type { PacketClassCounters } from '../linux/packet-classes.js';

export class OpenWrtContext {
  /** Unicast/broadcast/multicast counts from nftables (`--packet-counters`); undefined: not served. */
  packetClasses?: PacketClassCounters;
  /** Where the kernel lists network devices (rx_nohandler, bridge port states). */
  sysNetDir = '/sys/class/net';

  constructor(
    readonly model: DataModel,
    readonly runner: CommandRunner,
    /** How long one answer serves further reads (the span of one Get, not a polling period). */
    readonly cacheMs: number,
    readonly log: Logger,
    /** Wall clock, ms since the epoch (AssociationTime, address lifetimes). */
    readonly now: () => number,
  ) {}

  /** `ubus call <object> <method> [<args as JSON>]`, parsed, cached for cacheMs. */
  async ubus<T>(object: string, method: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await this.runner.json<T>('ubus', ubusArgs(object, method, args), this.cacheMs);
    } catch (e) {
      throw sourceError(e);
    }
  }

  /** `uci -q -X show <config>` (sections with their real names), parsed, cached for cacheMs. */
  async uci(config: string): Promise<UciConfig> {
    try {
      return await this.runner.cached('uci', uciShowArgs(config), this.cacheMs, parseUciShow);
    } catch (e) {
      throw sourceError(e);
    }
  }

  /** Drops the cached `uci show` of `config`, after a write. */
  forgetUci(config: string): void {
    this.runner.invalidate(commandLine('uci', uciShowArgs(config)));
  }

  /** Drops the cached answer of `ubus call <object> [<method>]`, after a write or an event. */
  forget(object: string, method?: string): void {
    this.runner.invalidate(commandLine('ubus', method ? ['call', object, method] : ['call', object]));
  }

  /** Who keeps rows by anonymous section name, per UCI package (renamedUci). */
  private readonly renameListeners = new Map<string, Array<(renames: ReadonlyArray<readonly [string, string]>) => void>>();

  /** Calls `listener` with the renames another table's write of `pkg` caused (libuci renumbers anonymous sections after a deleted one). */
  onUciRenames(pkg: string, listener: (renames: ReadonlyArray<readonly [string, string]>) => void): void {
    this.renameListeners.set(pkg, [...(this.renameListeners.get(pkg) ?? []), listener]);
  }

  /** Tells the tables of `pkg` that a write renamed these sections (old name → new name). */
  renamedUci(pkg: string, renames: ReadonlyArray<readonly [string, string]>): void {
    for (const l of this.renameListeners.get(pkg) ?? []) l(renames);
  }

  /** Emits ObjectCreation/ObjectDeletion for one instance of a table node. */
  emitRow(node: ModelNode, kind: 'created' | 'deleted', keys: InstanceKeys): void {
    this.model.changes.emit({ kind, inst: { node, keys }, path: node.pathOf(keys) });
  }
}

export function ubusArgs(object: string, method: string, args?: Record<string, unknown>): string[] {
  return args === undefined ? ['call', object, method] : ['call', object, method, JSON.stringify(args)];
}

export function uciShowArgs(config: string): string[] {
  return ['-q', '-X', 'show', config];
}
