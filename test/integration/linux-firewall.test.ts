/**
 * Device.Firewall. on generic Linux, for real: the built agent process (`npm run build` first)
 * runs with `--platform linux` in a router namespace joined by veth pairs to a WAN namespace
 * (203.0.113.0/24, the router's default route: so wan0 is the WAN side) and a LAN namespace
 * (192.168.61.0/24, routed both ways, no NAT). A controller connected over a real WebSocket
 * sets Enable and Config; what the kernel makes of them is checked with real TCP connections:
 *
 * - factory state: Enable false, no table, everything reaches everything;
 * - Low: unsolicited connections from the WAN host to the router and to the LAN host are
 *   dropped; the LAN host reaches any WAN port; the agent's own WebSocket port stays reachable
 *   from the WAN side;
 * - High: the LAN host still reaches a common service (port 80) but a new connection to another
 *   port is refused, while a connection it opened before the change still carries data; the
 *   controller keeps its session;
 * - Advanced/Policy/unknown Config answer 7012 and change nothing; an unsaved change (the data
 *   directory replaced by a file) answers 7003 and the kernel keeps the old level;
 * - a restart with netfilter emptied writes the stored setting again; Enable false removes the
 *   table; an nft that refuses the table makes the Set answer 7003 and keeps the old setting;
 *   `--firewall off` serves no Device.Firewall. Needs root, nft and python3.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, type PeerNamespace, pathWithFailingNft } from '../peers/netns.js';
import { joinWanAndLan, nftTable, startEcho } from '../peers/routed-wan-lan.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-fw-${tag}`, `10.246.${tag % 250}`, `uspfw${tag}`, 'ctl0');
const wan = `usp-fww-${tag}`;
const lan = `usp-fwl-${tag}`;
const ROUTER_WAN = '203.0.113.1';
const WAN_HOST = '203.0.113.2';
const ROUTER_LAN = '192.168.61.1';
const LAN_HOST = '192.168.61.10';
const TABLE = 'usp_agent_firewall';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-fw-data-'));
let a: NamespacedAgent | undefined;
const peers: PeerNamespace[] = [];
const children: ChildProcess[] = [];

function sh(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** One connection attempt: prints "ok" when a line comes back ("connected" once connected, with a third argument), else FAIL and why. */
const CLIENT = [
  'import socket, sys',
  's = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
  's.settimeout(1.5)',
  'try:',
  '    s.connect((sys.argv[1], int(sys.argv[2])))',
  "    if len(sys.argv) > 3: print('connected'); sys.exit(0)",
  "    s.sendall(b'x\\n')",
  "    print('ok' if s.recv(64) == b'x\\n' else 'FAIL short')",
  'except Exception as e:',
  "    print('FAIL', type(e).__name__)",
].join('\n');

/** A connection kept open: each stdin line is sent and its echo printed. */
const KEPT_CLIENT = [
  'import socket, sys',
  's = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)',
  "print('ready', flush=True)",
  'for line in sys.stdin:',
  '    s.sendall(line.encode())',
  "    print(s.recv(64).decode().strip() or 'closed', flush=True)",
].join('\n');

/** What a connection from namespace `ns` to host:port ends in: "ok" or "FAIL <why>" (timeout: dropped; ConnectionRefusedError: rejected). */
function connect(ns: string, host: string, port: number, only?: 'connect'): string {
  return sh('ip', 'netns', 'exec', ns, 'python3', '-c', CLIENT, host, String(port), ...(only ? [only] : [])).trim();
}

async function firewall(): Promise<Record<string, string>> {
  return (await getObjects(a!.controller, ['Device.Firewall.']))['Device.Firewall.'] ?? {};
}

beforeAll(async () => {
  peers.push(...joinWanAndLan(router, { wan, lan, routerWan: ROUTER_WAN, wanHost: WAN_HOST, routerLan: ROUTER_LAN, lanHost: LAN_HOST, lanNet: '192.168.61.0/24' }));
  await startEcho(children, wan, 7000, 80);
  await startEcho(children, router.name, 7001);
  await startEcho(children, lan, 7002);
  a = await startAgentInNamespace(router, 'ctl0', { dataDir });
}, 40_000);

