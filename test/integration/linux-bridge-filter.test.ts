/**
 * Device.Bridging.Filter.{i}. on generic Linux, for real: the built agent process runs with
 * `--platform linux` in its own network namespace, which holds a kernel bridge `brf` with two
 * veth ports, each leading to a host namespace (hostA on fa0, hostB on fb0, one IPv4 subnet).
 * A controller over a real WebSocket adds Filters on fa0's Bridge Port; ping and python3 UDP
 * echo exchanges between the hosts show what the kernel (the agent's nft `bridge` table) admits:
 *
 * - a Filter for UDP to port 5000 and one for ARP: UDP to 5000 passes, UDP to 5001 and ping do not;
 * - a Filter of lower Order admitting all IPv4 from hostA's MAC wins; disabled, it no longer does;
 * - bad input answers 7012 (unknown port, the management port, another bridge, a VLAN row,
 *   VLANIDFilter on an 802.1D bridge or beyond 4094, a MAC that is none), 7011 (a word for a
 *   number) or 7005 past
 *   MaxFilterEntries, and leaves the rows and the nft table as they were;
 * - a restart with netfilter emptied compiles the stored rows again;
 * - with the Filters deleted, ping passes again.
 * Needs root, nft and python3.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';
import { startEcho } from '../peers/routed-wan-lan.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-bf-${tag}`, `10.243.${tag % 250}`, `uspbf${tag}`, 'ctl0');
const HOST_A = '10.77.0.1';
const HOST_B = '10.77.0.2';
const TABLE = 'usp_agent_bridge_filter';
let a: NamespacedAgent | undefined;
let hostA: PeerNamespace | undefined;
let hostB: PeerNamespace | undefined;
const children: ChildProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'usp-bf-data-'));

/** One UDP exchange with the echo server: "ok" when the echo comes back, else FAIL and why. */
const CLIENT = [
  'import socket, sys',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  's.settimeout(1.5)',
  'try:',
  '    s.connect((sys.argv[1], int(sys.argv[2])))',
  "    s.send(b'x')",
  "    print('ok' if s.recv(64) == b'x' else 'FAIL short')",
  'except Exception as e:',
  "    print('FAIL', type(e).__name__)",
].join('\n');

const udp = (port: number): string => execFileSync('ip', ['netns', 'exec', hostA!.name, 'python3', '-c', CLIENT, HOST_B, String(port)], { encoding: 'utf8' }).trim();
const ping = (): boolean => spawnSync('ip', ['netns', 'exec', hostA!.name, 'ping', '-c', '1', '-W', '1', HOST_B], { stdio: 'ignore' }).status === 0;
const nftTable = (): string => spawnSync('ip', ['netns', 'exec', ns.name, 'nft', 'list', 'table', 'bridge', TABLE], { encoding: 'utf8' }).stdout ?? '';
const errCode = (r: { ok: boolean; errCode?: number; paramErrCode?: number }): number | undefined => (r.ok ? undefined : (r.paramErrCode ?? r.errCode));

let bridge = '';
let portA = '';
let portB = '';
let macA = '';

