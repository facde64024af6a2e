/**
 * Bounds how many IP/Wi-Fi diagnostics (TR-181 Device.IP.Diagnostics.*(), TR-143) run at once,
 * across all kinds: each one holds sockets, a child process or a transfer, and a CPE must not
 * be made to flood its own uplink because several controllers asked. A diagnostic that finds no
 * free slot fails at once (the caller answers with the diagnostic's Error_Internal status or
 * USP error 7005, "Resources exceeded"), rather than waiting in an unbounded queue.
 */
export const DEFAULT_MAX_DIAGNOSTICS = 4;

export class DiagnosticSlots {
  private used = 0;

  constructor(readonly max = DEFAULT_MAX_DIAGNOSTICS) {}

  get inUse(): number {
    return this.used;
  }

  /** Takes a slot; returns its release function (safe to call twice), or undefined when none is free. */
  tryAcquire(): (() => void) | undefined {
    if (this.used >= this.max) return undefined;
    this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
    };
  }
}
