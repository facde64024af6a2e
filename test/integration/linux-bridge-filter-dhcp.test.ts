/**
 * Device.Bridging.Filter.{i}. criteria learnt from DHCP on generic Linux, for real: the built
 * agent process runs with `--platform linux` in its own network namespace, with its own dnsmasq
 * serving a DHCPv4 pool on a kernel bridge `bfd0` whose two veth ports lead to host namespaces
 * (hostA on da0, hostB on db0). hostA's `busybox udhcpc` sends a vendor class (-V), a client
 * identifier (option 61) and a user class (option 77); dnsmasq's lease script records them, and
 * a controller over a real WebSocket adds a Filter on hostA's port naming hostA by them. ping
 * from hostA to hostB shows what the agent's nft `bridge` table admits:
 *
 * - SourceMACFromVendorClassIDFilter with Exclude false: hostA's frames pass while its last lease
 *   carried a matching vendor class (Exact, then Prefix), not once the value names another class;
 * - the client ID and the user class (option 77 as RFC 3004 counted strings) name hostA too;
 * - hostA asking again with another vendor class leaves the Filter's set: ping fails again;
 * - DHCPv6: the DUID of hostA's dhcpcd names it under DHCPType DHCPv6 (a v6 vendor class is
 *   refused: dnsmasq does not hand it over intact);
 * - bad values are refused (7012 a DHCPType TR-181 lacks, 7011 a ClientID that is no hexBinary)
 *   and change nothing.
 * Needs root, nft, dnsmasq, busybox and dhcpcd.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';
import { DHCPCD_PRIVATE_DIRS } from '../peers/wan-dhcp-server.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-bd-${tag}`, `10.244.${tag % 250}`, `uspbd${tag}`, 'ctl0');
const ROUTER = '10.78.0.1';
const HOST_A = '10.78.0.3';
const HOST_B = '10.78.0.2';
const MAC_A = '02:00:00:00:78:0a';
const TABLE = 'usp_agent_bridge_filter';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-bfd-data-'));
let a: NamespacedAgent | undefined;
let hostA: PeerNamespace | undefined;
let hostB: PeerNamespace | undefined;
let bridge = '';
let portA = '';
let filter = '';

/** One ping from hostA to hostB; `expectLoss`: a short wait (the answer to an admitted ping on a veth takes milliseconds). */
const ping = (expectLoss = false): boolean => spawnSync('ip', ['netns', 'exec', hostA!.name, 'ping', '-c', '1', '-W', expectLoss ? '0.5' : '2', HOST_B], { stdio: 'ignore' }).status === 0;
const nftSet = (name: string): string => spawnSync('ip', ['netns', 'exec', ns.name, 'nft', 'list', 'set', 'bridge', TABLE, name], { encoding: 'utf8' }).stdout ?? '';
const errCode = (r: { ok: boolean; errCode?: number; paramErrCode?: number }): number | undefined => (r.ok ? undefined : (r.paramErrCode ?? r.errCode));

/** One DHCP exchange from hostA (busybox udhcpc with `args`); resolves with the address leased, or FAIL. */
function dhcp(...args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', hostA!.name, 'busybox', 'udhcpc', '-i', 'da1', '-f', '-q', '-n', '-t', '4', '-T', '1', '-s', '/bin/true', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => resolve(/lease of (\S+) obtained/.exec(out)?.[1] ?? `FAIL ${out.trim()}`));
  });
}

