/**
 * The Controller rows the agent makes for Endpoint IDs it does not know (TR-369 "Determine Role";
 * TP-469 2.9: EndpointID = from_id, AssignedRole = ControllerTrust.UntrustedRole). Anyone can send
 * a Record with a new from_id, so these rows are bounded and do not outlive their use:
 * - at most `maxRows` of them; a newcomer evicts the least recently active one only when that one
 *   has been idle for `minIdleToEvictMs`, else it gets no row (it is then served with
 *   UntrustedRole without one, as when the whole table is full);
 * - a row idle for `expireAfterMs` is deleted (sweep()).
 * A row counts as made for an unknown endpoint while its Alias carries AUTO_ALIAS_PREFIX and its
 * AssignedRole grants nothing beyond UntrustedRole: once an operator or a Challenge raises its
 * role, it is a configured controller like any other and is never evicted. Deletions (the
 * Subscriptions the row is the Recipient of go with it) go through a Transaction, so they are persisted and
 * announced (ObjectDeletion) like any other.
 * Activity is what the agent saw since it started (R-SEC.21 keeps no session state across
 * restarts): rows loaded from the saved state count as active at start.
 */
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { ModelNode } from '../datamodel/tree/ModelNode.js';
import { Transaction } from '../datamodel/tree/Transaction.js';

/** Alias of a row made for an unknown endpoint ("cpe-" marks an agent-assigned Alias, TR-181). */
export const AUTO_ALIAS_PREFIX = 'cpe-unknown-';

export interface UnknownControllerLimits {
  /** Rows made for unknown endpoints kept at most. */
  maxRows: number;
  /** A row with no Record for this long is deleted. */
  expireAfterMs: number;
  /** A newcomer may evict the least recently active row only once that row is idle this long. */
  minIdleToEvictMs: number;
  now: () => number;
}

export const DEFAULT_UNKNOWN_CONTROLLER_LIMITS: UnknownControllerLimits = {
  maxRows: 32,
  expireAfterMs: 24 * 3600_000,
  minIdleToEvictMs: 10 * 60_000,
  now: () => Date.now(),
};

/** What this file needs of a Controller row. */
export interface RowView {
  instance: number;
  alias: string;
  assignedRole: string;
  credential: string;
}

export class UnknownControllerRows {
  /** Last activity per Endpoint ID with a row (bounded by the Controller table, MAX_CONTROLLER_ROWS). */
  private get lastSeen(): Map<string, number> {
    return (this.lastSeenOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private lastSeenOf?: Map<string, number>;
  private readonly startedAt: number;
  private counter = 0;

  /**
   * @param dropPins deletes the Certificate rows a deleted row pinned on first use, once nothing
   *   else refers to them (PeerTrust.dropOrphanPins); absent without Device.LocalAgent.Certificate.
   */
  constructor(
    private readonly model: DataModel,
    private readonly table: ModelNode,
    readonly limits: UnknownControllerLimits,
    private readonly dropPins?: (credential: string) => Promise<void>,
  ) {
    this.startedAt = limits.now();
  }

  /** Whether `row` was made for an unknown endpoint and still grants nothing of its own. */
  isAuto(row: RowView, untrustedRole: string): boolean {
    return row.alias.startsWith(AUTO_ALIAS_PREFIX) && (row.assignedRole === '' || row.assignedRole === untrustedRole);
  }

  /** A fresh Alias for a new row (unique: a time stamp and a counter). */
  newAlias(): string {
    return `${AUTO_ALIAS_PREFIX}${this.limits.now().toString(36)}-${(++this.counter).toString(36)}`;
  }

  /**
   * A request from `endpointId`, which has a row, arrived: that row is active now. Called for every
   * row (which ones are auto-made is decided when room is made), so the map is bounded by the table.
   */
  seen(endpointId: string): void {
    this.lastSeen.set(endpointId, this.limits.now());
  }

  /** Starts tracking a row just made for `endpointId`. */
  created(endpointId: string): void {
    this.lastSeen.set(endpointId, this.limits.now());
  }

  private idleMs(endpointId: string): number {
    return this.limits.now() - (this.lastSeen.get(endpointId) ?? this.startedAt);
  }

  /**
   * Makes room for one more auto-made row among `autoRows` (Endpoint ID → row): deletes the
   * expired ones, then, when still at the bound, the least recently active one if idle long
   * enough. Resolves false when no room could be made.
   */
  async makeRoom(autoRows: Map<string, RowView>): Promise<boolean> {
    // Rows deleted or raised by others since are no longer tracked.
    for (const eid of this.lastSeen.keys()) if (!autoRows.has(eid)) this.lastSeen.delete(eid);
    let count = autoRows.size - (await this.deleteExpired(autoRows)).length;
    if (count < this.limits.maxRows) return true;
    let oldest: string | undefined;
    for (const eid of autoRows.keys()) {
      if (oldest === undefined || this.idleMs(eid) > this.idleMs(oldest)) oldest = eid;
    }
    if (oldest === undefined || this.idleMs(oldest) < this.limits.minIdleToEvictMs) return false;
    await this.delete([[oldest, autoRows.get(oldest)!]]);
    count--;
    return count < this.limits.maxRows;
  }

  /** Deletes the auto-made rows idle for expireAfterMs; resolves with their Endpoint IDs. */
  async deleteExpired(autoRows: Map<string, RowView>): Promise<string[]> {
    const expired = [...autoRows].filter(([eid]) => this.idleMs(eid) >= this.limits.expireAfterMs);
    await this.delete(expired);
    return expired.map(([eid]) => eid);
  }

  /**
   * Deletes the rows; the Subscriptions they are the Recipient of go with them (the Controller
   * delete cascade, notify/subscription-rules.ts), in the same transaction.
   */
  private async delete(rows: Array<[string, RowView]>): Promise<void> {
    if (rows.length === 0) return;
    const tx = new Transaction(this.model, {});
    try {
      for (const [, row] of rows) await tx.delete({ node: this.table, keys: [row.instance] });
      await tx.commit();
    } catch (e) {
      await tx.rollback();
      throw e;
    }
    for (const [eid] of rows) this.lastSeen.delete(eid);
    for (const [, row] of rows) if (row.credential !== '') await this.dropPins?.(row.credential);
  }
}
