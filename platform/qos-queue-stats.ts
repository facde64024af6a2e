/**
 * Device.QoS.QueueStats.{i}. (TR-181 QoSStats:1), what every platform shares: the parameters,
 * the counters, and when a row's {Queue, Interface} pair is valid. A Controller adds a row for
 * each pair it wants counted; the platform reads the counters of that Queue on that egress
 * Interface when the row is read.
 */
import type { Value } from '../datamodel/value/Value.js';

/** The counters of a QueueStats row (all unsignedInt: they wrap at 2^32). */
export const QUEUE_STATS_COUNTERS = ['OutputPackets', 'OutputBytes', 'DroppedPackets', 'DroppedBytes', 'QueueOccupancyPackets', 'QueueOccupancyPercentage'] as const;

export const QUEUE_STATS_PARAMS = ['Enable', 'Status', 'Alias', 'Queue', 'Interface', ...QUEUE_STATS_COUNTERS] as const;

/** What a Controller sets; Status and the counters are computed on read. */
export const QUEUE_STATS_WRITABLE = ['Enable', 'Alias', 'Queue', 'Interface'] as const;

/** Status and the counters: computed on read, never stored. */
export const QUEUE_STATS_LIVE: ReadonlySet<string> = new Set(['Status', ...QUEUE_STATS_COUNTERS]);

/** A row's counters when its queue counts nothing (disabled, or its pair invalid). */
export const ZERO_QUEUE_COUNTERS: Readonly<Record<string, Value>> = Object.freeze(Object.fromEntries(QUEUE_STATS_COUNTERS.map((c) => [c, 0])));

/** The Queue instance a QueueStats.Queue names (`Device.QoS.Queue.N`), if it has that form. */
export function statsQueueOf(reference: Value | undefined): number | undefined {
  const m = /^Device\.QoS\.Queue\.(\d+)\.?$/.exec(String(reference ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** unsignedInt counters wrap at 2^32 like the 32-bit counters TR-181 models. */
export function counter32(n: number): number {
  return !Number.isFinite(n) || n < 0 ? 0 : Math.trunc(n) % 2 ** 32;
}

/** One queue's counts on one egress device, as a platform reads them. */
export interface QueueCounts {
  packets: number;
  bytes: number;
  droppedPackets: number;
  /** Undefined when the device counts dropped packets only. */
  droppedBytes?: number;
  backlogPackets: number;
  /** 0..100: how full the queue is now. */
  occupancyPercent: number;
}

/**
 * The counters of a row from its queue's counts. Where the device counts dropped packets only
 * (Linux tc), DroppedBytes is those packets at the mean size of the packets the queue sent: an
 * estimate, documented in docs/platform-mapping.md.
 */
export function queueCounters(c: QueueCounts): Record<string, Value> {
  const mean = c.packets > 0 ? c.bytes / c.packets : 0;
  return {
    OutputPackets: counter32(c.packets),
    OutputBytes: counter32(c.bytes),
    DroppedPackets: counter32(c.droppedPackets),
    DroppedBytes: counter32(c.droppedBytes ?? Math.round(c.droppedPackets * mean)),
    QueueOccupancyPackets: counter32(c.backlogPackets),
    QueueOccupancyPercentage: Math.max(0, Math.min(100, Math.round(c.occupancyPercent))),
  };
}
