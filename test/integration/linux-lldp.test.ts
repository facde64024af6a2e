/**
 * Device.LLDP. on Linux from a REAL lldpd on each end of a cable: the gateway's namespace (the
 * agent, its lldpd on lan1) and an access switch's namespace (its lldpd on ge7, named and
 * described with lldpcli as a switch would be), joined by a veth pair. A Controller over
 * WebSocket reads the switch's chassis and port once the gateway's lldpd has heard it; Host
 * names the Hosts row of the switch's MAC; the HTIP TLVs the switch's lldpd sends (custom TLVs)
 * are its DeviceInformation and LinkInformation; a changed port description shows; the switch's lldpd
 * stopping (it sends a shutdown LLDPDU) removes the row; the gateway's lldpd stopping leaves an
 * empty table and one log line until it is back. Each lldpd has its own control socket in a temporary directory
 * (`lldpd -u`), and the agent is pointed at the gateway's (USP_AGENT_LLDP_SOCKET).
 * Needs lldpd (lldpd, lldpcli), iproute2 and root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { trySet } from '../peers/controller-steps.js';
import { stopChild } from '../peers/daemon-child.js';
import { getObjects } from '../peers/get-objects.js';
import { ethernetInterfaceOf, startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const gw = NetNamespace.create(`usp-lldp-${tag}`, `10.227.${tag % 250}`, `usplldp${tag}`, 'ctl0');
const LAN = `10.226.${tag % 250}`;
const SWITCH_IP = `${LAN}.2`;
const SWITCH_MAC = '48:a9:8a:12:34:57';
const dir = mkdtempSync(join(tmpdir(), 'usp-lldp-'));
// lldpd creates its socket as root and hands it to its _lldpd group: lldpcli must be able to reach it.
chmodSync(dir, 0o755);
const gwSocket = join(dir, 'gw.sock');
const swSocket = join(dir, 'sw.sock');
/** Bytes as lldpcli takes them ("41,42"). */
const bytes = (...parts: Array<string | number[]>): string =>
  parts
    .flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : p))
    .map((b) => b.toString(16).padStart(2, '0'))
    .join(',');
/** Device category "Switch", manufacturer 48A98A, model "CRS310", vendor-specific 48A98A/2 "7.15"; link: IANAifType 6, port 7, one MAC. */
const HTIP_TLVS: Array<[string, string]> = [
  ['1', bytes([1, 6], 'Switch')],
  ['1', bytes([2, 6], '48A98A')],
  ['1', bytes([3, 6], 'CRS310')],
  ['1', bytes([255, 8, 0x48, 0xa9, 0x8a, 2], '7.15')],
  ['2', bytes([1, 6, 1, 7, 1, 0x02, 0x10, 0x18, 0, 0, 0x42])],
];
let sw: PeerNamespace | undefined;
let gwLldpd: ChildProcess | undefined;
let swLldpd: ChildProcess | undefined;
let a: NamespacedAgent | undefined;

/** An lldpd in the foreground (-d) in `ns` on its own control socket, limited to `iface`. */
function lldpd(ns: { exec: string[] }, socket: string, iface: string): ChildProcess {
  return spawn(ns.exec[0]!, [...ns.exec.slice(1), 'lldpd', '-d', '-u', socket, '-I', iface], { stdio: 'ignore' });
}

