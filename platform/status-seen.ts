/**
 * LastChange as the agent saw it (TR-181: seconds since the interface entered its current
 * Status), where the source keeps no time of a change: on OpenWrt for Ethernet.Interface.{i} and
 * Bridging.Bridge.{i}.Port.{i} (netifd and the kernel keep none and netifd sends no ubus event for
 * a device's carrier), and for Cellular.Interface.{i} over ModemManager. The agent counts from the
 * read where it first saw the current Status: a row whose Status has not changed since the agent
 * first read it counts from that first reading (a lower bound).
 */

/** Rows remembered at most; past it the one recorded longest ago is forgotten (and counts from its next read). */
export const MAX_SEEN = 4096;

export class StatusSeen {
  private readonly seen = new Map<string, { status: string; since: number }>();

  constructor(private readonly now: () => number) {}

  /** Seconds row `key` has been in `status` (its Status read now), as far as the agent has seen. */
  lastChange(key: string, status: string): number {
    const now = this.now();
    const s = this.seen.get(key);
    if (!s || s.status !== status) {
      this.seen.delete(key);
      if (this.seen.size >= MAX_SEEN) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(key, { status, since: now });
      return 0;
    }
    return Math.max(0, Math.floor((now - s.since) / 1000));
  }

  /** Forgets a deleted row: a row of the same key later is a new one. */
  forget(key: string): void {
    this.seen.delete(key);
  }
}
