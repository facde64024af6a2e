/**
 * Device.Firewall Config Advanced on generic Linux, for real: the built agent process runs with
 * `--platform linux` in a router namespace joined by veth pairs to a WAN namespace (203.0.113.0/24,
 * the router's default route) and a LAN namespace (192.168.62.0/24, routed both ways, no NAT). A
 * controller over a real WebSocket adds a Level (which brings its own Chain), Rules in it and a
 * second Chain a Rule jumps to, and switches Config to Advanced; real TCP connections and UDP
 * datagrams between the namespaces show what the kernel (nft) makes of them:
 *
 * - the Level's rules in Order decide, its DefaultPolicy Drop takes the rest; the agent's
 *   WebSocket port and the controller's session stay;
 * - a Rule given a lower Order than another wins; a Rule with Target TargetChain jumps;
 * - bad Rules and settings answer 7012 (unknown interface, reversed port range, protocol 300,
 *   a TargetChain loop, AdvancedLevel naming no Level); deleting the active Level answers 7024;
 * - a restart with netfilter emptied compiles the stored tables again.
 * Needs root, nft and python3.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, type PeerNamespace } from '../peers/netns.js';
import { joinWanAndLan, nftTable, startEcho } from '../peers/routed-wan-lan.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-afw-${tag}`, `10.244.${tag % 250}`, `uspafw${tag}`, 'ctl0');
const wan = `usp-afww-${tag}`;
const lan = `usp-afwl-${tag}`;
const ROUTER_WAN = '203.0.113.1';
const WAN_HOST = '203.0.113.2';
const ROUTER_LAN = '192.168.62.1';
const LAN_HOST = '192.168.62.10';
const TABLE = 'usp_agent_firewall';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-afw-data-'));
let a: NamespacedAgent | undefined;
const peers: PeerNamespace[] = [];
const children: ChildProcess[] = [];

function sh(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** One TCP connection ("tcp") or UDP exchange ("udp"): prints "ok" when the echo comes back, else FAIL and why. */
const CLIENT = [
  'import socket, sys',
  "kind = socket.SOCK_DGRAM if sys.argv[3] == 'udp' else socket.SOCK_STREAM",
  's = socket.socket(socket.AF_INET, kind)',
  's.settimeout(1.5)',
  'try:',
  '    s.connect((sys.argv[1], int(sys.argv[2])))',
  "    s.send(b'x\\n')",
  "    print('ok' if s.recv(64) == b'x\\n' else 'FAIL short')",
  'except Exception as e:',
  "    print('FAIL', type(e).__name__)",
].join('\n');

function reach(ns: string, host: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): string {
  return sh('ip', 'netns', 'exec', ns, 'python3', '-c', CLIENT, host, String(port), proto).trim();
}

/** The Device.IP.Interface row (no trailing dot) of kernel device `name`. */
async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const row = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!row) throw new Error(`no IP.Interface for ${name}`);
  return row.slice(0, -1);
}

const errCode = (r: { ok: boolean; errCode?: number; paramErrCode?: number }): number | undefined => (r.ok ? undefined : (r.paramErrCode ?? r.errCode));

let level = '';
let levelChain = '';
let wanIf = '';
let lanIf = '';

beforeAll(async () => {
  peers.push(...joinWanAndLan(router, { wan, lan, routerWan: ROUTER_WAN, wanHost: WAN_HOST, routerLan: ROUTER_LAN, lanHost: LAN_HOST, lanNet: '192.168.62.0/24' }));
  await startEcho(children, wan, '7000');
  await startEcho(children, router.name, '7001');
  await startEcho(children, lan, '7002', '7003', 'u7005');
  a = await startAgentInNamespace(router, 'ctl0', { dataDir, args: ['--nat', 'off', '--access-control', 'off'] });
  wanIf = await ipInterface('wan0');
  lanIf = await ipInterface('lan0');
}, 40_000);

