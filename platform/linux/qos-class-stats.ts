/**
 * The counters of a device's HTB classes, from `tc -s class show dev IF`: what each class sent,
 * dropped and holds now (backlog). iproute2 6.1 prints HTB classes as text even with `-j`, later
 * ones as JSON; both are read. One call per device fills every QueueStats row of that device.
 */

/** One class's counters. */
export interface ClassStats {
  bytes: number;
  packets: number;
  drops: number;
  backlogBytes: number;
  backlogPackets: number;
}

/** The arguments of the one tc call per device. */
export const classStatsArgs = (device: string): readonly string[] => ['-s', 'class', 'show', 'dev', device];

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

interface JsonClass {
  handle?: string;
  bytes?: number;
  packets?: number;
  drops?: number;
  backlog?: number;
  qlen?: number;
  stats?: JsonClass;
}

function fromJson(rows: JsonClass[]): Map<string, ClassStats> {
  const out = new Map<string, ClassStats>();
  for (const r of rows) {
    const s = r.stats ?? r;
    if (typeof r.handle !== 'string') continue;
    out.set(r.handle, { bytes: s.bytes ?? 0, packets: s.packets ?? 0, drops: s.drops ?? 0, backlogBytes: s.backlog ?? 0, backlogPackets: s.qlen ?? 0 });
  }
  return out;
}

/** Class counters by class id (`51:101`); an empty map for output it cannot read. */
export function parseClassStats(out: string): Map<string, ClassStats> {
  const text = out.trim();
  if (text.startsWith('[')) {
    try {
      return fromJson(JSON.parse(text) as JsonClass[]);
    } catch {
      return new Map();
    }
  }
  const stats = new Map<string, ClassStats>();
  for (const block of text.split(/^(?=class )/m)) {
    const id = /^class \S+ (\S+)/.exec(block)?.[1];
    const sent = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+)/.exec(block);
    if (id === undefined || !sent) continue;
    // tc prints a backlog of 1 KiB and more as e.g. "15Kb".
    const backlog = /backlog (\d+)([KMG]?)b (\d+)p/.exec(block);
    stats.set(id, {
      bytes: Number(sent[1]),
      packets: Number(sent[2]),
      drops: Number(sent[3]),
      backlogBytes: backlog ? Number(backlog[1]) * (UNITS[backlog[2]!] ?? 1) : 0,
      backlogPackets: backlog ? Number(backlog[3]) : 0,
    });
  }
  return stats;
}
