/**
 * Device.Routing.RIP. on generic Linux, for real: the built agent process (`npm run build`
 * first) runs with `--platform linux --manage-interfaces rip0,lan0` in its own network
 * namespace and speaks RIPv2 through the bird it runs. A peer namespace on rip0's other end runs
 * a bird of its own (configuration written here, short timers) that announces 198.51.100.0/24.
 * The route reaches the agent's kernel (`proto bird`) and reads as an IPv4Forwarding row with
 * Origin RIP; the peer learns the agent's LAN (lan0's network). AcceptRA false drops the learnt
 * route at once; SendRA false stops the announcements, so the peer's route times out. Bad rows
 * are refused; the agent's routes leave with it and come back at its restart; RIP.Enable false
 * stops bird. Needs root (`ip netns`) and bird (package bird2).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, get, set, tryAdd } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { stopChild, untilReady } from '../peers/daemon-child.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const octet = tag % 250;
const ns = NetNamespace.create(`usp-rip-${tag}`, `10.245.${octet}`, `usprip${tag}`, 'ctl0');
const peer = PeerNamespace.beside(ns, `usp-rippeer-${tag}`, { inside: 'rip0', outside: 'rip1', routerAddress: `10.244.${octet}.1/24`, address: `10.244.${octet}.2/24` });
const dir = mkdtempSync(join(tmpdir(), 'usp-rip-'));
const RIP = 'Device.Routing.RIP.';
const SETTING = `${RIP}InterfaceSetting.`;
/** What the peer announces, and the agent's LAN the peer learns (RFC 5737 documentation space). */
const ANNOUNCED = '198.51.100.0/24';
const LAN = '192.0.2.0/24';
let a: NamespacedAgent | undefined;
let peerBird: ChildProcess | undefined;

const PEER_CONF = `log stderr all;
router id 0.0.0.2;
protocol device { scan time 2; }
protocol static { ipv4; route ${ANNOUNCED} blackhole; }
protocol kernel { learn off; ipv4 { import none; export where source = RTS_RIP; }; }
protocol rip {
  ipv4 { import all; export all; };
  interface "rip1" { version 2; update time 2; timeout time 6; };
}
`;

beforeAll(async () => {
  // The agent's LAN: a veth pair with both ends in its namespace, so lan0 has carrier.
  ns.ip('link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan0p');
  ns.ip('addr', 'add', '192.0.2.1/24', 'dev', 'lan0');
  ns.ip('link', 'set', 'lan0', 'up');
  ns.ip('link', 'set', 'lan0p', 'up');
  writeFileSync(join(dir, 'peer.conf'), PEER_CONF);
  peerBird = spawn(peer.exec[0]!, [...peer.exec.slice(1), '/usr/sbin/bird', '-f', '-c', join(dir, 'peer.conf'), '-s', join(dir, 'peer.ctl'), '-P', join(dir, 'peer.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await untilReady(
    peerBird,
    'peer bird',
    (o) => /Started/.test(o),
    (chunk) => (out += chunk),
  );
  a = await startAgentInNamespace(ns, 'rip0,lan0', { dataDir: join(dir, 'data') });
}, 30_000);

afterAll(async () => {
  await a?.close();
  await stopChild(peerBird);
  peer.remove();
  ns.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path.slice(0, -1);
}

/** The kernel's route to `dst` in a namespace ("" when none). */
const route = (where: { ip(...args: string[]): string }, dst: string): string => where.ip('-4', 'route', 'show', dst).trim();

describe('Linux RIP through bird, in network namespaces', () => {
  let wan = '';

  it('learns the peer announcement into the kernel (Origin RIP) and announces the LAN', async () => {
    const c = a!.controller;
    expect(await get(c, `${RIP}SupportedModes`)).toBe('Both');
    expect(await get(c, `${RIP}Enable`)).toBe('false');
    wan = await add(c, SETTING, { Enable: 'true', Interface: await ipInterface('rip0') });
    // The LAN is announced but RIP is not spoken there.
    await add(c, SETTING, { Enable: 'true', Interface: await ipInterface('lan0'), SendRA: 'false', AcceptRA: 'false' });
    expect(await get(c, `${wan}Status`)).toBe('Disabled');
    await set(c, RIP, { Enable: 'true' });
    await expect.poll(() => route(ns, ANNOUNCED), { timeout: 20_000, interval: 300 }).toMatch(new RegExp(`via 10\\.244\\.${octet}\\.2 dev rip0 proto bird`));
    await expect.poll(() => route(peer, LAN), { timeout: 20_000, interval: 300 }).toMatch(new RegExp(`via 10\\.244\\.${octet}\\.1 dev rip1 proto bird`));
    expect(await get(c, `${wan}Status`)).toBe('Enabled');
    expect(await get(c, `${RIP}InterfaceSettingNumberOfEntries`)).toBe('2');
    const rows = await getObjects(c, ['Device.Routing.Router.1.IPv4Forwarding.*.']);
    const learnt = Object.values(rows).find((r) => r.DestIPAddress === '198.51.100.0');
    expect(learnt).toMatchObject({ Origin: 'RIP', StaticRoute: 'false', DestSubnetMask: '255.255.255.0', GatewayIPAddress: `10.244.${octet}.2` });
  }, 60_000);

  it('refuses an unmanaged interface, loopback and a second row on one interface', async () => {
    const c = a!.controller;
    for (const [name, code] of [
      ['ctl0', 7002],
      ['lo', 7012],
      ['rip0', 7025], // Interface is the table's unique key
    ] as const) {
      const r = await tryAdd(c, SETTING, { Interface: await ipInterface(name) });
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.paramErrCode ?? r.errCode, name).toBe(code);
    }
    expect(await get(c, `${RIP}InterfaceSettingNumberOfEntries`)).toBe('2');
  }, 30_000);

  it('AcceptRA false drops the learnt route; SendRA false lets the peer forget the LAN', async () => {
    const c = a!.controller;
    await set(c, wan, { AcceptRA: 'false' });
    await expect.poll(() => route(ns, ANNOUNCED), { timeout: 20_000, interval: 300 }).toBe('');
    await set(c, wan, { SendRA: 'false' });
    await expect.poll(() => route(peer, LAN), { timeout: 30_000, interval: 500 }).toBe('');
  }, 60_000);

  it('the agent stopping takes its routes away; a restart runs bird on the stored rows again', async () => {
    await set(a!.controller, wan, { AcceptRA: 'true' });
    await expect.poll(() => route(ns, ANNOUNCED), { timeout: 20_000, interval: 300 }).toMatch(/proto bird/);
    const port = a!.port;
    await a!.close();
    a = undefined;
    await expect.poll(() => route(ns, ANNOUNCED), { timeout: 20_000, interval: 300 }).toBe('');
    a = await startAgentInNamespace(ns, 'rip0,lan0', { dataDir: join(dir, 'data'), port });
    await expect.poll(() => route(ns, ANNOUNCED), { timeout: 20_000, interval: 300 }).toMatch(/proto bird/);
    expect(await get(a.controller, `${wan}Status`)).toBe('Enabled');
  }, 60_000);

  it('RIP.Enable false stops bird; the rows read Disabled', async () => {
    const c = a!.controller;
    await set(c, RIP, { Enable: 'false' });
    expect(await get(c, `${wan}Status`)).toBe('Disabled');
    await expect.poll(() => route(ns, ANNOUNCED), { timeout: 20_000, interval: 300 }).toBe('');
  }, 60_000);
});
