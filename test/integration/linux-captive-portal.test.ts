/**
 * Device.CaptivePortal. on generic Linux, for real: the built agent process (`npm run build`
 * first) runs with `--platform linux` in a router namespace joined by veth pairs to a WAN
 * namespace (203.0.113.0/24, the router's default route: wan0 is the WAN side) and a LAN
 * namespace (192.168.62.0/24, routed, no NAT). A real HTTP server (python3 -m http.server) in
 * the WAN namespace serves a page on port 80 at two addresses; curl in the LAN namespace asks
 * for it. A controller connected over a real WebSocket sets the captive portal:
 *
 * - factory state: Disabled, no table, the LAN host gets the real page;
 * - enabled with a URL: the LAN host gets 302 Found to the URL, except from an AllowedList
 *   address, which serves the real page; an AllowedList host name is let through at the address
 *   the router's /etc/hosts gives it; the responder's port is closed to the WAN side;
 * - bad URLs and AllowedList entries are refused (7012, the schema's limit for a too long URL)
 *   and nothing changes; URL "" reads Error_URLEmpty and redirects nothing; Enable false
 *   removes the table;
 * - SIGTERM removes the table; a restart puts the stored setting back; the WAN follows the
 *   default route; an nft that refuses the table makes Status read Error.
 * Needs root, nft, python3 and curl.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, pathWithFailingNft, type PeerNamespace } from '../peers/netns.js';
import { joinWanAndLan, nftTable } from '../peers/routed-wan-lan.js';

const tag = process.pid % 100_000;
const router = NetNamespace.create(`usp-cp-${tag}`, `10.243.${tag % 250}`, `uspcp${tag}`, 'ctl0');
const wan = `usp-cpw-${tag}`;
const lan = `usp-cpl-${tag}`;
const ROUTER_WAN = '203.0.113.1';
const WAN_HOST = '203.0.113.2';
/** A second address of the WAN server, the one the AllowedList names. */
const WAN_ALLOWED = '203.0.113.3';
/** A third, which the AllowedList names by a host name the router's /etc/hosts resolves. */
const WAN_NAMED = '203.0.113.4';
const NAMED = 'www.allowed.test';
/** `ip netns exec` puts the files of /etc/netns/NAME/ over /etc/: the router's own /etc/hosts. */
const routerEtc = `/etc/netns/${router.name}`;
const ROUTER_LAN = '192.168.62.1';
const LAN_HOST = '192.168.62.10';
const TABLE = 'usp_agent_captive';
const PORTAL = 'http://portal.example.net/welcome?from=cpe';
const dataDir = mkdtempSync(join(tmpdir(), 'usp-cp-data-'));
const www = mkdtempSync(join(tmpdir(), 'usp-cp-www-'));
let a: NamespacedAgent | undefined;
const peers: PeerNamespace[] = [];
const children: ChildProcess[] = [];

/** What curl in `ns` gets for http://host/: "<code> <Location or -> <which body>". */
function fetchPage(ns: string, host: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '5', '-w', '\n%{http_code} %{redirect_url}', `http://${host}/`], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  const [code, location] = (lines.pop() ?? '').trim().split(' ');
  return `${code} ${location || '-'} ${lines.join(' ').includes('the real page') ? 'real-page' : lines.join(' ').includes('302 Found') ? 'redirect-body' : 'no-body'}`;
}

async function portal(): Promise<Record<string, string>> {
  return (await getObjects(a!.controller, ['Device.CaptivePortal.']))['Device.CaptivePortal.'] ?? {};
}

beforeAll(async () => {
  peers.push(...joinWanAndLan(router, { wan, lan, routerWan: ROUTER_WAN, wanHost: WAN_HOST, routerLan: ROUTER_LAN, lanHost: LAN_HOST, lanNet: '192.168.62.0/24' }));
  execFileSync('ip', ['-n', wan, 'addr', 'add', `${WAN_ALLOWED}/24`, 'dev', 'wanp']);
  execFileSync('ip', ['-n', wan, 'addr', 'add', `${WAN_NAMED}/24`, 'dev', 'wanp']);
  mkdirSync(routerEtc, { recursive: true });
  writeFileSync(join(routerEtc, 'hosts'), `127.0.0.1 localhost\n${WAN_NAMED} ${NAMED}\n`);
  writeFileSync(join(www, 'index.html'), '<html><body>the real page</body></html>\n');
  const server = spawn('ip', ['netns', 'exec', wan, 'python3', '-m', 'http.server', '80', '--bind', '0.0.0.0', '--directory', www], { stdio: 'ignore' });
  children.push(server);
  await vi.waitFor(() => expect(fetchPage(wan, WAN_HOST)).toBe('200 - real-page'), { timeout: 15_000, interval: 200 });
  a = await startAgentInNamespace(router, 'ctl0', { dataDir });
}, 60_000);

