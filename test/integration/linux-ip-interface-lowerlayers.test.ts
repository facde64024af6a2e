/**
 * Device.IP.Interface.{i}.LowerLayers written on Linux, for real: the built agent process
 * (`npm run build` first) on `--platform linux` in its own network namespace with two veth
 * links, va0 and vc0, each wired to a host namespace of its own (192.0.2.1 behind va0,
 * 192.0.2.2 behind vc0). A Controller Adds an IP.Interface on va0's Ethernet.Link (the macvlan
 * ip-usp1) with an address and an MTU; a Set of its LowerLayers to vc0's Link re-stacks it:
 * the kernel shows the macvlan on vc0 with the same MAC, MTU, address and static route, and now the host
 * behind vc0 reaches it over the wire. A host's own interface, a Link the agent does not
 * manage, no Link and a list of two are refused with 7012; a transaction that fails after the
 * re-stack, or a re-stack the kernel refuses halfway, puts the macvlan back on its old Link. Needs root (`ip netns`).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-ll-${tag}`, `10.244.${tag % 250}`, `uspll${tag}`, 'ctl0');
const hostA = PeerNamespace.beside(ns, `usp-lla-${tag}`, { inside: 'va0', outside: 'pa0', address: '192.0.2.1/24' });
const hostB = PeerNamespace.beside(ns, `usp-llb-${tag}`, { inside: 'vc0', outside: 'pc0', address: '192.0.2.2/24' });
const ADDRESS = '192.0.2.77';
let a: NamespacedAgent | undefined;
let row = '';

beforeAll(async () => {
  // va0 and vc0 are the router's ends of the two wires; ip-usp1 is the macvlan an Add makes.
  a = await startAgentInNamespace(ns, '', { fileSettings: { $manageInterfaces: ['va0', 'vc0', 'ip-usp1'] } });
}, 30_000);

afterAll(async () => {
  await a?.close();
  hostA.remove();
  hostB.remove();
  ns.remove();
});

async function linkRow(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.Ethernet.Link.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no Ethernet.Link for ${name}`);
  return path.replace(/\.$/, '');
}

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path;
}

/** The macvlan as the kernel shows it (`ip -d -json addr show`). */
function macvlan(): { link?: string; address?: string; mtu?: number; flags: string[]; linkinfo?: { info_kind?: string }; addr_info: Array<{ family: string; local: string }> } {
  return (JSON.parse(ns.ip('-d', '-json', 'addr', 'show', 'dev', 'ip-usp1')) as Array<ReturnType<typeof macvlan>>)[0]!;
}

/** Whether `host` reaches the macvlan's address with one ping. */
function reaches(host: PeerNamespace): boolean {
  return spawnSync('ip', ['netns', 'exec', host.name, 'ping', '-c', '1', '-W', '2', ADDRESS], { stdio: 'ignore' }).status === 0;
}

function code(r: { ok: boolean; errCode?: number; paramErrCode?: number }): number {
  return r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1);
}

