/**
 * The Parameter Request List a Device.DHCPv4.Client sends (dhcpv4-request-list.ts): the enabled
 * ReqOption rows in Order, then what the client relied on before and the rows do not name.
 */
import { describe, expect, it } from 'vitest';
import { parseRequestListOption, requestList, requestListOption, UDHCPC_DEFAULT_REQUESTS } from '../../../platform/dhcpv4-request-list.js';

describe('DHCPv4 client request list', () => {
  it('puts the rows first, in Order, then the needed tags they do not name, ascending', () => {
    expect(requestList([224, 42, 3], [...UDHCPC_DEFAULT_REQUESTS, 125])).toEqual([224, 42, 3, 1, 6, 12, 15, 28, 125]);
  });

  it('keeps what the client asked for before when no row names anything', () => {
    expect(requestList([], [...UDHCPC_DEFAULT_REQUESTS, 125])).toEqual([1, 3, 6, 12, 15, 28, 42, 125]);
  });

  it('names each tag once', () => {
    expect(requestList([6, 6, 1], [1, 3])).toEqual([6, 1, 3]);
  });

  it('writes and reads the raw option 55 item', () => {
    expect(requestListOption([224, 42, 3, 6, 1, 125])).toBe('0x37:e02a0306017d');
    expect(parseRequestListOption('0x37:e02a0306017d')).toEqual([224, 42, 3, 6, 1, 125]);
    expect(parseRequestListOption('55:0103')).toEqual([1, 3]);
    for (const other of ['60:0103', '0x37:', '0x37:0g', '0x37:010', 'hostname:x']) expect(parseRequestListOption(other)).toBeUndefined();
  });
});
