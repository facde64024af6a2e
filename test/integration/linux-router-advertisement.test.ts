/**
 * RouterAdvertisement on generic Linux, for real: the built agent process (`npm run build`
 * first) runs with `--platform linux --manage-interfaces ra0` in its own network namespace and
 * advertises through the radvd it runs. A host namespace on ra0's other end receives the
 * advertisements two ways: `rdisc6` (package ndisc6) prints every field, and the host's own
 * kernel (accept_ra) takes an address in the advertised prefix and a default route with the
 * advertised lifetime and preference. A Controller's Set changes what is advertised; disabling
 * the row withdraws the default route (radvd's final advertisement, router lifetime 0); a
 * restart advertises again. RFC 4861's rules, lo, an unmanaged interface and AdvNDProxyFlag
 * (radvd cannot set it) are refused. Needs root (`ip netns`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, get, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-ra-${tag}`, `10.247.${tag % 250}`, `uspra${tag}`, 'ctl0');
const host = PeerNamespace.beside(ns, `usp-rahost-${tag}`, { inside: 'ra0', outside: 'ra1' });
const dataDir = mkdtempSync(join(tmpdir(), 'usp-ra-data-'));
const RA = 'Device.RouterAdvertisement.InterfaceSetting.';
/** The LAN prefix the router has on ra0 (RFC 3849 documentation space). */
const PREFIX = '2001:db8:5:1';
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  ns.ip('-6', 'addr', 'add', `${PREFIX}::1/64`, 'dev', 'ra0');
  a = await startAgentInNamespace(ns, 'ra0', { dataDir });
}, 30_000);