beforeAll(async () => {
  hostA = PeerNamespace.beside(ns, `usp-bda-${tag}`, { inside: 'da0', outside: 'da1', address: `${HOST_A}/24` });
  hostB = PeerNamespace.beside(ns, `usp-bdb-${tag}`, { inside: 'db0', outside: 'db1', address: `${HOST_B}/24` });
  hostA.ip('link', 'set', 'da1', 'address', MAC_A);
  ns.ip('link', 'add', 'bfd0', 'type', 'bridge');
  ns.ip('link', 'set', 'da0', 'master', 'bfd0');
  ns.ip('link', 'set', 'db0', 'master', 'bfd0');
  ns.ip('addr', 'add', `${ROUTER}/24`, 'dev', 'bfd0');
  ns.ip('addr', 'add', 'fd00:78::1/64', 'dev', 'bfd0', 'nodad');
  ns.ip('link', 'set', 'bfd0', 'up');
  a = await startAgentInNamespace(ns, 'bfd0', { dataDir, args: ['--dnsmasq', 'on'] });
  const c = a.controller;
  const names = await getObjects(c, ['Device.Bridging.Bridge.*.Port.*.Name', 'Device.IP.Interface.*.Name']);
  const row = (dev: string, kind: string): string =>
    Object.entries(names)
      .find(([p, v]) => p.includes(kind) && v.Name === dev)![0]
      .slice(0, -1);
  portA = row('da0', '.Port.');
  bridge = portA.replace(/\.Port\.\d+$/, '');
  await set(c, 'Device.DHCPv4.Server.', { Enable: 'true' });
  await set(c, 'Device.DHCPv6.Server.', { Enable: 'true' });
  await add(c, 'Device.DHCPv6.Server.Pool.', { Enable: 'true', Interface: row('bfd0', 'IP.Interface') });
  const pool = await add(c, 'Device.DHCPv4.Server.Pool.', { Enable: 'true', Interface: row('bfd0', 'IP.Interface'), MinAddress: '10.78.0.100', MaxAddress: '10.78.0.150', LeaseTime: '600' });
  // hostA's own address: dnsmasq offers it at once (a dynamic one it first pings for seconds).
  await add(c, `${pool}StaticAddress.`, { Enable: 'true', Chaddr: MAC_A, Yiaddr: '10.78.0.120' });
}, 60_000);

afterAll(async () => {
  await a?.close();
  hostA?.remove();
  hostB?.remove();
  ns.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One DHCPv6 exchange from hostA (dhcpcd -6, one shot, with a DUID and option 16): the address leased, or FAIL. */
function dhcpv6(): Promise<string> {
  writeFileSync(join(dataDir, 'dhcpcd.conf'), 'noipv6rs\nduid\nia_na 1\nvendclass 4491 docsis\nscript /bin/true\n');
  const script = `${DHCPCD_PRIVATE_DIRS} && exec dhcpcd -6 -f ${join(dataDir, 'dhcpcd.conf')} -B -1 -t 10 -d da1`;
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', hostA!.name, 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => resolve(/adding address (\S+)\/128/.exec(out)?.[1] ?? `FAIL ${out.trim().split('\n').slice(-3).join(' | ')}`));
  });
}

/** hostA asks (again, until the agent's dnsmasq answers: it restarts on configuration changes) with `args`. */
async function lease(...args: string[]): Promise<void> {
  await expect.poll(() => dhcp(...args), { timeout: 20_000, interval: 200 }).toMatch(/^10\.78\.0\.\d+$/);
}

