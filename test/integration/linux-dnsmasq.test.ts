/**
 * Device.DNS.Relay. and Device.DHCPv4.Server. on generic Linux, for real: the built agent process
 * (`npm run build` first) runs with `--platform linux` in a router namespace and its own dnsmasq;
 * a controller Adds, Sets and Deletes rows over a real WebSocket. What dnsmasq makes of them is
 * checked with real peers: an upstream DNS server (a second dnsmasq, in its own namespace, that
 * alone knows x.test) answers through the router only while the Forwarding row naming it
 * exists; a LAN namespace's `busybox udhcpc` gets an address inside the Pool the controller
 * Added, the fixed one of a StaticAddress, and shows up as the pool's Client. Bad values are
 * refused with nothing kept; a restart starts dnsmasq again from the stored rows; `--dnsmasq off`
 * serves neither object. Needs root, dnsmasq and busybox; the namespaces are removed afterwards.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace, spawnDnsmasq } from '../peers/netns.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-dm-${tag}`, `10.244.${tag % 250}`, `uspdm${tag}`, 'ctl0');
const up = `usp-dmu-${tag}`;
const lan = `usp-dml-${tag}`;
const ROUTER_UP = '198.51.100.1';
const UPSTREAM = '198.51.100.2';
const ROUTER_LAN = '192.168.60.1';
const LAN_MAC = '02:00:00:00:60:10';
/** A host beyond the upstream (routed, not on a subnet of the router's): no relay for it. */
const FAR_HOST = '203.0.113.9';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-dnsmasq-data-'));
let a: NamespacedAgent | undefined;
let upstream: ChildProcess | undefined;
let upNs: PeerNamespace | undefined;
let lanNs: PeerNamespace | undefined;

function sh(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(async () => {
  upNs = PeerNamespace.beside(router, up, { inside: 'up0', outside: 'upp', routerAddress: `${ROUTER_UP}/24`, address: `${UPSTREAM}/24` });
  lanNs = PeerNamespace.beside(router, lan, { inside: 'lan0', outside: 'lanp', routerAddress: `${ROUTER_LAN}/24` });
  lanNs.ip('link', 'set', 'lanp', 'address', LAN_MAC);
  upNs.ip('addr', 'add', `${FAR_HOST}/32`, 'dev', 'lo');
  router.ip('route', 'add', `${FAR_HOST}/32`, 'via', UPSTREAM);
  // The upstream: the only server that knows x.test.
  upstream = spawnDnsmasq(upNs, ['--no-resolv', '--no-hosts', `--listen-address=${UPSTREAM}`, '--bind-interfaces', '--address=/x.test/1.2.3.4']);
  a = await startAgentInNamespace(router, 'ctl0', { dataDir, args: ['--dnsmasq', 'on'] });
}, 40_000);

afterAll(async () => {
  await a?.close();
  upstream?.kill();
  router.remove();
  for (const ns of [upNs, lanNs]) ns?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path.slice(0, -1);
}

/** x.test through the router's relay: the addresses, or the error code. */
async function lookup(): Promise<string> {
  const r = new Resolver({ timeout: 1000, tries: 1 });
  r.setServers([router.agentAddress]);
  try {
    return (await r.resolve4('x.test')).join(',');
  } catch (e) {
    return `FAIL ${(e as { code?: string }).code ?? String(e)}`;
  }
}

const QUERY = [
  'import socket, sys',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  's.bind((sys.argv[1], 0))',
  's.settimeout(2)',
  "q = b'\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x01x\\x04test\\x00\\x00\\x01\\x00\\x01'",
  's.sendto(q, (sys.argv[2], 53))',
  'try:',
  '    r = s.recv(512)',
  "    print('rcode', r[3] & 15, 'answers', r[7])",
  'except socket.timeout:',
  "    print('TIMEOUT')",
].join('\n');

/** One DNS query for x.test from the upstream's namespace with source address `from`, to the router: "rcode N answers M" or TIMEOUT. */
function queryFrom(from: string): string {
  return sh('ip', 'netns', 'exec', up, 'python3', '-c', QUERY, from, ROUTER_UP).trim();
}

/** Asks until `ok` holds (dnsmasq restarts on each change and starts answering a moment later), at most 15 s. */
async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One DHCP exchange from the LAN namespace (busybox udhcpc): the address leased, or FAIL. */
function dhcp(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', lan, 'busybox', 'udhcpc', '-i', 'lanp', '-f', '-q', '-n', '-t', '4', '-T', '1', '-s', '/bin/true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => resolve(/lease of (\S+) obtained/.exec(out)?.[1] ?? `FAIL ${out.trim().split('\n').at(-1) ?? ''}`));
  });
}