afterAll(async () => {
  await a?.close();
  host.remove();
  ns.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One advertisement as rdisc6 prints it in the host namespace ("" while none came). */
function rdisc6(): string {
  try {
    return execFileSync('ip', ['netns', 'exec', host.name, 'rdisc6', '-1', '-r', '2', '-w', '1500', 'ra1'], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/** The host's default route over ra1, as `ip -6 route` shows it ("" when none). */
function hostDefaultRoute(): string {
  return host.ip('-6', 'route', 'show', 'default').trim();
}

async function ipInterface(name: string): Promise<string> {
  const rows = await getObjects(a!.controller, ['Device.IP.Interface.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no IP.Interface for ${name}`);
  return path.slice(0, -1);
}

describe('Linux RouterAdvertisement through radvd, in network namespaces', () => {
  let row = '';

  it('a row on ra0 advertises its values and the prefix: rdisc6 reads them and the host autoconfigures from them', async () => {
    const c = a!.controller;
    row = await add(c, RA, {
      Enable: 'true',
      Interface: await ipInterface('ra0'),
      MaxRtrAdvInterval: '30',
      MinRtrAdvInterval: '10',
      AdvDefaultLifetime: '1234',
      AdvManagedFlag: 'true',
      AdvMobileAgentFlag: 'true',
      AdvPreferredRouterFlag: 'High',
      AdvLinkMTU: '1400',
      AdvReachableTime: '30000',
      AdvRetransTimer: '2000',
      AdvCurHopLimit: '33',
    });
    await expect.poll(() => rdisc6(), { timeout: 20_000, interval: 500 }).toMatch(/Router lifetime\s*:\s*1234 /);
    const ra = rdisc6();
    expect(ra).toMatch(/Hop limit\s*:\s*33 /);
    expect(ra).toMatch(/Stateful address conf\.\s*:\s*Yes/);
    expect(ra).toMatch(/Stateful other conf\.\s*:\s*No/);
    expect(ra).toMatch(/Mobile home agent\s*:\s*Yes/);
    expect(ra).toMatch(/Router preference\s*:\s*high/);
    expect(ra).toMatch(/Neighbor discovery proxy\s*:\s*No/);
    expect(ra).toMatch(/Reachable time\s*:\s*30000 /);
    expect(ra).toMatch(/Retransmit time\s*:\s*2000 /);
    expect(ra).toMatch(/MTU\s*:\s*1400 bytes/);
    expect(ra).toContain(`Prefix                   : ${PREFIX}::/64`);
    // The host's kernel took the advertisement: a default route with its lifetime and preference, an address in the prefix.
    await expect.poll(() => hostDefaultRoute(), { timeout: 20_000, interval: 500 }).toMatch(/default via fe80::\S+ dev ra1 proto ra .*expires \d+sec.*pref high/);
    expect(Number(/expires (\d+)sec/.exec(hostDefaultRoute())![1])).toBeGreaterThan(1200);
    await expect.poll(() => host.ip('-6', 'addr', 'show', 'dev', 'ra1', 'scope', 'global'), { timeout: 20_000, interval: 500 }).toContain(`inet6 ${PREFIX}:`);
    expect(await get(c, `${row}Status`)).toBe('Enabled');
  }, 60_000);

  it('a Set changes what is advertised', async () => {
    await set(a!.controller, row, { AdvManagedFlag: 'false', AdvOtherConfigFlag: 'true', AdvPreferredRouterFlag: 'Low', AdvDefaultLifetime: '900' });
    await expect.poll(() => rdisc6(), { timeout: 20_000, interval: 500 }).toMatch(/Router lifetime\s*:\s*900 /);
    const ra = rdisc6();
    expect(ra).toMatch(/Stateful address conf\.\s*:\s*No/);
    expect(ra).toMatch(/Stateful other conf\.\s*:\s*Yes/);
    expect(ra).toMatch(/Router preference\s*:\s*low/);
  }, 60_000);

  it('refuses what RFC 4861 forbids, lo, an unmanaged interface and the ND proxy flag, advertising as before', async () => {
    const c = a!.controller;
    for (const [params, codes] of [
      [{ MinRtrAdvInterval: '23' }, [7012]], // more than 0.75 × 30
      [{ MaxRtrAdvInterval: '12' }, [7012]], // 10 > 0.75 × 12
      [{ AdvDefaultLifetime: '20' }, [7012]], // neither 0 nor ≥ 30
      [{ AdvLinkMTU: '1000' }, [7012]],
      [{ MaxRtrAdvInterval: '1801' }, [7004, 7012]], // past the schema's range
      [{ AdvCurHopLimit: '256' }, [7004, 7012]],
      [{ AdvNDProxyFlag: 'true' }, [7013]], // radvd cannot set the P flag
      [{ Interface: await ipInterface('lo') }, [7012]],
      [{ Interface: await ipInterface('ctl0') }, [7002]], // not managed
    ] as const) {
      const r = await trySet(c, row, params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      if (!r.ok) expect(codes, JSON.stringify(params)).toContain(r.paramErrCode ?? r.errCode);
    }
    expect(await tryAdd(c, RA, { Interface: await ipInterface('ra0') })).toMatchObject({ ok: false, errCode: 7025 });
    expect(rdisc6()).toMatch(/Router lifetime\s*:\s*900 /);
  }, 60_000);

  it('disabling the row withdraws the default route; a restart advertises the stored row again', async () => {
    await set(a!.controller, row, { Enable: 'false' });
    expect(await get(a!.controller, `${row}Status`)).toBe('Disabled');
    await expect.poll(() => hostDefaultRoute(), { timeout: 20_000, interval: 500 }).toBe('');
    await set(a!.controller, row, { Enable: 'true' });
    await expect.poll(() => hostDefaultRoute(), { timeout: 20_000, interval: 500 }).toMatch(/pref low/);
    const port = a!.port;
    await a!.close();
    a = undefined;
    a = await startAgentInNamespace(ns, 'ra0', { dataDir, port });
    await expect.poll(() => rdisc6(), { timeout: 20_000, interval: 500 }).toMatch(/Router lifetime\s*:\s*900 /);
    expect(await get(a.controller, `${row}Status`)).toBe('Enabled');
  }, 90_000);
});
