/**
 * Periodic work of many agents in one process on one timer per period. A fleet of 10,000
 * simulated gateways runs each agent's housekeeping (notification delivery and Periodic! every
 * 250 ms, Subscription expiry every second, value polling, the simulation's churn): as one Node
 * timer each, that was 90,000 timer expiries a second before any work; here each period is one
 * timer that calls every registered function in turn. Like the timers it replaces, it is unref'd
 * (it never keeps the process alive on its own).
 */

interface Group {
  timer: ReturnType<typeof setInterval>;
  fns: Set<() => void>;
  /** The setInterval it was made with: a test's fake clock gets its own group, not the real one. */
  setter: typeof setInterval;
}

const groups = new Map<number, Group>();

/** Calls `fn` every `periodMs` until the returned function is called. */
export function sharedInterval(periodMs: number, fn: () => void): () => void {
  let g = groups.get(periodMs);
  if (!g || g.setter !== setInterval) {
    const fns = new Set<() => void>();
    const timer = setInterval(() => {
      for (const f of fns) {
        // One failing caller does not starve the others; its error still surfaces as uncaught.
        try {
          f();
        } catch (e) {
          queueMicrotask(() => {
            throw e;
          });
        }
      }
    }, periodMs);
    timer.unref();
    g = { timer, fns, setter: setInterval };
    groups.set(periodMs, g);
  }
  const group = g;
  // Its own identity, so one function registered twice is two registrations.
  const entry = (): void => fn();
  group.fns.add(entry);
  return () => {
    if (!group.fns.delete(entry) || group.fns.size > 0) return;
    clearInterval(group.timer);
    if (groups.get(periodMs) === group) groups.delete(periodMs);
  };
}

/**
 * How many functions run every `periodMs` (on the real clock): a fleet's idle cost grows with it,
 * so tests check that an idle agent registers none where it has nothing to do.
 */
export function sharedIntervalRegistrations(periodMs: number): number {
  const g = groups.get(periodMs);
  return g && g.setter === setInterval ? g.fns.size : 0;
}
