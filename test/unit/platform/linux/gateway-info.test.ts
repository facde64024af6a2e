/** TR-111 option 125 (RFC 3925) payloads → Device.GatewayInfo. values. */
import { describe, expect, it } from 'vitest';
import { gatewayIdentity, managementProtocol } from '../../../../platform/gateway-info.js';

/** One enterprise block: number, length, then code/length/value sub-options. */
function block(enterprise: number, subs: Array<[number, string]>): string {
  const data = Buffer.concat(subs.map(([code, text]) => Buffer.concat([Buffer.from([code, Buffer.byteLength(text, 'latin1')]), Buffer.from(text, 'latin1')])));
  const head = Buffer.alloc(5);
  head.writeUInt32BE(enterprise, 0);
  head[4] = data.length;
  return Buffer.concat([head, data]).toString('hex');
}

describe('gatewayIdentity', () => {
  it("reads sub-options 4, 5 and 6 of enterprise 3561, skipping another enterprise's block and the device's own sub-options", () => {
    const hex =
      block(9, [[4, 'AAAAAA']]) +
      block(3561, [
        [1, 'ABCDEF'],
        [4, '00d09e'],
        [5, 'GW-1'],
        [6, 'FWA-5G'],
      ]);
    expect(gatewayIdentity(hex)).toEqual({ ManufacturerOUI: '00D09E', SerialNumber: 'GW-1', ProductClass: 'FWA-5G' });
  });

  it.each([
    ['nothing recorded', undefined],
    ['not hex', 'zz'],
    ['a cut block', block(3561, [[5, 'GW-1']]).slice(0, -4)],
    ['an OUI that is not six hex digits', block(3561, [[4, 'ACME']])],
    ['control characters', block(3561, [[5, 'GW\n1']])],
    ['a serial number over 64 characters', block(3561, [[5, 'x'.repeat(65)]])],
  ])('%s: empty values', (_what, hex) => {
    expect(gatewayIdentity(hex)).toEqual({ ManufacturerOUI: '', ProductClass: '', SerialNumber: '' });
  });

  it('reports ManagementProtocol CWMP once option 125 named a gateway, empty before', () => {
    expect(managementProtocol(gatewayIdentity(block(3561, [[5, 'GW-1']])))).toBe('CWMP');
    expect(managementProtocol(gatewayIdentity(undefined))).toBe('');
  });
});
