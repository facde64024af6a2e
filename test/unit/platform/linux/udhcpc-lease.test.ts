/**
 * What the agent makes of udhcpc's recorded lease (platform/linux/udhcpc-lease.ts): the record
 * format its script writes, DHCPStatus, ReqOption Values turned back into option bytes, and the
 * option arguments udhcpc is started with. The values are those busybox 1.35 gave its script in
 * a run against dnsmasq 2.90 (tags 1, 3, 6, 12, 26, 42, 51, 54, 119, 224).
 */
import { describe, expect, it } from 'vitest';
import { dhcpStatusOf, leaseVariables, optionArgs, optionHex, optionVariable, parseLeaseRecord } from '../../../../platform/linux/udhcpc-lease.js';

const RECORD = [
  'event=bound',
  'ip=10.77.0.83',
  'mask=24',
  'subnet=255.255.255.0',
  'router=10.77.0.1',
  'dns=10.77.0.1 10.77.0.2',
  'serverid=10.77.0.1',
  'lease=120',
  'hostname=myhost',
  'mtu=1400',
  'ntpsrv=10.77.0.5',
  'search=a.test',
  'opt224=2268656c6c6f22',
  // A server-chosen string holding what looks like another record stays one value.
  'domain=x\nip=6.6.6.6',
  '',
].join('\0');

describe('udhcpc lease record', () => {
  const lease = parseLeaseRecord(RECORD);

  it('reads the NUL-separated records, a value with = or a newline kept whole', () => {
    expect(lease.event).toBe('bound');
    expect(lease.vars.get('ip')).toBe('10.77.0.83');
    expect(lease.vars.get('domain')).toBe('x\nip=6.6.6.6');
    expect(parseLeaseRecord('').event).toBe('');
  });

  it('maps udhcpc events to TR-181 DHCPStatus', () => {
    expect(['bound', 'renew', 'deconfig', 'leasefail', 'nak', ''].map(dhcpStatusOf)).toEqual(['Bound', 'Bound', 'Selecting', 'Selecting', 'Init', 'Init']);
  });

  it('turns the decoded text of known options back into their bytes', () => {
    expect(optionHex(42, lease.vars)).toBe('0A4D0005');
    expect(optionHex(6, lease.vars)).toBe('0A4D00010A4D0002');
    expect(optionHex(26, lease.vars)).toBe('0578');
    expect(optionHex(51, lease.vars)).toBe('00000078');
    expect(optionHex(12, lease.vars)).toBe('6D79686F7374');
    expect(optionHex(224, lease.vars)).toBe('2268656C6C6F22');
  });

  it('leaves empty what it cannot give exactly: absent options, domain search lists', () => {
    expect(optionHex(43, lease.vars)).toBe('');
    expect(optionHex(119, lease.vars)).toBe('');
    expect(optionHex(3, new Map([['router', '10.0.0.300']]))).toBe('');
    expect(optionHex(225, new Map([['opt225', 'zz']]))).toBe('');
  });

  it('names the variables to record: the lease ones and the requested options', () => {
    expect(optionVariable(42)).toBe('ntpsrv');
    expect(optionVariable(224)).toBe('opt224');
    const vars = leaseVariables([42, 224, 6]);
    expect(vars).toContain('ntpsrv');
    expect(vars).toContain('opt224');
    expect(vars.filter((v) => v === 'dns')).toHaveLength(1);
    expect(vars.every((v) => /^[a-z0-9]+$/.test(v))).toBe(true);
  });

  it('starts udhcpc with hex values only, and without its own vendor class when tag 60 is given', () => {
    expect(optionArgs([{ tag: 77, hex: '0a0b' }], [42])).toEqual(['-x', '77:0a0b', '-o', '-x', '0x37:2a']);
    expect(optionArgs([{ tag: 60, hex: '41' }], [])).toEqual(['-V', '', '-x', '60:41']);
  });

  it('gives the request list as one raw option 55 in its order, beside -o and without -O', () => {
    const args = optionArgs([], [224, 42, 1, 3, 125]);
    expect(args).toEqual(['-o', '-x', '0x37:e02a01037d']);
    expect(args).not.toContain('-O');
  });
});
