/**
 * Device.QoS.Queue.{i} with DropAlgorithm RED on Linux: the Queue's HTB class gets a `red` qdisc
 * as its leaf instead of the default FIFO. TR-181 gives two numbers and asks the device to choose
 * the rest sensibly:
 * - REDThreshold is min_th as a percentage of the queue size (0: the device picks, 5). The queue
 *   size is what the class's FIFO would hold: the device's txqueuelen in full-size packets
 *   (1500 bytes), the byte `limit` of the red qdisc.
 * - max_th is three times min_th (the TR-181 example), at most the queue size. A REDThreshold
 *   above 90 would leave no room between min_th and the queue size: refused (7012).
 * - REDPercentage is max_p in percent (0: the device picks, 10).
 * - w_q follows from `burst` (tc's own rule, (2 min + max) / (3 avpkt) packets), written out so
 *   every iproute2 version builds the same qdisc.
 * The kernel needs sch_red (CONFIG_NET_SCH_RED; OpenWrt's kmod-sched); without it tc says
 * "Specified qdisc kind is unknown" and the Set that asked for RED answers 7012 (qos.ts).
 */
import type { BadParam } from '../stored-table.js';
import type { Value } from '../../datamodel/value/Value.js';
import { num } from '../firewall-rule-checks.js';

/** Bytes of one full-size packet: the unit the queue size is counted in. */
const PACKET_BYTES = 1500;
/** The mean packet size tc's RED estimator assumes. */
const AVPKT = 1000;
const MAX_THRESHOLD = 90;

/** The red leaf of one Queue. */
export interface RedLeaf {
  /** The queue size in bytes (the red qdisc's hard limit). */
  limitBytes: number;
  minBytes: number;
  maxBytes: number;
  /** max_p, 0..1. */
  probability: number;
}

/** What makes a Queue row's RED numbers impossible here (7012). */
export function redProblems(r: Readonly<Record<string, Value>>): BadParam[] {
  const t = num(r.REDThreshold, 0);
  return t > MAX_THRESHOLD ? [{ param: 'REDThreshold', message: `${t}: above ${MAX_THRESHOLD} percent of the queue no room is left for RED's maximum threshold` }] : [];
}

/** The red leaf of a Queue row with DropAlgorithm RED on a device with `txQueueLen` packets of FIFO; undefined for any other DropAlgorithm. */
export function redLeafOf(r: Readonly<Record<string, Value>>, txQueueLen: number | undefined): RedLeaf | undefined {
  if (r.DropAlgorithm !== 'RED') return undefined;
  const limitBytes = Math.max(10, txQueueLen ?? 1000) * PACKET_BYTES;
  const minBytes = Math.round((limitBytes * (num(r.REDThreshold, 0) || 5)) / 100);
  const maxBytes = Math.min(limitBytes, 3 * minBytes);
  return { limitBytes, minBytes, maxBytes, probability: (num(r.REDPercentage, 0) || 10) / 100 };
}

/** The `tc -batch` line putting `red` under HTB class `classId` of `dev`; `bandwidthBps` is the class's ceil (RED's idle-time estimate). */
export function redQdiscLine(dev: string, classId: string, red: RedLeaf, bandwidthBps: number): string {
  const minor = classId.split(':')[1]!;
  const burst = Math.ceil((2 * red.minBytes + red.maxBytes) / (3 * AVPKT));
  return [
    `qdisc add dev ${dev} parent ${classId} handle ${minor}: red`,
    `limit ${red.limitBytes} min ${red.minBytes} max ${red.maxBytes} avpkt ${AVPKT} burst ${burst}`,
    `probability ${red.probability} bandwidth ${Math.max(8, Math.floor(bandwidthBps))}bit`,
  ].join(' ');
}

/** Whether tc's complaint says the kernel has no red qdisc. */
export const noRedQdisc = (message: string): boolean => /qdisc kind is unknown/i.test(message);
