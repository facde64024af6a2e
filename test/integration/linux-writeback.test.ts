/**
 * Linux platform write-back, for real: the built agent process (`npm run build` first) runs with
 * `--platform linux --manage-interfaces wa0,wb0,wc0` inside its own network namespace, a
 * controller reaches it over a real WebSocket through a veth pair, and every Set/Add/Delete is
 * checked in the kernel with `ip -json addr`/`route` in that namespace. Also: an unmanaged interface is
 * refused (7002) and left alone, a change the kernel refuses answers its error and rolls back
 * the changes made before it in the same message, and an interface that vanished answers 7016.
 * Needs root (`ip netns`); the namespace is removed afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from '../peers/agent-process.js';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';
import type { TestController } from '../peers/TestController.js';

// Unique per process, so parallel runs on one machine do not meet.
const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-wb-${tag}`, `10.231.${tag % 250}`, `uspwb${tag}`, 'ctl0');
let agent: AgentProcess;
let c: TestController;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  // Interfaces the test changes: two veth pairs inside the namespace (wa0-wb0, wc0-wd0).
  ns.ip('link', 'add', 'wa0', 'type', 'veth', 'peer', 'name', 'wb0');
  ns.ip('link', 'add', 'wc0', 'type', 'veth', 'peer', 'name', 'wd0');
  ({ agent, controller: c, close } = await startAgentInNamespace(ns, 'wa0,wb0,wc0'));
}, 30_000);

afterAll(async () => {
  await close?.();
  ns.remove();
});

/** Device.IP.Interface.N. of kernel interface `name` (7016-free: it must be listed). */
async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(c, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}: ${JSON.stringify(rows)}`);
  return path;
}

function v4(ifname: string): string[] {
  return (ns.link(ifname)?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
}

describe('Linux write-back through ip, in a network namespace', () => {
  it('Set IP.Interface Enable and MaxMTUSize reach the kernel', async () => {
    const wa0 = await ipInterface('wa0');
    await set(c, wa0, { Enable: 'true', MaxMTUSize: '1400' });
    expect(ns.link('wa0')?.flags).toContain('UP');
    expect(ns.link('wa0')?.mtu).toBe(1400);
    expect((await getObjects(c, [`${wa0}Enable`, `${wa0}MaxMTUSize`]))[wa0]).toEqual({ Enable: 'true', MaxMTUSize: '1400' });
    await set(c, wa0, { Enable: 'false' });
    expect(ns.link('wa0')?.flags).not.toContain('UP');
  });

  it('Add, Set and Delete of an IPv4Address are kernel addresses; the row keeps its number across a new address', async () => {
    const wa0 = await ipInterface('wa0');
    const row = await add(c, `${wa0}IPv4Address.`, { IPAddress: '192.0.2.1', SubnetMask: '255.255.255.0' });
    expect(v4('wa0')).toEqual(['192.0.2.1/24']);
    const read = await getObjects(c, [`${row}IPAddress`, `${row}SubnetMask`, `${row}AddressingType`]);
    expect(read[row]).toEqual({ IPAddress: '192.0.2.1', SubnetMask: '255.255.255.0', AddressingType: 'Static' });

    await set(c, row, { IPAddress: '198.51.100.7', SubnetMask: '255.255.0.0' });
    expect(v4('wa0')).toEqual(['198.51.100.7/16']);
    expect((await getObjects(c, [`${row}IPAddress`]))[row].IPAddress).toBe('198.51.100.7');

    await del(c, row);
    expect(v4('wa0')).toEqual([]);
    const left = await getObjects(c, [`${wa0}IPv4Address.*.IPAddress`]);
    expect(Object.keys(left)).toEqual([]);
  });

  it('Add and Delete of an IPv6Address (a /64)', async () => {
    const wb0 = await ipInterface('wb0');
    const row = await add(c, `${wb0}IPv6Address.`, { IPAddress: '2001:db8:1::5' });
    const six = () => (ns.link('wb0')?.addr_info ?? []).filter((a) => a.family === 'inet6' && a.local.startsWith('2001:db8'));
    expect(six().map((a) => `${a.local}/${a.prefixlen}`)).toEqual(['2001:db8:1::5/64']);
    expect((await getObjects(c, [`${row}IPAddress`]))[row].IPAddress).toBe('2001:db8:1::5');
    await del(c, row);
    expect(six()).toEqual([]);
  });

  it('Ethernet.Link MTU and Ethernet.Interface Enable reach the kernel', async () => {
    const links = await getObjects(c, ['Device.Ethernet.Link.*.Name', 'Device.Ethernet.Interface.*.Name']);
    const link = Object.entries(links).find(([p, v]) => p.startsWith('Device.Ethernet.Link.') && v.Name === 'wb0')?.[0];
    const port = Object.entries(links).find(([p, v]) => p.startsWith('Device.Ethernet.Interface.') && v.Name === 'wb0')?.[0];
    expect(link && port).toBeTruthy();
    await set(c, link!, { MTU: '1280' });
    expect(ns.link('wb0')?.mtu).toBe(1280);
    await set(c, port!, { Enable: 'true' });
    expect(ns.link('wb0')?.flags).toContain('UP');
  });

  it('an interface not in --manage-interfaces is refused with 7002 and left as it is', async () => {
    const ctl = await ipInterface('ctl0');
    const mtu = ns.link('ctl0')?.mtu;
    const r = await trySet(c, ctl, { MaxMTUSize: '1300' });
    expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode)).toBe(7002);
    expect(ns.link('ctl0')?.mtu).toBe(mtu);
    const a = await tryAdd(c, `${ctl}IPv4Address.`, { IPAddress: '192.0.2.9', SubnetMask: '255.255.255.0' });
    expect(a.ok ? 0 : a.errCode).toBe(7002);
    expect(v4('ctl0')).toEqual([`${ns.agentAddress}/30`]);
  });

  it('a value the kernel refuses answers 7012 and rolls back what the same Set changed before it', async () => {
    const [wa0, wb0] = [await ipInterface('wa0'), await ipInterface('wb0')];
    await set(c, wa0, { MaxMTUSize: '1500' });
    // veth takes no MTU below 68; the schema's floor for MaxMTUSize is 64.
    const m = await c.send({
      reqType: 'set',
      set: {
        allowPartial: false,
        updateObjs: [
          { objPath: wa0, paramSettings: [{ param: 'MaxMTUSize', value: '1300', required: true }] },
          { objPath: wb0, paramSettings: [{ param: 'MaxMTUSize', value: '64', required: true }] },
        ],
      },
    });
    if (m.body.msgBody !== 'error') throw new Error(`expected an Error, got ${JSON.stringify(m.body)}`);
    expect(m.body.error.paramErrs?.map((p) => p.errCode)).toContain(7012);
    expect(m.body.error.paramErrs?.map((p) => p.errMsg).join(' ')).toMatch(/less than device minimum/);
    expect(ns.link('wa0')?.mtu).toBe(1500);
    expect((await getObjects(c, [`${wa0}MaxMTUSize`]))[wa0].MaxMTUSize).toBe('1500');
    await agent.waitForLine(/ip command failed.*mtu 64/);
  });

  it('an address the interface already holds: the failing ip answers 7025 and the row keeps its address', async () => {
    const wb0 = await ipInterface('wb0');
    const row = await add(c, `${wb0}IPv4Address.`, { IPAddress: '203.0.113.1', SubnetMask: '255.255.255.0' });
    ns.ip('addr', 'add', '203.0.113.2/24', 'dev', 'wb0');
    const r = await trySet(c, row, { IPAddress: '203.0.113.2' });
    expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode)).toBe(7025);
    expect(v4('wb0').sort()).toEqual(['203.0.113.1/24', '203.0.113.2/24']);
    expect((await getObjects(c, [`${row}IPAddress`]))[row].IPAddress).toBe('203.0.113.1');
  });

  it('Add and Delete of a static IPv4Forwarding route; a route the kernel made cannot be deleted (7002)', async () => {
    ns.ip('addr', 'add', '192.0.2.10/24', 'dev', 'wa0');
    ns.ip('link', 'set', 'wa0', 'up');
    ns.ip('link', 'set', 'wb0', 'up');
    const wa0 = (await ipInterface('wa0')).replace(/\.$/, '');
    const table = 'Device.Routing.Router.1.IPv4Forwarding.';
    const row = await add(c, table, { DestIPAddress: '198.18.0.0', DestSubnetMask: '255.254.0.0', GatewayIPAddress: '192.0.2.254', Interface: wa0, ForwardingMetric: '20' });
    const routes = () => JSON.parse(ns.ip('-4', '-json', 'route', 'show', 'table', 'main')) as Array<Record<string, unknown>>;
    expect(routes()).toContainEqual(expect.objectContaining({ dst: '198.18.0.0/15', gateway: '192.0.2.254', dev: 'wa0', metric: 20, protocol: 'static' }));
    expect((await getObjects(c, [row]))[row]).toMatchObject({
      DestIPAddress: '198.18.0.0',
      DestSubnetMask: '255.254.0.0',
      GatewayIPAddress: '192.0.2.254',
      Interface: wa0,
      ForwardingMetric: '20',
      StaticRoute: 'true',
      Origin: 'Static',
    });
    await del(c, row);
    expect(routes().filter((r) => r.dst === '198.18.0.0/15')).toEqual([]);

    const rows = await getObjects(c, [`${table}*.DestIPAddress`]);
    const kernelRoute = Object.entries(rows).find(([, v]) => v.DestIPAddress === '192.0.2.0')?.[0];
    expect(kernelRoute).toBeDefined();
    const m = await c.send({ reqType: 'delete', delete: { allowPartial: false, objPaths: [kernelRoute!] } });
    expect(m.body.msgBody === 'error' ? m.body.error.errCode : 0).toBe(7002);
    expect(routes().some((r) => r.dst === '192.0.2.0/24')).toBe(true);

    const ctl = (await ipInterface('ctl0')).replace(/\.$/, '');
    const refused = await tryAdd(c, table, { DestIPAddress: '198.51.100.0', DestSubnetMask: '255.255.255.0', Interface: ctl });
    expect(refused.ok ? 0 : refused.errCode).toBe(7002);
  });

  it('an interface that vanished answers 7016 and disappears from the data model', async () => {
    const wc0 = await ipInterface('wc0');
    ns.ip('link', 'del', 'wc0');
    const r = await tryAdd(c, `${wc0}IPv4Address.`, { IPAddress: '192.0.2.77', SubnetMask: '255.255.255.0' });
    expect(r.ok ? 0 : r.errCode).toBe(7016);
    const names = Object.values(await getObjects(c, ['Device.IP.Interface.*.Name'])).map((v) => v.Name);
    expect(names).not.toContain('wc0');
    expect(names).toContain('wa0');
  });
});
