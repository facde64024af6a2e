/**
 * NeighborDiscovery:1 on generic Linux, for real: the built agent process (`npm run build`
 * first) runs with `--platform linux --manage-interfaces nd0` in its own network namespace; a
 * controller over a real WebSocket adds an InterfaceSetting row on nd0 and the test reads the
 * kernel's sysctls back (/proc/sys/net/ipv6/conf/nd0, neigh/nd0 inside the namespace). A peer
 * namespace on nd0's other end runs tcpdump: with RSEnable false a link that comes up sends no
 * Router Solicitation, with it true it does. The settings come back after a restart that found
 * them reset (as a reboot does) and when the device is made anew, and a Delete gives the
 * kernel's defaults back. Bad values,
 * unmanaged interfaces and lo are refused with the sysctls unchanged. Needs root (`ip netns`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-nd-${tag}`, `10.246.${tag % 250}`, `uspnd${tag}`, 'ctl0');
const peer = PeerNamespace.beside(ns, `usp-ndpeer-${tag}`, { inside: 'nd0', outside: 'nd1' });
const dataDir = mkdtempSync(join(tmpdir(), 'usp-nd-data-'));
const ND = 'Device.NeighborDiscovery.InterfaceSetting.';
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  a = await startAgentInNamespace(ns, 'nd0,nd2', { dataDir });
}, 30_000);

afterAll(async () => {
  await a?.close();
  peer.remove();
  ns.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

/** nd0's Neighbor Discovery sysctls in the agent's namespace. */
function sysctls(dev = 'nd0'): Record<string, number> {
  const read = (file: string): number => Number(execFileSync('ip', ['netns', 'exec', ns.name, 'cat', `/proc/sys/net/ipv6/${file}`], { encoding: 'utf8' }).trim());
  return {
    dad_transmits: read(`conf/${dev}/dad_transmits`),
    retrans_time_ms: read(`neigh/${dev}/retrans_time_ms`),
    router_solicitation_interval: read(`conf/${dev}/router_solicitation_interval`),
    router_solicitation_max_interval: read(`conf/${dev}/router_solicitation_max_interval`),
    router_solicitations: read(`conf/${dev}/router_solicitations`),
  };
}
const KERNEL_DEFAULTS = { dad_transmits: 1, retrans_time_ms: 1000, router_solicitation_interval: 4, router_solicitation_max_interval: 3600, router_solicitations: -1 };

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path.slice(0, -1);
}

/** Takes nd0 down and up, and waits until its link-local address has passed DAD (the kernel solicits a router then). */
async function flap(): Promise<void> {
  ns.ip('link', 'set', 'nd0', 'down');
  ns.ip('link', 'set', 'nd0', 'up');
  await expect.poll(() => ns.ip('-6', 'addr', 'show', 'dev', 'nd0', 'scope', 'link'), { timeout: 20_000, interval: 100 }).toMatch(/inet6 fe80::\S+ scope link(?! tentative)/);
}

