/**
 * Baseline:4's DNS.Client.Server.{i}.Interface on generic Linux, for real: the built agent (`npm
 * run build` first) runs in its own network namespace with `--manage-dns` naming the namespace's
 * resolv.conf, a real dnsmasq in a second namespace answers on the directly connected link (up0),
 * and the namespace also has a default route through its other link (ctl0). Setting a server's
 * Interface to ctl0 pins the server's host route there (via ctl0's default gateway), as
 * `ip route get` in the namespace shows; a restart puts the route back after it was lost, a
 * changed DNSServer moves it, an empty Interface and a Delete remove it. Needs root (`ip netns`).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { dnsServerRow, namespaceResolvConf, resolverLookup } from '../peers/dns-client-peer.js';
import { NetNamespace, PeerNamespace, spawnDnsmasq } from '../peers/netns.js';

const tag = process.pid % 100_000;
const net = `10.245.${tag % 250}`;
const ctlNet = `10.246.${tag % 250}`;
const ns = NetNamespace.create(`usp-dnsi-${tag}`, ctlNet, `uspdnsi${tag}`, 'ctl0');
const upstream = PeerNamespace.beside(ns, `usp-dnsiu-${tag}`, { inside: 'up0', outside: 'up1', routerAddress: `${net}.1/24`, address: `${net}.53/24` });
const SERVER_A = `${net}.53`;
const SERVER_B = `${net}.54`;
const SERVER_C = `${net}.55`;
const GATEWAY = `${ctlNet}.1`;
const NAME = 'printer.usp-dnsif.test';
const resolv = namespaceResolvConf(ns, [SERVER_A, SERVER_B]);
const resolvConf = resolv.file;
let dnsmasq: ChildProcess | undefined;
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  upstream.ip('addr', 'add', `${SERVER_B}/24`, 'dev', 'up1');
  ns.ip('route', 'add', 'default', 'via', GATEWAY, 'dev', 'ctl0');
  // Two more links of the agent's namespace: one up without an address, one down.
  ns.ip('link', 'add', 'bare0', 'type', 'veth', 'peer', 'name', 'bare1');
  ns.ip('link', 'set', 'bare0', 'up');
  ns.ip('link', 'set', 'bare1', 'up');
  ns.ip('link', 'add', 'off0', 'type', 'veth', 'peer', 'name', 'off1');
  ns.ip('addr', 'add', '192.0.2.1/24', 'dev', 'off0');
  dnsmasq = spawnDnsmasq(upstream, ['--no-resolv', '--no-hosts', `--listen-address=${SERVER_A}`, `--listen-address=${SERVER_B}`, '--bind-interfaces', `--address=/${NAME}/192.0.2.99`]);
  a = await startAgentInNamespace(ns, 'none', { args: ['--manage-dns', resolvConf] });
}, 60_000);

afterAll(async () => {
  await a?.close();
  dnsmasq?.kill();
  upstream.remove();
  ns.remove();
  resolv.remove();
});

/** `ip route get ADDR` in the agent's namespace, e.g. "10.245.1.53 via 10.246.1.1 dev ctl0 src ...". */
function routeTo(addr: string): string {
  return ns.ip('route', 'get', addr).trim();
}

/** The agent's pinned host routes in the namespace (proto 250), as `ip route` prints them. */
function pinned(): string[] {
  return ns
    .ip('route', 'show', 'proto', '250')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** What glibc's resolver in the agent's namespace finds for NAME ('' when nothing). */
const lookup = (): string => resolverLookup(ns, NAME);

const serverRow = (addr: string): Promise<string> => dnsServerRow(a!.controller, addr);

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const row = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!row) throw new Error(`no IP.Interface row for ${name}`);
  return row.replace(/\.$/, '');
}

function errorOf(r: Awaited<ReturnType<typeof trySet>>): number {
  return r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1);
}

