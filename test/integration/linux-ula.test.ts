/**
 * IPv6Interface:1 on generic Linux, for real: the built agent process (`npm run build` first)
 * runs with `--platform linux --manage-interfaces ula0` in its own network namespace, and a
 * controller over a real WebSocket reads the ULA prefix the agent made (RFC 4193, kept across a
 * restart), switches ULAEnable on an interface and sees the address appear in the kernel and its
 * prefix in IPv6Prefix.{i}, moves it with a new ULAPrefix, has it put back after a restart that
 * found it gone, and switches it off again. Unmanaged interfaces and non-ULA prefixes are refused.
 * Needs root (`ip netns`); the namespace is removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, set, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-ula-${tag}`, `10.245.${tag % 250}`, `uspula${tag}`, 'ctl0');
const dataDir = mkdtempSync(join(tmpdir(), 'usp-ula-data-'));
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  ns.ip('link', 'add', 'ula0', 'type', 'veth', 'peer', 'name', 'ula1');
  ns.ip('link', 'set', 'ula0', 'up');
  a = await startAgentInNamespace(ns, 'ula0', { dataDir });
}, 30_000);

afterAll(async () => {
  await a?.close();
  ns.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The IPv6 addresses of `ifname` in the namespace, global scope, as "addr/len". */
function v6(ifname: string): string[] {
  return (ns.link(ifname)?.addr_info ?? []).filter((x) => x.family === 'inet6' && !x.local.startsWith('fe80')).map((x) => `${x.local}/${x.prefixlen}`);
}

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path;
}

describe('Linux ULAs (IPv6Interface:1), in a network namespace', () => {
  it('ULAPrefix is an RFC 4193 /48 the agent made once; ULAEnable adds <prefix>:<instance>::1/64 and IPv6Prefix lists it; false removes it', async () => {
    const c = a!.controller;
    const prefix = await get(c, 'Device.IP.ULAPrefix');
    expect(prefix).toMatch(/^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/48$/);
    expect(await get(c, 'Device.IP.ULAPrefix')).toBe(prefix);
    const row = await ipInterface('ula0');
    const n = Number(row.split('.').at(-2));
    expect(await get(c, `${row}ULAEnable`)).toBe('false');
    await set(c, row, { ULAEnable: 'true' });
    const address = `${prefix.replace('::/48', '')}:${n.toString(16)}::1`;
    expect(v6('ula0')).toContain(`${address}/64`);
    expect(await get(c, `${row}ULAEnable`)).toBe('true');
    const prefixes = await getObjects(c, [`${row}IPv6Prefix.`]);
    const mine = Object.values(prefixes).find((p) => p.Prefix === `${prefix.replace('::/48', '')}:${n.toString(16)}::/64`);
    expect(mine).toMatchObject({ Origin: 'Static', PrefixStatus: 'Preferred', OnLink: 'true', ValidLifetime: '9999-12-31T23:59:59Z' });
    expect(Number(await get(c, `${row}IPv6PrefixNumberOfEntries`))).toBeGreaterThanOrEqual(1);

    await set(c, row, { ULAEnable: 'false' });
    expect(v6('ula0')).toEqual([]);
    expect(await get(c, `${row}IPv6PrefixNumberOfEntries`)).toBe('0');
  });

  it('a new ULAPrefix moves the address; a non-ULA prefix or an unmanaged interface is refused', async () => {
    const c = a!.controller;
    const row = await ipInterface('ula0');
    const n = Number(row.split('.').at(-2)).toString(16);
    await set(c, row, { ULAEnable: 'true' });
    await set(c, 'Device.IP.', { ULAPrefix: 'fd12:3456:789a::/48' });
    expect(v6('ula0')).toEqual([`fd12:3456:789a:${n}::1/64`]);
    for (const bad of ['2001:db8::/48', 'fd12:3456:789a::/56', 'not a prefix']) expect(await trySet(c, 'Device.IP.', { ULAPrefix: bad })).toMatchObject({ ok: false, paramErrCode: 7012 });
    expect(await get(c, 'Device.IP.ULAPrefix')).toBe('fd12:3456:789a::/48');
    // ula1 is not managed: refused, the kernel untouched.
    const r = await trySet(c, await ipInterface('ula1'), { ULAEnable: 'true' });
    expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode)).toBe(7002);
    expect(v6('ula1')).toEqual([]);
  });

  it('a restart keeps the prefix and puts back the ULA address a reboot would have dropped', async () => {
    const row = await ipInterface('ula0');
    const n = Number(row.split('.').at(-2)).toString(16);
    const port = a!.port;
    await a!.close();
    a = undefined;
    execFileSync('ip', ['-n', ns.name, '-6', 'addr', 'flush', 'dev', 'ula0', 'scope', 'global']);
    expect(v6('ula0')).toEqual([]);
    a = await startAgentInNamespace(ns, 'ula0', { dataDir, port });
    expect(v6('ula0')).toEqual([`fd12:3456:789a:${n}::1/64`]);
    expect(await get(a.controller, 'Device.IP.ULAPrefix')).toBe('fd12:3456:789a::/48');
    expect(await get(a.controller, `${await ipInterface('ula0')}ULAEnable`)).toBe('true');
  }, 30_000);
});
