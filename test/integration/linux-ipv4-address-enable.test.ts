/**
 * IPInterface:1's IPv4Address.{i}.Enable on generic Linux, for real: the built agent (`npm run
 * build` first) runs with `--manage-interfaces en0` in its own network namespace; a controller
 * switches an address off and on and the test reads the kernel (`ip -n NS -json addr`): off, the
 * address leaves the interface and the row stays (Enable false, Status Disabled); on, it comes
 * back. A parked row can be given another address and deleted. Needs root (`ip netns`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-v4en-${tag}`, `10.249.${tag % 250}`, `uspv4en${tag}`, 'ctl0');
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  ns.ip('link', 'add', 'en0', 'type', 'veth', 'peer', 'name', 'en1');
  ns.ip('link', 'set', 'en0', 'up');
  a = await startAgentInNamespace(ns, 'en0');
}, 30_000);

afterAll(async () => {
  await a?.close();
  ns.remove();
});

/** The IPv4 addresses of `ifname` in the namespace, as "addr/len". */
function v4(ifname: string): string[] {
  return (ns.link(ifname)?.addr_info ?? []).filter((x) => x.family === 'inet').map((x) => `${x.local}/${x.prefixlen}`);
}

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path;
}

function code(r: Awaited<ReturnType<typeof trySet>>): number {
  return r.ok ? 0 : (r.paramErrCode ?? r.errCode ?? -1);
}

describe('Linux IPv4Address.{i}.Enable (IPInterface:1), in a network namespace', () => {
  it('false removes the address from the kernel and keeps the row; true puts it back', async () => {
    const c = a!.controller;
    const ipif = await ipInterface('en0');
    const row = await add(c, `${ipif}IPv4Address.`, { IPAddress: '192.0.2.10', SubnetMask: '255.255.255.0' });
    expect(v4('en0')).toEqual(['192.0.2.10/24']);
    await set(c, row, { Enable: 'false' });
    expect(v4('en0')).toEqual([]);
    expect(await getObjects(c, [row])).toMatchObject({ [row]: { Enable: 'false', Status: 'Disabled', IPAddress: '192.0.2.10', SubnetMask: '255.255.255.0', AddressingType: 'Static' } });
    expect(await get(c, `${ipif}IPv4AddressNumberOfEntries`)).toBe('1');
    await set(c, row, { Enable: 'true' });
    expect(v4('en0')).toEqual(['192.0.2.10/24']);
    expect(await getObjects(c, [row])).toMatchObject({ [row]: { Enable: 'true', Status: 'Enabled' } });
    await del(c, row);
    expect(v4('en0')).toEqual([]);
  });

  it('a switched-off row takes a new address without touching the kernel; enabled, the new one is added; deleted, nothing is left', async () => {
    const c = a!.controller;
    const ipif = await ipInterface('en0');
    const row = await add(c, `${ipif}IPv4Address.`, { Enable: 'false', IPAddress: '198.51.100.1', SubnetMask: '255.255.255.0' });
    expect(v4('en0')).toEqual([]);
    await set(c, row, { IPAddress: '198.51.100.2', SubnetMask: '255.255.0.0' });
    expect(v4('en0')).toEqual([]);
    expect(await getObjects(c, [row])).toMatchObject({ [row]: { Enable: 'false', IPAddress: '198.51.100.2', SubnetMask: '255.255.0.0' } });
    await set(c, row, { Enable: 'true' });
    expect(v4('en0')).toEqual(['198.51.100.2/16']);
    await set(c, row, { Enable: 'false' });
    await del(c, row);
    expect(v4('en0')).toEqual([]);
    expect(await get(c, `${ipif}IPv4AddressNumberOfEntries`)).toBe('0');
  });

  it('refuses bad input and leaves the row as it was; IPv6Address.Enable stays read-only (7013)', async () => {
    const c = a!.controller;
    const ipif = await ipInterface('en0');
    const row = await add(c, `${ipif}IPv4Address.`, { IPAddress: '192.0.2.20', SubnetMask: '255.255.255.0' });
    await set(c, row, { Enable: 'false' });
    expect(code(await trySet(c, row, { IPAddress: 'not-an-address' }))).toBe(7012);
    expect(code(await trySet(c, row, { SubnetMask: '255.0.255.0' }))).toBe(7012);
    expect(code(await trySet(c, row, { Enable: 'maybe' }))).not.toBe(0);
    expect(await getObjects(c, [row])).toMatchObject({ [row]: { Enable: 'false', IPAddress: '192.0.2.20', SubnetMask: '255.255.255.0' } });
    expect(v4('en0')).toEqual([]);
    const v6 = Object.keys(await getObjects(c, [`${ipif}IPv6Address.*.IPAddress`]))[0];
    if (v6) expect(code(await trySet(c, v6, { Enable: 'false' }))).toBe(7013);
    await del(c, row);
  });
});
