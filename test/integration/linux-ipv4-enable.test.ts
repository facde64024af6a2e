/**
 * IPInterface:2's IPv4 switches on generic Linux, for real: the built agent (`npm run build`
 * first) runs with `--manage-interfaces '*'` in its own network namespace; en0 is a veth to a
 * peer namespace (192.0.2.1 ↔ 192.0.2.2) with a static route over it. A controller switches
 * IP.Interface.{en0}.IPv4Enable off: the kernel (`ip -n NS -4 addr`, `ip route`) loses the
 * address and the route, the peer's ping fails, the row stays (Status Disabled); on: both come
 * back and the ping answers. Device.IP.IPv4Enable does the same on every interface but
 * loopback, once the controller talks to the agent over IPv6; while it talks over IPv4 the agent
 * refuses to cut that path (7012). Needs root (`ip netns`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { TestController } from '../peers/TestController.js';

const tag = process.pid % 100_000;
const outside = `uspv4sw${tag}`;
const ns = NetNamespace.create(`usp-v4sw-${tag}`, `10.248.${tag % 250}`, outside, 'ctl0');
const v6 = { outside: `fd5a:${(tag % 0xffff).toString(16)}::1`, agent: `fd5a:${(tag % 0xffff).toString(16)}::2` };
let peer: PeerNamespace | undefined;
let a: NamespacedAgent | undefined;
/** The controller of the global switch's steps, over IPv6. */
let c6: TestController | undefined;

beforeAll(async () => {
  peer = PeerNamespace.beside(ns, `usp-v4swp-${tag}`, { inside: 'en0', outside: 'p0', routerAddress: '192.0.2.1/24', address: '192.0.2.2/24' });
  ns.ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.2', 'dev', 'en0');
  // An IPv6 path to the agent beside the IPv4 one, for a controller that survives IPv4 going off.
  execFileSync('ip', ['addr', 'add', `${v6.outside}/64`, 'dev', outside, 'nodad']);
  ns.ip('addr', 'add', `${v6.agent}/64`, 'dev', 'ctl0', 'nodad');
  a = await startAgentInNamespace(ns, '*');
}, 30_000);

afterAll(async () => {
  await c6?.close();
  await a?.close();
  peer?.remove();
  ns.remove();
});

function v4(ifname: string): string[] {
  return (ns.link(ifname)?.addr_info ?? []).filter((x) => x.family === 'inet').map((x) => `${x.local}/${x.prefixlen}`);
}

function routes(): string {
  return ns.ip('-4', 'route', 'show', 'dev', 'en0');
}

/** Whether the peer's ping of en0's address is answered. */
function pingAnswered(): boolean {
  return spawnSync('ip', [...peer!.exec.slice(1), 'ping', '-c', '1', '-W', '1', '192.0.2.1'], { stdio: 'ignore' }).status === 0;
}

async function ipInterface(c: TestController, name: string): Promise<string> {
  const rows = await getObjects(c, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path;
}

function code(r: Awaited<ReturnType<typeof trySet>>): number {
  return r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1);
}

describe('Linux IPv4Enable (IPInterface:2), in a network namespace', () => {
  it('Interface.IPv4Enable false takes the address and route off en0 (ping fails), keeps the row; true puts them back', async () => {
    const c = a!.controller;
    const en0 = await ipInterface(c, 'en0');
    expect(pingAnswered()).toBe(true);
    await set(c, en0, { IPv4Enable: 'false' });
    expect(v4('en0')).toEqual([]);
    expect(routes()).not.toContain('198.51.100.0/24');
    expect(pingAnswered()).toBe(false);
    const rows = await getObjects(c, [`${en0}IPv4Address.*.`]);
    expect(Object.values(rows)).toEqual([expect.objectContaining({ Enable: 'true', Status: 'Disabled', IPAddress: '192.0.2.1', SubnetMask: '255.255.255.0' })]);
    expect(await get(c, `${en0}IPv4Enable`)).toBe('false');
    // No IPv4 address may reach the kernel while the switch is off.
    const refused = await trySet(c, Object.keys(rows)[0]!, { IPAddress: '192.0.2.9' });
    expect(code(refused)).toBe(7012);
    await set(c, en0, { IPv4Enable: 'true' });
    expect(v4('en0')).toEqual(['192.0.2.1/24']);
    expect(routes()).toContain('198.51.100.0/24 via 192.0.2.2');
    expect(pingAnswered()).toBe(true);
    expect(await get(c, `${en0}IPv4Enable`)).toBe('true');
  });

  it("refuses to cut the controller's own path, loopback and a bad value (nothing changes)", async () => {
    const c = a!.controller;
    const ctl0 = await ipInterface(c, 'ctl0');
    const lo = await ipInterface(c, 'lo');
    expect(code(await trySet(c, ctl0, { IPv4Enable: 'false' }))).toBe(7012);
    expect(code(await trySet(c, 'Device.IP.', { IPv4Enable: 'false' }))).toBe(7012);
    expect(code(await trySet(c, lo, { IPv4Enable: 'false' }))).toBe(7012);
    const bad = await trySet(c, ctl0, { IPv4Enable: 'maybe' });
    expect(bad.ok).toBe(false);
    expect(v4('ctl0')).toEqual([`${ns.agentAddress}/30`]);
    expect(v4('lo')).toEqual(['127.0.0.1/8']);
    expect(await get(c, 'Device.IP.IPv4Status')).toBe('Enabled');
  });

  it('Device.IP.IPv4Enable false (controller over IPv6) takes IPv4 off every interface but loopback; true puts it back', async () => {
    await a!.controller.close();
    c6 = await TestController.connect(`ws://[${v6.agent}]:${a!.port}/usp`, CONTROLLER_EID, AGENT_EID);
    const en0 = await ipInterface(c6, 'en0');
    // The IPv4 connection the agent had is closing: the guard lets the switch go once it is gone.
    await expect.poll(async () => code(await trySet(c6!, 'Device.IP.', { IPv4Enable: 'false' })), { timeout: 15_000, interval: 300 }).toBe(0);
    expect(v4('en0')).toEqual([]);
    expect(v4('ctl0')).toEqual([]);
    expect(v4('lo')).toEqual(['127.0.0.1/8']);
    expect(pingAnswered()).toBe(false);
    expect(await get(c6, 'Device.IP.IPv4Status')).toBe('Disabled');
    // The interface keeps its own switch; its address row reads Disabled.
    expect(await get(c6, `${en0}IPv4Enable`)).toBe('true');
    expect(await get(c6, `${en0}IPv4Address.1.Status`)).toBe('Disabled');
    const added = await tryAdd(c6, `${en0}IPv4Address.`, { IPAddress: '192.0.2.7', SubnetMask: '255.255.255.0' });
    expect(added.ok ? 0 : (added.paramErrCode ?? added.errCode)).toBe(7012);
    await set(c6, 'Device.IP.', { IPv4Enable: 'true' });
    expect(v4('en0')).toEqual(['192.0.2.1/24']);
    expect(v4('ctl0')).toEqual([`${ns.agentAddress}/30`]);
    expect(routes()).toContain('198.51.100.0/24 via 192.0.2.2');
    expect(pingAnswered()).toBe(true);
    expect(await get(c6, 'Device.IP.IPv4Status')).toBe('Enabled');
  });
});
