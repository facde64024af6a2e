/**
 * Device.DNS.SD. on Linux against a REAL mDNS responder: avahi-daemon in a LAN host's network
 * namespace publishes two static services (an IPP printer and a NAS's web page, .service files)
 * on its end of a veth pair; the agent (`usp-agent run --platform linux`) browses on the
 * gateway's end (lan1), set up by a Controller over WebSocket. The Controller reads both
 * services with their TXT records; a service file removed (avahi reloads and sends a goodbye)
 * takes its row away, avahi stopped takes the other; Enable false closes the agent's port 5353.
 *
 * avahi runs with its own configuration and service files (test/peers/avahi.ts): the machine's
 * /etc is never written. Needs avahi-daemon, iproute2 (ip, ss), util-linux (unshare) and root.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvahiPublisher } from '../peers/avahi.js';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const gw = NetNamespace.create(`usp-sd-${tag}`, `10.229.${tag % 250}`, `uspsd${tag}`, 'ctl0');
const LAN = `10.228.${tag % 250}`;
let lanHost: PeerNamespace | undefined;
let avahi: AvahiPublisher | undefined;
let a: NamespacedAgent | undefined;
let lan1 = '';
/** Kept across the restart of the last test. */
const dataDir = mkdtempSync(join(tmpdir(), 'usp-dnssd-data-'));

const sd = (): Promise<Record<string, Record<string, string>>> => getObjects(a!.controller, ['Device.DNS.SD.']);
const serviceRows = async (): Promise<Array<Record<string, string>>> =>
  Object.entries(await sd())
    .filter(([p]) => /^Device\.DNS\.SD\.Service\.\d+\.$/.test(p))
    .map(([, v]) => v);
/** Whether anything in the gateway's namespace has UDP port 5353 open (only the agent could). */
const port5353Open = (): boolean => execFileSync('ip', ['netns', 'exec', gw.name, 'ss', '-Huan', 'sport = :5353'], { encoding: 'utf8' }).trim() !== '';

beforeAll(async () => {
  lanHost = PeerNamespace.beside(gw, `usp-sdh-${tag}`, { inside: 'lan1', outside: 'eth0', routerAddress: `${LAN}.1/24`, address: `${LAN}.20/24` });
  avahi = new AvahiPublisher(lanHost.exec, 'eth0', 'office-printer');
  avahi.publish({ file: 'printer', name: 'Office Printer', type: '_ipp._tcp', port: 631, txt: ['txtvers=1', 'rp=ipp/print', 'ty=Brother HL-L2350DW', 'Color=F'] });
  avahi.publish({ file: 'nas', name: 'DiskStation', type: '_http._tcp', port: 5000, txt: ['vendor=Synology', 'model=DS220+'] });
  a = await startAgentInNamespace(gw, 'lan1', { dataDir });
  const names = await getObjects(a.controller, ['Device.IP.Interface.*.Name']);
  lan1 = Object.entries(names)
    .find(([, v]) => v.Name === 'lan1')![0]
    .replace(/\.$/, '');
}, 60_000);

