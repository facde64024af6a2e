/**
 * The nft script of the Linux captive portal table (platform/linux/captive-portal-nft.ts). That
 * the kernel takes it and a LAN host is redirected is test/integration/linux-captive-portal.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { allowedPrefixes } from '../../../../platform/captive-portal/captive-portal-settings.js';
import { captiveScript } from '../../../../platform/linux/captive-portal-nft.js';

describe('the Linux nftables table', () => {
  it('redirects LAN-side TCP 80 but to the router and the AllowedList, and keeps the responder port to redirected connections', () => {
    const script = captiveScript('usp_agent_captive', {
      port: 40123,
      wan: ['wan0'],
      allowed: allowedPrefixes('192.0.2.1, 198.51.100.0/24, 2001:db8::/32').prefixes,
    });
    expect(script.split('\n').slice(0, 3)).toEqual(['table inet usp_agent_captive {}', 'delete table inet usp_agent_captive', 'table inet usp_agent_captive {']);
    expect(script).toContain('elements = { "wan0" }');
    expect(script).toContain('elements = { 192.0.2.1, 198.51.100.0/24 }');
    expect(script).toContain('elements = { 2001:db8::/32 }');
    expect(script).toContain('tcp dport 80 redirect to :40123');
    expect(script).toContain('fib daddr type local return');
    expect(script).toContain('tcp dport 40123 ct status dnat accept');
  });

  it('writes empty sets without elements, and with no plan removes the table', () => {
    const script = captiveScript('t', { port: 1, wan: [], allowed: [] });
    expect(script).not.toContain('elements');
    expect(captiveScript('t', undefined)).toBe('table inet t {}\ndelete table inet t\n');
  });
});