describe('Linux DNS client Server.{i}.Interface (Baseline:4): the server host route, in a network namespace', () => {
  it('Interface pins the route through that interface via its default gateway; reads back the IP.Interface path', async () => {
    const c = a!.controller;
    await expect.poll(() => lookup(), { timeout: 15_000 }).toBe('192.0.2.99');
    expect(routeTo(SERVER_A)).toMatch(/ dev up0 /);
    const rowA = await serverRow(SERVER_A);
    const ctl = await ipInterface('ctl0');
    expect(await get(c, `${rowA}Interface`)).toBe('');
    await set(c, rowA, { Interface: ctl });
    expect(routeTo(SERVER_A)).toMatch(new RegExp(`via ${GATEWAY.replace(/\./g, '\\.')} dev ctl0 `));
    expect(await get(c, `${rowA}Interface`)).toBe(ctl);
    expect(readFileSync(resolvConf, 'utf8')).toContain(`#usp-agent:interface ${SERVER_A} ctl0`);
    // The resolver still reads only the nameserver lines: B answers while A's queries go to the host.
    expect(readFileSync(resolvConf, 'utf8').match(/^nameserver \S+/gm)).toEqual([`nameserver ${SERVER_A}`, `nameserver ${SERVER_B}`]);
  });

  it('refuses a path that is no IP.Interface row, a down interface and one without an IPv4 address (7012), nothing changed', async () => {
    const c = a!.controller;
    const rowB = await serverRow(SERVER_B);
    const before = readFileSync(resolvConf, 'utf8');
    for (const value of ['Device.IP.Interface.999', 'Device.Ethernet.Interface.1', await ipInterface('off0'), await ipInterface('bare0'), await ipInterface('lo')]) {
      expect(errorOf(await trySet(c, rowB, { Interface: value })), value).toBe(7012);
    }
    expect(readFileSync(resolvConf, 'utf8')).toBe(before);
    expect(routeTo(SERVER_B)).toMatch(/ dev up0 /);
    expect(await get(c, `${rowB}Interface`)).toBe('');
  });

  it('the route comes back after a restart (the kernel forgot it)', async () => {
    const port = a!.port;
    await a!.close();
    ns.ip('route', 'del', `${SERVER_A}/32`, 'proto', '250');
    expect(routeTo(SERVER_A)).toMatch(/ dev up0 /);
    a = await startAgentInNamespace(ns, 'none', { args: ['--manage-dns', resolvConf], port });
    await expect.poll(() => routeTo(SERVER_A), { timeout: 15_000 }).toMatch(/ dev ctl0 /);
    expect(await get(a.controller, `${await serverRow(SERVER_A)}Interface`)).toBe(await ipInterface('ctl0'));
  }, 40_000);

  it('an IPv6 server is pinned with a /128 route; an interface with only a link-local IPv6 address is refused (7012)', async () => {
    const c = a!.controller;
    const server6 = `fd53:${tag.toString(16)}::53`;
    const row = await add(c, 'Device.DNS.Client.Server.', { DNSServer: server6 });
    // ctl0 has only its fe80:: address: no source for a global server.
    expect(errorOf(await trySet(c, row, { Interface: await ipInterface('ctl0') }))).toBe(7012);
    ns.ip('addr', 'add', `fd5a:${tag.toString(16)}::1/64`, 'dev', 'bare0', 'nodad');
    // The agent reads the addresses afresh once its short `ip addr` cache has run out.
    const bare = await ipInterface('bare0');
    await expect.poll(async () => (await trySet(c, row, { Interface: bare })).ok, { timeout: 15_000 }).toBe(true);
    expect(ns.ip('-6', 'route', 'get', server6)).toMatch(/ dev bare0 /);
    expect(ns.ip('-6', 'route', 'show', 'proto', '250')).toContain(`${server6} dev bare0`);
    await del(c, row);
    expect(ns.ip('-6', 'route', 'show', 'proto', '250').trim()).toBe('');
  });

  it('a changed DNSServer moves the route; an empty Interface removes it; a Delete removes it', async () => {
    const c = a!.controller;
    const rowA = await serverRow(SERVER_A);
    await set(c, rowA, { DNSServer: SERVER_C });
    expect(routeTo(SERVER_C)).toMatch(/ dev ctl0 /);
    expect(routeTo(SERVER_A)).toMatch(/ dev up0 /);
    expect(pinned()).toEqual([expect.stringMatching(new RegExp(`^${SERVER_C.replace(/\./g, '\\.')} via .* dev ctl0`))]);
    await set(c, rowA, { DNSServer: SERVER_A, Interface: '' });
    expect(pinned()).toEqual([]);
    expect(routeTo(SERVER_A)).toMatch(/ dev up0 /);
    expect(readFileSync(resolvConf, 'utf8')).not.toContain('#usp-agent:interface');
    expect(lookup()).toBe('192.0.2.99');
    const row = await add(c, 'Device.DNS.Client.Server.', { DNSServer: SERVER_C, Interface: await ipInterface('ctl0') });
    expect(routeTo(SERVER_C)).toMatch(/ dev ctl0 /);
    await del(c, row);
    expect(pinned()).toEqual([]);
    expect(readFileSync(resolvConf, 'utf8')).not.toContain(SERVER_C);
  }, 30_000);
});