afterAll(async () => {
  await a?.close();
  for (const c of children) c.kill();
  router.remove();
  for (const p of peers) p.remove();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(www, { recursive: true, force: true });
  rmSync(routerEtc, { recursive: true, force: true });
});

describe("Linux Device.CaptivePortal in the kernel (nftables) with the agent's responder, in network namespaces", () => {
  it('starts disabled, with nothing written to netfilter', async () => {
    expect(await portal()).toEqual({ Enable: 'false', Status: 'Disabled', AllowedList: '', URL: '' });
    expect(nftTable(router, TABLE)).toBe('');
    expect(fetchPage(lan, WAN_HOST)).toBe('200 - real-page');
  });

  it('enabled: LAN HTTP is redirected to the URL, but not to an AllowedList address', async () => {
    await set(a!.controller, 'Device.CaptivePortal.', { URL: PORTAL, AllowedList: `${WAN_ALLOWED}, 198.51.100.7/24, 2001:db8::1/48`, Enable: 'true' });
    expect(await portal()).toEqual({ Enable: 'true', Status: 'Enabled', AllowedList: `${WAN_ALLOWED},198.51.100.7/24,2001:db8::1/48`, URL: PORTAL });
    const table = nftTable(router, TABLE);
    expect(table).toContain('elements = { "wan0" }');
    expect(table).toMatch(/203\.0\.113\.3/);
    expect(table).toMatch(/198\.51\.100\.0\/24/);
    expect(table).toMatch(/2001:db8::\/48/);
    expect(fetchPage(lan, WAN_HOST)).toBe(`302 ${PORTAL} redirect-body`);
    expect(fetchPage(lan, WAN_ALLOWED)).toBe('200 - real-page');
    expect(fetchPage(lan, WAN_NAMED)).toBe(`302 ${PORTAL} redirect-body`);
    // The WAN side is not redirected, and cannot reach the responder's port.
    expect(fetchPage(wan, WAN_HOST)).toBe('200 - real-page');
    const port = Number(/redirect to :(\d+)/.exec(table)?.[1]);
    expect(port).toBeGreaterThan(0);
    const direct = spawnSync('ip', ['netns', 'exec', wan, 'curl', '-s', '--max-time', '2', '-o', '/dev/null', '-w', '%{http_code}', `http://${ROUTER_WAN}:${port}/`], { encoding: 'utf8' });
    expect(direct.stdout).toBe('000');
  });

  it('lets a host name of the AllowedList through at the addresses the router resolves it to', async () => {
    await set(a!.controller, 'Device.CaptivePortal.', { AllowedList: `${WAN_ALLOWED},${NAMED}` });
    expect(nftTable(router, TABLE)).toMatch(/203\.0\.113\.4/);
    expect(fetchPage(lan, WAN_NAMED)).toBe('200 - real-page');
    expect(fetchPage(lan, WAN_ALLOWED)).toBe('200 - real-page');
    expect(fetchPage(lan, WAN_HOST)).toBe(`302 ${PORTAL} redirect-body`);
  });

  it('refuses bad URLs and AllowedList entries, and changes nothing', async () => {
    const c = a!.controller;
    const before = nftTable(router, TABLE);
    const bad: Array<[Record<string, string>, number]> = [
      [{ URL: 'https://portal.example.net/' }, 7012],
      [{ URL: 'ftp://portal.example.net/' }, 7012],
      [{ URL: 'not a url' }, 7012],
      [{ URL: 'http://portal.example.net/\r\nSet-Cookie: x=1' }, 7012],
      [{ URL: `http://portal.example.net/${'a'.repeat(2048)}` }, 7012],
      [{ AllowedList: '300.1.1.1' }, 7012],
      [{ AllowedList: '10.0.0.0/33' }, 7012],
      [{ AllowedList: 'localhost' }, 7012],
      [{ AllowedList: '10.0.0.1, nonsense!' }, 7012],
      [{ Status: 'Enabled' }, 7013],
    ];
    for (const [params, code] of bad) {
      const r = await trySet(c, 'Device.CaptivePortal.', params);
      expect(r.ok, JSON.stringify(params).slice(0, 80)).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params).slice(0, 80)).toBe(code);
    }
    expect(await portal()).toMatchObject({ Enable: 'true', Status: 'Enabled', URL: PORTAL });
    expect(nftTable(router, TABLE)).toBe(before);
    expect(fetchPage(lan, WAN_HOST)).toBe(`302 ${PORTAL} redirect-body`);
  });

  it('URL "" reads Error_URLEmpty and redirects nothing; Enable false removes the table', async () => {
    const c = a!.controller;
    await set(c, 'Device.CaptivePortal.', { URL: '' });
    expect((await portal()).Status).toBe('Error_URLEmpty');
    expect(nftTable(router, TABLE)).toBe('');
    expect(fetchPage(lan, WAN_HOST)).toBe('200 - real-page');
    await set(c, 'Device.CaptivePortal.', { URL: PORTAL });
    expect(fetchPage(lan, WAN_HOST)).toBe(`302 ${PORTAL} redirect-body`);
    await set(c, 'Device.CaptivePortal.', { Enable: 'false' });
    expect(await portal()).toMatchObject({ Enable: 'false', Status: 'Disabled', URL: PORTAL });
    expect(nftTable(router, TABLE)).toBe('');
    expect(fetchPage(lan, WAN_HOST)).toBe('200 - real-page');
  });

  it('SIGTERM removes the table; a restart puts the stored setting back', async () => {
    await set(a!.controller, 'Device.CaptivePortal.', { Enable: 'true' });
    expect(fetchPage(lan, WAN_HOST)).toBe(`302 ${PORTAL} redirect-body`);
    const port = a!.port;
    await a!.close();
    a = undefined;
    await expect.poll(() => nftTable(router, TABLE), { timeout: 15_000 }).toBe('');
    expect(fetchPage(lan, WAN_HOST)).toBe('200 - real-page');
    a = await startAgentInNamespace(router, 'ctl0', { dataDir, port });
    await expect.poll(() => nftTable(router, TABLE), { timeout: 15_000 }).toContain('elements = { "wan0" }');
    expect(await portal()).toMatchObject({ Enable: 'true', Status: 'Enabled', URL: PORTAL });
    expect(fetchPage(lan, WAN_HOST)).toBe(`302 ${PORTAL} redirect-body`);
    expect(fetchPage(lan, WAN_ALLOWED)).toBe('200 - real-page');

    // The WAN follows the default route: gone, nothing is WAN; back, wan0 is again.
    router.ip('route', 'del', 'default');
    await expect.poll(() => nftTable(router, TABLE), { timeout: 15_000 }).not.toContain('"wan0"');
    router.ip('route', 'add', 'default', 'via', WAN_HOST);
    await expect.poll(() => nftTable(router, TABLE), { timeout: 15_000 }).toContain('elements = { "wan0" }');
    await a.close();
    a = undefined;
    await expect.poll(() => nftTable(router, TABLE), { timeout: 15_000 }).toBe('');
  }, 60_000);

  it('an nft that refuses the table: Status reads Error and the agent keeps answering', async () => {
    const failing = NetNamespace.create(`usp-cpf-${tag}`, `10.242.${tag % 250}`, `uspcpf${tag}`, 'ctl0');
    const bin = pathWithFailingNft();
    let b: NamespacedAgent | undefined;
    try {
      b = await startAgentInNamespace(failing, 'ctl0', { env: { PATH: bin }, args: ['--packet-counters', 'off', '--nat', 'off', '--access-control', 'off', '--firewall', 'off'] });
      await set(b.controller, 'Device.CaptivePortal.', { URL: PORTAL, Enable: 'true' });
      expect((await getObjects(b.controller, ['Device.CaptivePortal.']))['Device.CaptivePortal.']).toMatchObject({ Enable: 'true', Status: 'Error', URL: PORTAL });
      expect(b.agent.lines.some((l) => /captive portal not applied/.test(l.text))).toBe(true);
      await set(b.controller, 'Device.CaptivePortal.', { Enable: 'false' });
      expect((await getObjects(b.controller, ['Device.CaptivePortal.Status']))['Device.CaptivePortal.']).toEqual({ Status: 'Disabled' });
    } finally {
      await b?.close();
      failing.remove();
      rmSync(bin, { recursive: true, force: true });
    }
  }, 60_000);
});
