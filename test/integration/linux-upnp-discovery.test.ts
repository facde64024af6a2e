/**
 * Device.UPnP.Discovery. on Linux against a REAL UPnP device: miniupnpd (an IGD v2: one root
 * device, two embedded devices, their services) in a LAN host's network namespace on its end of
 * a veth pair; the agent (`usp-agent run --platform linux`) listens on the gateway's end (lan1)
 * and a Controller reads over WebSocket. The agent opens no SSDP socket until a Discovery table
 * is read; then it finds miniupnpd by M-SEARCH and NOTIFY, and miniupnpd stopped (its byebyes)
 * first marks and then removes the rows. A malformed datagram on port 1900 leaves it answering,
 * and a second LAN (lan2, with its own miniupnpd) brought up after the first read is joined. A
 * third miniupnpd on the WAN side (wan0, where the gateway's default route points) is never
 * listed: the agent browses its LAN only.
 *
 * miniupnpd runs with its own configuration file (test/peers/miniupnpd.ts). Needs miniupnpd,
 * iproute2 (ip, ss) and root.
 */
import dgram from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { MiniUPnPd } from '../peers/miniupnpd.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const gw = NetNamespace.create(`usp-up-${tag}`, `10.227.${tag % 250}`, `uspup${tag}`, 'ctl0');
const LAN = `10.226.${tag % 250}`;
const UUID = '3f0a2c54-7d1e-4b6a-9c3e-5a8b1d2e4f60';
const IGD = 'urn:schemas-upnp-org:device:InternetGatewayDevice:2';
const LAN2 = `10.224.${tag % 250}`;
const UUID2 = '9b0c7e21-4a6d-4e3f-8b15-2d7c9a0e6f13';
const WAN = `10.223.${tag % 250}`;
const WAN_UUID = 'c4e2a9d0-6b3f-4d17-8a25-0f9e3b7c1d48';
let wanHost: PeerNamespace | undefined;
let wanIgd: MiniUPnPd | undefined;
let lanHost: PeerNamespace | undefined;
let lan2Host: PeerNamespace | undefined;
let igd2: MiniUPnPd | undefined;
let igd: MiniUPnPd | undefined;
let a: NamespacedAgent | undefined;

type Rows = Array<[string, Record<string, string>]>;
const discovery = (): Promise<Record<string, Record<string, string>>> => getObjects(a!.controller, ['Device.UPnP.Discovery.']);
const rowsOf = (all: Record<string, Record<string, string>>, table: string): Rows => Object.entries(all).filter(([p]) => new RegExp(`^Device\\.UPnP\\.Discovery\\.${table}\\.\\d+\\.$`).test(p));
/** Whether anything in the gateway's namespace has UDP port 1900 open (only the agent could). */
const port1900Open = (): boolean => execFileSync('ip', ['netns', 'exec', gw.name, 'ss', '-Huan', 'sport = :1900'], { encoding: 'utf8' }).trim() !== '';

beforeAll(async () => {
  lanHost = PeerNamespace.beside(gw, `usp-uph-${tag}`, { inside: 'lan1', outside: 'eth0', routerAddress: `${LAN}.1/24`, address: `${LAN}.20/24` });
  igd = new MiniUPnPd(lanHost.exec, 'eth0', UUID);
  // The WAN: an upstream across wan0 that the gateway's default route goes through, with an IGD of its own.
  wanHost = PeerNamespace.beside(gw, `usp-upw-${tag}`, { inside: 'wan0', outside: 'eth0', routerAddress: `${WAN}.1/24`, address: `${WAN}.20/24` });
  gw.ip('route', 'add', 'default', 'via', `${WAN}.20`);
  wanIgd = new MiniUPnPd(wanHost.exec, 'eth0', WAN_UUID);
  await wanIgd.start();
  a = await startAgentInNamespace(gw, 'lan1');
}, 60_000);

afterAll(async () => {
  await a?.close();
  await igd?.close();
  await igd2?.close();
  await wanIgd?.close();
  wanHost?.remove();
  lanHost?.remove();
  lan2Host?.remove();
  gw.remove();
}, 60_000);

