/** The DHCPv6 Client's SourceAddress from its DUID and the kernel's IPv6 neighbours (platform/linux/dhcpv6-source-address.ts). */
import { describe, expect, it } from 'vitest';
import { clientSourceAddress, macOfDuid, type Neighbour6 } from '../../../../platform/linux/dhcpv6-source-address.js';

const MAC = '02:aa:bb:cc:dd:ee';
const LLT = '000100012e5c1a2b02aabbccddee'; // DUID-LLT, Ethernet, time, MAC
const LL = '0003000102aabbccddee'; // DUID-LL, Ethernet, MAC
const UUID = '00040123456789abcdef0123456789abcdef'; // DUID-UUID: no MAC

describe('macOfDuid', () => {
  it('reads the MAC of a DUID-LLT or DUID-LL over Ethernet', () => {
    expect(macOfDuid(LLT)).toBe(MAC);
    expect(macOfDuid('00:03:00:01:02:AA:BB:CC:DD:EE')).toBe(MAC);
    expect(macOfDuid(LL)).toBe(MAC);
  });

  it('has none for other DUID types, other hardware types, wrong lengths or non-hex', () => {
    expect(macOfDuid(UUID)).toBeUndefined();
    expect(macOfDuid('0002000000090102')).toBeUndefined(); // DUID-EN
    expect(macOfDuid('0003000602aabbccddee')).toBeUndefined(); // IEEE 802 hardware type 6
    expect(macOfDuid('0003000102aabbccdd')).toBeUndefined();
    expect(macOfDuid('zz')).toBeUndefined();
    expect(macOfDuid('')).toBeUndefined();
  });
});

describe('clientSourceAddress', () => {
  const neigh = (dst: string, lladdr: string, state = 'STALE', dev = 'lan0'): Neighbour6 => ({ dst, dev, lladdr, state: [state] });
  const table = [neigh('fe80::1', '02:00:00:00:00:01'), neigh('fe80::aa:bbff:fecc:ddee', MAC), neigh('fd00::1001', MAC), neigh('fe80::99', MAC, 'STALE', 'wan0')];

  it("is the link-local neighbour on the pool's device with the DUID's MAC", () => {
    expect(clientSourceAddress(LLT, ['fd00::1001'], 'lan0', table)).toBe('fe80::aa:bbff:fecc:ddee');
    expect(clientSourceAddress(LL, [], 'lan0', table)).toBe('fe80::aa:bbff:fecc:ddee');
    expect(clientSourceAddress(LL, [], 'wan0', table)).toBe('fe80::99');
  });

  it('without a MAC in the DUID, takes the link-layer address of a leased address it saw', () => {
    expect(clientSourceAddress(UUID, ['fd00::1001'], 'lan0', table)).toBe('fe80::aa:bbff:fecc:ddee');
    expect(clientSourceAddress(UUID, ['fd00::2002'], 'lan0', table)).toBe('');
  });

  it('prefers a REACHABLE entry and skips unresolved ones', () => {
    const t = [neigh('fe80::a', MAC, 'FAILED'), neigh('fe80::b', MAC, 'STALE'), neigh('fe80::c', MAC, 'REACHABLE')];
    expect(clientSourceAddress(LL, [], 'lan0', t)).toBe('fe80::c');
    expect(clientSourceAddress(LL, [], 'lan0', [neigh('fe80::a', MAC, 'INCOMPLETE')])).toBe('');
  });

  it('is "" with no device, no matching entry, or malformed entries', () => {
    expect(clientSourceAddress(LL, [], undefined, table)).toBe('');
    expect(clientSourceAddress(LL, [], 'lan1', table)).toBe('');
    expect(clientSourceAddress(LL, [], 'lan0', [{ dev: 'lan0' }, { dst: 'fe80::1', dev: 'lan0', lladdr: MAC }])).toBe('');
  });
});
