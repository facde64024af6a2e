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
import type { Change } from '../../datamodel/tree/ChangeFeed.js';
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

/** Subscribes to the change feed; returns the unsubscribe. */
export function reconfigureMtpsOnChange(model: DataModel, running: RunningMtps, opts: ReconfigureOptions): () => void {
  const watched = watchedPaths(running.kinds);
  const log = opts.log.child('mtp');
  let pending: Change[] = [];
  let overflow = false;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let stopped = false;

  const apply = async (): Promise<void> => {
    // One pass at a time; a pass looks again for changes that came while it ran.
    if (busy) return;
    busy = true;
    try {
      while (!stopped && (pending.length > 0 || overflow)) {
        const changes = pending;
        const all = overflow;
        pending = [];
        overflow = false;
        const kinds = all ? new Set(running.kinds) : await kindsConcerned(model, running.kinds, changes, running.list);
        if (kinds.size === 0) continue;
        log.info('MTP configuration changed; restarting', { kinds: [...kinds].map((k) => k.name).join(','), changes: changes.length });
        await running.restart(kinds, opts.settle);
      }
    } catch (e) {
      log.error('MTP reconfiguration failed', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      busy = false;
    }
  };

  const unsubscribe = model.changes.subscribe((c) => {
    if (stopped || c.kind === 'event' || !watched.has(c.inst.node.supportedPath)) return;
    if (!mayConcern(running.kinds, c, running.list)) return;
    if (pending.length < MAX_PENDING_CHANGES) pending.push(c);
    else overflow = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void apply();
    }, opts.debounceMs ?? DEBOUNCE_MS);
    timer.unref();
  });

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    unsubscribe();
  };
}