describe('Device.UPnP.Discovery. from a real miniupnpd on the LAN', () => {
  it('opens no SSDP socket before a Controller reads Discovery', async () => {
    await getObjects(a!.controller, ['Device.DeviceInfo.SoftwareVersion']);
    expect(port1900Open()).toBe(false);
  });

  it('the first read starts the browser: empty tables, port 1900 open', async () => {
    await igd!.start();
    const first = await discovery();
    expect(first['Device.UPnP.Discovery.']).toMatchObject({ RootDeviceNumberOfEntries: expect.any(String) });
    expect(port1900Open()).toBe(true);
  });

  it('reads the IGD: its root device, two embedded devices and their services, each Service under its device', async () => {
    await expect.poll(async () => rowsOf(await discovery(), 'Device').length, { timeout: 30_000, interval: 500 }).toBe(2);
    await expect.poll(async () => rowsOf(await discovery(), 'Service').length, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(4);
    const all = await discovery();
    const roots = rowsOf(all, 'RootDevice');
    expect(roots).toHaveLength(1);
    const [rootPath, root] = roots[0]!;
    expect(root).toMatchObject({
      Status: 'LeaseActive',
      UUID,
      USN: `uuid:${UUID}::${IGD}`,
      Location: `http://${LAN}.20:${igd!.httpPort}/rootDesc.xml`,
    });
    expect(root.Server).toMatch(/UPnP\/1\.1 MiniUPnPd\/\d/);
    expect(Number(root.LeaseTime)).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(root.LastUpdate!) - Date.now())).toBeLessThan(60_000);
    expect(all['Device.UPnP.Discovery.']).toMatchObject({ RootDeviceNumberOfEntries: '1', DeviceNumberOfEntries: '2' });
    const devices = rowsOf(all, 'Device');
    expect(devices.map(([, d]) => d.USN.replace(/^uuid:[^:]+::/, '')).sort()).toEqual(['urn:schemas-upnp-org:device:WANConnectionDevice:2', 'urn:schemas-upnp-org:device:WANDevice:2']);
    const services = rowsOf(all, 'Service');
    const byType = (t: string): Record<string, string> => services.find(([, s]) => s.USN.endsWith(t))![1];
    expect(byType('service:Layer3Forwarding:1')).toMatchObject({ Status: 'LeaseActive', ParentDevice: rootPath.replace(/\.$/, '') });
    const wanConnection = devices.find(([, d]) => d.USN.endsWith('WANConnectionDevice:2'))![0];
    expect(byType('service:WANIPConnection:2').ParentDevice).toBe(wanConnection.replace(/\.$/, ''));
  });

  it('drops a malformed datagram on port 1900 and keeps answering', async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.send(Buffer.from('NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nUSN: uuid:not-a-uuid\r\nNTS: ssdp:alive\r\n\r\n\u0000\u00ff'), 1900, gw.agentAddress, () => r()));
    await new Promise<void>((r) => s.send(Buffer.alloc(9000, 0x41), 1900, gw.agentAddress, () => r()));
    s.close();
    expect(rowsOf(await discovery(), 'RootDevice').length).toBeGreaterThanOrEqual(1);
  });

  it('a LAN brought up after the first read is joined before a later M-SEARCH, and its IGD read', async () => {
    lan2Host = PeerNamespace.beside(gw, `usp-uq-${tag}`, { inside: 'lan2', outside: 'eth0', routerAddress: `${LAN2}.1/24`, address: `${LAN2}.20/24` });
    igd2 = new MiniUPnPd(lan2Host.exec, 'eth0', UUID2);
    await igd2.start();
    // The searches go out 5, 15, 35, 75 s after start: the one after lan2 appeared finds it.
    await expect.poll(async () => rowsOf(await discovery(), 'RootDevice').map(([, r]) => r.UUID), { timeout: 120_000, interval: 1000 }).toContain(UUID2);
    await igd2.stop();
    // Several M-SEARCH rounds and NOTIFYs later, the WAN's IGD (up since before the first read) is still not listed.
    expect(rowsOf(await discovery(), 'RootDevice').map(([, r]) => r.UUID)).not.toContain(WAN_UUID);
  }, 150_000);

  it('miniupnpd stopped: its byebyes mark every row ByebyeReceived, and the rows go', async () => {
    await igd!.stop();
    await expect
      .poll(
        async () => [
          ...new Set(
            Object.values(await discovery())
              .map((r) => r.Status)
              .filter(Boolean),
          ),
        ],
        { timeout: 20_000, interval: 250 },
      )
      .toEqual(['ByebyeReceived']);
    await expect.poll(async () => Object.keys(await discovery()).filter((p) => /\.\d+\.$/.test(p)).length, { timeout: 30_000, interval: 500 }).toBe(0);
  });
});