beforeAll(async () => {
  hostA = PeerNamespace.beside(ns, `usp-bfa-${tag}`, { inside: 'fa0', outside: 'fa1', address: `${HOST_A}/24` });
  hostB = PeerNamespace.beside(ns, `usp-bfb-${tag}`, { inside: 'fb0', outside: 'fb1', address: `${HOST_B}/24` });
  ns.ip('link', 'add', 'brf', 'type', 'bridge');
  ns.ip('link', 'set', 'fa0', 'master', 'brf');
  ns.ip('link', 'set', 'fb0', 'master', 'brf');
  ns.ip('link', 'set', 'brf', 'up');
  macA = (JSON.parse(hostA.ip('-j', 'link', 'show', 'dev', 'fa1')) as Array<{ address: string }>)[0]!.address;
  await startEcho(children, hostB.name, 'u5000', 'u5001');
  a = await startAgentInNamespace(ns, 'brf', { dataDir });
  const names = await getObjects(a.controller, ['Device.Bridging.Bridge.*.Port.*.Name']);
  const row = (dev: string): string =>
    Object.entries(names)
      .find(([, v]) => v.Name === dev)![0]
      .slice(0, -1);
  portA = row('fa0');
  portB = row('fb0');
  bridge = portA.replace(/\.Port\.\d+$/, '');
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill();
  await a?.close();
  hostA?.remove();
  hostB?.remove();
  ns.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Linux Bridging.Filter: the agent nft bridge table admits or drops real frames', () => {
  it('serves MaxFilterEntries and no rows at start; the hosts reach each other', async () => {
    expect((await getObjects(a!.controller, ['Device.Bridging.MaxFilterEntries', 'Device.Bridging.FilterNumberOfEntries']))['Device.Bridging.']).toEqual({
      MaxFilterEntries: '64',
      FilterNumberOfEntries: '0',
    });
    expect(ping()).toBe(true);
    expect([udp(5000), udp(5001)]).toEqual(['ok', 'ok']);
  });

  it('Filters for UDP to port 5000 and ARP on fa0: only those frames of hostA are admitted', async () => {
    const c = a!.controller;
    const f1 = await add(c, 'Device.Bridging.Filter.', { Enable: 'true', Bridge: bridge, Interface: portA, Protocol: '17', DestPort: '5000' });
    const f2 = await add(c, 'Device.Bridging.Filter.', { Enable: 'true', Bridge: bridge, Interface: portA, EthertypeFilterList: '2054', EthertypeFilterExclude: 'false' });
    expect((await getObjects(c, [`${f1}Status`, `${f1}Order`, `${f1}Interface`]))[f1]).toEqual({ Status: 'Enabled', Order: '1', Interface: portA });
    expect((await getObjects(c, [`${f2}Order`]))[f2]!.Order).toBe('2');
    expect(nftTable()).toContain('iifname "fa0"');
    expect(udp(5000)).toBe('ok');
    expect(udp(5001)).toMatch(/^FAIL/);
    expect(ping()).toBe(false);

    // A Filter of lower Order admitting every IPv4 frame from hostA's MAC goes first; the others move down.
    const f0 = await add(c, 'Device.Bridging.Filter.', {
      Enable: 'true',
      Bridge: bridge,
      Interface: portA,
      Order: '1',
      SourceMACAddressFilterList: macA,
      SourceMACAddressFilterExclude: 'false',
      EthertypeFilterList: '2048',
      EthertypeFilterExclude: 'false',
    });
    expect(await getObjects(c, ['Device.Bridging.Filter.*.Order'])).toEqual({ [f0]: { Order: '1' }, [f1]: { Order: '2' }, [f2]: { Order: '3' } });
    expect(ping()).toBe(true);
    expect(udp(5001)).toBe('ok');
    await set(c, f0, { Enable: 'false' });
    expect((await getObjects(c, [`${f0}Status`]))[f0]!.Status).toBe('Disabled');
    expect(ping()).toBe(false);
    await del(c, f0);
  });

  it('bad input answers 7012 or 7005 and changes neither the rows nor the nft table', async () => {
    const c = a!.controller;
    const before = nftTable();
    const rows = await getObjects(c, ['Device.Bridging.Filter.']);
    const bad: Array<[Record<string, string>, number]> = [
      [{ Interface: `${bridge}.Port.99` }, 7012],
      [{ Interface: `${bridge}.Port.1` }, 7012], // the management port
      [{ Bridge: `${bridge}.VLAN.1` }, 7012],
      [{ Bridge: 'Device.Bridging.Bridge.99' }, 7012],
      [{ Interface: portA, VLANIDFilter: '5' }, 7012], // brf is an 802.1D bridge
      [{ VLANIDFilter: '4095' }, 7012],
      [{ VLANIDFilter: 'many' }, 7011], // not an unsignedInt: the wrong type
      [{ SourceMACAddressFilterList: 'aa:bb' }, 7012],
      [{ Protocol: '1', DestPort: '80' }, 7012],
    ];
    for (const [params, code] of bad) expect([params, errCode(await tryAdd(c, 'Device.Bridging.Filter.', params))]).toEqual([params, code]);
    const [first] = Object.keys(rows).filter((p) => /Filter\.\d+\.$/.test(p));
    expect(errCode(await trySet(c, first!, { EthertypeFilterList: '70000' }))).toBe(7012);
    // The DHCP-derived criteria are served with the agent's dnsmasq (linux-bridge-filter-dhcp.test.ts): a DHCPType TR-181 does not have is refused.
    expect(errCode(await trySet(c, first!, { DHCPType: 'DHCPv5' }))).toBe(7012);
    expect(await getObjects(c, ['Device.Bridging.Filter.'])).toEqual(rows);
    expect(nftTable()).toBe(before);
  });

  it('past MaxFilterEntries an Add answers 7005 and adds nothing', async () => {
    const c = a!.controller;
    const count = async (): Promise<string> => (await getObjects(c, ['Device.Bridging.FilterNumberOfEntries']))['Device.Bridging.']!.FilterNumberOfEntries!;
    const have = Number(await count());
    const m = await c.send({
      reqType: 'add',
      add: { allowPartial: false, createObjs: Array.from({ length: 64 - have }, () => ({ objPath: 'Device.Bridging.Filter.', paramSettings: [] })) },
    });
    expect(m.body.msgBody).toBe('response');
    expect(await count()).toBe('64');
    expect(errCode(await tryAdd(c, 'Device.Bridging.Filter.', {}))).toBe(7005);
    expect(await count()).toBe('64');
    // The 64 rows added are disabled: nothing of them reaches the kernel.
    expect(udp(5000)).toBe('ok');
    const added = Object.keys(await getObjects(c, ['Device.Bridging.Filter.*.Enable'])).slice(have);
    await del(c, ...added);
  }, 60_000);

  it('a restart with netfilter emptied writes the stored Filters again', async () => {
    await add(a!.controller, 'Device.Bridging.Filter.', { Enable: 'true', Bridge: bridge, Interface: portA, EthertypeFilterList: '2054', EthertypeFilterExclude: 'false' });
    expect(ping()).toBe(false);
    const port = a!.port;
    await a!.close();
    a = undefined;
    execFileSync('ip', ['netns', 'exec', ns.name, 'nft', 'flush', 'ruleset']);
    expect(ping()).toBe(true);
    a = await startAgentInNamespace(ns, 'brf', { dataDir, port });
    await expect.poll(() => nftTable(), { timeout: 15_000 }).toContain('iifname "fa0"');
    expect(ping()).toBe(false);
    expect(udp(5000)).toBe('ok');
    const rows = await getObjects(a.controller, ['Device.Bridging.Filter.*.Status', 'Device.Bridging.Filter.*.Interface']);
    expect(Object.values(rows).filter((r) => r.Status === 'Enabled' && r.Interface === portA).length).toBe(3);
  }, 60_000);

  it('a Filter on the other port, misconfigured rows, and Delete opens the port again', async () => {
    const c = a!.controller;
    const half = await add(c, 'Device.Bridging.Filter.', { Enable: 'true', Interface: portB });
    expect((await getObjects(c, [`${half}Status`]))[half]!.Status).toBe('Error_Misconfigured');
    expect(nftTable()).not.toContain('iifname "fb0"');
    const all = Object.keys(await getObjects(c, ['Device.Bridging.Filter.*.Enable']));
    await del(c, ...all);
    expect(ping()).toBe(true);
    expect(nftTable()).not.toContain('iifname');
  });
});
