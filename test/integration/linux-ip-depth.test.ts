/**
 * Linux IP depth, for real: the built agent process (`npm run build` first) on `--platform linux`
 * inside its own network namespace, told what it manages by its factory-defaults file
 * (`$manageInterfaces`, `$manageDns`: no command-line option), with a controller over a real
 * WebSocket through a veth pair. Checked against the kernel (`ip -json` in the namespace) and
 * a real resolv.conf in a temporary directory: Device.DNS.Client.Server, IPv6Forwarding, the
 * IPv4/IPv6 switches, LastChange, Reset(), Add/Delete of IP.Interface, and Set of static
 * IPv4Forwarding/IPv6Forwarding rows (`ip route show` before and after, a disabled row kept
 * across an agent restart on the same data directory); an added Routing.Router (its own kernel
 * table, the `ip rule` of an interface moved to it, a ping from a LAN peer namespace forwarded by
 * its route, kept across a restart) and RouteInformation from a real radvd's Route Information
 * option (routing-instances block below).
 * Needs root (`ip netns`); the namespace is removed afterwards.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';
import type { TestController } from '../peers/TestController.js';

// Unique per process, so parallel runs on one machine do not meet.
const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-ipd-${tag}`, `10.233.${tag % 250}`, `uspipd${tag}`, 'ctl0');
const dir = mkdtempSync(join(tmpdir(), 'usp-ip-depth-'));
const resolvConf = join(dir, 'resolv.conf');
const dataDir = join(dir, 'data');
let port = 0;
let c: TestController;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ns.ip('link', 'add', 'va0', 'type', 'veth', 'peer', 'name', 'vb0');
  writeFileSync(resolvConf, '# written by the test\nsearch example.net\nnameserver 192.0.2.53\noptions edns0\n');
  await startAgent();
}, 30_000);

/** The agent on `dataDir` (kept: the route Set cases restart it on the same data), at the same port each time. */
async function startAgent(): Promise<void> {
  // ip-usp1: the macvlan an Add of IP.Interface makes.
  ({
    controller: c,
    close,
    port,
  } = await startAgentInNamespace(ns, '', { fileSettings: { $manageInterfaces: ['va0', 'vb0', 'ip-usp1', 'vl0', 'vw0'], $manageDns: resolvConf }, dataDir, port: port || undefined }));
}

