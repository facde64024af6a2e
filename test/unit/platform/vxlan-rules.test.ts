/**
 * The checks every platform's Device.VXLAN rows pass before they are kept (platform/vxlan-rules.ts):
 * each refusal is a 7012 naming the parameter at fault, and VNI -1 is replaced by the lowest free.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../datamodel/UspError.js';
import type { Value } from '../../../datamodel/value/Value.js';
import { checkVxlanInterface, checkVxlanTunnel, endpointsOf, MAX_VNI } from '../../../platform/vxlan-rules.js';

const paramOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof UspError && e.code === ErrorCode.InvalidValue) return e.paramErrors?.[0]?.param;
    throw e;
  }
  return undefined;
};
const paramOfAsync = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => {
      if (e instanceof UspError && e.code === ErrorCode.InvalidValue) return e.paramErrors?.[0]?.param;
      throw e;
    },
  );

describe('VXLAN Tunnel checks', () => {
  const tunnel = (v: Record<string, Value>) => () => checkVxlanTunnel({ DeliveryHeaderProtocol: 'IPv4', ...v }, v);
  it('takes IP addresses of the delivery family, in order', () => {
    expect(paramOf(tunnel({ RemoteEndpoints: '192.0.2.1,198.51.100.2' }))).toBeUndefined();
    expect(paramOf(tunnel({ RemoteEndpoints: '2001:db8::1', DeliveryHeaderProtocol: 'IPv6' }))).toBeUndefined();
    expect(endpointsOf('192.0.2.1, 198.51.100.2,')).toEqual(['192.0.2.1', '198.51.100.2']);
  });
  it.each([
    [{ RemoteEndpoints: 'vtep.example.com' }, 'RemoteEndpoints'],
    [{ RemoteEndpoints: '2001:db8::1' }, 'RemoteEndpoints'],
    [{ RemoteEndpoints: '192.0.2.1', DeliveryHeaderProtocol: 'IPv6' }, 'RemoteEndpoints'],
    [{ DefaultDSCPMark: 64 }, 'DefaultDSCPMark'],
    [{ KeepAliveTimeout: 0 }, 'KeepAliveTimeout'],
    [{ KeepAliveTimeout: 3601 }, 'KeepAliveTimeout'],
    [{ KeepAliveThreshold: 0 }, 'KeepAliveThreshold'],
  ])('refuses %j (7012 on %s)', (v, param) => {
    expect(paramOf(tunnel(v))).toBe(param);
  });
});

describe('VXLAN Interface checks', () => {
  const others: Array<[number, Record<string, Value>]> = [
    [1, { VNI: 1 }],
    [2, { VNI: 2 }],
    [3, { VNI: 100 }],
  ];
  const exists = (ref: string) => ref === 'Device.IP.Interface.1';
  it('keeps a free VNI, and picks the lowest free one for -1', async () => {
    expect((await checkVxlanInterface(0, { VNI: 7 }, { VNI: 7 }, others, exists)).VNI).toBe(7);
    expect((await checkVxlanInterface(0, { VNI: -1 }, { VNI: -1 }, others, exists)).VNI).toBe(3);
    // A row keeps its own VNI on a Set of something else.
    expect((await checkVxlanInterface(3, { VNI: 100, Enable: true }, { Enable: true }, others, exists)).VNI).toBe(100);
  });
  it.each([
    [{ VNI: 0 }, 'VNI'],
    [{ VNI: MAX_VNI + 1 }, 'VNI'],
    [{ VNI: -2 }, 'VNI'],
    [{ VNI: 100 }, 'VNI'],
    [{ VNI: 7, LowerLayers: 'Device.IP.Interface.9' }, 'LowerLayers'],
    [{ VNI: 7, LowerLayers: 'Device.IP.Interface.1,Device.IP.Interface.1' }, 'LowerLayers'],
  ])('refuses %j (7012 on %s)', async (v, param) => {
    expect(await paramOfAsync(checkVxlanInterface(0, { ...v }, v, others, exists))).toBe(param);
  });
});
