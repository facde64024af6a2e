/**
 * DHCPv4CondServing:1 and DHCPv4Relay:1 on generic Linux, for real: the built agent process
 * (`npm run build` first) runs with `--platform linux` in a router namespace with its own dnsmasq;
 * a controller writes Pool criteria and Relay rows over a real WebSocket. A LAN namespace's
 * `busybox udhcpc` asks with a vendor class (-V), a client identifier (option 61) or a user class
 * (option 77) and from chosen MAC addresses, and must get an address of the pool TR-181 picks: the
 * first by Order whose criteria match. The relay hands the same client to a second dnsmasq, a
 * real DHCP server in a third namespace. What dnsmasq cannot express is refused with 7012 and the
 * configuration file stays as it was. Needs root, dnsmasq and busybox; the namespaces are removed
 * afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace, spawnDnsmasq } from '../peers/netns.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-dc-${tag}`, `10.229.${tag % 250}`, `uspdc${tag}`, 'ctl0');
const lan = `usp-dcl-${tag}`;
const srv = `usp-dcs-${tag}`;
const ROUTER_LAN = '192.168.70.1';
const ROUTER_SRV = '10.77.0.1';
const SERVER = '10.77.0.2';
const LAN_MAC = '02:00:00:00:70:10';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-dnsmasq-classes-'));
let a: NamespacedAgent | undefined;
let server: ChildProcess | undefined;
let lanNs: PeerNamespace | undefined;
let srvNs: PeerNamespace | undefined;

beforeAll(async () => {
  lanNs = PeerNamespace.beside(router, lan, { inside: 'lan0', outside: 'lanp', routerAddress: `${ROUTER_LAN}/24` });
  srvNs = PeerNamespace.beside(router, srv, { inside: 'srv0', outside: 'srvp', routerAddress: `${ROUTER_SRV}/24`, address: `${SERVER}/24` });
  lanNs.ip('link', 'set', 'lanp', 'address', LAN_MAC);
  srvNs.ip('route', 'add', '192.168.70.0/24', 'via', ROUTER_SRV);
  // The remote DHCP server the relay hands requests to: it serves the LAN subnet from .200.
  const leases = join(dataDir, 'remote.leases');
  server = spawnDnsmasq(srvNs, ['--port=0', `--dhcp-leasefile=${leases}`, '--dhcp-range=192.168.70.200,192.168.70.209,255.255.255.0,600', '--dhcp-range=10.77.0.50,10.77.0.60']);
  a = await startAgentInNamespace(router, 'ctl0', { dataDir: join(dataDir, 'agent'), args: ['--dnsmasq', 'on'] });
}, 40_000);

afterAll(async () => {
  await a?.close();
  server?.kill();
  router.remove();
  for (const ns of [lanNs, srvNs]) ns?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

const confText = (): string => readFileSync(join(dataDir, 'agent', 'dnsmasq.conf'), 'utf8');

async function lanInterface(): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === 'lan0')?.[0];
  if (!path) throw new Error('no IP.Interface for lan0');
  return path.slice(0, -1);
}

/** One DHCP exchange from the LAN namespace (busybox udhcpc with `args`): "<address> from <server>", or FAIL. */
function dhcp(...args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', lan, 'busybox', 'udhcpc', '-i', 'lanp', '-f', '-q', '-n', '-t', '4', '-T', '1', '-s', '/bin/true', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => {
      const m = /lease of (\S+) obtained from (\S+?),/.exec(out);
      resolve(m ? `${m[1]} from ${m[2]}` : `FAIL ${out.trim().split('\n').at(-1) ?? ''}`);
    });
  });
}

/** Asks until `ok` holds (dnsmasq restarts on each change and answers a moment later), at most 20 s. */
async function until(what: () => Promise<string>, ok: (v: string) => boolean): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The last octet range a lease is in: "A" (.100-.109, the conditional pool), "B" (.110-.119), "remote" (.200-.209), else the answer. */
function poolOf(v: string): string {
  const m = /^192\.168\.70\.(\d+) from /.exec(v);
  const n = m ? Number(m[1]) : -1;
  return n >= 100 && n <= 109 ? 'A' : n >= 110 && n <= 119 ? 'B' : n >= 200 && n <= 209 ? 'remote' : v;
}