describe('Linux IP.Interface LowerLayers, in network namespaces', () => {
  it("a Set of an added interface's LowerLayers re-stacks its macvlan on the new Link with its MAC, MTU and address; the host on that wire reaches it", async () => {
    const c = a!.controller;
    ns.ip('link', 'set', 'va0', 'up');
    ns.ip('link', 'set', 'vc0', 'up');
    row = await add(c, 'Device.IP.Interface.', { LowerLayers: await linkRow('va0'), Enable: 'true' });
    await add(c, `${row}IPv4Address.`, { IPAddress: ADDRESS, SubnetMask: '255.255.255.0', Enable: 'true' });
    await set(c, row, { MaxMTUSize: '1400' });
    expect(await get(c, `${row}LowerLayers`)).toBe(await linkRow('va0'));
    const before = macvlan();
    expect(before).toMatchObject({ link: 'va0', mtu: 1400 });
    await expect.poll(() => reaches(hostA), { timeout: 20_000, interval: 500 }).toBe(true);
    // A route someone added over it, in a table of its own (the kernel drops it with the device).
    ns.ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.1', 'dev', 'ip-usp1', 'metric', '7', 'table', '100');

    await set(c, row, { LowerLayers: await linkRow('vc0') });
    const after = macvlan();
    expect(after).toMatchObject({ link: 'vc0', address: before.address, mtu: 1400, linkinfo: { info_kind: 'macvlan' } });
    expect(after.flags).toContain('UP');
    expect(after.addr_info.filter((x) => x.family === 'inet').map((x) => x.local)).toEqual([ADDRESS]);
    expect(await get(c, `${row}LowerLayers`)).toBe(await linkRow('vc0'));
    expect(await ipInterface('ip-usp1')).toBe(row);
    expect(ns.ip('route', 'show', 'table', '100').trim()).toBe('198.51.100.0/24 via 192.0.2.1 dev ip-usp1 metric 7');
    expect(Object.values(await getObjects(c, [`${row}IPv4Address.*.IPAddress`])).map((v) => v.IPAddress)).toEqual([ADDRESS]);
    await expect.poll(() => reaches(hostB), { timeout: 20_000, interval: 500 }).toBe(true);
    expect(reaches(hostA)).toBe(false);
  }, 90_000);

  it("refuses a host's own interface, an unmanaged Link, no Link and two Links with 7012, the macvlan left where it is", async () => {
    const c = a!.controller;
    const va0 = await ipInterface('va0');
    const own = await trySet(c, va0, { LowerLayers: await linkRow('vc0') });
    expect(code(own)).toBe(7012);
    if (!own.ok) expect(own.errMsg).toMatch(/va0 is one of the host's own interfaces/);
    for (const value of [await linkRow('ctl0'), 'Device.Ethernet.Link.999', '', `${await linkRow('va0')},${await linkRow('vc0')}`, 'Device.IP.Interface.1']) {
      const r = await trySet(c, row, { LowerLayers: value });
      expect(code(r), value).toBe(7012);
    }
    expect(macvlan()).toMatchObject({ link: 'vc0' });
  }, 60_000);

  it('a transaction failing after the re-stack puts the macvlan back on its old Link', async () => {
    const c = a!.controller;
    const made = (lower: string): number => a!.agent.count(new RegExp(`ip link add link ${lower} name ip-usp1 `));
    const [onVa0, onVc0] = [made('va0'), made('vc0')];
    const r = await c.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: row, paramSettings: [{ param: 'LowerLayers', value: await linkRow('va0'), required: true }] },
          // ctl0 is not managed: this part fails, and the whole Set with it.
          { objPath: await ipInterface('ctl0'), paramSettings: [{ param: 'MaxMTUSize', value: '1300', required: true }] },
        ],
      },
    });
    expect(r.body.msgBody).toBe('error');
    // It did move (the agent's log of its ip commands), and was moved back.
    expect([made('va0'), made('vc0')]).toEqual([onVa0 + 1, onVc0 + 1]);
    const now = macvlan();
    expect(now).toMatchObject({ link: 'vc0', mtu: 1400 });
    expect(now.addr_info.filter((x) => x.family === 'inet').map((x) => x.local)).toEqual([ADDRESS]);
    expect(await get(c, `${row}LowerLayers`)).toBe(await linkRow('vc0'));
    await expect.poll(() => reaches(hostB), { timeout: 20_000, interval: 500 }).toBe(true);
  }, 60_000);

  it("a re-stack the kernel refuses halfway (the MTU above the new lower device's) leaves the macvlan on its old Link as it was", async () => {
    const c = a!.controller;
    ns.ip('link', 'set', 'va0', 'mtu', '1300');
    try {
      const r = await trySet(c, row, { LowerLayers: await linkRow('va0') });
      expect(r.ok).toBe(false);
      const now = macvlan();
      expect(now).toMatchObject({ link: 'vc0', mtu: 1400 });
      expect(now.flags).toContain('UP');
      expect(now.addr_info.filter((x) => x.family === 'inet').map((x) => x.local)).toEqual([ADDRESS]);
      await expect.poll(() => reaches(hostB), { timeout: 20_000, interval: 500 }).toBe(true);
    } finally {
      ns.ip('link', 'set', 'va0', 'mtu', '1500');
    }
  }, 60_000);

  it('a macvlan that is a bridge port stays a port of that bridge when it moves', async () => {
    const c = a!.controller;
    ns.ip('link', 'add', 'br9', 'type', 'bridge');
    try {
      ns.ip('link', 'set', 'dev', 'ip-usp1', 'master', 'br9');
      await set(c, row, { LowerLayers: await linkRow('va0') });
      expect(JSON.parse(ns.ip('-j', 'link', 'show', 'dev', 'ip-usp1'))[0]).toMatchObject({ link: 'va0', master: 'br9' });
    } finally {
      ns.ip('link', 'del', 'br9');
    }
  }, 60_000);
});
