/** The Results text of Device.SelfTestDiagnostics() (TR-181: string(1024), vendor-specific). */
import { describe, expect, it } from 'vitest';
import { MAX_RESULTS_LENGTH, resultsText } from '../../../../agent/diagnostics/register-self-test.js';

describe('SelfTestDiagnostics() Results', () => {
  it('leads with the count of failures, then the failures, then the passes with their detail', () => {
    expect(
      resultsText([
        { name: 'store', ok: true },
        { name: 'ubus', ok: false, why: 'exit 4: not found' },
        { name: 'memory', ok: true, why: '40 MiB free' },
      ]),
    ).toBe('failed=1/3;ubus=fail(exit 4: not found);store=ok;memory=ok(40 MiB free)');
  });

  it('is cut at 1024 characters, keeping the failures that come first', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ name: `check${i}`, ok: i !== 59, why: i === 59 ? 'broken' : 'a detail of some length here' }));
    const text = resultsText(many);
    expect(text).toHaveLength(MAX_RESULTS_LENGTH);
    expect(text.startsWith('failed=1/60;check59=fail(broken);check0=ok(')).toBe(true);
    expect(text.endsWith('...')).toBe(true);
  });
});
