/**
 * A gateway's logger in a fleet: every line carries `gateway=<n>`, so thousands of agents
 * logging to one stream can be told apart.
 *
 * Cheap to hold by the thousand (issue 14): methods live on the prototype, not as five closures
 * per logger, and the fleet logger's child for a component is made once and shared by every
 * gateway (it is the same for all of them); only the gateway number is per gateway.
 */
import type { Logger } from '../../datamodel/Logger.js';

/** The fleet logger's children by component: a fixed few names (the agent's components). */
const sharedChildren = new WeakMap<Logger, Map<string, Logger>>();

function sharedChild(base: Logger, component: string): Logger {
  let byName = sharedChildren.get(base);
  if (!byName) {
    byName = new Map();
    sharedChildren.set(base, byName);
  }
  let child = byName.get(component);
  if (!child) {
    child = base.child(component);
    byName.set(component, child);
  }
  return child;
}

class GatewayLogger implements Logger {
  constructor(
    private readonly base: Logger,
    private readonly n: number,
  ) {}

  get level(): Logger['level'] {
    return this.base.level;
  }

  private tag(f?: Record<string, unknown>): Record<string, unknown> {
    return f ? { gateway: this.n, ...f } : { gateway: this.n };
  }

  error(m: string, f?: Record<string, unknown>): void {
    this.base.error(m, this.tag(f));
  }
  warn(m: string, f?: Record<string, unknown>): void {
    this.base.warn(m, this.tag(f));
  }
  info(m: string, f?: Record<string, unknown>): void {
    this.base.info(m, this.tag(f));
  }
  debug(m: string, f?: Record<string, unknown>): void {
    this.base.debug(m, this.tag(f));
  }
  child(c: string): Logger {
    return new GatewayLogger(sharedChild(this.base, c), this.n);
  }
}

/** Gateway n's logger over the fleet's `base`. */
export function gatewayLogger(base: Logger, n: number): Logger {
  return new GatewayLogger(base, n);
}
