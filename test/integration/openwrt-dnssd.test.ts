/**
 * Device.DNS.SD. on OpenWrt: a real agent on `--platform openwrt` (ubus and uci are the recorded
 * stand-ins of test/unit/platform/openwrt/fake-openwrt.ts) browses with its own mDNS socket on
 * the kernel device netifd names as the lan interface's l3_device, where a REAL avahi-daemon
 * publishes a printer; a Controller over WebSocket reads it and sees it go when avahi stops.
 *
 * What is recorded and what is not: `ubus call network.interface dump` is the recorded one
 * (ubus-network-interface-dump.json) with one change made here, lan's device and address: netifd
 * is not running, and the recorded br-lan does not exist on this machine, so lan's l3_device is
 * a veth this test creates (its peer in avahi's network namespace) with the address given it.
 * The mDNS traffic, avahi and the agent are real. Needs avahi-daemon, iproute2 and root.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { AvahiPublisher } from '../peers/avahi.js';
import { set } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { addHostLanPeer, removeHostLanPeer } from '../peers/host-lan-peer.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { FIXTURES, fakeOpenWrt, type FakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const tag = process.pid % 100_000;
const NS = `usp-sdo-${tag}`;
/** The lan's device on this machine (at most 15 characters), in the test's own network namespace. */
const LAN_DEV = `uspsdo${tag}`;
const LAN = `10.232.${tag % 250}`;

interface DumpInterface {
  interface: string;
  l3_device?: string;
  device?: string;
  'ipv4-address'?: Array<{ address: string; mask: number }>;
}

describe('Device.DNS.SD. on OpenWrt from a real avahi-daemon on the lan device', () => {
  let fake: FakeOpenWrt;
  let f: AgentFixture;
  let avahi: AvahiPublisher | undefined;
  const services = async (): Promise<Array<Record<string, string>>> =>
    Object.entries(await getObjects(f.controller, ['Device.DNS.SD.Service.']))
      .filter(([p]) => /^Device\.DNS\.SD\.Service\.\d+\.$/.test(p))
      .map(([, v]) => v);

  beforeAll(async () => {
    addHostLanPeer({ ns: NS, dev: LAN_DEV, devAddress: `${LAN}.1/24`, peerAddress: `${LAN}.30/24` });
    const dump = JSON.parse(readFileSync(join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as { interface: DumpInterface[] };
    for (const i of dump.interface) {
      if (i.interface !== 'lan') continue;
      i.l3_device = i.device = LAN_DEV;
      i['ipv4-address'] = [{ address: `${LAN}.1`, mask: 24 }];
    }
    fake = fakeOpenWrt();
    fake.respond('network.interface dump', { json: dump });
    avahi = new AvahiPublisher(['ip', 'netns', 'exec', NS], 'eth0', 'lobby-printer');
    avahi.publish({ file: 'printer', name: 'Lobby Printer', type: '_ipp._tcp', port: 631, txt: ['rp=ipp/print', 'ty=HP LaserJet M110w'] });
    await avahi.start();
    f = await startOpenWrtAgent(fake);
  }, 60_000);

  afterAll(async () => {
    await f?.close();
    await avahi?.close();
    removeHostLanPeer({ ns: NS, dev: LAN_DEV });
  }, 60_000);

  it('enabled on the lan row, it reads the printer and its TXT records; avahi stopped, the row goes', async () => {
    const names = await getObjects(f.controller, ['Device.IP.Interface.*.Name']);
    const lan = Object.entries(names)
      .find(([, v]) => v.Name === 'lan')![0]
      .replace(/\.$/, '');
    await set(f.controller, 'Device.DNS.SD.', { Enable: 'true', AdvertisedInterfaces: lan });
    expect((await getObjects(f.controller, ['Device.DNS.SD.Status']))['Device.DNS.SD.']).toEqual({ Status: 'Enabled' });
    await expect.poll(async () => (await services()).length, { timeout: 20_000, interval: 250 }).toBe(1);
    const all = await getObjects(f.controller, ['Device.DNS.SD.Service.1.']);
    expect(all['Device.DNS.SD.Service.1.']).toMatchObject({
      InstanceName: 'Lobby Printer',
      ApplicationProtocol: 'ipp',
      TransportProtocol: 'TCP',
      Domain: 'local',
      Port: '631',
      Target: 'lobby-printer.local.',
      Status: 'LeaseActive',
      TextRecordNumberOfEntries: '2',
    });
    expect(all['Device.DNS.SD.Service.1.TextRecord.2.']).toEqual({ Key: 'ty', Value: 'HP LaserJet M110w' });
    await avahi!.stop();
    await expect.poll(async () => (await services()).length, { timeout: 20_000, interval: 250 }).toBe(0);
    await set(f.controller, 'Device.DNS.SD.', { Enable: 'false' });
    expect((await getObjects(f.controller, ['Device.DNS.SD.Status']))['Device.DNS.SD.']).toEqual({ Status: 'Disabled' });
  });
});