describe('Linux NeighborDiscovery (NeighborDiscovery:1), in a network namespace', () => {
  let row = '';

  it('an InterfaceSetting row on nd0 sets its sysctls; RSEnable false sets router_solicitations to 0', async () => {
    const c = a!.controller;
    expect(sysctls()).toEqual(KERNEL_DEFAULTS);
    row = await add(c, ND, { Enable: 'true', Interface: await ipInterface('nd0'), RetransTimer: '2500', RtrSolicitationInterval: '5000', MaxRtrSolicitations: '2', DADTransmits: '2' });
    expect(sysctls()).toEqual({ dad_transmits: 2, retrans_time_ms: 2500, router_solicitation_interval: 5, router_solicitation_max_interval: 5, router_solicitations: 2 });
    const values = (await getObjects(c, [row]))[row];
    expect(values).toMatchObject({ Status: 'Enabled', NUDEnable: 'true', RSEnable: 'true', Interface: await ipInterface('nd0') });
    // The kernel keeps the timer in clock ticks: a Get reads what it kept, not what was asked.
    await set(c, row, { RetransTimer: '2501' });
    expect(Number(await get(c, `${row}RetransTimer`))).toBe(sysctls().retrans_time_ms);
    await set(c, row, { RetransTimer: '2500' });
    await set(c, row, { RSEnable: 'false' });
    expect(sysctls().router_solicitations).toBe(0);
    await set(c, row, { RSEnable: 'true', MaxRtrSolicitations: '3' });
    expect(sysctls().router_solicitations).toBe(3);
    await set(c, 'Device.NeighborDiscovery.', { Enable: 'false' });
    expect(sysctls()).toEqual(KERNEL_DEFAULTS);
    expect(await get(c, `${row}Status`)).toBe('Disabled');
    await set(c, 'Device.NeighborDiscovery.', { Enable: 'true' });
    expect(sysctls().retrans_time_ms).toBe(2500);
  });

  it('refuses what the kernel or the agent cannot take, the sysctls unchanged', async () => {
    const c = a!.controller;
    const before = sysctls();
    for (const [params, code] of [
      [{ RtrSolicitationInterval: '4500' }, 7012], // the kernel keeps whole seconds
      [{ RtrSolicitationInterval: '3999' }, 7012], // below TR-181's minimum
      [{ RetransTimer: '0' }, 7012],
      [{ RetransTimer: '3600001' }, 7012],
      [{ MaxRtrSolicitations: '-1' }, 7011], // no unsignedInt
      [{ MaxRtrSolicitations: '101' }, 7012],
      [{ NUDEnable: 'false' }, 7013], // the kernel always runs NUD
      [{ Interface: await ipInterface('ctl0') }, 7002], // not managed
      [{ Interface: await ipInterface('lo') }, 7012],
      [{ Interface: 'Device.IP.Interface.99' }, 7012],
    ] as const) {
      const r = await trySet(c, row, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      // The schema's own range checks answer 7012 or 7004 (invalid value), as the agent's other checks do.
      if (!r.ok && code === 7012) expect([7004, 7012]).toContain(r.paramErrCode ?? r.errCode);
      if (!r.ok && code !== 7012) expect(r.paramErrCode ?? r.errCode, JSON.stringify(params)).toBe(code);
    }
    expect(sysctls()).toEqual(before);
    // A second row on nd0 (Interface is a unique key).
    expect(await tryAdd(c, ND, { Interface: await ipInterface('nd0') })).toMatchObject({ ok: false, errCode: 7025 });
  });

  it('with RSEnable false nd0 coming up sends no Router Solicitation; with it true it does', async () => {
    const c = a!.controller;
    await set(c, row, { DADTransmits: '1', RetransTimer: '1000', RSEnable: 'false' });
    // Only nd0's: nd1, a host itself, solicits too when the link comes back.
    const mac = (JSON.parse(ns.ip('-j', 'link', 'show', 'nd0')) as Array<{ address: string }>)[0]!.address;
    const dump = spawn('ip', ['netns', 'exec', peer.name, 'tcpdump', '-l', '-n', '-tt', '-i', 'nd1', `ether src ${mac} and icmp6 and ip6[40] == 133`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const seen: number[] = [];
    let listening = false;
    dump.stdout.setEncoding('utf8').on('data', (s: string) => {
      for (const line of s.split('\n')) if (/router solicitation/.test(line)) seen.push(Number(line.split(' ')[0]) * 1000);
    });
    dump.stderr.setEncoding('utf8').on('data', (s: string) => (listening ||= /listening on/.test(s)));
    try {
      await expect.poll(() => listening, { timeout: 15_000 }).toBe(true);
      await flap(); // RSEnable false: DAD done, and no solicitation with it
      const before = Date.now();
      await set(c, row, { RSEnable: 'true', MaxRtrSolicitations: '1' });
      await flap();
      await expect.poll(() => seen.length, { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(1);
      // The first solicitation came after the second flap: none was sent while RSEnable was false.
      expect(seen[0]).toBeGreaterThanOrEqual(before - 50);
    } finally {
      dump.kill();
    }
  }, 60_000);

  it('a device made anew (deleted, then created again) gets its row’s settings back', async () => {
    const c = a!.controller;
    ns.ip('link', 'add', 'nd2', 'type', 'veth', 'peer', 'name', 'nd3');
    await expect.poll(async () => (await getObjects(c, ['Device.IP.Interface.*.Name'])).toString() && ipInterface('nd2').catch(() => ''), { timeout: 15_000 }).not.toBe('');
    const second = await add(c, ND, { Enable: 'true', Interface: await ipInterface('nd2'), RetransTimer: '2220', RSEnable: 'false' });
    expect(sysctls('nd2')).toMatchObject({ retrans_time_ms: 2220, router_solicitations: 0 });
    ns.ip('link', 'del', 'nd2');
    // The agent's reading of the links is cached a moment: poll.
    await expect.poll(() => get(c, `${second}Status`), { timeout: 15_000, interval: 200 }).toBe('Error_Misconfigured');
    ns.ip('link', 'add', 'nd2', 'type', 'veth', 'peer', 'name', 'nd3');
    await expect.poll(() => sysctls('nd2').retrans_time_ms, { timeout: 15_000, interval: 200 }).toBe(2220);
    expect(sysctls('nd2').router_solicitations).toBe(0);
    await del(c, second);
    expect(sysctls('nd2')).toEqual(KERNEL_DEFAULTS);
  }, 60_000);

  it('a restart writes the stored row again after the sysctls were reset; a Delete gives the defaults back', async () => {
    await set(a!.controller, row, { RetransTimer: '3000', MaxRtrSolicitations: '2' });
    const port = a!.port;
    await a!.close();
    a = undefined;
    for (const [file, v] of [
      ['neigh/nd0/retrans_time_ms', '1000'],
      ['conf/nd0/router_solicitations', '3'],
    ]) {
      execFileSync('ip', ['netns', 'exec', ns.name, 'sh', '-c', `echo ${v} > /proc/sys/net/ipv6/${file}`]);
    }
    a = await startAgentInNamespace(ns, 'nd0,nd2', { dataDir, port });
    await expect.poll(() => sysctls().retrans_time_ms, { timeout: 15_000 }).toBe(3000);
    expect(sysctls().router_solicitations).toBe(2);
    await del(a.controller, row);
    expect(sysctls()).toEqual(KERNEL_DEFAULTS);
  }, 60_000);
});
