/**
 * Device.UPnP.Discovery. on OpenWrt: a real agent on `--platform openwrt` (ubus and uci are the
 * recorded stand-ins of test/unit/platform/openwrt/fake-openwrt.ts) listens with its own SSDP
 * sockets on the l3_device of the networks in the firewall zone `lan`; a REAL miniupnpd
 * (test/peers/miniupnpd.ts) in a network namespace across a veth announces an IGD; a Controller
 * over WebSocket reads its root device and sees every row go when miniupnpd stops (its byebyes).
 *
 * What is recorded and what is not: `uci show firewall` is the recorded one (lan zone: network
 * lan), and `ubus call network.interface dump` the recorded one with one change made here, lan's
 * device and address: netifd is not running, and the recorded br-lan does not exist on this
 * machine, so lan's l3_device is the veth this test creates. The SSDP traffic, miniupnpd and the
 * agent are real. Needs miniupnpd, iproute2 and root.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentFixture } from '../peers/agent-fixture.js';
import { getObjects } from '../peers/get-objects.js';
import { addHostLanPeer, removeHostLanPeer } from '../peers/host-lan-peer.js';
import { MiniUPnPd } from '../peers/miniupnpd.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { FIXTURES, fakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';

const tag = process.pid % 100_000;
const NS = `usp-upo-${tag}`;
/** The LAN device on this machine (at most 15 characters); its peer is miniupnpd's eth0. */
const LAN_DEV = `uspupo${tag}`;
const LAN = `10.225.${tag % 250}`;
const UUID = '5d1e9b3a-2c47-4f08-9e6d-7a2b4c8e1f30';

interface DumpInterface {
  interface: string;
  l3_device?: string;
  device?: string;
  'ipv4-address'?: Array<{ address: string; mask: number }>;
}

describe('Device.UPnP.Discovery. on OpenWrt from a real miniupnpd on the LAN', () => {
  let f: AgentFixture;
  let igd: MiniUPnPd | undefined;
  const discovery = (): Promise<Record<string, Record<string, string>>> => getObjects(f.controller, ['Device.UPnP.Discovery.']);
  const roots = async (): Promise<Array<Record<string, string>>> =>
    Object.entries(await discovery())
      .filter(([p]) => /^Device\.UPnP\.Discovery\.RootDevice\.\d+\.$/.test(p))
      .map(([, v]) => v);

  beforeAll(async () => {
    addHostLanPeer({ ns: NS, dev: LAN_DEV, devAddress: `${LAN}.1/24`, peerAddress: `${LAN}.40/24` });
    igd = new MiniUPnPd(['ip', 'netns', 'exec', NS], 'eth0', UUID);
    await igd.start();
    const dump = JSON.parse(readFileSync(join(FIXTURES, 'ubus-network-interface-dump.json'), 'utf8')) as { interface: DumpInterface[] };
    for (const i of dump.interface) {
      if (i.interface !== 'lan') continue;
      i.l3_device = i.device = LAN_DEV;
      i['ipv4-address'] = [{ address: `${LAN}.1`, mask: 24 }];
    }
    const fake = fakeOpenWrt();
    fake.respond('network.interface dump', { json: dump });
    f = await startOpenWrtAgent(fake);
  }, 60_000);

  afterAll(async () => {
    await f?.close();
    await igd?.close();
    removeHostLanPeer({ ns: NS, dev: LAN_DEV });
  }, 60_000);

  it('reads the IGD root device once the first read started the browser; miniupnpd stopped, the rows go', async () => {
    await discovery();
    await expect.poll(async () => (await roots()).map((r) => r.UUID), { timeout: 30_000, interval: 500 }).toContain(UUID);
    const root = (await roots()).find((r) => r.UUID === UUID)!;
    expect(root).toMatchObject({ Status: 'LeaseActive', USN: `uuid:${UUID}::urn:schemas-upnp-org:device:InternetGatewayDevice:2`, Location: `http://${LAN}.40:${igd!.httpPort}/rootDesc.xml` });
    await igd!.stop();
    await expect.poll(async () => (await roots()).find((r) => r.UUID === UUID)?.Status ?? 'gone', { timeout: 30_000, interval: 250 }).toMatch(/^(ByebyeReceived|gone)$/);
    await expect.poll(async () => (await roots()).some((r) => r.UUID === UUID), { timeout: 30_000, interval: 500 }).toBe(false);
  });
});
