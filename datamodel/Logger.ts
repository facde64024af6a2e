/**
 * One log line per event, with a level, on stdout/stderr: what procd/logd and Docker collect.
 * Defined in the bottom layer so every layer logs the same way without importing the agent.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines carry `component=name`. */
  child(component: string): Logger;
  readonly level: LogLevel;
}

export function isLogLevel(s: string): s is LogLevel {
  return s in RANK;
}

/** Logs `level=... component=... msg="..." k=v` lines; errors and warnings go to stderr. */
export function createLogger(level: LogLevel = 'info', component = 'agent', write = defaultWrite): Logger {
  const max = RANK[level];
  const line = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] > max) return;
    let s = `level=${lvl} component=${component} msg=${JSON.stringify(msg)}`;
    if (fields) for (const [k, v] of Object.entries(fields)) s += ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
    write(lvl, s);
  };
  return {
    level,
    error: (m, f) => line('error', m, f),
    warn: (m, f) => line('warn', m, f),
    info: (m, f) => line('info', m, f),
    debug: (m, f) => line('debug', m, f),
    child: (c) => createLogger(level, c, write),
  };
}

function defaultWrite(level: LogLevel, s: string): void {
  if (level === 'error' || level === 'warn') process.stderr.write(`${s}\n`);
  else process.stdout.write(`${s}\n`);
}

/** A logger that drops everything (tests, the fleet simulator's many agents). */
export const silentLogger: Logger = createLogger('error', 'silent', () => undefined);