afterAll(async () => {
  await a?.close();
  for (const c of children) c.kill();
  router.remove();
  for (const p of peers) p.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Linux Device.Firewall Config Advanced in the kernel (nftables), in network namespaces', () => {
  it('a Level added brings its own Chain; its Rules and DefaultPolicy decide once Config is Advanced', async () => {
    const c = a!.controller;
    level = (await add(c, 'Device.Firewall.Level.', { Name: 'Custom', DefaultPolicy: 'Drop' })).replace(/\.$/, '');
    const row = (await getObjects(c, [`${level}.`]))[`${level}.`]!;
    expect(row).toMatchObject({ Name: 'Custom', DefaultPolicy: 'Drop', PortMappingEnabled: 'true', DefaultLogPolicy: 'false', Order: '1' });
    levelChain = row.Chain!;
    expect(levelChain).toMatch(/^Device\.Firewall\.Chain\.\d+$/);
    expect((await getObjects(c, [`${levelChain}.`]))[`${levelChain}.`]).toMatchObject({ Enable: 'true', Creator: 'ACS', RuleNumberOfEntries: '0' });
    // Nothing reaches the kernel while Config is not Advanced.
    expect(nftTable(router, TABLE)).toBe('');

    const fromWan = await add(c, `${levelChain}.Rule.`, { Enable: 'true', SourceInterface: wanIf, Protocol: '6', DestPort: '7002', Target: 'Accept' });
    await add(c, `${levelChain}.Rule.`, { Enable: 'true', SourceInterface: lanIf, Target: 'Accept' });
    expect((await getObjects(c, [`${fromWan}`]))[fromWan]).toMatchObject({ Status: 'Enabled', Order: '1', SourceInterface: wanIf });
    await set(c, 'Device.Firewall.', { Enable: 'true', Config: 'Advanced', AdvancedLevel: level });
    expect((await getObjects(c, ['Device.Firewall.']))['Device.Firewall.']).toMatchObject({ Config: 'Advanced', AdvancedLevel: level, LevelNumberOfEntries: '1' });
    expect(nftTable(router, TABLE)).toMatch(/chain chain_\d+ \{\s+iifname "wan0" .*dport 7002 accept\s+iifname "lan0" accept\s+\}/);
    expect(reach(wan, LAN_HOST, 7002)).toBe('ok');
    expect(reach(wan, LAN_HOST, 7003)).toBe('FAIL TimeoutError');
    expect(reach(wan, ROUTER_WAN, 7001)).toBe('FAIL TimeoutError');
    expect(reach(lan, WAN_HOST, 7000)).toBe('ok');
    // The Level's rules filter what reaches the device too: the lan0 rule lets the LAN in.
    expect(reach(lan, ROUTER_LAN, 7001)).toBe('ok');
    // The agent's own MTP port and the controller's session stay.
    expect(reach(wan, ROUTER_WAN, a!.port)).not.toBe('FAIL TimeoutError');
    expect((await getObjects(c, [`${levelChain}.RuleNumberOfEntries`]))[`${levelChain}.`]).toMatchObject({ RuleNumberOfEntries: '2' });
  }, 60_000);

  it('Order decides: a Reject placed before the Accept wins, moved after it loses', async () => {
    const c = a!.controller;
    const reject = await add(c, `${levelChain}.Rule.`, {
      Enable: 'true',
      Order: '1',
      SourceIP: WAN_HOST,
      DestIP: LAN_HOST,
      DestMask: '/32',
      Protocol: '6',
      DestPort: '7000',
      DestPortRangeMax: '7002',
      Target: 'Reject',
    });
    expect(reach(wan, LAN_HOST, 7002)).toBe('FAIL ConnectionRefusedError');
    await set(c, reject, { Order: '9' });
    expect(reach(wan, LAN_HOST, 7002)).toBe('ok');
    // Excluded: everything but ports 7000-7002 is rejected first now.
    await set(c, reject, { Order: '1', DestPortExclude: 'true' });
    expect(reach(wan, LAN_HOST, 7002)).toBe('ok');
    expect(reach(wan, LAN_HOST, 7003)).toBe('FAIL ConnectionRefusedError');
    await set(c, reject, { Enable: 'false' });
    expect((await getObjects(c, [reject]))[reject]).toMatchObject({ Status: 'Disabled' });
    expect(reach(wan, LAN_HOST, 7003)).toBe('FAIL TimeoutError');
  }, 60_000);

  it('a Rule with Target TargetChain jumps to another Chain; Return comes back', async () => {
    const c = a!.controller;
    const udp = (await add(c, 'Device.Firewall.Chain.', { Enable: 'true', Name: 'udp-services' })).replace(/\.$/, '');
    await add(c, `${udp}.Rule.`, { Enable: 'true', Protocol: '17', DestPort: '7005', Target: 'Accept' });
    expect(reach(wan, LAN_HOST, 7005, 'udp')).toBe('FAIL TimeoutError');
    await add(c, `${levelChain}.Rule.`, { Enable: 'true', SourceInterface: wanIf, IPVersion: '4', Target: 'TargetChain', TargetChain: udp });
    expect(nftTable(router, TABLE)).toMatch(/jump chain_\d+/);
    expect(reach(wan, LAN_HOST, 7005, 'udp')).toBe('ok');
    expect(reach(wan, LAN_HOST, 7003)).toBe('FAIL TimeoutError');
    // A Return before the Accept in the jumped-to chain: back in the level's chain, whose default drops.
    await add(c, `${udp}.Rule.`, { Enable: 'true', Order: '1', Protocol: '17', Target: 'Return' });
    expect(reach(wan, LAN_HOST, 7005, 'udp')).toBe('FAIL TimeoutError');
  }, 60_000);

  it('refuses what nft cannot hold with 7012, and the active Level cannot be deleted (7024)', async () => {
    const c = a!.controller;
    const before = nftTable(router, TABLE);
    const rule = `${levelChain}.Rule.`;
    expect(errCode(await tryAdd(c, rule, { SourceInterface: 'Device.IP.Interface.99' }))).toBe(7012);
    expect(errCode(await tryAdd(c, rule, { Protocol: '6', DestPort: '8000', DestPortRangeMax: '7000' }))).toBe(7012);
    expect(errCode(await tryAdd(c, rule, { Protocol: '300' }))).toBe(7012);
    expect(errCode(await tryAdd(c, rule, { Protocol: '1', DestPort: '80' }))).toBe(7012);
    expect(errCode(await tryAdd(c, rule, { Target: 'TargetChain', TargetChain: levelChain }))).toBe(7012);
    expect(errCode(await tryAdd(c, rule, { Target: 'TargetChain', TargetChain: 'Device.Firewall.Chain.77' }))).toBe(7012);
    expect(errCode(await trySet(c, 'Device.Firewall.', { AdvancedLevel: 'Device.Firewall.Level.42' }))).toBe(7012);
    expect(errCode(await trySet(c, `${level}.`, { DefaultLogPolicy: 'true' }))).toBe(7012);
    // A loop through two chains: the jumped-to chain jumping back.
    const jumped = Object.entries(await getObjects(c, ['Device.Firewall.Chain.*.Name'])).find(([, v]) => v.Name === 'udp-services')![0];
    expect(errCode(await tryAdd(c, `${jumped}Rule.`, { Target: 'TargetChain', TargetChain: levelChain }))).toBe(7012);
    const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [`${level}.`] } });
    expect(m.body.msgBody).toBe('error');
    if (m.body.msgBody === 'error') expect([m.body.error.errCode, ...(m.body.error.paramErrs ?? []).map((p) => p.errCode)]).toContain(7024);
    expect(nftTable(router, TABLE)).toBe(before);
    expect((await getObjects(c, ['Device.Firewall.']))['Device.Firewall.']).toMatchObject({ Config: 'Advanced', AdvancedLevel: level });
  }, 60_000);

  it('a restart compiles the stored tables again; a Level deleted after Config leaves Advanced takes its Chain', async () => {
    const port = a!.port;
    await a!.close();
    a = undefined;
    sh('ip', 'netns', 'exec', router.name, 'nft', 'flush', 'ruleset');
    expect(reach(wan, LAN_HOST, 7003)).toBe('ok');
    a = await startAgentInNamespace(router, 'ctl0', { dataDir, port, args: ['--nat', 'off', '--access-control', 'off'] });
    await expect.poll(() => nftTable(router, TABLE), { timeout: 15_000 }).toMatch(/jump chain_\d+/);
    expect(reach(wan, LAN_HOST, 7002)).toBe('ok');
    expect(reach(wan, LAN_HOST, 7003)).toBe('FAIL TimeoutError');
    expect(reach(lan, WAN_HOST, 7000)).toBe('ok');

    const c = a.controller;
    // A Rule's interface reads as the row of its device in this run's numbering.
    const interfaces = Object.values(await getObjects(c, [`${levelChain}.Rule.*.SourceInterface`])).map((v) => v.SourceInterface);
    expect(interfaces).toContain(await ipInterface('wan0'));
    expect(interfaces).toContain(await ipInterface('lan0'));
    await set(c, 'Device.Firewall.', { Config: 'Low' });
    expect(nftTable(router, TABLE)).not.toMatch(/chain_\d+/);
    // Its chain holds rules: it stays; emptied, a new Level's chain is removed with the Level.
    const spare = (await add(c, 'Device.Firewall.Level.', { Name: 'Spare' })).replace(/\.$/, '');
    const spareChain = (await getObjects(c, [`${spare}.Chain`]))[`${spare}.`]!.Chain!;
    await del(c, `${spare}.`);
    expect(Object.keys(await getObjects(c, ['Device.Firewall.Chain.*.Name']))).not.toContain(`${spareChain}.`);
    // The chain a Rule jumps to, deleted: that Rule reads Error_Misconfigured and can still be disabled.
    const jumped = Object.entries(await getObjects(c, ['Device.Firewall.Chain.*.Name'])).find(([, v]) => v.Name === 'udp-services')![0];
    await del(c, jumped);
    const jumper = Object.entries(await getObjects(c, [`${levelChain}.Rule.*.Target`])).find(([, v]) => v.Target === 'TargetChain')![0];
    expect((await getObjects(c, [jumper]))[jumper]).toMatchObject({ Status: 'Error_Misconfigured' });
    await set(c, jumper, { Enable: 'false' });
    await del(c, `${level}.`);
    expect(Object.keys(await getObjects(c, ['Device.Firewall.Chain.*.Name']))).toContain(`${levelChain}.`);
    expect((await getObjects(c, ['Device.Firewall.AdvancedLevel']))['Device.Firewall.']).toMatchObject({ AdvancedLevel: '' });
    expect(errCode(await trySet(c, 'Device.Firewall.', { Config: 'Advanced' }))).toBe(7012);
    await set(c, 'Device.Firewall.', { Enable: 'false' });
    expect(nftTable(router, TABLE)).toBe('');
  }, 60_000);
});
