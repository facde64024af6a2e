/**
 * The nft script behind Device.Firewall. on Linux (firewall-rules.ts): what High and Low add,
 * that the agent's ports and the WAN names go in as given, and that a name nft would read as
 * something else never reaches the script. The kernel's reading of it is tested in
 * test/integration/linux-firewall.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { firewallScript, isIfName } from '../../../../platform/linux/firewall-rules.js';

const plan = { wan: ['wwan0', 'eth1'], tcpPorts: [8443, 8443, 0, 70000], udpPorts: [5684] };

describe('linux firewall: the nft script', () => {
  it('replaces the table whole, and with no plan only removes it', () => {
    expect(firewallScript('t', undefined)).toBe('table inet t {}\ndelete table inet t\n');
    expect(firewallScript('t', { ...plan, level: 'Low' }).startsWith('table inet t {}\ndelete table inet t\ntable inet t {\n')).toBe(true);
  });

  it('Low drops unsolicited WAN inbound, keeps the agent ports and answers pings; the LAN goes out freely', () => {
    const s = firewallScript('t', { ...plan, level: 'Low' });
    expect(s).toContain('elements = { "wwan0", "eth1" }');
    expect(s).toContain('ct state established,related accept');
    expect(s).toContain('tcp dport 8443 accept');
    expect(s).toContain('udp dport 5684 accept');
    expect(s).toContain('icmp type echo-request accept');
    expect(s).toContain('iifname @wan ct status dnat accept');
    expect(s).toContain('iifname @wan drop');
    expect(s).not.toContain('oifname @wan');
  });

  it('High allows only the common services out and no ping in', () => {
    const s = firewallScript('t', { ...plan, level: 'High' });
    expect(s).toContain('oifname @wan tcp dport { 21, 22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995, 8080 } accept');
    expect(s).toContain('oifname @wan reject');
    expect(s).not.toContain('icmp type echo-request accept\n    icmpv6 type echo-request accept\n    drop');
  });

  it('leaves out interface names nft would not read as one name, and an empty WAN set', () => {
    expect(isIfName('wan0')).toBe(true);
    expect(isIfName('a"; flush ruleset')).toBe(false);
    expect(isIfName('a-very-long-interface-name')).toBe(false);
    const s = firewallScript('t', { level: 'Low', wan: ['x" }'], tcpPorts: [], udpPorts: [] });
    expect(s).not.toContain('elements');
    expect(s).not.toContain('tcp dport');
  });
});
