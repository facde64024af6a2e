/**
 * A gateway's logger in a fleet: every line carries `gateway=<n>`, so thousands of agents
 * logging to one stream can be told apart.
 */
import type { Logger } from '../../datamodel/Logger.js';

export function gatewayLogger(base: Logger, n: number): Logger {
  const tag = (f?: Record<string, unknown>): Record<string, unknown> => (f ? { gateway: n, ...f } : { gateway: n });
  return {
    level: base.level,
    error: (m, f) => base.error(m, tag(f)),
    warn: (m, f) => base.warn(m, tag(f)),
    info: (m, f) => base.info(m, tag(f)),
    debug: (m, f) => base.debug(m, tag(f)),
    child: (c) => gatewayLogger(base.child(c), n),
  };
}
