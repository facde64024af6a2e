/**
 * Device.QoS.QueueStats.{i}. of the simulated gateway (TR-181 QoSStats:1): rows a Controller
 * adds, kept in the store, each naming a Queue and an egress interface (the LAN or the WAN
 * IP.Interface).
 *
 * - Status: Disabled; Error while the Queue row is gone, or the Queue's egress is another
 *   interface (a Queue with AllInterfaces true serves both); else Enabled.
 * - The counters read 0, always: the simulated traffic model (traffic.ts) gives each interface
 *   closed-form totals and classifies no packet into a Queue, so it cannot say which of them a
 *   Queue sent or dropped; inventing a split would be a made-up figure.
 *
 * Costs a fleet gateway nothing until a Controller adds a row: one small options object over
 * the gateway's context, the rows in its store.
 */
import { registerStored, type StoredOptions } from '../../datamodel/store/stored-binding.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { QUEUE_STATS_COUNTERS, QUEUE_STATS_PARAMS, statsQueueOf } from '../qos-queue-stats.js';
import { canonicalizeReferences } from '../reference.js';
import type { BadParam } from '../stored-table.js';
import { LAN_INTERFACE, WAN_INTERFACE } from './ip.js';
import { invalidParams, type SimContext } from './SimContext.js';

export const SIM_MAX_QUEUE_STATS = 16;
const INTERFACES: ReadonlySet<string> = new Set([LAN_INTERFACE, WAN_INTERFACE]);
const LIVE = ['Status', ...QUEUE_STATS_COUNTERS] as const;

/** The table's options: methods over one gateway's context, one copy for the fleet. */
class QueueStatsOptions implements StoredOptions {
  readonly params = QUEUE_STATS_PARAMS;
  readonly liveParams = LIVE;
  private readonly node: ModelNode;

  constructor(private readonly ctx: SimContext) {
    this.node = ctx.model.requireNode('Device.QoS.QueueStats.{i}.');
  }

  private queue(reference: Value | undefined): Readonly<Record<string, Value>> | undefined {
    const n = statsQueueOf(reference);
    return n === undefined ? undefined : this.ctx.store.row(`Device.QoS.Queue.${n}.`);
  }

  validate(keys: InstanceKeys, changes: Record<string, Value>): void {
    if (keys[0] === 0 && this.ctx.store.instances('Device.QoS.QueueStats.').length >= SIM_MAX_QUEUE_STATS)
      throw new UspError(ErrorCode.ResourcesExceeded, `the gateway holds at most ${SIM_MAX_QUEUE_STATS} QueueStats rows`);
    canonicalizeReferences(changes, ['Queue', 'Interface']);
    const bad: BadParam[] = [];
    const queue = String(changes.Queue ?? '');
    if (queue !== '' && !this.queue(queue)) bad.push({ param: 'Queue', message: `${queue} is no Device.QoS.Queue.{i} row` });
    const ref = String(changes.Interface ?? '');
    if (ref !== '' && !INTERFACES.has(ref)) bad.push({ param: 'Interface', message: `${ref}: the gateway's interfaces are ${LAN_INTERFACE} (LAN) and ${WAN_INTERFACE} (WAN)` });
    if (bad.length > 0) throw invalidParams(bad);
  }

  liveValue(name: string, keys: InstanceKeys): Value {
    if (name !== 'Status') return 0; // the traffic model puts no packet into a Queue (see above)
    const row = this.ctx.store.row(this.node.pathOf(keys)) ?? {};
    if (row.Enable !== true) return 'Disabled';
    const queue = this.queue(row.Queue);
    const egress = String(row.Interface ?? '');
    const valid = queue !== undefined && INTERFACES.has(egress) && (queue.AllInterfaces === true || queue.Interface === egress);
    return valid ? 'Enabled' : 'Error';
  }
}

/** Serves Device.QoS.QueueStats.{i}. */
export function registerQueueStatsSim(ctx: SimContext): void {
  registerStored(ctx.model, ctx.store, 'Device.QoS.QueueStats.{i}.', new QueueStatsOptions(ctx));
}