const served = (...args: string[]) =>
  until(
    () => dhcp(...args),
    (v) => !v.startsWith('FAIL'),
  ).then(poolOf);

describe("DHCPv4 conditional serving and relay through the agent's dnsmasq, in network namespaces", () => {
  let poolA = '';
  let poolB = '';

  it('the first pool by Order whose criteria match serves: vendor class (Exact, Prefix, Exclude), client id, user class, masked Chaddr', async () => {
    const c = a!.controller;
    const lan0 = await lanInterface();
    await set(c, 'Device.DHCPv4.Server.', { Enable: 'true' });
    poolA = await add(c, 'Device.DHCPv4.Server.Pool.', { Enable: 'true', Interface: lan0, MinAddress: '192.168.70.100', MaxAddress: '192.168.70.109', LeaseTime: '600', VendorClassID: 'usp-cam' });
    poolB = await add(c, 'Device.DHCPv4.Server.Pool.', { Enable: 'true', Interface: lan0, MinAddress: '192.168.70.110', MaxAddress: '192.168.70.119', LeaseTime: '600' });
    expect((await getObjects(c, [`${poolA}Order`, `${poolA}VendorClassIDMode`]))[poolA]).toEqual({ Order: '1', VendorClassIDMode: 'Exact' });
    expect(await served('-V', 'usp-cam')).toBe('A');
    // Exact: a longer class is not the same class.
    expect(await served('-V', 'usp-camera')).toBe('B');
    expect(await served('-V', 'other')).toBe('B');
    await set(c, poolA, { VendorClassIDMode: 'Prefix' });
    expect(await served('-V', 'usp-camera')).toBe('A');
    await set(c, poolA, { VendorClassIDExclude: 'true' });
    expect(await served('-V', 'usp-camera')).toBe('B');
    expect(await served('-V', 'other')).toBe('A');

    await set(c, poolA, { VendorClassID: '', VendorClassIDExclude: 'false', ClientID: '01aabbccddeeff' });
    expect(await served('-C', '-x', '0x3d:01aabbccddeeff')).toBe('A');
    expect(await served('-C', '-x', '0x3d:01aabbccddee00')).toBe('B');

    await set(c, poolA, { ClientID: '', UserClassID: '0a0b0c' });
    expect(await served('-x', '0x4d:0a0b0c')).toBe('A');
    expect(await served('-x', '0x4d:0a0b')).toBe('B');

    // The LAN MAC under a mask of its first five bytes; then the Exclude form.
    await set(c, poolA, { UserClassID: '', Chaddr: '02:00:00:00:70:99', ChaddrMask: 'ff:ff:ff:ff:ff:00' });
    expect(await served()).toBe('A');
    await set(c, poolA, { ChaddrExclude: 'true' });
    expect(await served()).toBe('B');

    // Order decides: B first takes every request (it has no criteria), A never serves.
    await set(c, poolA, { Chaddr: '', ChaddrExclude: 'false', VendorClassID: 'usp-cam' });
    await set(c, poolA, { Order: '3' });
    await set(c, poolB, { Order: '1' });
    expect(await served('-V', 'usp-cam')).toBe('B');
    expect(confText()).toContain(`# not served: ${poolB.slice(0, -1)} comes first in Order`);
    await set(c, poolA, { Order: '2' });
    await set(c, poolB, { Order: '3' });
    await set(c, poolA, { Order: '1' });
    expect(await served('-V', 'usp-cam')).toBe('A');
  }, 180_000);

  it('refuses what dnsmasq cannot match (ChaddrMask not in whole bytes, a Suffix vendor class) with 7012 and the file unchanged', async () => {
    const c = a!.controller;
    const before = confText();
    for (const params of <Array<Record<string, string>>>[
      { Chaddr: '02:00:00:00:70:10', ChaddrMask: 'ff:ff:ff:ff:f0:00' },
      { VendorClassIDMode: 'Suffix' },
      { VendorClassID: 'two words', VendorClassIDMode: 'Substring' },
      { ClientID: '01' },
    ]) {
      const r = await trySet(c, poolA, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(7012);
    }
    expect((await getObjects(c, [`${poolA}VendorClassID`, `${poolA}VendorClassIDMode`, `${poolA}ChaddrMask`]))[poolA]).toEqual({
      VendorClassID: 'usp-cam',
      VendorClassIDMode: 'Prefix',
      ChaddrMask: 'ff:ff:ff:ff:ff:00',
    });
    expect(confText()).toBe(before);
  }, 30_000);

  it('a Forwarding row relays the LAN client to the remote server; LocallyServed gives it back to the pools; Delete ends it', async () => {
    const c = a!.controller;
    const lan0 = await lanInterface();
    expect(await get(c, 'Device.DHCPv4.Relay.Enable')).toBe('false');
    await set(c, 'Device.DHCPv4.Relay.', { Enable: 'true' });
    const f = await add(c, 'Device.DHCPv4.Relay.Forwarding.', { Enable: 'true', Interface: lan0, DHCPServerIPAddress: SERVER });
    expect(confText()).toContain(`dhcp-relay=${ROUTER_LAN},${SERVER}\n`);
    const relayed = await until(
      () => dhcp('-V', 'other'),
      (v) => v.endsWith(`from ${SERVER}`),
    );
    expect(poolOf(relayed)).toBe('remote');
    expect(relayed.endsWith(`from ${SERVER}`)).toBe(true);
    expect((await getObjects(c, [f]))[f]).toMatchObject({
      Enable: 'true',
      Status: 'Enabled',
      Interface: lan0,
      LocallyServed: 'false',
      DHCPServerIPAddress: SERVER,
      Order: '1',
      VendorClassID: '',
      ChaddrMask: '',
    });
    expect(await get(c, 'Device.DHCPv4.Relay.Status')).toBe('Enabled');
    await set(c, f, { LocallyServed: 'true' });
    expect(confText()).not.toContain('dhcp-relay=');
    expect(await served('-V', 'other')).toBe('B');
    await set(c, f, { LocallyServed: 'false' });
    expect(
      poolOf(
        await until(
          () => dhcp(),
          (v) => v.endsWith(`from ${SERVER}`),
        ),
      ),
    ).toBe('remote');
    await del(c, f);
    expect(await served('-V', 'other')).toBe('B');
    expect(await get(c, 'Device.DHCPv4.Relay.ForwardingNumberOfEntries')).toBe('0');
  }, 120_000);

  it('refuses an Interface that names no row, a second enabled row on one Interface and a criterion, with 7012 and the file unchanged', async () => {
    const c = a!.controller;
    const lan0 = await lanInterface();
    const f = await add(c, 'Device.DHCPv4.Relay.Forwarding.', { Enable: 'true', Interface: lan0, DHCPServerIPAddress: SERVER });
    const before = confText();
    for (const params of <Array<Record<string, string>>>[
      { Enable: 'true', Interface: 'Device.IP.Interface.99', DHCPServerIPAddress: SERVER },
      { Enable: 'true', Interface: lan0, DHCPServerIPAddress: '10.77.0.3' },
      { Interface: lan0, VendorClassID: 'usp-cam' },
      { DHCPServerIPAddress: 'dhcp.example' },
    ]) {
      const r = await tryAdd(c, 'Device.DHCPv4.Relay.Forwarding.', params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(7012);
    }
    // A second row kept disabled is taken; enabling it on the same Interface is not.
    const g = await add(c, 'Device.DHCPv4.Relay.Forwarding.', { Interface: lan0, DHCPServerIPAddress: '10.77.0.3' });
    const r = await trySet(c, g, { Enable: 'true' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    expect(await get(c, 'Device.DHCPv4.Relay.ForwardingNumberOfEntries')).toBe('2');
    expect(await get(c, `${g}Enable`)).toBe('false');
    expect(confText()).toBe(before);
    await del(c, f, g);
  }, 60_000);
});