describe("Linux Bridging.Filter: criteria learnt by the agent's dnsmasq admit or drop a real host's frames", () => {
  it('a vendor class Filter (Exclude false) admits hostA while its last lease carried the class', async () => {
    const c = a!.controller;
    await lease('-V', 'usp-cam', '-C', '-x', '0x3d:01aabbccddeeff', '-x', '0x4d:03616263');
    filter = await add(c, 'Device.Bridging.Filter.', {
      Enable: 'true',
      Bridge: bridge,
      Interface: portA,
      SourceMACFromVendorClassIDFilter: 'usp-cam',
      SourceMACFromVendorClassIDFilterExclude: 'false',
    });
    const n = /Filter\.(\d+)\.$/.exec(filter)![1];
    await expect.poll(() => nftSet(`f${n}_src_vendor`), { timeout: 15_000 }).toContain(MAC_A);
    expect((await getObjects(c, [`${filter}Status`, `${filter}SourceMACFromVendorClassIDMode`, `${filter}DHCPType`]))[filter]).toEqual({
      Status: 'Enabled',
      SourceMACFromVendorClassIDMode: 'Exact',
      DHCPType: 'DHCPv4',
    });
    expect(ping()).toBe(true);
    await set(c, filter, { SourceMACFromVendorClassIDFilter: 'usp-', SourceMACFromVendorClassIDMode: 'Prefix' });
    expect(ping()).toBe(true);
    await set(c, filter, { SourceMACFromVendorClassIDFilter: 'usp-', SourceMACFromVendorClassIDMode: 'Exact' });
    expect(nftSet(`f${n}_src_vendor`)).not.toContain(MAC_A);
    expect(ping(true)).toBe(false);
    // Exclude true: every source but the class's devices.
    await set(c, filter, { SourceMACFromVendorClassIDFilter: 'usp-cam', SourceMACFromVendorClassIDFilterExclude: 'true' });
    expect(ping(true)).toBe(false);
  }, 60_000);

  it('the client ID and the user class (RFC 3004 counted strings) name hostA as well', async () => {
    const c = a!.controller;
    await set(c, filter, { SourceMACFromVendorClassIDFilter: '', SourceMACFromClientIDFilter: '01aabbccddeeff', SourceMACFromClientIDFilterExclude: 'false' });
    expect(ping()).toBe(true);
    await set(c, filter, { SourceMACFromClientIDFilter: '01aabbccddee00' });
    expect(ping(true)).toBe(false);
    await set(c, filter, { SourceMACFromClientIDFilter: '', SourceMACFromClientIDFilterExclude: 'true', SourceMACFromUserClassIDFilter: '03616263', SourceMACFromUserClassIDFilterExclude: 'false' });
    expect(ping()).toBe(true);
    // Option 15 (the DHCPv6 user class) reaches dnsmasq's script mangled: DHCPv6 with a user class is refused.
    expect(errCode(await trySet(c, filter, { DHCPType: 'DHCPv6' }))).toBe(7012);
    await set(c, filter, { SourceMACFromUserClassIDFilter: '', SourceMACFromUserClassIDFilterExclude: 'true' });
  }, 60_000);

  it('hostA asking again with another vendor class leaves the set: its frames are dropped', async () => {
    const c = a!.controller;
    const n = /Filter\.(\d+)\.$/.exec(filter)![1];
    await set(c, filter, { SourceMACFromVendorClassIDFilter: 'usp-cam', SourceMACFromVendorClassIDFilterExclude: 'false', SourceMACFromVendorClassIDMode: 'Exact' });
    expect(ping()).toBe(true);
    // A renewal seconds after the first lease: it moves the lease's expiry, so dnsmasq runs the script (script-on-renewal).
    expect(await dhcp('-V', 'usp-printer', '-C', '-x', '0x3d:01aabbccddeeff')).toBe('10.78.0.120');
    await expect.poll(() => nftSet(`f${n}_src_vendor`), { timeout: 15_000 }).not.toContain(MAC_A);
    expect(ping(true)).toBe(false);
  }, 60_000);

  it('refuses a DHCPType or a ClientID TR-181 does not allow, and keeps the row', async () => {
    const c = a!.controller;
    const before = await getObjects(c, [filter]);
    expect(errCode(await trySet(c, filter, { DHCPType: 'DHCPv5' }))).toBe(7012);
    expect(errCode(await trySet(c, filter, { SourceMACFromClientIDFilter: 'not hex' }))).toBe(7011);
    expect(await getObjects(c, [filter])).toEqual(before);
  });

  it("DHCPv6: the DUID of hostA's DHCPv6 lease names it under DHCPType DHCPv6; a v6 vendor class is refused", async () => {
    const c = a!.controller;
    const n = /Filter\.(\d+)\.$/.exec(filter)![1];
    // Off while hostA asks: its frames are otherwise dropped by the DHCPv4 vendor class criterion.
    await set(c, filter, { Enable: 'false' });
    const leased = await dhcpv6();
    expect(leased.startsWith('fd00:78::'), leased).toBe(true);
    // The DUID dhcpcd sent, as the agent's DHCPv6 server shows it (its Client's option 1).
    const duid = await expect
      .poll(async () => Object.values(await getObjects(c, ['Device.DHCPv6.Server.Pool.1.Client.*.Option.1.Value']))[0]?.Value, { timeout: 15_000 })
      .toMatch(/^0001[0-9a-f]+$/)
      .then(async () => Object.values(await getObjects(c, ['Device.DHCPv6.Server.Pool.1.Client.*.Option.1.Value']))[0]!.Value!);
    await set(c, filter, {
      Enable: 'true',
      DHCPType: 'DHCPv6',
      SourceMACFromVendorClassIDFilter: '',
      SourceMACFromVendorClassIDFilterExclude: 'true',
      SourceMACFromClientIDFilter: duid,
      SourceMACFromClientIDFilterExclude: 'false',
    });
    await expect.poll(() => nftSet(`f${n}_src_client`), { timeout: 15_000 }).toContain(MAC_A);
    expect(ping()).toBe(true);
    await set(c, filter, { SourceMACFromClientIDFilter: `${duid.slice(0, -2)}00` });
    expect(ping(true)).toBe(false);
    // dnsmasq hands its script option 16's data without each item's first two bytes: not learnt, refused.
    expect(errCode(await trySet(c, filter, { SourceMACFromVendorClassIDFilterv6: '0000118b0006646f63736973' }))).toBe(7012);
  }, 60_000);
});
