import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { htipDevice, htipLink } from '../../../../platform/lldp/htip-tlvs.js';
import { MAX_LLDP_NEIGHBOURS, parseLldpAge, parseLldpNeighbours } from '../../../../platform/lldp/lldpcli-neighbours.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/linux/lldp/', import.meta.url));
const recorded = (name: string): string => readFileSync(`${FIXTURES}${name}`, 'utf8');

/** One json0 neighbour as lldpcli prints it, with the parts a test changes. */
function neighbour(opts: { name?: string; chassis?: [string, string]; port?: [string, string]; age?: string }): Record<string, unknown> {
  const [ct, cv] = opts.chassis ?? ['mac', '00:11:22:33:44:55'];
  const [pt, pv] = opts.port ?? ['ifname', 'ge1'];
  return {
    name: opts.name ?? 'lan1',
    age: opts.age ?? '0 day, 00:00:01',
    chassis: [{ id: [{ type: ct, value: cv }] }],
    port: [{ id: [{ type: pt, value: pv }], ttl: [{ value: '120' }] }],
  };
}
const doc = (...interfaces: Array<Record<string, unknown>>): string => JSON.stringify({ lldp: [{ interface: interfaces }] });

describe('lldpcli -f json0 show neighbors details', () => {
  it('reads the recorded switch and PC: IDs with their IEEE 802.1AB subtypes, names, addresses, TTL, description, age', () => {
    const [sw, pc, ...rest] = parseLldpNeighbours(recorded('lldpcli-json0-show-neighbors-details.json'));
    expect(rest).toEqual([]);
    expect(sw).toEqual({
      localInterface: 'lan1',
      chassisIdSubtype: 4,
      chassisId: '48:a9:8a:12:34:57',
      systemName: 'access-sw-1',
      managementAddresses: ['192.168.1.2', 'fe80::4aa9:8aff:fe12:3457'],
      portIdSubtype: 5,
      portId: 'ge7',
      portDescription: 'Port 7 - FWA gateway',
      ttl: 120,
      ageS: 521,
      orgTlvs: [],
    });
    // lldpd's defaults: chassis and port ID the MAC (port subtype 3), the interface name as description.
    expect(pc).toMatchObject({
      localInterface: 'lan2',
      chassisIdSubtype: 4,
      chassisId: '3c:52:82:aa:bb:cc',
      systemName: 'office-pc',
      portIdSubtype: 3,
      portId: '3c:52:82:aa:bb:cc',
      portDescription: 'enp3s0',
      ttl: 120,
      ageS: 3,
    });
  });

  it('reads the recorded answer of an lldpd without neighbours as none', () => {
    expect(parseLldpNeighbours(recorded('lldpcli-json0-show-neighbors-details.none.json'))).toEqual([]);
  });

  it('maps every subtype lldpcli names, and leaves out a neighbour lldpd shows as "unhandled" (no ID value)', () => {
    const got = parseLldpNeighbours(
      doc(
        neighbour({ chassis: ['ifalias', 'uplink'], port: ['ifalias', 'Gi1/0/1'] }),
        neighbour({ chassis: ['ip', '192.0.2.1'], port: ['ip', '192.0.2.1'] }),
        neighbour({ chassis: ['ifname', 'eth0'], port: ['local', '7'] }),
        neighbour({ chassis: ['local', 'sw-17'], port: ['ifname', 'ge1'] }),
        neighbour({ chassis: ['unhandled', ''], port: ['ifname', 'ge2'] }),
        neighbour({ chassis: ['mac', '00:11:22:33:44:66'], port: ['unhandled', ''] }),
      ),
    );
    expect(got.map((n) => [n.chassisIdSubtype, n.portIdSubtype])).toEqual([
      [2, 1],
      [5, 4],
      [6, 7],
      [7, 5],
    ]);
  });

  it('reads lldpd ages of days, and an unreadable age as 0', () => {
    expect(parseLldpAge('0 day, 00:00:10')).toBe(10);
    expect(parseLldpAge('3 days, 01:02:03')).toBe(3 * 86400 + 3723);
    expect(parseLldpAge('soon')).toBe(0);
  });

  it('keeps at most MAX_LLDP_NEIGHBOURS neighbours, skips malformed entries, and throws on text that is not JSON', () => {
    const many = Array.from({ length: MAX_LLDP_NEIGHBOURS + 5 }, (_, i) => neighbour({ port: ['ifname', `ge${i}`] }));
    expect(parseLldpNeighbours(doc(...many))).toHaveLength(MAX_LLDP_NEIGHBOURS);
    expect(parseLldpNeighbours(doc({ name: 'lan1' }, { chassis: 'x' }, neighbour({})))).toHaveLength(1);
    expect(parseLldpNeighbours('{}')).toEqual([]);
    expect(() => parseLldpNeighbours('unable to connect')).toThrow();
  });
});

describe('HTIP TLVs (LLDPRemOrgDefInfo:1) in the recorded answer', () => {
  const [sw, pc] = parseLldpNeighbours(recorded('lldpcli-json0-show-neighbors-details.htip.json'));

  it("keeps lldpd's unknown TLVs as OUI, subtype and bytes", () => {
    expect(sw!.orgTlvs).toHaveLength(7);
    expect(sw!.orgTlvs[0]).toEqual({ oui: 'E0271A', subtype: 1, bytes: [0x01, 0x06, ...Buffer.from('Switch')] });
    expect(pc!.orgTlvs).toEqual([]);
  });

  it('decodes the device information: categories, manufacturer OUI, model name and number, vendor-specific fields', () => {
    expect(htipDevice(sw!.orgTlvs)).toEqual({
      categories: ['Switch', 'Bridge'],
      manufacturerOui: '48A98A',
      modelName: 'GS308T',
      modelNumber: '100NAS2',
      vendorSpecific: [{ organizationCode: '48A98A', informationType: 1, information: 'fw-2.3' }],
    });
    expect(htipDevice(pc!.orgTlvs)).toEqual({ categories: [], manufacturerOui: '', modelName: '', modelNumber: '', vendorSpecific: [] });
  });

  it('decodes the link information: the IANAifType and the MAC forwarding table', () => {
    expect(htipLink(sw!.orgTlvs)).toEqual({ interfaceType: 6, macForwardingTable: ['3c:52:82:aa:bb:cc', '02:10:18:00:00:01'] });
    expect(htipLink(pc!.orgTlvs)).toEqual({ interfaceType: 0, macForwardingTable: [] });
  });

  it('ignores TLVs shorter than their lengths, other OUIs, and a manufacturer code that is not six hex digits', () => {
    const tlv = (subtype: number, bytes: number[], oui = 'E0271A') => ({ oui, subtype, bytes });
    const d = htipDevice([tlv(1, [3, 9, 0x41]), tlv(1, [3, 1, 0x41], '00120F'), tlv(1, [2, 3, 0x41, 0x42, 0x43]), tlv(1, [255, 2, 1, 2])]);
    expect(d).toEqual({ categories: [], manufacturerOui: '', modelName: '', modelNumber: '', vendorSpecific: [] });
    expect(htipLink([tlv(2, [4, 0, 0])])).toEqual({ interfaceType: 0, macForwardingTable: [] });
    expect(htipLink([tlv(2, [1, 71, 1, 3, 2, 1, 2, 3, 4, 5, 6])])).toEqual({ interfaceType: 71, macForwardingTable: ['01:02:03:04:05:06'] });
  });
});