afterAll(async () => {
  await close?.();
  ns.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(c, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}: ${JSON.stringify(rows)}`);
  return path;
}

function code(r: { ok: boolean; errCode?: number; paramErrCode?: number }): number {
  return r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1);
}

describe('--manage-interfaces given in the defaults file ($manageInterfaces)', () => {
  it('lets controllers change the interfaces it names, and only those', async () => {
    const va0 = await ipInterface('va0');
    await set(c, va0, { MaxMTUSize: '1420' });
    expect(ns.link('va0')?.mtu).toBe(1420);
    const ctl = await ipInterface('ctl0');
    expect(code(await trySet(c, ctl, { MaxMTUSize: '1300' }))).toBe(7002);
  });
});

describe('Device.DNS.Client.Server from the resolv.conf $manageDns names', () => {
  const servers = () => readFileSync(resolvConf, 'utf8');

  it('reads its nameserver lines; Add, Set and Delete rewrite them and keep every other line', async () => {
    const rows = await getObjects(c, ['Device.DNS.Client.Server.*.']);
    expect(Object.values(rows)).toEqual([{ Enable: 'true', Status: 'Enabled', DNSServer: '192.0.2.53', Interface: '', Type: 'Static', Alias: 'cpe-1' }]);
    const row = await add(c, 'Device.DNS.Client.Server.', { DNSServer: '2001:db8::53' });
    expect(servers()).toBe('# written by the test\nsearch example.net\nnameserver 192.0.2.53\noptions edns0\nnameserver 2001:db8::53\n');
    await set(c, row, { DNSServer: '198.51.100.53' });
    expect(servers()).toContain('nameserver 198.51.100.53\n');
    expect(servers()).not.toContain('2001:db8::53');
    expect((await getObjects(c, [`${row}DNSServer`]))[row].DNSServer).toBe('198.51.100.53');
    await del(c, row);
    expect(servers()).toBe('# written by the test\nsearch example.net\nnameserver 192.0.2.53\noptions edns0\n');
  });

  it('refuses what resolv.conf cannot hold: not an address (7012), a server listed twice (7025); one added off is kept as a comment', async () => {
    expect(code(await tryAdd(c, 'Device.DNS.Client.Server.', { DNSServer: 'dns.example.net' }))).toBe(7012);
    expect(code(await tryAdd(c, 'Device.DNS.Client.Server.', { DNSServer: '192.0.2.53' }))).toBe(7025);
    // A server added switched off is kept as a comment the resolver skips.
    const off = await add(c, 'Device.DNS.Client.Server.', { DNSServer: '192.0.2.54', Enable: 'false' });
    expect(servers()).toContain('\n#usp-agent:disabled nameserver 192.0.2.54\n');
    await del(c, off);
    const row = Object.keys(await getObjects(c, ['Device.DNS.Client.Server.*.DNSServer']))[0];
    expect(code(await trySet(c, row, { DNSServer: '300.1.2.3' }))).toBe(7012);
    expect(servers()).toBe('# written by the test\nsearch example.net\nnameserver 192.0.2.53\noptions edns0\n');
  });

  it('a failed message rolls back: the server a Delete removed is listed again', async () => {
    const row = Object.keys(await getObjects(c, ['Device.DNS.Client.Server.*.DNSServer']))[0];
    // The kernel's own route on ctl0 cannot be deleted (7002), after the server in the same message.
    const routes = await getObjects(c, ['Device.Routing.Router.1.IPv4Forwarding.*.StaticRoute']);
    const kernelRoute = Object.entries(routes).find(([, v]) => v.StaticRoute === 'false')?.[0];
    expect(kernelRoute).toBeDefined();
    const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [row, kernelRoute!] } });
    expect(m.body.msgBody).toBe('error');
    expect(servers()).toContain('nameserver 192.0.2.53\n');
  });
});

describe('Routing.Router.1.IPv6Forwarding from `ip -6 route`', () => {
  const table = 'Device.Routing.Router.1.IPv6Forwarding.';
  const routes = () => JSON.parse(ns.ip('-6', '-json', 'route', 'show', 'table', 'main')) as Array<Record<string, unknown>>;

  it('Add and Delete of a static route reach the kernel; the kernel-made ones read back and cannot be deleted (7002)', async () => {
    ns.ip('link', 'set', 'va0', 'up');
    ns.ip('link', 'set', 'vb0', 'up');
    ns.ip('-6', 'addr', 'add', '2001:db8:9::1/64', 'dev', 'va0', 'nodad');
    const va0 = (await ipInterface('va0')).replace(/\.$/, '');
    // Written in another form than the kernel prints it: the row is still found under its key.
    const row = await add(c, table, { DestIPPrefix: '2001:DB8:5:0::/48', NextHop: '2001:db8:9::fe', Interface: va0, ForwardingMetric: '50' });
    expect(routes()).toContainEqual(expect.objectContaining({ dst: '2001:db8:5::/48', gateway: '2001:db8:9::fe', dev: 'va0', metric: 50, protocol: 'static' }));
    expect((await getObjects(c, [row]))[row]).toMatchObject({
      Enable: 'true',
      Status: 'Enabled',
      Type: 'Normal',
      DestIPPrefix: '2001:db8:5::/48',
      NextHop: '2001:db8:9::fe',
      Interface: va0,
      Origin: 'Static',
      ForwardingMetric: '50',
      ExpirationTime: '9999-12-31T23:59:59Z',
    });
    const rows = await getObjects(c, [`${table}*.DestIPPrefix`, `${table}*.Interface`]);
    const connected = Object.entries(rows).find(([, v]) => v.DestIPPrefix === '2001:db8:9::/64' && v.Interface === va0)?.[0];
    expect(connected).toBeDefined();
    const r = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [connected!] } });
    expect(r.body.msgBody).toBe('error');
    await del(c, row);
    expect(routes().some((x) => x.dst === '2001:db8:5::/48')).toBe(false);
  });

  it('refuses a prefix that is none (7012), an unmanaged interface (7002), no Interface (7017)', async () => {
    const va0 = (await ipInterface('va0')).replace(/\.$/, '');
    const ctl = (await ipInterface('ctl0')).replace(/\.$/, '');
    expect(code(await tryAdd(c, table, { DestIPPrefix: '2001:db8::/129', Interface: va0 }))).toBe(7012);
    expect(code(await tryAdd(c, table, { DestIPPrefix: '192.0.2.0/24', Interface: va0 }))).toBe(7012);
    expect(code(await tryAdd(c, table, { DestIPPrefix: '2001:db8:6::/48', Interface: ctl }))).toBe(7002);
    expect(code(await tryAdd(c, table, { DestIPPrefix: '2001:db8:6::/48' }))).toBe(7017);
    expect(routes().some((x) => String(x.dst).startsWith('2001:db8:6'))).toBe(false);
  });
});

describe("IPv4Enable / IPv6Enable: the kernel has a switch for IPv6 only (IPv4: the agent's own, linux-ipv4-enable.test.ts)", () => {
  const sysctl = (conf: string) => execFileSync('ip', ['netns', 'exec', ns.name, 'cat', `/proc/sys/net/ipv6/conf/${conf}/disable_ipv6`], { encoding: 'utf8' }).trim();

  it("IP.Interface.IPv6Enable is the interface's disable_ipv6; IPv4Enable of an unmanaged interface is 7002", async () => {
    const vb0 = await ipInterface('vb0');
    expect((await getObjects(c, [`${vb0}IPv6Enable`, `${vb0}IPv4Enable`]))[vb0]).toEqual({ IPv6Enable: 'true', IPv4Enable: 'true' });
    await set(c, vb0, { IPv6Enable: 'false' });
    expect(sysctl('vb0')).toBe('1');
    expect((await getObjects(c, [`${vb0}IPv6Enable`]))[vb0].IPv6Enable).toBe('false');
    await set(c, vb0, { IPv6Enable: 'true' });
    expect(sysctl('vb0')).toBe('0');
    expect(code(await trySet(c, await ipInterface('ctl0'), { IPv4Enable: 'false' }))).toBe(7002);
    expect(code(await trySet(c, await ipInterface('ctl0'), { IPv6Enable: 'false' }))).toBe(7002);
    expect(sysctl('ctl0')).toBe('0');
  });

  it('a refused link change in the same Set leaves IPv6Enable as it was', async () => {
    const vb0 = await ipInterface('vb0');
    // veth takes no MTU below 68 (the schema allows 64): ip refuses it, before the sysctl is written.
    expect(code(await trySet(c, vb0, { MaxMTUSize: '64', IPv6Enable: 'false' }))).toBe(7012);
    expect(sysctl('vb0')).toBe('0');
  });

  it("Device.IP.IPv6Enable and IPv4Enable (every interface at once) need --manage-interfaces '*' (7002); their Status follows the stack", async () => {
    expect((await getObjects(c, ['Device.IP.']))['Device.IP.']).toMatchObject({ IPv4Enable: 'true', IPv4Status: 'Enabled', IPv6Capable: 'true', IPv6Enable: 'true', IPv6Status: 'Enabled' });
    expect(code(await trySet(c, 'Device.IP.', { IPv6Enable: 'false' }))).toBe(7002);
    expect(code(await trySet(c, 'Device.IP.', { IPv4Enable: 'false' }))).toBe(7002);
    expect((await getObjects(c, ['Device.IP.IPv4Status']))['Device.IP.'].IPv4Status).toBe('Enabled');
    expect(sysctl('all')).toBe('0');
  });
});

describe('IP.Interface.LastChange from the `ip monitor link` watcher', () => {
  /** Reads `${row}param` until `ok` holds (the watcher reports asynchronously), at most 15 s. */
  async function until(row: string, ok: (v: Record<string, string>) => boolean): Promise<Record<string, string>> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const v = (await getObjects(c, [`${row}Status`, `${row}LastChange`]))[row];
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`${row}: still ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('counts from the last change of Status, and starts again when the kernel changes it', async () => {
    const vb0 = await ipInterface('vb0');
    ns.ip('link', 'set', 'vb0', 'up');
    const before = await until(vb0, (v) => v.Status === 'Up' && Number(v.LastChange) >= 2);
    ns.ip('link', 'set', 'vb0', 'down');
    const after = await until(vb0, (v) => v.Status === 'Down');
    expect(Number(after.LastChange)).toBeLessThan(Number(before.LastChange));
  }, 40_000);
});

