/**
 * The package's dhcp hotplug handler (openwrt/files/usp-agent.dhcp-hotplug), run as procd runs
 * it: `sh -c ". <handler>"` with only the environment OpenWrt's dhcp-script.sh hands procd's
 * hotplug.dhcp (ACTION add/remove/update, MACADDR, IPADDR, HOSTNAME and the non-empty DNSMASQ_*
 * variables of the lease), by the machine's sh and by busybox sh (OpenWrt's ash). Its records
 * must be the ones the Linux lease script writes for the same lease (the learning reads both).
 * Also: which DHCPv6 criteria OpenWrt refuses (openWrtDhcpCriteriaUnlearnt).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLeaseRecord } from '../../../../platform/linux/dhcp-class-record.js';
import { installLeaseScript } from '../../../../platform/linux/dnsmasq-lease-script.js';
import { openWrtDhcpCriteriaUnlearnt } from '../../../../platform/openwrt/dhcp-class-hotplug.js';

const HOOK = fileURLToPath(new URL('../../../../openwrt/files/usp-agent.dhcp-hotplug', import.meta.url));
const SHELLS: Array<{ name: string; shell: readonly string[] }> = [
  { name: 'sh', shell: ['sh'] },
  { name: 'busybox sh', shell: ['busybox', 'sh'] },
];

let work = '';
let dir = '';

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'usp-owrt-dhcp-hook-'));
  dir = join(work, 'records');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** One hotplug.dhcp call: the handler sourced by `shell -c`, with `env` and nothing else of the test's. */
const hotplug = (shell: readonly string[], env: Record<string, string>): void => {
  execFileSync(shell[0]!, [...shell.slice(1), '-c', `. ${HOOK}`], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', USP_AGENT_DHCP_CLASSES: dir, ...env } });
};
const LEASE = { ACTION: 'add', MACADDR: '02:00:00:00:70:10', IPADDR: '192.168.1.5', HOSTNAME: 'cam' };
const OPTIONS = { DNSMASQ_VENDOR_CLASS: 'usp cam "1" $x \\n', DNSMASQ_CLIENT_ID: '01:02:00:00:00:70:10', DNSMASQ_USER_CLASS0: 'abc', DNSMASQ_USER_CLASS1: 'de', DNSMASQ_INTERFACE: 'br-lan' };

describe.each(SHELLS)('the dhcp hotplug handler under $name', ({ shell }) => {
  it('keeps the DHCPv4 options of an added lease, byte for byte as the Linux lease script does', () => {
    hotplug(shell, { ...LEASE, ...OPTIONS });
    expect(readdirSync(dir)).toEqual(['4-02:00:00:00:70:10']);
    const record = readFileSync(join(dir, '4-02:00:00:00:70:10'));
    expect(parseLeaseRecord(record)).toEqual({
      family: 4,
      mac: '02:00:00:00:70:10',
      vendorClass: Buffer.from('usp cam "1" $x \\n'),
      clientIdHex: '01020000007010',
      userClassHex: ['03616263026465', '616263006465'],
    });
    // The same lease through the Linux agent's own dnsmasq lease script.
    const linuxDir = join(work, 'linux');
    const script = installLeaseScript(work, linuxDir);
    execFileSync(script, ['add', LEASE.MACADDR, LEASE.IPADDR, LEASE.HOSTNAME], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...OPTIONS } });
    expect(readFileSync(join(linuxDir, '4-02:00:00:00:70:10'))).toEqual(record);
  });

  it('a renewal replaces the record; a replay at dnsmasq start keeps it; remove deletes it', () => {
    hotplug(shell, { ...LEASE, DNSMASQ_VENDOR_CLASS: 'usp-cam' });
    const read = () => parseLeaseRecord(readFileSync(join(dir, '4-02:00:00:00:70:10')));
    hotplug(shell, { ...LEASE, ACTION: 'update', DNSMASQ_DATA_MISSING: '1' });
    expect(read()?.vendorClass).toEqual(Buffer.from('usp-cam'));
    // The client asked again without a vendor class (procd drops empty variables: absent).
    hotplug(shell, { ...LEASE, ACTION: 'update', DNSMASQ_INTERFACE: 'br-lan' });
    expect(read()).toEqual({ family: 4, mac: '02:00:00:00:70:10', userClassHex: [] });
    hotplug(shell, { ...LEASE, ACTION: 'remove' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('ignores DHCPv6 leases, MACs that are no Ethernet address, other actions, and leaves no temporary file', () => {
    hotplug(shell, { ...LEASE, IPADDR: 'fd00::5', MACADDR: '00:03:00:01:02:00:00:00:70:11', DNSMASQ_MAC: '02:00:00:00:70:11', DNSMASQ_IAID: '12' });
    hotplug(shell, { ...LEASE, MACADDR: '06-02:00:00:00:70:10' });
    hotplug(shell, { ...LEASE, MACADDR: '../../etc/x' });
    hotplug(shell, { ...LEASE, ACTION: 'arp-add' });
    hotplug(shell, { ACTION: 'add' });
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
    hotplug(shell, { ...LEASE });
    expect(readdirSync(dir)).toEqual(['4-02:00:00:00:70:10']);
  });
});

describe('openWrtDhcpCriteriaUnlearnt', () => {
  it('refuses every criterion naming clients under DHCPType DHCPv6, none under DHCPv4', () => {
    expect(openWrtDhcpCriteriaUnlearnt({ SourceMACFromClientIDFilter: '0102', SourceMACFromVendorClassIDFilterv6: '00000de9' }, {})).toEqual([]);
    const v6 = { DHCPType: 'DHCPv6', SourceMACFromClientIDFilter: '000300010200', DestMACFromUserClassIDFilter: '0361', DestMACFromVendorClassIDFilterv6: '' };
    const bad = openWrtDhcpCriteriaUnlearnt(v6, { DestMACFromUserClassIDFilter: '0361' });
    expect(bad.map((b) => b.param)).toEqual(['DHCPType', 'DestMACFromUserClassIDFilter']);
    expect(bad[0]!.message).toMatch(/^SourceMACFromClientIDFilter: OpenWrt serves DHCPv6 with odhcpd/);
    // Nothing named: nothing to learn (an empty criterion with Exclude false admits no frame, which needs no lease).
    expect(openWrtDhcpCriteriaUnlearnt({ DHCPType: 'DHCPv6', SourceMACFromClientIDFilterExclude: false }, {})).toEqual([]);
  });
});