describe("Linux DNS relay and DHCPv4 server through the agent's dnsmasq, in network namespaces", () => {
  // Stopped before the next describe: its agents' close() SIGKILLs every agent process still
  // running, and a killed agent leaves its dnsmasq behind (the next start on the data directory ends it).
  afterAll(async () => {
    await a?.close();
    a = undefined;
  });

  it('serves DNSRelay:1 with nothing running while Relay.Enable is false (the TR-181 default)', async () => {
    const c = a!.controller;
    expect(await get(c, 'Device.DNS.Relay.Enable')).toBe('false');
    expect(await get(c, 'Device.DNS.Relay.Status')).toBe('Disabled');
    expect(await get(c, 'Device.DNS.Relay.ForwardNumberOfEntries')).toBe('0');
    expect(await lookup()).toMatch(/^FAIL/);
  });

  it('a Forwarding row the controller Adds makes the relay resolve through that server; Delete stops it', async () => {
    const c = a!.controller;
    await set(c, 'Device.DNS.Relay.', { Enable: 'true' });
    // Relay on, no forwarder: dnsmasq answers, but knows nothing of x.test.
    expect(await until(lookup, (v) => /FAIL (ENOTFOUND|EREFUSED|ESERVFAIL)/.test(v))).toMatch(/FAIL (ENOTFOUND|EREFUSED|ESERVFAIL)/);
    const up0 = await ipInterface('up0');
    const f = await add(c, 'Device.DNS.Relay.Forwarding.', { Enable: 'true', DNSServer: UPSTREAM, Interface: up0 });
    expect(await until(lookup, (v) => v === '1.2.3.4')).toBe('1.2.3.4');
    expect((await getObjects(c, [f]))[f]).toMatchObject({ Enable: 'true', Status: 'Enabled', DNSServer: UPSTREAM, Interface: up0, Type: 'Static', Alias: `cpe-${f.split('.').at(-2)}` });
    expect(await get(c, 'Device.DNS.Relay.Status')).toBe('Enabled');
    expect(readFileSync(join(dataDir, 'dnsmasq.conf'), 'utf8')).toContain(`server=${UPSTREAM}@up0`);
    // A relay for the router's own subnets only: a host on one is answered, a routed one beyond is not.
    expect(queryFrom(UPSTREAM)).toBe('rcode 0 answers 1');
    expect(queryFrom(FAR_HOST)).toBe('TIMEOUT');
    await set(c, f, { Enable: 'false' });
    expect(await until(lookup, (v) => v.startsWith('FAIL'))).toMatch(/^FAIL/);
    await set(c, f, { Enable: 'true' });
    expect(await until(lookup, (v) => v === '1.2.3.4')).toBe('1.2.3.4');
    await del(c, f);
    expect(await until(lookup, (v) => v.startsWith('FAIL'))).toMatch(/^FAIL/);
    expect(await get(c, 'Device.DNS.Relay.ForwardNumberOfEntries')).toBe('0');
  }, 60_000);

  it('refuses a forwarder that is no address, or an Interface that names no row, and keeps nothing', async () => {
    const c = a!.controller;
    for (const params of <Array<Record<string, string>>>[{ DNSServer: 'dns.example' }, { DNSServer: UPSTREAM, Interface: 'Device.IP.Interface.99' }]) {
      const r = await tryAdd(c, 'Device.DNS.Relay.Forwarding.', { Enable: 'true', ...params });
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    }
    expect(await get(c, 'Device.DNS.Relay.ForwardNumberOfEntries')).toBe('0');
  });

  it('a Pool the controller Adds leases the LAN client an address inside it; a StaticAddress gives the fixed one; the Client row appears', async () => {
    const c = a!.controller;
    const lan0 = await ipInterface('lan0');
    await set(c, 'Device.DHCPv4.Server.', { Enable: 'true' });
    const pool = await add(c, 'Device.DHCPv4.Server.Pool.', { Enable: 'true', Interface: lan0, MinAddress: '192.168.60.100', MaxAddress: '192.168.60.109', LeaseTime: '3600', DomainName: 'lan.test' });
    expect((await getObjects(c, [`${pool}Status`]))[pool]!.Status).toBe('Enabled');
    const leased = await until(dhcp, (v) => !v.startsWith('FAIL'));
    const n = Number(leased.split('.')[3]);
    expect(n >= 100 && n <= 109, leased).toBe(true);
    const clients = await until(
      async () => getObjects(c, [`${pool}Client.*.Chaddr`, `${pool}Client.*.Active`, `${pool}Client.*.IPv4Address.*.IPAddress`, `${pool}Client.*.IPv4Address.*.LeaseTimeRemaining`]),
      (rows) => Object.values(rows).some((r) => r.Chaddr === LAN_MAC),
    );
    const client = Object.entries(clients).find(([, r]) => r.Chaddr === LAN_MAC)![0];
    expect(clients[client]!.Active).toBe('true');
    const address = Object.entries(clients).find(([p]) => p.startsWith(`${client}IPv4Address.`))![1];
    expect(address.IPAddress).toBe(leased);
    expect(Date.parse(address.LeaseTimeRemaining!)).toBeGreaterThan(Date.now());
    // Device.Hosts reads the same lease file: the host names its Client row.
    const hosts = await getObjects(c, ['Device.Hosts.Host.*.PhysAddress', 'Device.Hosts.Host.*.DHCPClient']);
    expect(Object.values(hosts).find((h) => h.PhysAddress === LAN_MAC)?.DHCPClient).toBe(client.slice(0, -1));

    const fixed = await add(c, `${pool}StaticAddress.`, { Enable: 'true', Chaddr: LAN_MAC, Yiaddr: '192.168.60.50' });
    expect(await until(dhcp, (v) => v === '192.168.60.50')).toBe('192.168.60.50');
    await del(c, fixed);

    // ReservedAddresses are never leased: a new client gets the one address of the range left.
    const range = Array.from({ length: 10 }, (_, i) => `192.168.60.${100 + i}`);
    const free = range.find((ip) => ip !== leased)!;
    await set(c, pool, { ReservedAddresses: range.filter((ip) => ip !== free).join(',') });
    sh('ip', '-n', lan, 'link', 'set', 'lanp', 'address', '02:00:00:00:60:11');
    try {
      expect(await until(dhcp, (v) => !v.startsWith('FAIL'))).toBe(free);
    } finally {
      sh('ip', '-n', lan, 'link', 'set', 'lanp', 'address', LAN_MAC);
      await set(c, pool, { ReservedAddresses: '' });
    }
  }, 60_000);

  it('refuses MinAddress above MaxAddress, an address outside the interface subnet and a bad Chaddr, with nothing half-applied', async () => {
    const c = a!.controller;
    const lan0 = await ipInterface('lan0');
    const pool = await add(c, 'Device.DHCPv4.Server.Pool.', { Interface: lan0, MinAddress: '192.168.60.150', MaxAddress: '192.168.60.160' });
    const conf = readFileSync(join(dataDir, 'dnsmasq.conf'), 'utf8');
    for (const params of <Array<Record<string, string>>>[{ MinAddress: '192.168.60.170' }, { MinAddress: '192.168.60.155', MaxAddress: '10.0.0.1' }, { MaxAddress: '192.168.61.10' }]) {
      const r = await trySet(c, pool, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7012);
    }
    expect((await getObjects(c, [`${pool}MinAddress`, `${pool}MaxAddress`]))[pool]).toEqual({ MinAddress: '192.168.60.150', MaxAddress: '192.168.60.160' });
    // Order is a unique key: the first pool's is taken.
    const order = await trySet(c, pool, { Order: '1' });
    expect(order.ok).toBe(false);
    if (!order.ok) expect(order.paramErrCode ?? order.errCode).toBe(7025);
    const r = await tryAdd(c, 'Device.DHCPv4.Server.Pool.', { Interface: lan0, MinAddress: '192.168.60.200', MaxAddress: '192.168.60.190' });
    expect(r.ok).toBe(false);
    const s = await tryAdd(c, `${pool}StaticAddress.`, { Enable: 'true', Chaddr: '02:00:00:00:60', Yiaddr: '192.168.60.151' });
    expect(s.ok).toBe(false);
    const t = await tryAdd(c, `${pool}StaticAddress.`, { Enable: 'true', Chaddr: '02:00:00:00:60:99', Yiaddr: '10.1.1.1' });
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.paramErrCode ?? t.errCode).toBe(7012);
    expect(await get(c, `${pool}StaticAddressNumberOfEntries`)).toBe('0');
    expect(readFileSync(join(dataDir, 'dnsmasq.conf'), 'utf8')).toBe(conf);
    await del(c, pool);
  }, 30_000);

  it('starts dnsmasq again from the stored rows after a restart', async () => {
    const c = a!.controller;
    await add(c, 'Device.DNS.Relay.Forwarding.', { Enable: 'true', DNSServer: UPSTREAM });
    expect(await until(lookup, (v) => v === '1.2.3.4')).toBe('1.2.3.4');
    const port = a!.port;
    await a!.close();
    a = undefined;
    // The agent stopped its dnsmasq: no relay while it is away.
    expect(await until(lookup, (v) => v.startsWith('FAIL'))).toMatch(/^FAIL/);
    a = await startAgentInNamespace(router, 'ctl0', { dataDir, port, args: ['--dnsmasq', 'on'] });
    expect(a.agent.lines.some((l) => /dnsmasq started from the stored rows/.test(l.text))).toBe(true);
    expect(await until(lookup, (v) => v === '1.2.3.4')).toBe('1.2.3.4');
    expect(await until(dhcp, (v) => !v.startsWith('FAIL'))).toMatch(/^192\.168\.60\.10\d$/);
  }, 60_000);
});

describe("without the agent's dnsmasq", () => {
  it('--dnsmasq off: the agent starts, says so, and serves neither Device.DNS.Relay. nor Device.DHCPv4.Server.', async () => {
    const off = NetNamespace.create(`usp-dmo-${tag}`, `10.245.${tag % 250}`, `uspdmo${tag}`, 'ctl0');
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(off, 'ctl0', { args: ['--dnsmasq', 'off'] });
      expect((await tryAdd(b.controller, 'Device.DNS.Relay.Forwarding.', { DNSServer: UPSTREAM })).ok).toBe(false);
      expect((await tryAdd(b.controller, 'Device.DHCPv4.Server.Pool.', {})).ok).toBe(false);
      const line = b.agent.lines.find((l) => /Device\.DNS\.Relay\. and Device\.DHCPv4\.Server\. not served/.test(l.text));
      expect(line?.text).toMatch(/level=info/);
      expect(line?.text).toMatch(/switched off/);
      expect(line?.text).toMatch(/--dnsmasq/);
    } finally {
      await b?.close();
      off.remove();
    }
  }, 30_000);
});
