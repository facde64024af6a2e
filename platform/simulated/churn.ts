/**
 * Tables whose rows come and go with the simulated clock (Wi-Fi stations, LAN hosts, DHCP
 * leases, routes from the network) are pure functions of time, so nobody is told when a row
 * appears. Churn looks at each such table on one timer and turns the difference into the
 * created/deleted changes of `model.changes` (ObjectCreation/ObjectDeletion notifications).
 * Values that change are the agent's poller's business, not this one's.
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { sharedInterval } from '../../datamodel/shared-interval.js';
import type { SimContext } from './SimContext.js';

/** How often the timer looks for rows that came or went. */
export const CHURN_POLL_MS = 15_000;

interface Watch {
  node: ModelNode;
  rows: () => InstanceKeys[];
  /** Replaced, never changed in place. */
  known: ReadonlyMap<string, InstanceKeys>;
}

/** What a resting churn knows of every table: nothing (it learns the rows again on waking). */
const FORGOTTEN: ReadonlyMap<string, InstanceKeys> = new Map();

export class Churn {
  /** Replaced by concat, not pushed to: a push leaves room for 16 more, per fleet gateway (issue 14). */
  private watches: readonly Watch[] = [];
  private stopTimer: (() => void) | undefined;
  /** Its registration on the shared timer: held only while awake, so a resting churn costs no call per poll. */
  private stopPolling: (() => void) | undefined;
  /** Set while nobody wanted the news: the rows known then are old, so the next look only learns them again. */
  private resting = false;

  constructor(private readonly ctx: SimContext) {}

  /**
   * Watches the table `node`; `rows` lists the keys of every row there is now. The rows at
   * registration (the simulated device's boot) are not news.
   */
  watch(node: ModelNode, rows: () => InstanceKeys[]): void {
    if (!this.ctx.model.changes.wantsObjectChanges()) {
      // Nobody wants the news: rest (as a poll would) rather than hold rows a look learns again
      // anyway (a fleet gateway read whole held ~2.7 KB of them: issue 14).
      this.rest();
      this.watches = this.watches.concat({ node, rows, known: FORGOTTEN });
      return;
    }
    const known = new Map<string, InstanceKeys>();
    for (const keys of rows()) known.set(keys.join('.'), keys);
    this.watches = this.watches.concat({ node, rows, known });
  }

  /**
   * Emits created/deleted changes for rows that came or went since the last look. While no
   * Subscription wants that news (ChangeFeed.wantsObjectChanges) it does nothing: on a fleet
   * of simulated gateways this look was ~90 % of the idle CPU. Resting, it also leaves the
   * shared timer until the wake-up (a Subscription may have appeared): 10,000 resting gateways
   * were still 10,000 calls every CHURN_POLL_MS that only found nobody wanted anything. The
   * first look after waking learns the rows again without reporting them, so nobody is told of
   * a row that came long ago.
   */
  poll(): void {
    if (!this.ctx.model.changes.wantsObjectChanges()) {
      this.rest();
      return;
    }
    this.look(this.resting);
  }

  /** The rows known are old news from now on: let them go (a fleet gateway held ~3 KB of them). */
  /** The rows known are old news from now on: let them go (a fleet gateway held ~3 KB of them), and leave the shared timer until a wake. */
  private rest(): void {
    if (!this.resting) for (const w of this.watches) w.known = FORGOTTEN;
    this.resting = true;
    this.stopPolling?.();
    this.stopPolling = undefined;
  }

  /**
   * The moment a Subscription may want the news (ChangeFeed.objectChangesMayBeWanted): a resting
   * churn learns the rows of now, so the next poll reports every row that came or went since.
   * Waiting for that poll (up to CHURN_POLL_MS later) to learn them would hide those rows. It
   * polls again from now on; the next poll rests it again if nobody wants the news after all.
   */
  protected wake(): void {
    if (this.resting) this.look(true);
    this.stopPolling ??= sharedInterval(CHURN_POLL_MS, () => this.poll());
  }

  /** Compares every table with the rows known; `quiet`: learn them without reporting. */
  private look(quiet: boolean): void {
    this.resting = false;
    for (const w of this.watches) {
      const now = new Map<string, InstanceKeys>();
      try {
        for (const keys of w.rows()) now.set(keys.join('.'), keys);
      } catch {
        continue; // a table that cannot be listed now is looked at again next time
      }
      if (!quiet) {
        for (const [id, keys] of w.known) if (!now.has(id)) this.emit(w.node, 'deleted', keys);
        for (const [id, keys] of now) if (!w.known.has(id)) this.emit(w.node, 'created', keys);
      }
      w.known = now;
    }
  }

  /**
   * Starts polling on the shared timer (one per process for every simulated gateway, unref'd: it
   * never keeps the process alive on its own); the first poll finds whether anyone wants the news.
   */
  start(): void {
    if (this.stopTimer) return;
    this.stopPolling = sharedInterval(CHURN_POLL_MS, () => this.poll());
    const stopWaking = this.ctx.model.changes.onObjectChangesWanted(() => this.wake());
    this.stopTimer = () => {
      this.stopPolling?.();
      this.stopPolling = undefined;
      stopWaking();
    };
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  private emit(node: ModelNode, kind: 'created' | 'deleted', keys: InstanceKeys): void {
    this.ctx.model.changes.emit({ kind, inst: { node, keys }, path: node.pathOf(keys) });
  }
}
