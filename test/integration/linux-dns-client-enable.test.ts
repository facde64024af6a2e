/**
 * Baseline:4's DNS.Client.Enable and Server.{i}.Enable on generic Linux, for real: the built agent
 * (`npm run build` first) runs in its own network namespace with `--manage-dns` naming the
 * namespace's resolv.conf (/etc/netns/NAME/resolv.conf, which `ip netns exec` puts in place of
 * /etc/resolv.conf for each program it starts), a real dnsmasq in a second namespace answers for
 * a test name, and glibc's resolver (`getent ahostsv4` run in the agent's namespace) shows whether
 * the servers a controller switched off are still used. Needs root (`ip netns`).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { dnsServerRow, namespaceResolvConf, resolverLookup } from '../peers/dns-client-peer.js';
import { NetNamespace, PeerNamespace, spawnDnsmasq } from '../peers/netns.js';

const tag = process.pid % 100_000;
const net = `10.247.${tag % 250}`;
const ns = NetNamespace.create(`usp-dnsc-${tag}`, `10.248.${tag % 250}`, `uspdnsc${tag}`, 'ctl0');
const upstream = PeerNamespace.beside(ns, `usp-dnsu-${tag}`, { inside: 'up0', outside: 'up1', routerAddress: `${net}.1/24`, address: `${net}.53/24` });
const SERVER_A = `${net}.53`;
const SERVER_B = `${net}.54`;
const NAME = 'printer.usp-dns.test';
const resolv = namespaceResolvConf(ns, [SERVER_A, SERVER_B]);
const resolvConf = resolv.file;
let dnsmasq: ChildProcess | undefined;
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  upstream.ip('addr', 'add', `${SERVER_B}/24`, 'dev', 'up1');
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

/** What glibc's resolver in the agent's namespace finds for NAME ('' when nothing). */
const lookup = (): string => resolverLookup(ns, NAME);

const serverRow = (addr: string): Promise<string> => dnsServerRow(a!.controller, addr);

describe('Linux DNS client Enable switches (Baseline:4), in a network namespace', () => {
  it('Server.{i}.Enable false keeps the row but the resolver stops using the server; true puts it back', async () => {
    const c = a!.controller;
    // dnsmasq answers through both servers before anything is switched off.
    await expect.poll(() => lookup(), { timeout: 15_000 }).toBe('192.0.2.99');
    const rowA = await serverRow(SERVER_A);
    const rowB = await serverRow(SERVER_B);
    await set(c, rowA, { Enable: 'false' });
    expect(lookup()).toBe('192.0.2.99');
    await set(c, rowB, { Enable: 'false' });
    // Neither server is used now: the name does not resolve.
    expect(lookup()).toBe('');
    expect(readFileSync(resolvConf, 'utf8')).not.toMatch(/^nameserver/m);
    expect(await getObjects(c, [rowA])).toMatchObject({ [rowA]: { Enable: 'false', Status: 'Disabled', DNSServer: SERVER_A } });
    expect(await get(c, 'Device.DNS.Client.ServerNumberOfEntries')).toBe('2');
    await set(c, rowB, { Enable: 'true' });
    expect(lookup()).toBe('192.0.2.99');
    expect(await getObjects(c, [rowB])).toMatchObject({ [rowB]: { Enable: 'true', Status: 'Enabled' } });
    await set(c, rowA, { Enable: 'true' });
  });

  it('Client.Enable false stops every server (rows kept, Status Disabled); true restores each as it was', async () => {
    const c = a!.controller;
    const rowA = await serverRow(SERVER_A);
    const rowB = await serverRow(SERVER_B);
    await set(c, rowB, { Enable: 'false' });
    await set(c, 'Device.DNS.Client.', { Enable: 'false' });
    expect(lookup()).toBe('');
    expect(await getObjects(c, ['Device.DNS.Client.'])).toMatchObject({ 'Device.DNS.Client.': { Enable: 'false', Status: 'Disabled' } });
    expect(await getObjects(c, [rowA])).toMatchObject({ [rowA]: { Enable: 'true', Status: 'Disabled' } });
    await set(c, 'Device.DNS.Client.', { Enable: 'true' });
    expect(lookup()).toBe('192.0.2.99');
    // B stayed off through the client's switch: only A is a nameserver line again.
    expect(readFileSync(resolvConf, 'utf8').match(/^nameserver \S+/gm)).toEqual([`nameserver ${SERVER_A}`]);
    expect(await getObjects(c, [rowB])).toMatchObject({ [rowB]: { Enable: 'false', Status: 'Disabled' } });
  });

  it('the switches survive an agent restart (they live in the file); a bad value changes nothing', async () => {
    const port = a!.port;
    await a!.close();
    a = await startAgentInNamespace(ns, 'none', { args: ['--manage-dns', resolvConf], port });
    const c = a.controller;
    const rowB = await serverRow(SERVER_B);
    expect(await get(c, `${rowB}Enable`)).toBe('false');
    // No IP.Interface row: 7012 (linux-dns-client-interface.test.ts tests Interface itself).
    const r = await trySet(c, rowB, { Interface: 'Device.IP.Interface.999' });
    expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode)).toBe(7012);
    const bad = await trySet(c, rowB, { Enable: 'maybe' });
    expect(bad.ok).toBe(false);
    expect(await get(c, `${rowB}Enable`)).toBe('false');
  }, 30_000);
});
