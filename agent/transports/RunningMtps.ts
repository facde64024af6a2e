/**
 * The agent's running MTPs, by kind (mtp-kinds.ts). `list` is the one array everything else reads
 * (notification delivery, the WAN-up reconnect, CurrentRetryCount, tests): a restart swaps a
 * kind's entries in place, so readers that look it up on each use always see the current MTPs
 * and never a stopped one. Swaps run one at a time, and none after freeze() or stop().
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { MtpKind } from './mtp-kinds.js';
import type { StartedTransport, TransportDeps } from './TransportDeps.js';

export class RunningMtps {
  readonly list: StartedTransport[] = [];
  private readonly byKind = new Map<MtpKind, StartedTransport[]>();
  /** The tail of the one-at-a-time queue of swaps and command actions. */
  private queue: Promise<void> = Promise.resolve();
  private frozen = false;
  private readonly log: Logger;

  constructor(
    private readonly deps: TransportDeps,
    readonly kinds: readonly MtpKind[],
  ) {
    this.log = deps.log.child('mtp');
  }

  /**
   * The first start. A starter that throws (e.g. a WebSocket port in use) fails the agent's start
   * (the CLI then exits with EXIT_START_FAILED); what the earlier starters started is stopped
   * first so nothing is left listening.
   */
  async startAll(): Promise<void> {
    try {
      for (const kind of this.kinds) this.put(kind, await kind.start(this.deps));
    } catch (e) {
      await this.stopAll();
      throw e;
    }
  }

  /**
   * Runs `action` once every earlier swap or action has finished; skipped once frozen. The
   * returned promise settles with the action (errors are the caller's; the queue goes on).
   */
  exclusive(action: () => Promise<void>): Promise<void> {
    const run = this.queue.then(() => (this.frozen ? undefined : action()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Stops the running MTPs of each kind in `kinds` and starts that kind again from the current
   * TR-181 configuration with the same starter as at start. `settle` runs first (the agent waits
   * there until in-flight requests are answered, so a Set's response leaves before its link goes).
   */
  restart(kinds: ReadonlySet<MtpKind>, settle: () => Promise<void> = async () => {}): Promise<void> {
    return this.exclusive(async () => {
      await settle();
      for (const kind of this.kinds) {
        if (this.frozen) return;
        if (kinds.has(kind)) await this.restartKind(kind);
      }
    });
  }

  /** No swap or command action starts from now on; the running MTPs stay up (the agent drains first). */
  freeze(): void {
    this.frozen = true;
  }

  /** Stops every MTP after the swap in progress, if any; no swap starts afterwards. */
  async stop(): Promise<void> {
    this.freeze();
    await this.queue;
    await this.stopAll();
  }

  private async restartKind(kind: MtpKind): Promise<void> {
    const old = this.byKind.get(kind) ?? [];
    this.put(kind, []);
    // Stopped before the new ones start: a new WebSocket server may want the same port, a new
    // MQTT client the same ClientID (the broker would otherwise drop one of the two).
    await Promise.allSettled(old.map((m) => m.stop()));
    try {
      this.put(kind, await kind.start(this.deps));
      this.log.info('MTP configuration applied', { kind: kind.name, stopped: old.length, started: this.byKind.get(kind)?.length ?? 0 });
    } catch (e) {
      // The configuration is committed; this kind stays down until it changes again or the agent restarts.
      this.log.error('MTPs not restarted after a configuration change', { kind: kind.name, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Replaces `kind`'s entries in `list`, in place. */
  private put(kind: MtpKind, mtps: StartedTransport[]): void {
    const old = new Set(this.byKind.get(kind) ?? []);
    if (old.size > 0) {
      const kept = this.list.filter((m) => !old.has(m));
      this.list.splice(0, this.list.length, ...kept);
    }
    this.byKind.set(kind, mtps);
    this.list.push(...mtps);
  }

  private async stopAll(): Promise<void> {
    const all = this.list.splice(0);
    this.byKind.clear();
    await Promise.allSettled(all.map((m) => m.stop()));
  }
}
