/**
 * The children of the Linux DHCP Client tables (one udhcpc or dhcpcd per enabled
 * Device.DHCPv4/DHCPv6.Client.{i}. row): made to follow the stored rows one run after another
 * (a commit while a run still releases a lease waits for it), and all ended when the agent stops.
 */
import type { DhcpClientChild } from './dhcp-client-child.js';
import { SerialRuns } from '../serial-runs.js';

export abstract class DhcpClientChildren<P extends DhcpClientChild> {
  /** The child of each Client row that has one, by instance number. */
  protected readonly running = new Map<number, P>();
  protected stopped = false;
  private readonly applying = new SerialRuns();

  /** Starts, restarts or ends children so they follow the stored rows now. */
  protected abstract applyNow(): Promise<void>;

  /** The agent stops: every child ends, its lease kept (the next agent's child takes over). */
  stop(): void {
    this.stopped = true;
    for (const p of this.running.values()) void p.end();
    this.running.clear();
  }

  /** Makes the children follow the stored rows, after the runs before. */
  apply(): Promise<void> {
    return this.applying.run(() => this.applyNow());
  }
}