afterAll(async () => {
  await a?.close();
  await avahi?.close();
  lanHost?.remove();
  gw.remove();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('Device.DNS.SD. from a real avahi-daemon on the LAN', () => {
  it('ships disabled: Status Disabled, no port 5353, no rows', async () => {
    expect((await sd())['Device.DNS.SD.']).toMatchObject({ Enable: 'false', Status: 'Disabled', ServiceNumberOfEntries: '0', AdvertisedInterfaces: '' });
    expect(port5353Open()).toBe(false);
  });

  it('refuses an AdvertisedInterfaces that is not IP.Interface rows (7012) and keeps the old value', async () => {
    const r = await trySet(a!.controller, 'Device.DNS.SD.', { AdvertisedInterfaces: 'Device.Ethernet.Interface.1' });
    expect(r).toMatchObject({ ok: false });
    expect(JSON.stringify(r)).toContain('7012');
    expect((await sd())['Device.DNS.SD.']!.AdvertisedInterfaces).toBe('');
  });

  it('enabled on lan1, it reads both services with their TXT records once avahi announces them', async () => {
    await set(a!.controller, 'Device.DNS.SD.', { Enable: 'true', AdvertisedInterfaces: lan1 });
    expect((await sd())['Device.DNS.SD.']).toMatchObject({ Status: 'Enabled', AdvertisedInterfaces: lan1 });
    expect(port5353Open()).toBe(true);
    await avahi!.start();
    await expect.poll(async () => (await serviceRows()).length, { timeout: 20_000, interval: 250 }).toBe(2);
    const all = await sd();
    const printer = Object.entries(all).find(([, v]) => v.InstanceName === 'Office Printer');
    expect(printer, JSON.stringify(all)).toBeDefined();
    const [path, row] = printer!;
    expect(row).toMatchObject({
      ApplicationProtocol: 'ipp',
      TransportProtocol: 'TCP',
      Domain: 'local',
      Port: '631',
      Target: 'office-printer.local.',
      Status: 'LeaseActive',
      Priority: '0',
      Weight: '0',
      TextRecordNumberOfEntries: '4',
    });
    expect(Number(row.TimeToLive)).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(row.LastUpdate!) - Date.now())).toBeLessThan(60_000);
    const text = Object.entries(all)
      .filter(([p]) => p.startsWith(`${path}TextRecord.`))
      .map(([, v]) => `${v.Key}=${v.Value}`);
    expect(text).toEqual(['txtvers=1', 'rp=ipp/print', 'ty=Brother HL-L2350DW', 'Color=F']);
    const nas = Object.values(all).find((v) => v.InstanceName === 'DiskStation');
    expect(nas).toMatchObject({ ApplicationProtocol: 'http', Port: '5000', TextRecordNumberOfEntries: '2' });
    // A Set that changes nothing the browser uses does not restart it: what it heard stays.
    await set(a!.controller, 'Device.DNS.SD.', { Enable: 'true', AdvertisedInterfaces: lan1 });
    expect(await serviceRows()).toHaveLength(2);
  });

  it("a service file removed: avahi's goodbye takes that row away, the other stays", async () => {
    avahi!.withdraw('nas');
    // avahi reloads its static services and withdraws the one gone (a goodbye, TTL 0).
    avahi!.reload();
    await expect.poll(async () => (await serviceRows()).map((r) => r.InstanceName), { timeout: 20_000, interval: 250 }).toEqual(['Office Printer']);
  });

  it('avahi stopped: its goodbyes empty the table', async () => {
    await avahi!.stop();
    await expect.poll(async () => (await serviceRows()).length, { timeout: 20_000, interval: 250 }).toBe(0);
  });

  it('Enable false closes the socket; Status reads Disabled', async () => {
    await set(a!.controller, 'Device.DNS.SD.', { Enable: 'false' });
    expect((await sd())['Device.DNS.SD.']).toMatchObject({ Status: 'Disabled', ServiceNumberOfEntries: '0' });
    expect(port5353Open()).toBe(false);
  });

  it('an IP.Interface row that does not exist is refused (the reference names no object) and nothing starts', async () => {
    const r = await trySet(a!.controller, 'Device.DNS.SD.', { Enable: 'true', AdvertisedInterfaces: 'Device.IP.Interface.99' });
    expect(r).toMatchObject({ ok: false, errCode: 7021 });
    expect((await sd())['Device.DNS.SD.']).toMatchObject({ Enable: 'false', Status: 'Disabled', AdvertisedInterfaces: lan1 });
    expect(port5353Open()).toBe(false);
  });

  it('Enable and AdvertisedInterfaces are kept: after a restart the agent browses again before a Controller asks', async () => {
    await set(a!.controller, 'Device.DNS.SD.', { Enable: 'true', AdvertisedInterfaces: lan1 });
    const port = a!.port;
    await a!.close();
    expect(port5353Open()).toBe(false);
    a = await startAgentInNamespace(gw, 'lan1', { dataDir, port });
    expect((await sd())['Device.DNS.SD.']).toMatchObject({ Enable: 'true', Status: 'Enabled', AdvertisedInterfaces: lan1 });
    expect(port5353Open()).toBe(true);
  });
});
