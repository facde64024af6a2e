/**
 * Root qdiscs another program made. The agent builds its HTB tree (qos-tc.ts) only on a device
 * whose root qdisc is the kernel's default (handle 0: noqueue, fq_codel, pfifo_fast, mq) or its
 * own (htb 51:). Any other root belongs to someone else: sqm-scripts (cake or fq_codel with its
 * own handle), OpenWrt's qos-scripts (hfsc 1:), wondershaper, or tc run by hand. The kernel
 * would refuse the agent's `qdisc add ... root` there anyway ("NLM_F_REPLACE needed to
 * override"), and replacing or deleting such a qdisc would silently undo that program's shaping.
 * So a Queue or Shaper naming such a device is refused (7012) and the agent leaves the device
 * alone; a program that takes a device over later keeps it too (see docs/platform-mapping.md).
 */
import { QOS_HANDLE } from './qos-tc.js';

/** The kernel's default root qdiscs have no handle of their own. */
const DEFAULT_HANDLE = '0:';

/** The `tc` arguments listing every device's qdiscs (with the device named in each row). */
export const QDISC_SHOW_ARGS: readonly string[] = ['-j', 'qdisc', 'show'];

/** Device → kind of its root qdisc, for each device whose root qdisc neither the kernel nor the agent made, from `tc -j qdisc show`. */
export function foreignRootQdiscs(json: string): Map<string, string> {
  const out = new Map<string, string>();
  let rows: unknown;
  try {
    rows = JSON.parse(json);
  } catch {
    return out;
  }
  if (!Array.isArray(rows)) return out;
  for (const r of rows as Array<{ kind?: unknown; handle?: unknown; root?: unknown; dev?: unknown } | null>) {
    if (typeof r !== 'object' || r === null || r.root !== true || typeof r.dev !== 'string' || typeof r.kind !== 'string') continue;
    if (r.handle === DEFAULT_HANDLE || (r.kind === 'htb' && r.handle === QOS_HANDLE)) continue;
    out.set(r.dev, `${r.kind} ${String(r.handle)}`);
  }
  return out;
}

/** Why the agent leaves device `dev` alone (its root qdisc `root`), for a refusal or the log. */
export const foreignRootMessage = (dev: string, root: string): string =>
  `the root qdisc of ${dev} is ${root}, which another program made (sqm-scripts, qos-scripts, tc): the agent does not replace it`;
