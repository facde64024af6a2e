/**
 * Live MTP reconfiguration: a committed change to the objects that configure an MTP kind
 * (Device.LocalAgent.MTP.{i}, Controller.{i}.MTP.{j}.WebSocket, Device.MQTT.Client.{i}, ...; see
 * mtp-kinds.ts) restarts that kind from the new configuration, as an operator expects of TR-181
 * rather than at the next agent start.
 *
 * Changes are collected for DEBOUNCE_MS after the last one, so a Set of several parameters (or a
 * burst of Sets) applies once. Before the swap the agent's `settle` waits until in-flight requests
 * are answered: the SetResp goes out on the very link the Set is about to replace, and the
 * WebSocket close frame or MQTT DISCONNECT that follows it is written after it on the same socket.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { kindsConcerned, mayConcern, watchedPaths } from './mtp-config-change.js';
import type { RunningMtps } from './RunningMtps.js';

/** Quiet time after the last configuration change before MTPs restart. */
export const DEBOUNCE_MS = 200;
/** Changes remembered per debounce window; beyond it every watching kind restarts (bounded memory). */
export const MAX_PENDING_CHANGES = 256;

export interface ReconfigureOptions {
  /** Resolves when in-flight requests are answered (bounded by the agent's drain timeout). */
  settle: () => Promise<void>;
  log: Logger;
  debounceMs?: number;
}

/** Observes the change feed; stop() on what it returns stops it. */
export function reconfigureMtpsOnChange(model: DataModel, running: RunningMtps, opts: ReconfigureOptions): { stop(): void } {
  const r = new MtpReconfiguration(model, running, opts);
  model.changes.observe(r);
  return r;
}

/** The debounce timer's callback: one function for every agent, given the reconfiguration as setTimeout's argument. */
function debounced(r: MtpReconfiguration): void {
  r.fire();
}

/** One agent's reconfiguration state; a class, so its methods are one copy for a fleet (issue 14). */
class MtpReconfiguration implements ChangeObserver {
  private readonly watched: ReadonlySet<string>;
  private readonly log: Logger;
  private pending: Change[] = [];
  private overflow = false;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly model: DataModel,
    private readonly running: RunningMtps,
    private readonly opts: ReconfigureOptions,
  ) {
    this.watched = watchedPaths(running.kinds);
    this.log = opts.log.child('mtp');
  }

  modelChanged(c: Change): void {
    if (this.stopped || c.kind === 'event' || !this.watched.has(c.inst.node.supportedPath)) return;
    if (!mayConcern(this.running.kinds, c, this.running.list)) return;
    if (this.pending.length < MAX_PENDING_CHANGES) this.pending.push(c);
    else this.overflow = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(debounced, this.opts.debounceMs ?? DEBOUNCE_MS, this);
    this.timer.unref();
  }

  /** The debounce time passed (called by the timer only). */
  fire(): void {
    this.timer = undefined;
    void this.apply();
  }

  private async apply(): Promise<void> {
    // One pass at a time; a pass looks again for changes that came while it ran.
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.stopped && (this.pending.length > 0 || this.overflow)) {
        const changes = this.pending;
        const all = this.overflow;
        this.pending = [];
        this.overflow = false;
        const { running } = this;
        const kinds = all ? new Set(running.kinds) : await kindsConcerned(this.model, running.kinds, changes, running.list);
        if (kinds.size === 0) continue;
        this.log.info('MTP configuration changed; restarting', { kinds: [...kinds].map((k) => k.name).join(','), changes: changes.length });
        await running.restart(kinds, this.opts.settle);
      }
    } catch (e) {
      this.log.error('MTP reconfiguration failed', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.model.changes.unobserve(this);
  }
}
