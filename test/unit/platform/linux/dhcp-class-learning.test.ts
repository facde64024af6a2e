/**
 * How the Linux agent learns LAN clients' DHCP options: the lease script dnsmasq runs
 * (dnsmasq-lease-script.ts, run here by /bin/sh with the arguments and environment dnsmasq
 * gives it), its records read back (dhcp-class-record.ts), and the watched, bounded directory of
 * them (dhcp-class-learning.ts). dnsmasq itself runs the script in
 * test/integration/linux-bridge-filter-dhcp.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dhcpCriteriaUnlearnt, parseLeaseRecord } from '../../../../platform/linux/dhcp-class-record.js';
import { DhcpClassLearning } from '../../../../platform/linux/dhcp-class-learning.js';
import { dnsmasqConfText, type DnsmasqConf } from '../../../../platform/linux/dnsmasq-conf.js';
import { installLeaseScript, leaseScriptLines } from '../../../../platform/linux/dnsmasq-lease-script.js';

let dataDir = '';
let dir = '';
let script = '';

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'usp-dhcp-classes-'));
  dir = join(dataDir, 'records');
  script = installLeaseScript(dataDir, dir);
});

afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the script as dnsmasq does: `action id address`, the options in the environment (nothing else of the test's). */
const run = (args: string[], env: Record<string, string> = {}): void => {
  execFileSync(script, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
};
const record = (name: string): ReturnType<typeof parseLeaseRecord> => parseLeaseRecord(readFileSync(join(dir, name)));

describe('the lease script and its records', () => {
  it('keeps the DHCPv4 options of a lease: vendor class, client ID, user classes in both forms', () => {
    run(['add', '02:00:00:00:70:10', '192.168.1.5', 'cam'], {
      DNSMASQ_VENDOR_CLASS: 'usp cam "1"',
      DNSMASQ_CLIENT_ID: '01:02:00:00:00:70:10',
      DNSMASQ_USER_CLASS0: 'abc',
      DNSMASQ_USER_CLASS1: 'de',
      DNSMASQ_INTERFACE: 'br-lan',
    });
    expect(readdirSync(dir)).toEqual(['4-02:00:00:00:70:10']);
    expect(record('4-02:00:00:00:70:10')).toEqual({
      family: 4,
      mac: '02:00:00:00:70:10',
      vendorClass: Buffer.from('usp cam "1"'),
      clientIdHex: '01020000007010',
      userClassHex: ['03616263026465', '616263006465'],
    });
    expect(leaseScriptLines(script)).toEqual([`dhcp-script=${script}`, 'script-on-renewal']);
  });

  it('keeps a DHCPv6 lease under its MAC and IAID: the DUID (dnsmasq mangles options 16 and 15: not learnt)', () => {
    run(['add', '00:03:00:01:02:00:00:00:70:11', 'fd00::5', 'phone'], {
      DNSMASQ_MAC: '02:00:00:00:70:11',
      DNSMASQ_IAID: '12',
      DNSMASQ_VENDOR_CLASS_ID: '4491',
      DNSMASQ_VENDOR_CLASS0: 'docsis',
      DNSMASQ_USER_CLASS0: 'un',
    });
    expect(record('6-02:00:00:00:70:11-12')).toEqual({
      family: 6,
      mac: '02:00:00:00:70:11',
      clientIdHex: '00030001020000007011',
      userClassHex: [],
    });
    // Without a MAC (dnsmasq did not learn it) or an IAID there is nothing to filter on.
    run(['add', '00:03:00:01:02:00:00:00:70:12', 'fd00::6'], { DNSMASQ_IAID: '1' });
    expect(readdirSync(dir)).toEqual(['6-02:00:00:00:70:11-12']);
  });

  it('dnsmasq start replays leases without options: the record stays; del removes it; other actions and bad MACs are ignored', () => {
    run(['add', '02:00:00:00:70:10', '192.168.1.5'], { DNSMASQ_VENDOR_CLASS: 'usp-cam' });
    run(['old', '02:00:00:00:70:10', '192.168.1.5'], { DNSMASQ_DATA_MISSING: '1' });
    expect(record('4-02:00:00:00:70:10')?.vendorClass).toEqual(Buffer.from('usp-cam'));
    // A renewal without the option: the client no longer has the class.
    run(['old', '02:00:00:00:70:10', '192.168.1.5'], { DNSMASQ_INTERFACE: 'br-lan' });
    expect(record('4-02:00:00:00:70:10')?.vendorClass).toBeUndefined();
    run(['tftp', '100', '192.168.1.5', '/x']);
    run(['add', '06-02:00:00:00:70:10', '192.168.1.6']);
    run(['add', '$(touch x)', '192.168.1.7']);
    expect(readdirSync(dir)).toEqual(['4-02:00:00:00:70:10']);
    run(['del', '02:00:00:00:70:10', '192.168.1.5'], { DNSMASQ_DATA_MISSING: '1' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is in the dnsmasq file only where dnsmasq hands out leases (the DHCPv4 server or DHCPv6)', () => {
    const conf = (c: Partial<DnsmasqConf>): string =>
      dnsmasqConfText({ relayEnable: true, forwarders: [], serverEnable: false, pools: [], leaseFile: '/d/l', pidFile: '/d/p', leaseScript: leaseScriptLines('/d/s.sh'), ...c });
    expect(conf({ serverEnable: true })).toContain('\ndhcp-script=/d/s.sh\nscript-on-renewal\n');
    expect(conf({ dhcpv6: ['dhcp-range=::,constructor:lan0,ra-stateless'] })).toContain('dhcp-script=/d/s.sh');
    expect(conf({})).not.toContain('dhcp-script');
  });

  it('refuses, under DHCPType DHCPv6, the vendor and user class dnsmasq does not pass intact (7012), not the DUID', () => {
    const v6 = { DHCPType: 'DHCPv6', SourceMACFromVendorClassIDFilterv6: '0000118b0006646f63736973' };
    expect(dhcpCriteriaUnlearnt(v6, v6).map((b) => b.param)).toEqual(['SourceMACFromVendorClassIDFilterv6']);
    expect(dhcpCriteriaUnlearnt({ ...v6, DestMACFromUserClassIDFilter: '0002756e' }, { DHCPType: 'DHCPv6' }).map((b) => b.param)).toEqual(['DHCPType', 'DHCPType']);
    expect(dhcpCriteriaUnlearnt({ DHCPType: 'DHCPv4', SourceMACFromVendorClassIDFilterv6: '00', SourceMACFromUserClassIDFilter: '0102' }, {})).toEqual([]);
    expect(dhcpCriteriaUnlearnt({ DHCPType: 'DHCPv6', SourceMACFromClientIDFilter: '000300010200000000' }, {})).toEqual([]);
  });

  it('refuses what is no record of the script', () => {
    expect(parseLeaseRecord(Buffer.from('family=4\0mac=not a mac\0'))).toBeUndefined();
    expect(parseLeaseRecord(Buffer.from('garbage'))).toBeUndefined();
    expect(parseLeaseRecord(Buffer.from('family=4\0mac=02:00:00:00:00:01\0client_id=zz\0'))).toEqual({ family: 4, mac: '02:00:00:00:00:01', userClassHex: [] });
    expect(parseLeaseRecord(Buffer.alloc(20_000, 0x61))).toBeUndefined();
  });
});

describe('the learnt clients', () => {
  it('reads the records at start (what an earlier run learnt) and again when dnsmasq writes one', async () => {
    run(['add', '02:00:00:00:70:10', '192.168.1.5'], { DNSMASQ_VENDOR_CLASS: 'usp-cam' });
    const learning = new DhcpClassLearning(dir);
    let changes = 0;
    learning.onChange(() => changes++);
    await learning.start();
    try {
      expect(learning.clients().map((c) => c.mac)).toEqual(['02:00:00:00:70:10']);
      run(['add', '02:00:00:00:70:20', '192.168.1.6'], { DNSMASQ_VENDOR_CLASS: 'usp-tv' });
      await expect.poll(() => learning.clients().length, { timeout: 10_000 }).toBe(2);
      expect(changes).toBe(2);
    } finally {
      learning.stop();
    }
  });

  it('keeps at most its bound of records, deleting the oldest', async () => {
    for (let i = 0; i < 5; i++) {
      const file = join(dir, `4-02:00:00:00:00:0${i}`);
      writeFileSync(file, `family=4\0mac=02:00:00:00:00:0${i}\0`);
      utimesSync(file, 1_000_000 + i, 1_000_000 + i);
    }
    const learning = new DhcpClassLearning(dir, undefined, 3);
    await learning.read();
    expect(learning.clients().map((c) => c.mac)).toEqual(['02:00:00:00:00:04', '02:00:00:00:00:03', '02:00:00:00:00:02']);
    expect(readdirSync(dir).sort()).toEqual(['4-02:00:00:00:00:02', '4-02:00:00:00:00:03', '4-02:00:00:00:00:04']);
  });
});