describe('IP.Interface Add/Delete (a macvlan on a managed Ethernet.Link) and Reset()', () => {
  async function linkRow(name: string): Promise<string> {
    const rows = await getObjects(c, ['Device.Ethernet.Link.*.Name']);
    const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
    if (!path) throw new Error(`no Ethernet.Link for ${name}`);
    return path.replace(/\.$/, '');
  }
  const details = (name: string) => JSON.parse(ns.ip('-d', '-json', 'link', 'show', 'dev', name)) as Array<{ link?: string; flags: string[]; linkinfo?: { info_kind?: string } }>;

  it("Add makes ip-uspN, a macvlan on the Link its LowerLayers names; Delete removes it; the host's own interfaces cannot be deleted (7002)", async () => {
    const row = await add(c, 'Device.IP.Interface.', { LowerLayers: await linkRow('va0'), Enable: 'true' });
    const [made] = details('ip-usp1');
    expect(made).toMatchObject({ link: 'va0', linkinfo: { info_kind: 'macvlan' } });
    expect(made.flags).toContain('UP');
    expect((await getObjects(c, [`${row}Name`]))[row].Name).toBe('ip-usp1');
    // The new interface takes addresses like any other.
    const addr = await add(c, `${row}IPv4Address.`, { IPAddress: '192.0.2.77', SubnetMask: '255.255.255.0' });
    expect(ns.link('ip-usp1')?.addr_info.map((a) => a.local)).toContain('192.0.2.77');
    await del(c, addr);
    await del(c, row);
    expect(ns.link('ip-usp1')).toBeUndefined();
    const r = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [await ipInterface('va0')] } });
    expect(r.body.msgBody).toBe('error');
    expect(ns.link('va0')).toBeDefined();
  });

  it('refuses an Add without LowerLayers (7017), on a Link the agent does not manage (7002) or on no Link (7012)', async () => {
    expect(code(await tryAdd(c, 'Device.IP.Interface.', {}))).toBe(7017);
    expect(code(await tryAdd(c, 'Device.IP.Interface.', { LowerLayers: await linkRow('ctl0') }))).toBe(7002);
    expect(code(await tryAdd(c, 'Device.IP.Interface.', { LowerLayers: 'Device.Ethernet.Link.999' }))).toBe(7012);
    expect(ns.links().some((l) => l.ifname.startsWith('ip-usp'))).toBe(false);
  });

  it('Reset() takes an enabled interface down and up again: its Status changes (LastChange starts again)', async () => {
    const va0 = await ipInterface('va0');
    ns.ip('link', 'set', 'va0', 'up');
    ns.ip('link', 'set', 'vb0', 'up');
    ns.ip('-6', 'addr', 'add', '2001:db8:44::1/64', 'dev', 'va0', 'nodad');
    const m = await c.send({ reqType: 'operate', operate: { command: `${va0}Reset()`, commandKey: 'r1', sendResp: true, inputArgs: {} } });
    expect(JSON.stringify(m.body)).toContain('reqOutputArgs');
    // The kernel drops a downed interface's static IPv6 addresses: the bounce happened.
    expect(ns.link('va0')?.addr_info.map((a) => a.local)).not.toContain('2001:db8:44::1');
    expect(ns.link('va0')?.flags).toContain('UP');
    const ctl = await c.send({ reqType: 'operate', operate: { command: `${await ipInterface('ctl0')}Reset()`, commandKey: 'r2', sendResp: true, inputArgs: {} } });
    expect(JSON.stringify(ctl.body)).toContain('7002');
  });
});

