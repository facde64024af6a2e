import { describe, expect, it } from 'vitest';
import { gatewayLogger } from '../../../../agent/fleet/gateway-logger.js';
import { createLogger, type Logger } from '../../../../datamodel/Logger.js';

function capture(): { base: Logger; lines: string[]; childCalls: string[] } {
  const lines: string[] = [];
  const childCalls: string[] = [];
  const real = createLogger('debug', 'fleet', (_lvl, s) => lines.push(s));
  const wrap = (l: Logger): Logger => ({
    level: l.level,
    error: (m, f) => l.error(m, f),
    warn: (m, f) => l.warn(m, f),
    info: (m, f) => l.info(m, f),
    debug: (m, f) => l.debug(m, f),
    child: (c) => {
      childCalls.push(c);
      return wrap(l.child(c));
    },
  });
  return { base: wrap(real), lines, childCalls };
}

describe('gatewayLogger', () => {
  it('tags every line, its children’s too, with the gateway number', () => {
    const { base, lines } = capture();
    const g = gatewayLogger(base, 7);
    g.info('up', { a: 1 });
    g.child('mtp-mqtt').warn('down');
    g.child('notify').debug('tick');
    expect(lines).toEqual(['level=info component=fleet msg="up" gateway=7 a=1', 'level=warn component=mtp-mqtt msg="down" gateway=7', 'level=debug component=notify msg="tick" gateway=7']);
    expect(g.level).toBe('debug');
  });

  it('makes the fleet logger’s child for a component once, for every gateway (issue 14: memory per gateway)', () => {
    const { base, lines, childCalls } = capture();
    for (let n = 1; n <= 100; n++) gatewayLogger(base, n).child('mtp-mqtt').child('tls').error('x');
    expect(childCalls).toEqual(['mtp-mqtt', 'tls']);
    expect(lines).toHaveLength(100);
    expect(lines[99]).toBe('level=error component=tls msg="x" gateway=100');
  });
});
