/**
 * Device.QoS.QueueStats.{i}. on Linux (TR-181 QoSStats:1): rows a Controller adds, kept in the
 * agent's store, each naming a Queue and an egress IP.Interface. A Queue is the agent's own HTB
 * class on its device (qos-tc.ts), so a row whose Interface is its Queue's reads that class's
 * counters; one `tc -s class show dev IF` per device per cacheMs fills every row of the device.
 *
 * - Status: Disabled; Error while the Queue row is gone or its egress is another device (or
 *   the Interface is gone); else Enabled.
 * - OutputPackets/Bytes and DroppedPackets: the class's own counters, which restart from 0 when
 *   the agent rebuilds the device's tree (after a QoS change, or at start).
 * - DroppedBytes: tc counts dropped packets only; they are counted at the mean size of what the
 *   class sent (an estimate, documented in docs/platform-mapping.md).
 * - QueueOccupancyPackets: the class's backlog now. QueueOccupancyPercentage: that backlog of
 *   the leaf FIFO's limit, which is the device's txqueuelen in packets (the kernel sizes the FIFO
 *   in packets, not bytes).
 * - The counters read 0 while the row is not Enabled or its Queue is disabled (no class then).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { CommandRunner } from '../exec/CommandRunner.js';
import { QUEUE_STATS_LIVE, QUEUE_STATS_PARAMS, QUEUE_STATS_WRITABLE, queueCounters, statsQueueOf, ZERO_QUEUE_COUNTERS } from '../qos-queue-stats.js';
import { invalid, publicValues, type BadParam, type Row, StoredTable } from '../stored-table.js';
import { isIfName } from './firewall-rules.js';
import type { IpInterfaceNames } from './nat.js';
import { classStatsArgs, parseClassStats } from './qos-class-stats.js';
import { queueClassId } from './qos-tc.js';

/** Rows a Controller may add: one per Queue and Interface pair is plenty (MAX_QUEUES is 32). */
export const MAX_QUEUE_STATS = 64;
/** The key beside a row where the agent keeps its egress device (as the Queue rows do, qos.ts). */
const DEVICE = '$device';
/** The FIFO limit of a device that does not say its txqueuelen (the kernel's default). */
const DEFAULT_TXQUEUELEN = 1000;

export interface LinuxQueueStatsOptions {
  model: DataModel;
  store: DataStore;
  runner: CommandRunner;
  interfaces: IpInterfaceNames;
  /** The stored Queue rows (their `$device` is their egress device). */
  queues(): Array<[number, Row]>;
  /** The txqueuelen of device `name` (its HTB leaves' FIFO limit), when the kernel says. */
  txQueueLen?(name: string): Promise<number | undefined>;
  /** How long one `tc -s class show` answers reads, in ms (default 1000). */
  cacheMs?: number;
}

/** Registers Device.QoS.QueueStats.{i}. and returns its table. */
export function registerLinuxQueueStats(o: LinuxQueueStatsOptions): StoredTable {
  const node = o.model.requireNode('Device.QoS.QueueStats.{i}.');
  const check = async (merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> => {
    const bad: BadParam[] = [];
    const queue = String(changes.Queue ?? '');
    if (queue !== '') {
      const n = statsQueueOf(queue);
      if (n === undefined || !o.queues().some(([q]) => q === n)) bad.push({ param: 'Queue', message: `${queue} is no Device.QoS.Queue.{i} row` });
    }
    if (changes.Interface !== undefined) {
      delete merged[DEVICE];
      const ref = String(changes.Interface);
      const dev = ref === '' ? undefined : await o.interfaces.nameOf(ref);
      if (ref !== '' && dev === undefined) bad.push({ param: 'Interface', message: `${ref} is no Device.IP.Interface.{i} row of this device` });
      else if (dev !== undefined && !isIfName(dev)) bad.push({ param: 'Interface', message: `${dev} is not a device name tc can use` });
      else if (dev !== undefined) merged[DEVICE] = dev;
    }
    if (bad.length > 0) throw invalid(bad);
    return merged;
  };
  const read = async (row: Row): Promise<Record<string, Value>> => {
    const values = publicValues(row);
    const dev = row[DEVICE] === undefined ? undefined : String(row[DEVICE]);
    if (dev !== undefined) values.Interface = (await o.interfaces.pathOf(dev)) ?? '';
    const n = statsQueueOf(row.Queue);
    const queue = o.queues().find(([q]) => q === n)?.[1];
    // A strong reference: "" once the Queue row is gone (TR-106).
    if (!queue) values.Queue = '';
    const valid = queue !== undefined && dev !== undefined && values.Interface !== '' && queue[DEVICE] === dev;
    values.Status = row.Enable !== true ? 'Disabled' : valid ? 'Enabled' : 'Error';
    Object.assign(values, ZERO_QUEUE_COUNTERS);
    if (values.Status !== 'Enabled' || queue?.Enable !== true) return values;
    const classes = await o.runner.cached('tc', classStatsArgs(dev!), o.cacheMs ?? 1000, parseClassStats).catch(() => undefined);
    const c = classes?.get(queueClassId(n!));
    if (!c) return values;
    const limit = (await o.txQueueLen?.(dev!)) || DEFAULT_TXQUEUELEN;
    Object.assign(values, queueCounters({ packets: c.packets, bytes: c.bytes, droppedPackets: c.drops, backlogPackets: c.backlogPackets, occupancyPercent: (100 * c.backlogPackets) / limit }));
    return values;
  };
  const table = new StoredTable(o.store, node, {
    params: QUEUE_STATS_PARAMS,
    writable: QUEUE_STATS_WRITABLE,
    live: QUEUE_STATS_LIVE,
    max: MAX_QUEUE_STATS,
    references: ['Queue', 'Interface'],
    // The counters change without the agent: ValueChange polls them.
    changesOnlyThroughAgent: false,
    check: (_k, merged, changes) => check(merged, changes),
    read: (_k, row) => read(row),
  });
  o.model.register('Device.QoS.QueueStats.{i}.', table);
  return table;
}
