/**
 * A fleet gateway's logger: every line names its gateway; the component loggers under the fleet's
 * logger are made once for all gateways (a fleet of 10,000 would otherwise hold ~30 per gateway).
 */
import { describe, expect, it } from 'vitest';
import { gatewayLogger } from '../../../../agent/fleet/gateway-logger.js';
import { createLogger, type Logger } from '../../../../datamodel/Logger.js';

describe('gatewayLogger', () => {
  it('tags every line, its components’ too, with the gateway number', () => {
    const lines: string[] = [];
    const base = createLogger('debug', 'fleet', (_l, s) => lines.push(s));
    const log = gatewayLogger(base, 7);
    log.info('started', { x: 1 });
    log.child('mtp').child('mqtt').warn('down');
    log.debug('plain');
    expect(log.level).toBe('debug');
    expect(lines).toEqual(['level=info component=fleet msg="started" gateway=7 x=1', 'level=warn component=mqtt msg="down" gateway=7', 'level=debug component=fleet msg="plain" gateway=7']);
  });

  it("makes each component's logger once for every gateway", () => {
    const lines: string[] = [];
    const made: string[] = [];
    const inner = createLogger('info', 'fleet', (_l, s) => lines.push(s));
    const base: Logger = { ...inner, child: (c) => (made.push(c), inner.child(c)) };
    for (let n = 1; n <= 100; n++) gatewayLogger(base, n).child('operate').info('hello');
    expect(made).toEqual(['operate']);
    expect(lines[99]).toBe('level=info component=operate msg="hello" gateway=100');
  });
});
