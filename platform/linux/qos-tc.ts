/**
 * What Device.QoS.Queue.{i}. and Shaper.{i}. become on one egress device: an HTB root qdisc
 * with the agent's own handle (QOS_HANDLE: how the agent knows the qdisc is its own, to replace
 * or remove it and nothing else), under it one root class at the device's rate, and under that
 * one class per enabled Queue plus a default class for traffic of no Queue's class.
 *
 * - Shaper.{i}: the root class's rate and ceiling (ShapingRate; ShapingBurstSize as its burst).
 *   Without a Shaper the root class runs at the link's rate, which never holds traffic back.
 * - Queue.{i}: an HTB class whose assured rate is the root rate shared by Weight among the
 *   device's classes (Weight 0 counts as 1), whose ceiling is its ShapingRate (else the root
 *   rate), and whose HTB prio is Precedence - 1 (0..7: lower numbers get spare bandwidth first).
 *   So SP (by Precedence) and WRR (by Weight) both hold, of what is left over the assured rates.
 * - Each traffic class a Queue lists is one `u32 match mark` filter on the packet mark the
 *   Classifications set (qos-nft.ts), whatever forwarding policy the mark also carries; a class two Queues of the device list goes to the
 *   lower-numbered one. u32, not `fw`: every kernel with HTB has u32, some lack cls_fw.
 *
 * tc cannot swap a whole tree at once: the device's own root qdisc is deleted and the new one
 * built by one `tc -batch -`, so the device is without the agent's shaping only in between.
 */
import { CLASS_MARK_MASK, markOf } from './qos-nft.js';
import { type RedLeaf, redQdiscLine } from './qos-red.js';

/** The handle of the agent's HTB root qdiscs (hex 0x51). */
export const QOS_HANDLE = '51:';
const ROOT_CLASS = '51:1';
const DEFAULT_MINOR = 0xfffe;

/** An enabled Queue of one device. */
export interface TcQueue {
  n: number;
  classes: readonly number[];
  weight: number;
  precedence: number;
  /** The ShapingRate in bit/s, when it has one. */
  ceilBps?: number;
  burstBytes?: number;
  /** DropAlgorithm RED: its leaf qdisc (qos-red.ts); else the default FIFO. */
  red?: RedLeaf;
}

/** One device's tree. */
export interface TcPlan {
  device: string;
  rateBps: number;
  burstBytes?: number;
  queues: readonly TcQueue[];
  /** Device.QoS.DefaultTrafficClass: unclassified traffic goes to the Queue listing it, if any. */
  defaultClass?: number;
  /** Device.QoS.DefaultQueue, when it is a Queue of this device: unclassified traffic goes there (before DefaultTrafficClass). */
  defaultQueue?: number;
}

/** The HTB class id of Queue `n` (minor in hex, as tc reads it). */
export const queueClassId = (n: number): string => `51:${(0x100 + n).toString(16)}`;
const bits = (bps: number): string => `${Math.max(8, Math.floor(bps))}bit`;
const burst = (bytes: number | undefined): string[] => (bytes !== undefined && bytes > 0 ? ['burst', `${bytes}b`] : []);

/** The lines of `tc -batch -` building `plan` on a device without the agent's qdisc. */
export function tcBatch(plan: TcPlan): string[] {
  const dev = plan.device;
  const defaultQueue = plan.queues.find((q) => q.n === plan.defaultQueue) ?? plan.queues.find((q) => plan.defaultClass !== undefined && q.classes.includes(plan.defaultClass));
  const defaultMinor = defaultQueue ? 0x100 + defaultQueue.n : DEFAULT_MINOR;
  const out = [
    `qdisc add dev ${dev} root handle ${QOS_HANDLE} htb default ${defaultMinor.toString(16)}`,
    ['class add dev', dev, 'parent', QOS_HANDLE, 'classid', ROOT_CLASS, 'htb rate', bits(plan.rateBps), 'ceil', bits(plan.rateBps), ...burst(plan.burstBytes)].join(' '),
  ];
  const shares = plan.queues.map((q) => Math.max(1, q.weight));
  const total = shares.reduce((a, b) => a + b, 0) + (defaultQueue ? 0 : 1);
  plan.queues.forEach((q, i) => {
    const ceil = Math.min(plan.rateBps, q.ceilBps ?? plan.rateBps);
    const rate = Math.min(ceil, (plan.rateBps * shares[i]!) / total);
    const prio = Math.min(7, Math.max(0, q.precedence - 1));
    out.push(['class add dev', dev, 'parent', ROOT_CLASS, 'classid', queueClassId(q.n), 'htb rate', bits(rate), 'ceil', bits(ceil), ...burst(q.burstBytes), 'prio', String(prio)].join(' '));
    if (q.red) out.push(redQdiscLine(dev, queueClassId(q.n), q.red, ceil));
  });
  if (!defaultQueue)
    out.push(['class add dev', dev, 'parent', ROOT_CLASS, 'classid', `51:${DEFAULT_MINOR.toString(16)}`, 'htb rate', bits(plan.rateBps / total), 'ceil', bits(plan.rateBps), 'prio 7'].join(' '));
  const routed = new Set<number>();
  for (const q of [...plan.queues].sort((a, b) => a.n - b.n)) {
    for (const c of q.classes) {
      if (routed.has(c)) continue;
      routed.add(c);
      out.push(`filter add dev ${dev} parent ${QOS_HANDLE} protocol all prio 1 u32 match mark 0x${markOf(c).toString(16)} 0x${CLASS_MARK_MASK.toString(16)} classid ${queueClassId(q.n)}`);
    }
  }
  return out;
}

/** The devices whose root qdisc is the agent's, from `tc -j qdisc show` output. */
export function agentQdiscDevices(json: string): string[] {
  try {
    const rows = JSON.parse(json) as Array<{ kind?: string; handle?: string; root?: boolean; dev?: string }>;
    return rows.filter((r) => r.root === true && r.kind === 'htb' && r.handle === QOS_HANDLE && r.dev !== undefined).map((r) => r.dev!);
  } catch {
    return [];
  }
}
