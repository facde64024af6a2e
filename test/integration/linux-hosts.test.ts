/**
 * Device.Hosts on generic Linux with real neighbours: the built agent process (`npm run build`
 * first) runs with `--platform linux` in its own network namespace, a client namespace hangs on
 * a veth of it, the agent's namespace pings the client over IPv4 and IPv6, and a controller reads
 * the Host row the kernel's neighbour table makes of it: its MAC, addresses, Active and the
 * IP.Interface of the veth. Then the client's link goes, and with it the kernel's entries and the
 * row. Needs root and ping; the namespaces are removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';

// Unique per process (and apart from the other Linux namespace tests' addresses).
const tag = process.pid % 100_000;
const net = `10.239.${tag % 250}`;
const ns = NetNamespace.create(`usp-hosts-${tag}`, net, `usphst${tag}`, 'ctl0');
const client = `usp-hostc-${tag}`;
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  execFileSync('ip', ['netns', 'add', client]);
  ns.ip('link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client);
  ns.ip('addr', 'add', '192.168.77.1/24', 'dev', 'lan0');
  ns.ip('addr', 'add', '2001:db8:77::1/64', 'dev', 'lan0', 'nodad');
  ns.ip('link', 'set', 'lan0', 'up');
  const c = (...args: string[]): string => execFileSync('ip', ['-n', client, ...args], { encoding: 'utf8' });
  c('addr', 'add', '192.168.77.20/24', 'dev', 'eth0');
  c('addr', 'add', '2001:db8:77::20/64', 'dev', 'eth0', 'nodad');
  c('link', 'set', 'eth0', 'up');
  a = await startAgentInNamespace(ns, 'ctl0');
}, 30_000);

afterAll(async () => {
  await a?.close();
  ns.remove();
  spawnSync('ip', ['netns', 'del', client], { stdio: 'ignore' });
});

/** The client's MAC, as the kernel of its namespace has it. */
function clientMac(): string {
  const links = JSON.parse(execFileSync('ip', ['-n', client, '-j', 'link', 'show', 'eth0'], { encoding: 'utf8' })) as Array<{ address: string }>;
  return links[0]!.address;
}

/** Host rows, read until `ok` holds (at most 15 s: the agent reads the neighbour table at most once a second). */
async function hostsUntil(ok: (rows: Record<string, Record<string, string>>) => boolean): Promise<Record<string, Record<string, string>>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const rows = await getObjects(a!.controller, ['Device.Hosts.Host.']);
    if (ok(rows) || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('linux platform: Device.Hosts from real neighbours', () => {
  it('a pinged client is a Host with its addresses on the veth it is behind; gone once its link is', async () => {
    const mac = clientMac();
    for (const dst of ['192.168.77.20', '2001:db8:77::20']) spawnSync('ip', ['netns', 'exec', ns.name, 'ping', '-c', '1', '-W', '3', dst], { stdio: 'ignore', timeout: 10_000 });
    const rowOf = (rows: Record<string, Record<string, string>>): [string, Record<string, string>] | undefined =>
      Object.entries(rows).find(([p, v]) => /^Device\.Hosts\.Host\.\d+\.$/.test(p) && v.PhysAddress === mac);
    const rows = await hostsUntil((r) => rowOf(r) !== undefined && rowOf(r)![1].IPv6AddressNumberOfEntries !== '0');
    const [path, host] = rowOf(rows) ?? ['', {}];
    expect(host).toMatchObject({ IPAddress: '192.168.77.20', Active: 'true', HostName: '', IPv4AddressNumberOfEntries: '1' });
    expect(
      Object.entries(rows)
        .filter(([p]) => p.startsWith(`${path}IPv4Address.`))
        .map(([, v]) => v.IPAddress),
    ).toEqual(['192.168.77.20']);
    expect(
      Object.entries(rows)
        .filter(([p]) => p.startsWith(`${path}IPv6Address.`))
        .map(([, v]) => v.IPAddress),
    ).toContain('2001:db8:77::20');
    const ipRows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
    expect(ipRows[`${host.Layer3Interface}.`]?.Name).toBe('lan0');

    // The link goes: the kernel drops its neighbours, and the agent the row.
    ns.ip('link', 'del', 'lan0');
    const after = await hostsUntil((r) => rowOf(r) === undefined);
    expect(rowOf(after)).toBeUndefined();
  }, 60_000);
});