/** `lldpcli -u socket ARGS` in `ns` (lldpcli connects by path, but runs where its lldpd does). */
function lldpcli(ns: { exec: string[] }, socket: string, ...args: string[]): string {
  return execFileSync(ns.exec[0]!, [...ns.exec.slice(1), 'lldpcli', '-u', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const devices = async (): Promise<Record<string, Record<string, string>>> => getObjects(a!.controller, ['Device.LLDP.Discovery.']);

beforeAll(async () => {
  sw = PeerNamespace.beside(gw, `usp-lldps-${tag}`, { inside: 'lan1', outside: 'ge7', routerAddress: `${LAN}.1/24`, address: `${SWITCH_IP}/24` });
  // The switch's port stays down until its lldpd is configured: the gateway hears only the final identity.
  sw.ip('link', 'set', 'ge7', 'down');
  sw.ip('link', 'set', 'ge7', 'address', SWITCH_MAC);
  gwLldpd = lldpd(gw, gwSocket, 'lan1');
  swLldpd = lldpd(sw, swSocket, 'ge7');
  // The switch names itself and its port as a managed switch does (port ID = interface name).
  await vi.waitFor(() => expect(lldpcli(sw!, swSocket, 'show', 'chassis')).toContain('ChassisID'), { timeout: 15_000, interval: 100 });
  lldpcli(sw, swSocket, 'configure', 'system', 'hostname', 'access-sw-1');
  lldpcli(sw, swSocket, 'configure', 'lldp', 'portidsubtype', 'ifname');
  lldpcli(sw, swSocket, 'configure', 'ports', 'ge7', 'lldp', 'portdescription', 'Port 7 - FWA gateway');
  // HTIP (TTC OUI e0,27,1a) TLVs, one per field: device information (subtype 1) and link information (subtype 2).
  for (const [subtype, info] of HTIP_TLVS) lldpcli(sw, swSocket, 'configure', 'lldp', 'custom-tlv', 'add', 'oui', 'e0,27,1a', 'subtype', subtype, 'oui-info', info);
  sw.ip('link', 'set', 'ge7', 'up');
  await vi.waitFor(() => expect(lldpcli(gw, gwSocket, 'show', 'neighbors')).toContain('access-sw-1'), { timeout: 15_000, interval: 100 });
  // The gateway talks to the switch's management address once: the kernel's neighbour table (Hosts) then has its MAC.
  execFileSync(gw.exec[0]!, [...gw.exec.slice(1), 'ping', '-c', '1', '-W', '5', SWITCH_IP], { stdio: 'ignore' });
  a = await startAgentInNamespace(gw, 'lan1', { env: { USP_AGENT_LLDP_SOCKET: gwSocket } });
}, 60_000);

afterAll(async () => {
  await a?.close();
  await stopChild(swLldpd);
  await stopChild(gwLldpd);
  sw?.remove();
  gw.remove();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('Device.LLDP. from real lldpd neighbours', () => {
  it("serves the switch's chassis on the gateway's lan1 row, and the Hosts row of its MAC", async () => {
    const lan1 = (await ethernetInterfaceOf(a!.controller, 'lan1')).replace(/\.$/, '');
    const rows = await devices();
    expect(rows['Device.LLDP.Discovery.']).toEqual({ DeviceNumberOfEntries: '1' });
    const device = rows['Device.LLDP.Discovery.Device.1.'];
    expect(device).toMatchObject({ Interface: lan1, ChassisIDSubtype: '4', ChassisID: SWITCH_MAC, PortNumberOfEntries: '1' });
    const hosts = await getObjects(a!.controller, ['Device.Hosts.Host.*.PhysAddress']);
    const host = Object.entries(hosts).find(([, v]) => v.PhysAddress?.toLowerCase() === SWITCH_MAC)?.[0];
    expect(host, JSON.stringify(hosts)).toBeDefined();
    expect(device!.Host).toBe(host!.replace(/\.$/, ''));
  });

  it("serves the switch's port: ifname subtype, the description lldpcli set, lldpd's TTL, a recent LastUpdate", async () => {
    const port = (await devices())['Device.LLDP.Discovery.Device.1.Port.1.'];
    expect(port).toMatchObject({ PortIDSubtype: '5', PortID: 'ge7', TTL: '120', PortDescription: 'Port 7 - FWA gateway', MACAddressList: '' });
    const last = Date.parse(port!.LastUpdate!);
    expect(Math.abs(Date.now() - last)).toBeLessThan(10 * 60_000);
  });

  it("serves the switch's HTIP TLVs as DeviceInformation (+ VendorSpecific) and LinkInformation (LLDPRemOrgDefInfo:1)", async () => {
    const rows = await devices();
    expect(rows['Device.LLDP.Discovery.Device.1.DeviceInformation.']).toEqual({
      DeviceCategory: 'Switch',
      ManufacturerOUI: '48A98A',
      ModelName: 'CRS310',
      ModelNumber: '',
      VendorSpecificNumberOfEntries: '1',
    });
    expect(rows['Device.LLDP.Discovery.Device.1.DeviceInformation.VendorSpecific.1.']).toEqual({ OrganizationCode: '48A98A', InformationType: '2', Information: '7.15' });
    expect(rows['Device.LLDP.Discovery.Device.1.Port.1.LinkInformation.']).toEqual({ InterfaceType: '6', MACForwardingTable: '02:10:18:00:00:42' });
  });

  it('a changed port description reaches the Controller', async () => {
    lldpcli(sw!, swSocket, 'configure', 'ports', 'ge7', 'lldp', 'portdescription', 'Port 7 - moved to VLAN 20');
    lldpcli(sw!, swSocket, 'update');
    await expect.poll(async () => (await devices())['Device.LLDP.Discovery.Device.1.Port.1.']?.PortDescription, { timeout: 30_000, interval: 250 }).toBe('Port 7 - moved to VLAN 20');
  });

  it('is read-only: a Set of ChassisID is refused and the agent keeps answering', async () => {
    const r = await trySet(a!.controller, 'Device.LLDP.Discovery.Device.1.', { ChassisID: '00:00:00:00:00:01' });
    expect(r.ok).toBe(false);
    expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode)).toBe(7013);
    expect((await devices())['Device.LLDP.Discovery.Device.1.']?.ChassisID).toBe(SWITCH_MAC);
  });

  it("the switch's lldpd stopping (its shutdown LLDPDU) removes the row", async () => {
    await stopChild(swLldpd);
    await expect.poll(async () => (await devices())['Device.LLDP.Discovery.']?.DeviceNumberOfEntries, { timeout: 30_000, interval: 250 }).toBe('0');
    expect(Object.keys(await devices())).toEqual(['Device.LLDP.Discovery.']);
  });

  it("the gateway's lldpd stopping leaves the table empty and says why once", async () => {
    await stopChild(gwLldpd);
    // Each Get past the cache age asks lldpcli again: the first failure is logged, the next ones are not.
    const answer = async (): Promise<number> => {
      expect((await devices())['Device.LLDP.Discovery.']).toEqual({ DeviceNumberOfEntries: '0' });
      return a!.agent.count(/lldpd does not answer/);
    };
    await expect.poll(answer, { timeout: 15_000, interval: 300 }).toBe(1);
    // lldpd back: the next read past the cache age says so, and the failure was logged once in between.
    gwLldpd = lldpd(gw, gwSocket, 'lan1');
    await expect.poll(async () => (await answer(), a!.agent.count(/lldpd answers again/)), { timeout: 15_000, interval: 300 }).toBe(1);
    expect(a!.agent.count(/lldpd does not answer/)).toBe(1);
  });
});
