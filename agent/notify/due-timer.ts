/**
 * One pending wake-up at a wall-clock time, for work that is due at known moments (Periodic!,
 * Subscription TimeToLive): while nothing is due it costs one idle Node timer, where a poll every
 * 250 ms cost a call per agent per tick (10,000 simulated gateways in one process spent most of
 * their idle CPU on such polls; issue 14). Unref'd like the agent's other timers.
 */

/** Node's setTimeout takes at most 2^31-1 ms; a later time is reached in steps (the callback then finds nothing due and re-arms). */
const MAX_DELAY_MS = 0x7fff_ffff;

/** What a DueTimer wakes: an object, so the method is one copy for a fleet (issue 14). */
export interface DueTarget {
  due(): void;
}

/** The timer's callback: one function for every DueTimer, given the timer as setTimeout's argument. */
function fire(t: DueTimer): void {
  t.fired();
}

export class DueTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Wall-clock ms the armed timer fires at (Infinity: none armed). */
  private armedAt = Infinity;

  constructor(
    private readonly target: DueTarget,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls target.due() at `atMs` (epoch ms), or on the next turn if that has passed, instead of any pending call; Infinity: no call. */
  at(atMs: number): void {
    this.clear();
    if (!(atMs < Infinity)) return;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, atMs - this.now()));
    this.armedAt = atMs;
    this.timer = setTimeout(fire, delay, this);
    this.timer.unref?.();
  }

  /** The armed time came (called by the timer only). */
  fired(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    this.target.due();
  }

  /** Calls target.due() on the next turn of the event loop unless an earlier call is already due then. */
  soon(): void {
    if (this.timer !== undefined && this.armedAt <= this.now()) return;
    this.at(0);
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }
}
