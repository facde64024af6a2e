/**
 * `usp-agent fleet --memory-report`: where the fleet process's resident memory is, so the part of
 * a gateway's cost outside the JavaScript heap (sockets, stream buffers, Buffers, malloc, V8's
 * own bookkeeping) is measured rather than guessed (issue 14: KB per gateway is measured as
 * process RSS, not heap). One line, `fleet memory: {json}`, after the summary line and again on
 * every SIGUSR2, so a bench can ask for it at the moment it reads the RSS.
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/** One V8 heap space (new_space, old_space, code_space, large_object_space, ...), KiB. */
export interface HeapSpaceSplit {
  /** Reserved for the space. */
  size: number;
  /** Live objects in it. */
  used: number;
  /** Resident pages of it. */
  physical: number;
}

/** The process's memory, KiB, split by who holds it. */
export interface MemorySplit {
  /** Resident set (process.memoryUsage().rss). */
  rss: number;
  /** RssFile from /proc/self/status: mapped files, mostly the node binary (shared, clean); 0 where there is no procfs. */
  rssFile: number;
  /** V8 heap: reserved (heapTotal), resident (heapPhysical) and live objects (heapUsed). */
  heapTotal: number;
  heapPhysical: number;
  heapUsed: number;
  /** Memory of JavaScript objects held outside the heap (Buffers, ArrayBuffers, TLS contexts), arrayBuffers included. */
  external: number;
  arrayBuffers: number;
  /** V8's own malloc (compiler zones, handles), outside the heap. */
  v8Malloced: number;
  /**
   * What is left of the anonymous resident memory: libuv and socket handles, OpenSSL state,
   * malloc's free lists and arena slack, thread stacks. rss − rssFile − heapPhysical − external − v8Malloced.
   */
  other: number;
  spaces: Record<string, HeapSpaceSplit>;
}

const kib = (bytes: number): number => Math.round(bytes / 1024);

/** RssFile of this process (Linux procfs), 0 elsewhere. */
function rssFileKiB(): number {
  try {
    return Number(/^RssFile:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** This process's memory now. */
export function memorySplit(): MemorySplit {
  const u = process.memoryUsage();
  const h = getHeapStatistics();
  const spaces: Record<string, HeapSpaceSplit> = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = { size: kib(s.space_size), used: kib(s.space_used_size), physical: kib(s.physical_space_size) };
  const rss = kib(u.rss);
  const rssFile = rssFileKiB();
  const heapPhysical = kib(h.total_physical_size);
  const external = kib(u.external);
  const v8Malloced = kib(h.malloced_memory);
  return {
    rss,
    rssFile,
    heapTotal: kib(u.heapTotal),
    heapPhysical,
    heapUsed: kib(u.heapUsed),
    external,
    arrayBuffers: kib(u.arrayBuffers),
    v8Malloced,
    other: rss - rssFile - heapPhysical - external - v8Malloced,
    spaces,
  };
}

/** After a full collection: what the heap and the ArrayBuffers hold alive, and the RSS then (KiB). */
export interface AfterGc {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

/**
 * `fleet memory: {"gateways":N,...}`: the split of this process, with the number of gateways
 * running. When Node runs with --expose-gc (the bench does, for this figure only), a full
 * collection follows and `afterGc` tells live objects from garbage not yet collected: the
 * split above is taken first, so it is what the process held.
 */
export function memoryReportLine(gateways: number, split: MemorySplit = memorySplit()): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  let afterGc: AfterGc | undefined;
  if (typeof gc === 'function') {
    gc();
    const u = process.memoryUsage();
    afterGc = { heapUsed: kib(u.heapUsed), external: kib(u.external), arrayBuffers: kib(u.arrayBuffers), rss: kib(u.rss) };
  }
  return `fleet memory: ${JSON.stringify({ gateways, ...split, ...(afterGc ? { afterGc } : {}) })}\n`;
}
