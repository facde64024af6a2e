import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDnsServer, qualifiedName, searchDomain } from '../../../../platform/diagnostics/ns-lookup-servers.js';

describe('parseDnsServer (NSLookupDiagnostics() DNSServer, and the resolver server list)', () => {
  it.each([
    ['192.0.2.1', { ip: '192.0.2.1', port: 53 }],
    ['192.0.2.1:5353', { ip: '192.0.2.1', port: 5353 }],
    ['2001:db8::1', { ip: '2001:db8::1', port: 53 }],
    ['[2001:db8::1]:5353', { ip: '2001:db8::1', port: 5353 }],
    ['[::1]', { ip: '::1', port: 53 }],
  ])('%s', (text, want) => expect(parseDnsServer(text)).toEqual(want));

  it.each(['dns.example', '192.0.2.1:0', '192.0.2.1:70000', '[dns.example]:53', '', '1.2.3:53'])('%s is no IP server', (text) => {
    expect(parseDnsServer(text)).toBeUndefined();
  });
});

describe('searchDomain and qualifiedName', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-lookup-'));
  const file = join(dir, 'resolv.conf');

  it('the last search or domain line wins; its first domain is used', () => {
    writeFileSync(file, 'domain old.example\nnameserver 192.0.2.53\nsearch lan.example corp.example\n');
    expect(searchDomain(file)).toBe('lan.example');
  });

  it('no file or no domain: empty', () => {
    writeFileSync(file, 'nameserver 192.0.2.53\n');
    expect(searchDomain(file)).toBe('');
    expect(searchDomain(join(dir, 'missing'))).toBe('');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a name without a dot takes the domain; a dotted or rooted name is looked up as it is', () => {
    expect(qualifiedName('printer', 'lan.example')).toBe('printer.lan.example');
    expect(qualifiedName('printer', '')).toBe('printer');
    expect(qualifiedName('www.example.com', 'lan.example')).toBe('www.example.com');
    expect(qualifiedName('printer.', 'lan.example')).toBe('printer');
  });
});
