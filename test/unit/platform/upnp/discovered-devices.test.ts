import { describe, expect, it } from 'vitest';
import { DiscoveredDevices, INACTIVE_KEEP_MS, LIMITS } from '../../../../platform/upnp/discovered-devices.js';
import type { SsdpAdvertisement } from '../../../../platform/upnp/ssdp-message.js';

const T0 = Date.UTC(2026, 0, 1);
const ROOT = '3f0a2c54-7d1e-4b6a-9c3e-5a8b1d2e4f60';
const EMBEDDED = '3f0a2c54-7d1e-4b6a-9c3e-5a8b1d2e4f61';
const IGD = 'urn:schemas-upnp-org:device:InternetGatewayDevice:2';
const WAN = 'urn:schemas-upnp-org:device:WANDevice:2';
const L3F = 'urn:schemas-upnp-org:service:Layer3Forwarding:1';

function ad(uuid: string, target: SsdpAdvertisement['target'], kind: 'alive' | 'byebye' = 'alive', maxAge = 120): SsdpAdvertisement {
  const suffix = target.kind === 'rootdevice' ? '::upnp:rootdevice' : target.kind === 'uuid' ? '' : `::${target.urn}`;
  return {
    kind,
    usn: `uuid:${uuid}${suffix}`,
    uuid,
    target,
    maxAge: kind === 'byebye' ? 0 : maxAge,
    location: 'http://192.168.1.1:5000/rootDesc.xml',
    server: 'OpenWrt/23.05 UPnP/1.1 MiniUPnPd/2.3.4',
  };
}

/** What an IGD announces: its root device (three forms), one embedded device (two) and a service. */
function igd(d: DiscoveredDevices, now: number, kind: 'alive' | 'byebye' = 'alive'): void {
  for (const a of [
    ad(ROOT, { kind: 'rootdevice' }, kind),
    ad(ROOT, { kind: 'uuid' }, kind),
    ad(ROOT, { kind: 'device', urn: IGD }, kind),
    ad(EMBEDDED, { kind: 'uuid' }, kind),
    ad(EMBEDDED, { kind: 'device', urn: WAN }, kind),
    ad(ROOT, { kind: 'service', urn: L3F }, kind),
  ])
    d.take(a, '192.168.1.1', now);
}

describe('DiscoveredDevices: RootDevice, Device and Service rows from SSDP', () => {
  it('one row per device UUID with the device-type USN TR-181 prefers; one per service USN', () => {
    const d = new DiscoveredDevices();
    igd(d, T0);
    expect(d.roots(T0)).toEqual([
      {
        key: ROOT,
        uuid: ROOT,
        usn: `uuid:${ROOT}::${IGD}`,
        leaseTime: 120,
        location: 'http://192.168.1.1:5000/rootDesc.xml',
        server: 'OpenWrt/23.05 UPnP/1.1 MiniUPnPd/2.3.4',
        address: '192.168.1.1',
        lastUpdate: T0,
        status: 'LeaseActive',
      },
    ]);
    expect(d.embedded(T0).map((e) => e.usn)).toEqual([`uuid:${EMBEDDED}::${WAN}`]);
    expect(d.servicesNow(T0).map((e) => [e.usn, e.uuid])).toEqual([[`uuid:${ROOT}::${L3F}`, ROOT]]);
    expect(d.isRoot(ROOT)).toBe(true);
    expect(d.isRoot(EMBEDDED)).toBe(false);
  });

  it('without the device-type form, the root device keeps the rootdevice USN over the bare UUID', () => {
    const d = new DiscoveredDevices();
    d.take(ad(ROOT, { kind: 'uuid' }), '192.168.1.1', T0);
    expect(d.embedded(T0).map((e) => e.usn)).toEqual([`uuid:${ROOT}`]);
    d.take(ad(ROOT, { kind: 'rootdevice' }), '192.168.1.1', T0);
    d.take(ad(ROOT, { kind: 'uuid' }), '192.168.1.1', T0);
    expect(d.embedded(T0)).toEqual([]);
    expect(d.roots(T0).map((e) => e.usn)).toEqual([`uuid:${ROOT}::upnp:rootdevice`]);
  });

  it('a lease not renewed reads LeaseExpired at max-age, and the row goes INACTIVE_KEEP_MS later', () => {
    const d = new DiscoveredDevices();
    igd(d, T0);
    const lapse = T0 + 120_000;
    expect(d.nextDue()).toBe(lapse);
    expect(d.roots(lapse - 1)[0]!.status).toBe('LeaseActive');
    expect(d.roots(lapse)[0]!.status).toBe('LeaseExpired');
    expect(d.servicesNow(lapse)[0]!.status).toBe('LeaseExpired');
    expect(d.nextDue()).toBe(lapse + INACTIVE_KEEP_MS);
    expect(d.roots(lapse + INACTIVE_KEEP_MS)).toEqual([]);
    expect(d.servicesNow(lapse + INACTIVE_KEEP_MS)).toEqual([]);
  });

  it('a renewal moves the lease; an alive after expiry makes the row active again', () => {
    const d = new DiscoveredDevices();
    igd(d, T0);
    igd(d, T0 + 60_000);
    expect(d.roots(T0 + 150_000)[0]).toMatchObject({ status: 'LeaseActive', lastUpdate: T0 + 60_000 });
    expect(d.roots(T0 + 180_000)[0]!.status).toBe('LeaseExpired');
    igd(d, T0 + 185_000);
    expect(d.roots(T0 + 185_000)[0]!.status).toBe('LeaseActive');
  });

  it('byebye reads ByebyeReceived, then the rows go; a byebye of an unknown USN adds nothing', () => {
    const d = new DiscoveredDevices();
    d.take(ad(ROOT, { kind: 'rootdevice' }, 'byebye'), '192.168.1.1', T0);
    expect(d.roots(T0)).toEqual([]);
    igd(d, T0);
    igd(d, T0 + 1000, 'byebye');
    expect(d.roots(T0 + 1000)[0]).toMatchObject({ status: 'ByebyeReceived', leaseTime: 120 });
    expect(d.servicesNow(T0 + 1000)[0]!.status).toBe('ByebyeReceived');
    expect(d.roots(T0 + 1000 + INACTIVE_KEEP_MS)).toEqual([]);
    expect(d.embedded(T0 + 1000 + INACTIVE_KEEP_MS)).toEqual([]);
  });

  it('the tables are bounded: beyond the bound newcomers are dropped unless an inactive row makes room', () => {
    const d = new DiscoveredDevices();
    const uuid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    for (let i = 0; i < LIMITS.devices + 20; i++) d.take(ad(uuid(i), { kind: 'rootdevice' }), '192.168.1.9', T0);
    expect(d.roots(T0)).toHaveLength(LIMITS.devices);
    d.take(ad(uuid(3), { kind: 'rootdevice' }, 'byebye'), '192.168.1.9', T0 + 1);
    d.take(ad(uuid(9999), { kind: 'rootdevice' }), '192.168.1.9', T0 + 2);
    const keys = d.roots(T0 + 2).map((e) => e.uuid);
    expect(keys).toHaveLength(LIMITS.devices);
    expect(keys).toContain(uuid(9999));
    expect(keys).not.toContain(uuid(3));
    for (let i = 0; i < LIMITS.services + 5; i++) d.take(ad(ROOT, { kind: 'service', urn: `urn:x-vendor:service:S${i}:1` }), '192.168.1.9', T0);
    expect(d.servicesNow(T0)).toHaveLength(LIMITS.services);
  });
});
