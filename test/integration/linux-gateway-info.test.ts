/**
 * Device.GatewayInfo. on generic Linux (TR-181 GatewayInfo:1, TR-111 Part 1), for real: the built
 * agent process runs with `--platform linux --dhcp-client udhcpc` in a router namespace whose
 * `wan0` is a veth to a namespace running a real dnsmasq that announces a gateway identity in
 * option 125 (enterprise 3561, sub-options 4, 5 and 6: `--dhcp-option=vi-encap:3561,...`). A
 * Controller over WebSocket reads GatewayInfo empty before a lease, adds a Client on wan0 and
 * reads the gateway's OUI, serial number and product class (ManagementProtocol CWMP) once the agent's busybox udhcpc is
 * bound; deleting the Client empties it again. The same dnsmasq then serves busybox udhcpc run
 * as OpenWrt's netifd runs it (`-O 125` from `list reqopts '125'`) with a script that sources the
 * OpenWrt package's udhcpc hook as dhcp.script does: the hook records option 125 for GatewayInfo.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { gatewayIdentity } from '../../platform/gateway-info.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace, spawnDnsmasq } from '../peers/netns.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-gi-${tag}`, `10.247.${tag % 250}`, `uspgi${tag}`, 'ctl0');
const srv = `usp-gis-${tag}`;
const NET = `10.248.${tag % 250}`;
const SERVER = `${NET}.1`;
const dir = mkdtempSync(join(tmpdir(), 'usp-gwinfo-'));
const GI = 'Device.GatewayInfo.';
let a: NamespacedAgent | undefined;
let server: ChildProcess | undefined;
let srvNs: PeerNamespace | undefined;

beforeAll(async () => {
  srvNs = PeerNamespace.beside(router, srv, { inside: 'wan0', outside: 'srvp', address: `${SERVER}/24` });
  server = spawnDnsmasq(srvNs, [
    '--no-resolv',
    '--no-hosts',
    '--port=0',
    '--interface=srvp',
    '--bind-interfaces',
    `--dhcp-leasefile=${join(dir, 'dnsmasq.leases')}`,
    `--dhcp-range=${NET}.50,${NET}.60,2m`,
    `--dhcp-option=3,${SERVER}`,
    // TR-111: the gateway's ManufacturerOUI, SerialNumber and ProductClass.
    // (The OUI as its ASCII bytes: dnsmasq would take bare hex digits for a number.)
    `--dhcp-option=vi-encap:3561,4,${[...Buffer.from('00D09E')].map((b) => b.toString(16)).join(':')}`,
    '--dhcp-option=vi-encap:3561,5,GW-0042-7781',
    '--dhcp-option=vi-encap:3561,6,FWA-5G',
  ]);
  a = await startAgentInNamespace(router, 'ctl0,wan0', { dataDir: join(dir, 'agent'), args: ['--dhcp-client', 'udhcpc', '--dnsmasq', 'off'] });
}, 40_000);

afterAll(async () => {
  await a?.close();
  server?.kill();
  router.remove();
  srvNs?.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function read(path: string): Promise<Record<string, string>> {
  return (await getObjects(a!.controller, [path]))[path] ?? {};
}

/** Reads `path` until `ok` holds (udhcpc takes a few seconds), at most 30 s. */
async function readUntil(path: string, ok: (v: Record<string, string>) => boolean): Promise<Record<string, string>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await read(path);
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Device.GatewayInfo on Linux (option 125 from a real dnsmasq to busybox udhcpc)', () => {
  it('is empty with no lease, the gateway announced once bound, empty again when the Client goes', async () => {
    const c = a!.controller;
    expect(await read(GI)).toEqual({ ManufacturerOUI: '', ProductClass: '', SerialNumber: '', ManagementProtocol: '', EndpointID: '' });
    const rows = await getObjects(c, ['Device.IP.Interface.*.Name']);
    const wan = Object.entries(rows)
      .find(([, v]) => v.Name === 'wan0')?.[0]
      .slice(0, -1);
    if (!wan) throw new Error('no IP.Interface for wan0');
    const client = await add(c, 'Device.DHCPv4.Client.', { Interface: wan });
    await set(c, client, { Enable: 'true' });
    expect(await readUntil(GI, (v) => v.SerialNumber !== '')).toEqual({ ManufacturerOUI: '00D09E', ProductClass: 'FWA-5G', SerialNumber: 'GW-0042-7781', ManagementProtocol: 'CWMP', EndpointID: '' });
    await del(c, client);
    expect(await readUntil(GI, (v) => v.SerialNumber === '')).toEqual({ ManufacturerOUI: '', ProductClass: '', SerialNumber: '', ManagementProtocol: '', EndpointID: '' });
  });

  it("busybox udhcpc hands option 125 to the OpenWrt package's hook, which records it for the interface", async () => {
    const hook = fileURLToPath(new URL('../../openwrt/files/usp-agent.udhcpc-user', import.meta.url));
    const script = join(dir, 'dhcp.script');
    // What netifd's dhcp.script does with the hooks: sources them with udhcpc's arguments; configures nothing here.
    writeFileSync(script, `#!/usr/bin/busybox sh\n. "${hook}"\n`, { mode: 0o755 });
    const state = join(dir, 'opt125');
    const env = { PATH: process.env.PATH, INTERFACE: 'wan', USP_AGENT_OPT125_STATE: state };
    await promisify(execFile)('ip', ['netns', 'exec', router.name, 'busybox', 'udhcpc', '-i', 'wan0', '-f', '-q', '-n', '-t', '10', '-T', '2', '-O', '125', '-s', script], { env, timeout: 40_000 });
    expect(gatewayIdentity(readFileSync(join(state, 'wan'), 'utf8').trim())).toEqual({ ManufacturerOUI: '00D09E', ProductClass: 'FWA-5G', SerialNumber: 'GW-0042-7781' });
  }, 45_000);
});