describe('Set of a static IPv4Forwarding/IPv6Forwarding row: `ip route show` before and after', () => {
  const v4 = () => JSON.parse(ns.ip('-4', '-json', 'route', 'show', 'table', 'main')) as Array<Record<string, unknown>>;
  const v6 = () => JSON.parse(ns.ip('-6', '-json', 'route', 'show', 'table', 'main')) as Array<Record<string, unknown>>;
  const to = (routes: Array<Record<string, unknown>>, prefix: string) =>
    routes.filter((r) => String(r.dst).startsWith(prefix)).map(({ dst, gateway, dev, metric, protocol }) => ({ dst, gateway, dev, metric, protocol }));
  let row4 = '';
  let row6 = '';

  beforeAll(() => {
    for (const [dev, v4addr, v6addr] of [
      ['va0', '198.51.100.1/24', '2001:db8:a::1/64'],
      ['vb0', '203.0.113.1/24', '2001:db8:b::1/64'],
    ]) {
      ns.ip('link', 'set', dev, 'up');
      ns.ip('addr', 'add', v4addr, 'dev', dev);
      ns.ip('-6', 'addr', 'add', v6addr, 'dev', dev, 'nodad');
    }
  });

  it('IPv4: a new gateway and interface replace the route, a new metric or destination adds the new one and deletes the old; the row keeps its number', async () => {
    const [va0, vb0] = [(await ipInterface('va0')).replace(/\.$/, ''), (await ipInterface('vb0')).replace(/\.$/, '')];
    row4 = await add(c, 'Device.Routing.Router.1.IPv4Forwarding.', {
      DestIPAddress: '198.18.0.0',
      DestSubnetMask: '255.254.0.0',
      GatewayIPAddress: '198.51.100.254',
      Interface: va0,
      ForwardingMetric: '20',
    });
    expect(to(v4(), '198.1')).toEqual([{ dst: '198.18.0.0/15', gateway: '198.51.100.254', dev: 'va0', metric: 20, protocol: 'static' }]);
    await set(c, row4, { GatewayIPAddress: '203.0.113.254', Interface: vb0 });
    expect(to(v4(), '198.1')).toEqual([{ dst: '198.18.0.0/15', gateway: '203.0.113.254', dev: 'vb0', metric: 20, protocol: 'static' }]);
    await set(c, row4, { ForwardingMetric: '30' });
    expect(to(v4(), '198.1')).toEqual([{ dst: '198.18.0.0/15', gateway: '203.0.113.254', dev: 'vb0', metric: 30, protocol: 'static' }]);
    await set(c, row4, { DestIPAddress: '198.19.0.0', DestSubnetMask: '255.255.0.0' });
    expect(to(v4(), '198.1')).toEqual([{ dst: '198.19.0.0/16', gateway: '203.0.113.254', dev: 'vb0', metric: 30, protocol: 'static' }]);
    expect((await getObjects(c, [row4]))[row4]).toMatchObject({
      Enable: 'true',
      Status: 'Enabled',
      DestIPAddress: '198.19.0.0',
      DestSubnetMask: '255.255.0.0',
      GatewayIPAddress: '203.0.113.254',
      Interface: vb0,
      ForwardingMetric: '30',
      StaticRoute: 'true',
    });
  });

  it('IPv4: a gateway the kernel refuses answers 7012, an unmanaged interface 7002, a route the kernel made 7002; the old route stays', async () => {
    const before = to(v4(), '198.1');
    expect(code(await trySet(c, row4, { GatewayIPAddress: '192.0.2.99' }))).toBe(7012);
    expect(code(await trySet(c, row4, { ForwardingMetric: '40', GatewayIPAddress: '192.0.2.99' }))).toBe(7012);
    expect(code(await trySet(c, row4, { Interface: (await ipInterface('ctl0')).replace(/\.$/, '') }))).toBe(7002);
    expect(to(v4(), '198.1')).toEqual(before);
    expect((await getObjects(c, [`${row4}GatewayIPAddress`]))[row4].GatewayIPAddress).toBe('203.0.113.254');
    const rows = await getObjects(c, ['Device.Routing.Router.1.IPv4Forwarding.*.DestIPAddress']);
    const connected = Object.entries(rows).find(([, v]) => v.DestIPAddress === '198.51.100.0')?.[0];
    expect(code(await trySet(c, connected!, { GatewayIPAddress: '198.51.100.254' }))).toBe(7002);
    expect(v4().some((r) => r.dst === '198.51.100.0/24' && r.gateway === undefined)).toBe(true);
  });

  it('IPv4: Enable false takes the route out and keeps the row (Disabled); Enable true on a downed interface is Status Error, and Enabled once it is up', async () => {
    await set(c, row4, { Enable: 'false' });
    expect(to(v4(), '198.1')).toEqual([]);
    expect((await getObjects(c, [row4]))[row4]).toMatchObject({ Enable: 'false', Status: 'Disabled', DestIPAddress: '198.19.0.0', GatewayIPAddress: '203.0.113.254', ForwardingMetric: '30' });
    ns.ip('link', 'set', 'vb0', 'down');
    await set(c, row4, { Enable: 'true' });
    expect(to(v4(), '198.1')).toEqual([]);
    expect((await getObjects(c, [row4]))[row4]).toMatchObject({ Enable: 'true', Status: 'Error' });
    ns.ip('link', 'set', 'vb0', 'up');
    // The kernel dropped vb0's static IPv6 address while it was down: the IPv6 case needs it.
    ns.ip('-6', 'addr', 'replace', '2001:db8:b::1/64', 'dev', 'vb0', 'nodad');
    await set(c, row4, { Enable: 'true' });
    expect(to(v4(), '198.1')).toEqual([{ dst: '198.19.0.0/16', gateway: '203.0.113.254', dev: 'vb0', metric: 30, protocol: 'static' }]);
    expect((await getObjects(c, [`${row4}Status`]))[row4].Status).toBe('Enabled');
  });

  it('IPv6: a new next hop and interface replace the route; disabled rows (and their Alias) survive an agent restart and come back on Enable true', async () => {
    const [va0, vb0] = [(await ipInterface('va0')).replace(/\.$/, ''), (await ipInterface('vb0')).replace(/\.$/, '')];
    row6 = await add(c, 'Device.Routing.Router.1.IPv6Forwarding.', { Alias: 'lab-v6', DestIPPrefix: '2001:db8:5::/48', NextHop: '2001:db8:a::fe', Interface: va0, ForwardingMetric: '50' });
    await set(c, row6, { NextHop: '2001:db8:b::fe', Interface: vb0 });
    expect(to(v6(), '2001:db8:5:')).toEqual([{ dst: '2001:db8:5::/48', gateway: '2001:db8:b::fe', dev: 'vb0', metric: 50, protocol: 'static' }]);
    await set(c, row6, { Enable: 'false' });
    await set(c, row4, { Enable: 'false' });
    expect(to(v6(), '2001:db8:5:')).toEqual([]);

    await close?.();
    await startAgent();
    expect((await getObjects(c, [row6]))[row6]).toMatchObject({
      Alias: 'lab-v6',
      Enable: 'false',
      Status: 'Disabled',
      DestIPPrefix: '2001:db8:5::/48',
      NextHop: '2001:db8:b::fe',
      ForwardingMetric: '50',
    });
    expect((await getObjects(c, [row4]))[row4]).toMatchObject({ Enable: 'false', Status: 'Disabled', DestIPAddress: '198.19.0.0' });
    expect(to(v4(), '198.1')).toEqual([]);
    await set(c, row6, { Enable: 'true' });
    expect(to(v6(), '2001:db8:5:')).toEqual([{ dst: '2001:db8:5::/48', gateway: '2001:db8:b::fe', dev: 'vb0', metric: 50, protocol: 'static' }]);
    expect((await getObjects(c, [row6]))[row6]).toMatchObject({ Alias: 'lab-v6', Status: 'Enabled' });
    await del(c, row6, row4);
    expect(to(v6(), '2001:db8:5:')).toEqual([]);
    expect(Object.keys(await getObjects(c, ['Device.Routing.Router.1.IPv4Forwarding.*.Status']))).not.toContain(row4);
  });
});

