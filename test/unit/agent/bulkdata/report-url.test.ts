/**
 * The Request-URI of a Bulk Data report (agent/bulkdata/report-url.ts): TR-369 Annex A R-BULK.1
 * identity and RequestURIParameter.{i} appended, userinfo taken out.
 */
import { describe, expect, it } from 'vitest';
import { redactedUrl, reportUrl } from '../../../../agent/bulkdata/report-url.js';

describe('reportUrl', () => {
  it('keeps a URL without additions as it is', () => {
    expect(reportUrl('https://bdc.example.net/a/b?k=v', undefined, [])).toEqual({ url: new URL('https://bdc.example.net/a/b?k=v') });
  });

  it('appends the identity, then the parameters in order; drops a fragment', () => {
    const r = reportUrl('http://bdc.example.net/in#frag', { oui: '00D09E', productClass: 'RG', serialNumber: '1' }, [
      { name: 'a', value: '1' },
      { name: 'a', value: '2' },
    ]);
    expect('url' in r && r.url.href).toBe('http://bdc.example.net/in?oui=00D09E&pc=RG&sn=1&a=1&a=2');
  });

  it('keeps a query ending in & without doubling it', () => {
    const r = reportUrl('http://h/x?a=1&', undefined, [{ name: 'b', value: '2' }]);
    expect('url' in r && r.url.search).toBe('?a=1&b=2');
  });

  it('takes userinfo out and returns it decoded', () => {
    const r = reportUrl('https://us%20er:p%40ss@h:8443/x', undefined, []);
    expect(r).toEqual({ url: new URL('https://h:8443/x'), userinfo: { username: 'us er', password: 'p@ss' } });
  });

  it.each([
    ['mailto:a@b', /scheme mailto: is not supported/],
    ['http://', /is not a URL/],
    ['file:///etc/passwd', /scheme file: is not supported/],
  ])('refuses %j', (url, why) => {
    const r = reportUrl(url, undefined, []);
    expect('problem' in r && r.problem).toMatch(why);
  });
});

describe('redactedUrl', () => {
  it('leaves out userinfo and query, which may carry secrets', () => {
    expect(redactedUrl('https://u:secret@h/p?token=secret')).toBe('https://h/p');
    expect(redactedUrl('x'.repeat(100))).toMatch(/…"$/);
  });
});