afterAll(async () => {
  await a?.close();
  for (const c of children) c.kill();
  router.remove();
  for (const p of peers) p.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Linux Device.Firewall in the kernel (nftables), in network namespaces', () => {
  it('starts disabled, with nothing written to netfilter', async () => {
    expect(await firewall()).toMatchObject({ Enable: 'false', Config: 'Low', Type: 'Stateful', Version: 'usp-agent-nft-1', LastChange: '0001-01-01T00:00:00Z' });
    expect(nftTable(router, TABLE)).toBe('');
    expect(connect(wan, ROUTER_WAN, 7001)).toBe('ok');
    expect(connect(wan, LAN_HOST, 7002)).toBe('ok');
  });

  it('Low drops unsolicited inbound from the WAN side, keeps the agent reachable and lets the LAN out', async () => {
    const c = a!.controller;
    await set(c, 'Device.Firewall.', { Enable: 'true' });
    const fw = await firewall();
    expect(fw).toMatchObject({ Enable: 'true', Config: 'Low' });
    expect(Date.parse(fw.LastChange!)).toBeGreaterThan(Date.now() - 600_000);
    const table = nftTable(router, TABLE);
    expect(table).toContain('elements = { "wan0" }');
    expect(table).toContain(`tcp dport ${a!.port} accept`);
    expect(connect(wan, ROUTER_WAN, 7001)).toBe('FAIL TimeoutError');
    expect(connect(wan, LAN_HOST, 7002)).toBe('FAIL TimeoutError');
    expect(connect(lan, WAN_HOST, 7000)).toBe('ok');
    expect(connect(lan, WAN_HOST, 80)).toBe('ok');
    // The agent's WebSocket listener is an MTP: reachable from the WAN side whatever the level.
    expect(connect(wan, ROUTER_WAN, a!.port, 'connect')).toBe('connected');
    // The LAN side is not filtered.
    expect(connect(lan, ROUTER_LAN, 7001)).toBe('ok');
  });

  it('High limits the LAN to the common services; a connection opened before keeps flowing; the controller stays', async () => {
    const c = a!.controller;
    const kept = spawn('ip', ['netns', 'exec', lan, 'python3', '-c', KEPT_CLIENT, WAN_HOST, '7000'], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(kept);
    const lines = createInterface({ input: kept.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('ready');
    await set(c, 'Device.Firewall.', { Config: 'High' });
    expect(await firewall()).toMatchObject({ Enable: 'true', Config: 'High' });
    expect(connect(lan, WAN_HOST, 80)).toBe('ok');
    expect(connect(lan, WAN_HOST, 7000)).toBe('FAIL ConnectionRefusedError');
    kept.stdin!.write('still-here\n');
    expect((await lines.next()).value).toBe('still-here');
    kept.stdin!.end();
    expect(connect(wan, ROUTER_WAN, 7001)).toBe('FAIL TimeoutError');
    expect(connect(wan, ROUTER_WAN, a!.port, 'connect')).toBe('connected');
    expect((await firewall()).Config).toBe('High');
  });

  it('refuses what this firewall cannot be with 7012, and changes nothing', async () => {
    const c = a!.controller;
    const before = nftTable(router, TABLE);
    const last = (await firewall()).LastChange;
    for (const config of ['Advanced', 'Policy', 'Off', 'Maximum']) {
      const r = await trySet(c, 'Device.Firewall.', { Config: config });
      expect(r.ok, config).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, config).toBe(7012);
    }
    const r = await trySet(c, 'Device.Firewall.', { Type: 'Stateless' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.paramErrCode ?? r.errCode).toBe(7013);
    expect(await firewall()).toMatchObject({ Enable: 'true', Config: 'High', LastChange: last });
    expect(nftTable(router, TABLE)).toBe(before);
  });

  it('a change the store cannot save answers 7003 and the kernel keeps the level saved', async () => {
    const c = a!.controller;
    // Tests run as root, for whom permissions do not stop a write: put a file where the directory was.
    renameSync(dataDir, `${dataDir}.away`);
    writeFileSync(dataDir, 'not a directory');
    try {
      const r = await trySet(c, 'Device.Firewall.', { Config: 'Low' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errCode).toBe(7003);
    } finally {
      rmSync(dataDir);
      renameSync(`${dataDir}.away`, dataDir);
    }
    expect((await firewall()).Config).toBe('High');
    await expect.poll(() => connect(lan, WAN_HOST, 7000), { timeout: 15_000 }).toBe('FAIL ConnectionRefusedError');
  });

  it('a restart writes the stored setting again; Enable false removes the table', async () => {
    const port = a!.port;
    await a!.close();
    a = undefined;
    // A reboot empties netfilter.
    sh('ip', 'netns', 'exec', router.name, 'nft', 'flush', 'ruleset');
    expect(connect(wan, ROUTER_WAN, 7001)).toBe('ok');
    a = await startAgentInNamespace(router, 'ctl0', { dataDir, port });
    expect(await firewall()).toMatchObject({ Enable: 'true', Config: 'High' });
    await expect.poll(() => nftTable(router, TABLE), { timeout: 15_000 }).toContain('elements = { "wan0" }');
    expect(connect(wan, ROUTER_WAN, 7001)).toBe('FAIL TimeoutError');
    expect(connect(lan, WAN_HOST, 7000)).toBe('FAIL ConnectionRefusedError');

    // The WAN follows the default route: gone, nothing is WAN; back, wan0 is again.
    router.ip('route', 'del', 'default');
    await expect.poll(() => nftTable(router, TABLE), { timeout: 15_000 }).not.toContain('"wan0"');
    router.ip('route', 'add', 'default', 'via', WAN_HOST);
    await expect.poll(() => nftTable(router, TABLE), { timeout: 15_000 }).toContain('elements = { "wan0" }');

    await set(a.controller, 'Device.Firewall.', { Enable: 'false' });
    expect(nftTable(router, TABLE)).toBe('');
    expect(connect(wan, ROUTER_WAN, 7001)).toBe('ok');
    expect(connect(wan, LAN_HOST, 7002)).toBe('ok');
    expect(connect(lan, WAN_HOST, 7000)).toBe('ok');
    expect(await firewall()).toMatchObject({ Enable: 'false', Config: 'High' });
  }, 60_000);

  it('nft refusing the table: the Set answers 7003 naming nft and nothing changes; --firewall off serves none', async () => {
    const failing = NetNamespace.create(`usp-fwf-${tag}`, `10.245.${tag % 250}`, `uspfwf${tag}`, 'ctl0');
    const bin = pathWithFailingNft();
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(failing, 'ctl0', { env: { PATH: bin }, args: ['--packet-counters', 'off', '--nat', 'off', '--access-control', 'off'] });
      const r = await trySet(b.controller, 'Device.Firewall.', { Enable: 'true' });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.paramErrCode ?? r.errCode).toBe(7003);
        expect(r.errMsg).toMatch(/firewall .* did not take the setting.*Could not process rule/);
      }
      expect((await getObjects(b.controller, ['Device.Firewall.Enable']))['Device.Firewall.']).toMatchObject({ Enable: 'false' });
      await b.close();
      b = await startAgentInNamespace(failing, 'ctl0', { args: ['--firewall', 'off'] });
      expect((await trySet(b.controller, 'Device.Firewall.', { Enable: 'true' })).ok).toBe(false);
      const line = b.agent.lines.find((l) => /Device\.Firewall\. not served/.test(l.text));
      expect(line?.text).toMatch(/switched off \(--firewall off\)/);
    } finally {
      await b?.close();
      failing.remove();
      rmSync(bin, { recursive: true, force: true });
    }
  }, 60_000);
});
