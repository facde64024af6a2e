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
  registrations: Set<Registration>;
  /** The setInterval it was made with: a test's fake clock gets its own group, not the real one. */
  setter: typeof setInterval;
}

const groups = new Map<number, Group>();

/**
 * One registration: its own object, so one function registered twice is two registrations. A
 * class whose `stop` is bound, not a pair of closures and their context per caller: a fleet's
 * gateways each hold a few (issue 14).
 */
class Registration {
  constructor(
    readonly fn: () => void,
    private readonly group: Group,
    private readonly periodMs: number,
  ) {}

  stop(): void {
    const { group, periodMs } = this;
    if (!group.registrations.delete(this) || group.registrations.size > 0) return;
    clearInterval(group.timer);
    if (groups.get(periodMs) === group) groups.delete(periodMs);
  }
}

/** Calls every registration of `registrations` in turn. */
function runAll(registrations: ReadonlySet<Registration>): void {
  for (const r of registrations) {
    // One failing caller does not starve the others; its error still surfaces as uncaught.
    try {
      r.fn();
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

/** Calls `fn` every `periodMs` until the returned function is called. */
export function sharedInterval(periodMs: number, fn: () => void): () => void {
  let g = groups.get(periodMs);
  if (!g || g.setter !== setInterval) {
    const registrations = new Set<Registration>();
    const timer = setInterval(runAll, periodMs, registrations);
    timer.unref();
    g = { timer, registrations, setter: setInterval };
    groups.set(periodMs, g);
  }
  const r = new Registration(fn, g, periodMs);
  g.registrations.add(r);
  return r.stop.bind(r);
}

/**
 * How many functions run every `periodMs` (on the real clock): a fleet's idle cost grows with it,
 * so tests check that an idle agent registers none where it has nothing to do.
 */
export function sharedIntervalRegistrations(periodMs: number): number {
  const g = groups.get(periodMs);
  return g && g.setter === setInterval ? g.registrations.size : 0;
}
