/**
 * A gateway's logger in a fleet: every line carries `gateway=<n>`, so thousands of agents
 * logging to one stream can be told apart.
 */
import type { Logger, LogLevel } from '../../datamodel/Logger.js';

/** Component loggers kept per base logger: the names are the code's own (a few dozen), this only bounds them. */
const MAX_SHARED_CHILDREN = 64;

/**
 * One base logger's component loggers (`child('mtp')`), shared by every gateway: they differ only
 * in the gateway number, which GatewayLogger adds. Made per gateway, the ~30 component loggers of
 * an agent and their closures were ~10 KB of each gateway.
 */
const sharedChildren = new WeakMap<Logger, Map<string, Logger>>();

function sharedChild(base: Logger, component: string): Logger {
  let children = sharedChildren.get(base);
  if (!children) sharedChildren.set(base, (children = new Map<string, Logger>()));
  let child = children.get(component);
  if (!child) {
    child = base.child(component);
    if (children.size < MAX_SHARED_CHILDREN) children.set(component, child);
  }
  return child;
}

/** Methods on the prototype: a gateway's logger is one small object, not six closures. */
class GatewayLogger implements Logger {
  constructor(
    private readonly base: Logger,
    private readonly n: number,
  ) {}
  get level(): LogLevel {
    return this.base.level;
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
  child(component: string): Logger {
    return new GatewayLogger(sharedChild(this.base, component), this.n);
  }
  private tag(f?: Record<string, unknown>): Record<string, unknown> {
    return f ? { gateway: this.n, ...f } : { gateway: this.n };
  }
}

/** Gateway `n`'s logger over the fleet's `base`. */
export function gatewayLogger(base: Logger, n: number): Logger {
  return new GatewayLogger(base, n);
}