describe('Routing.Router Add/Delete/Enable (a kernel table and `ip rule iif`) and RouteInformation (radvd)', () => {
  // LAN peer -- vl0 [agent: Router.2 routes what vl0 receives] vw0 -- WAN peer (198.18.77.1 behind it).
  const lan = PeerNamespace.beside(ns, `usp-ipdl-${tag}`, { inside: 'vl0', outside: 'lp0', routerAddress: '10.77.1.1/24', address: '10.77.1.2/24' });
  const wan = PeerNamespace.beside(ns, `usp-ipdw-${tag}`, { inside: 'vw0', outside: 'wp0', routerAddress: '10.77.2.1/24', address: '10.77.2.2/24' });
  const radvdConf = join(dir, 'radvd.conf');
  let radvd: ChildProcess | undefined;
  let router = '';
  const rules = (family: '-4' | '-6') => (JSON.parse(ns.ip(family, '-json', 'rule', 'show')) as Array<{ priority: number; iif?: string; table: string }>).filter((r) => r.priority === 0x5080);
  const tableRoutes = (family: '-4' | '-6', table: number) =>
    (JSON.parse(ns.ip(family, '-json', 'route', 'show', 'table', 'all')) as Array<{ dst: string; table?: string }>).filter((r) => r.table === String(table));
  const ping = () => spawnSync('ip', ['netns', 'exec', lan.name, 'ping', '-c', '2', '-i', '0.3', '-W', '2', '198.18.77.1'], { stdio: 'ignore' }).status;

  beforeAll(() => {
    lan.ip('route', 'add', 'default', 'via', '10.77.1.1');
    wan.ip('addr', 'add', '198.18.77.1/32', 'dev', 'lo');
    wan.ip('route', 'add', '10.77.1.0/24', 'via', '10.77.2.1');
    execFileSync('ip', ['netns', 'exec', ns.name, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  });
  afterAll(() => {
    radvd?.kill();
    lan.remove();
    wan.remove();
  });

  it('Add makes Router.N (a table of its own); its routes go there; an interface moved to it is routed by it (ping through), Enable false/true take its rules out and in', async () => {
    router = await add(c, 'Device.Routing.Router.', { Enable: 'true', Alias: 'lab-vrf' });
    const n = Number(/Router\.(\d+)\.$/.exec(router)![1]);
    const table = 0x5200 + n;
    const [vl0, vw0] = [(await ipInterface('vl0')).replace(/\.$/, ''), (await ipInterface('vw0')).replace(/\.$/, '')];
    await add(c, `${router}IPv4Forwarding.`, { DestIPAddress: '198.18.77.0', DestSubnetMask: '255.255.255.0', GatewayIPAddress: '10.77.2.2', Interface: vw0 });
    await add(c, `${router}IPv6Forwarding.`, { DestIPPrefix: '2001:db8:77::/48', Interface: vw0 });
    expect(tableRoutes('-4', table)).toEqual([expect.objectContaining({ dst: '198.18.77.0/24', gateway: '10.77.2.2', dev: 'vw0', protocol: 'static' })]);
    expect(tableRoutes('-6', table)).toEqual([expect.objectContaining({ dst: '2001:db8:77::/48', dev: 'vw0' })]);
    expect(JSON.parse(ns.ip('-4', '-json', 'route', 'show', 'table', 'main')).some((r: { dst: string }) => r.dst.startsWith('198.18.77'))).toBe(false);
    expect(Object.values(await getObjects(c, [`${router}IPv4Forwarding.*.DestIPAddress`])).map((v) => v.DestIPAddress)).toEqual(['198.18.77.0']);
    expect(Object.values(await getObjects(c, ['Device.Routing.Router.1.IPv4Forwarding.*.DestIPAddress'])).map((v) => v.DestIPAddress)).not.toContain('198.18.77.0');
    // Not yet moved: the main table has no route there.
    expect(ping()).not.toBe(0);

    await set(c, `${vl0}.`, { Router: router });
    expect(rules('-4')).toEqual([expect.objectContaining({ iif: 'vl0', table: String(table) })]);
    expect(rules('-6')).toEqual([expect.objectContaining({ iif: 'vl0', table: String(table) })]);
    expect((await getObjects(c, [`${vl0}.Router`]))[`${vl0}.`].Router).toBe(router.replace(/\.$/, ''));
    expect((await getObjects(c, [`${vw0}.Router`]))[`${vw0}.`].Router).toBe('Device.Routing.Router.1');
    expect(ping()).toBe(0);

    await set(c, router, { Enable: 'false' });
    expect(rules('-4')).toEqual([]);
    expect(rules('-6')).toEqual([]);
    expect((await getObjects(c, [router]))[router]).toMatchObject({ Enable: 'false', Status: 'Disabled', Alias: 'lab-vrf', IPv4ForwardingNumberOfEntries: '1' });
    expect(tableRoutes('-4', table)).toHaveLength(1);
    await set(c, router, { Enable: 'true' });
    expect(rules('-4')).toEqual([expect.objectContaining({ iif: 'vl0', table: String(table) })]);
  });

  it('refuses: Router.1 Enable false (7012) and its Delete, a route of an added router with a ForwardingPolicy (7012), a Router that does not exist (7012), an unmanaged interface (7002)', async () => {
    expect(code(await trySet(c, 'Device.Routing.Router.1.', { Enable: 'false' }))).toBe(7012);
    const r = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: ['Device.Routing.Router.1.'] } });
    expect(JSON.stringify(r.body)).toContain('7024');
    const vw0 = (await ipInterface('vw0')).replace(/\.$/, '');
    expect(code(await tryAdd(c, `${router}IPv4Forwarding.`, { DestIPAddress: '198.18.78.0', DestSubnetMask: '255.255.255.0', Interface: vw0, ForwardingPolicy: '3' }))).toBe(7012);
    expect(code(await trySet(c, await ipInterface('vl0'), { Router: 'Device.Routing.Router.99' }))).toBe(7012);
    expect(code(await trySet(c, await ipInterface('ctl0'), { Router: router }))).toBe(7002);
  });

  it('the router, its Alias and its interfaces are kept across a restart (a rule lost meanwhile is made again); Delete empties its table and gives the interface back to Router.1', async () => {
    const n = Number(/Router\.(\d+)\.$/.exec(router)![1]);
    const table = 0x5200 + n;
    ns.ip('rule', 'del', 'iif', 'vl0', 'lookup', String(table), 'pref', String(0x5080));
    await close?.();
    await startAgent();
    await expect.poll(() => rules('-4'), { timeout: 15_000 }).toEqual([expect.objectContaining({ iif: 'vl0', table: String(table) })]);
    expect((await getObjects(c, [router]))[router]).toMatchObject({ Enable: 'true', Status: 'Enabled', Alias: 'lab-vrf' });
    const vl0 = await ipInterface('vl0');
    expect((await getObjects(c, [`${vl0}Router`]))[vl0].Router).toBe(router.replace(/\.$/, ''));
    expect(ping()).toBe(0);

    // A Delete that fails later in the same message (the kernel's own route: 7002) is rolled back: router, rule and routes are back.
    const kernelRoute = Object.entries(await getObjects(c, ['Device.Routing.Router.1.IPv4Forwarding.*.StaticRoute'])).find(([, v]) => v.StaticRoute === 'false')?.[0];
    const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [router, kernelRoute!] } });
    expect(m.body.msgBody).toBe('error');
    expect(rules('-4')).toEqual([expect.objectContaining({ iif: 'vl0', table: String(table) })]);
    expect(tableRoutes('-4', table)).toEqual([expect.objectContaining({ dst: '198.18.77.0/24', gateway: '10.77.2.2' })]);
    expect(tableRoutes('-6', table)).toEqual([expect.objectContaining({ dst: '2001:db8:77::/48' })]);
    expect((await getObjects(c, [`${router}Alias`]))[router].Alias).toBe('lab-vrf');

    await del(c, router);
    expect(rules('-4')).toEqual([]);
    expect(rules('-6')).toEqual([]);
    expect(tableRoutes('-4', table)).toEqual([]);
    expect(tableRoutes('-6', table)).toEqual([]);
    expect((await getObjects(c, [`${vl0}Router`]))[vl0].Router).toBe('Device.Routing.Router.1');
    expect(Object.keys(await getObjects(c, ['Device.Routing.Router.*.Enable']))).toEqual(['Device.Routing.Router.1.']);
  });

  it('RouteInformation: Enable writes accept_ra_rt_info_max_plen; a Route Information option of a real radvd becomes an InterfaceSetting row', async () => {
    const maxPlen = () => execFileSync('ip', ['netns', 'exec', ns.name, 'cat', '/proc/sys/net/ipv6/conf/vw0/accept_ra_rt_info_max_plen'], { encoding: 'utf8' }).trim();
    await set(c, 'Device.Routing.RouteInformation.', { Enable: 'true' });
    expect(maxPlen()).toBe('128');
    expect((await getObjects(c, ['Device.Routing.RouteInformation.Enable']))['Device.Routing.RouteInformation.'].Enable).toBe('true');
    writeFileSync(
      radvdConf,
      'interface wp0 {\n  AdvSendAdvert on;\n  MinRtrAdvInterval 3;\n  MaxRtrAdvInterval 4;\n  AdvDefaultLifetime 0;\n  route 2001:db8:99::/48 { AdvRoutePreference high; AdvRouteLifetime 1800; };\n};\n',
    );
    radvd = spawn('ip', ['netns', 'exec', wan.name, '/usr/sbin/radvd', '-n', '-C', radvdConf, '-p', join(dir, 'radvd.pid'), '-m', 'stderr'], { stdio: 'ignore' });
    const vw0 = (await ipInterface('vw0')).replace(/\.$/, '');
    const table = 'Device.Routing.RouteInformation.InterfaceSetting.';
    await expect
      .poll(async () => Object.values(await getObjects(c, [`${table}*.`])), { timeout: 20_000, interval: 500 })
      .toEqual([expect.objectContaining({ Status: 'ForwardingEntryCreated', Interface: vw0, PreferredRouteFlag: 'High', Prefix: '2001:db8:99::/48', SourceRouter: expect.stringMatching(/^fe80::/) })]);
    const [row] = Object.values(await getObjects(c, [`${table}*.RouteLifetime`]));
    expect(Date.parse(row.RouteLifetime) - Date.now()).toBeGreaterThan(1000_000);
    await set(c, 'Device.Routing.RouteInformation.', { Enable: 'false' });
    expect(maxPlen()).toBe('0');
  }, 40_000);
});
