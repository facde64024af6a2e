/**
 * `--radvd off` (and `$radvd`) on generic Linux, for real: the built agent process
 * (`npm run build` first) runs with `--platform linux --manage-interfaces ra0 --radvd off` in
 * its own network namespace, ra0 carrying an IPv6 prefix that would be advertised. The agent
 * starts no radvd and writes no radvd file; a Controller finds Device.RouterAdvertisement. not
 * served (7026 for Get, Add and Set) and a host on ra0's other end (rdisc6, package ndisc6)
 * hears no advertisement. The same with `"$radvd": "off"` in the defaults file. Needs root
 * (`ip netns`).
 *
 * The same agents carry the other off switches (platform/service-switches.ts): the first
 * `--captive-portal off --bridge-filter off --qos off`, and GetSupportedDM lists none of their
 * objects while nft and tc are there to serve them; the second `"$captivePortal": "off"` and
 * `"$qos": "on"` in its defaults file, and lists QoS and the bridge filter but no captive portal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { get, tryAdd, trySet } from '../peers/controller-steps.js';
import { supportedObjects } from '../peers/supported-items.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace, PeerNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-rdoff-${tag}`, `10.246.${tag % 250}`, `usprdoff${tag}`, 'ctl0');
const host = PeerNamespace.beside(ns, `usp-rdoffh-${tag}`, { inside: 'ra0', outside: 'ra1' });
ns.ip('-6', 'addr', 'add', '2001:db8:6:1::1/64', 'dev', 'ra0');
const RA = 'Device.RouterAdvertisement.';
let a: NamespacedAgent | undefined;
const dataDirs: string[] = [];

afterAll(async () => {
  await a?.close();
  host.remove();
  ns.remove();
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

/** The command lines of radvd processes whose files are in `dataDir` (an agent's own radvd), from /proc. */
function radvdsOf(dataDir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (basename(argv[0] ?? '') === 'radvd' && argv.some((a) => a.includes(dataDir))) out.push(argv.join(' '));
  }
  return out;
}

/** Which of the switchable objects the agent lists in GetSupportedDM. */
async function switchableServed(agent: NamespacedAgent): Promise<string[]> {
  const served = await supportedObjects(agent.controller, ['Device.']);
  return ['Device.CaptivePortal.', 'Device.Bridging.Filter.{i}.', 'Device.QoS.'].filter((p) => served.has(p));
}

/** The agent's own nftables tables in the namespace. */
const agentTables = (): string[] => spawnSync(ns.exec[0]!, [...ns.exec.slice(1), 'nft', 'list', 'tables'], { encoding: 'utf8' }).stdout.match(/usp_agent_\w+/g) ?? [];

/** rdisc6's solicitations from the host namespace: what it printed (stdout, then stderr). */
function rdisc6(): string {
  const r = spawnSync('ip', ['netns', 'exec', host.name, 'rdisc6', '-1', '-r', '2', '-w', '1500', 'ra1'], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

async function expectNotServed(agent: NamespacedAgent, dataDir: string): Promise<void> {
  const c = agent.controller;
  await expect(get(c, `${RA}Enable`)).rejects.toThrow(/7026/);
  expect(await tryAdd(c, `${RA}InterfaceSetting.`, { Enable: 'true' })).toMatchObject({ ok: false, errCode: 7026 });
  expect(await trySet(c, RA, { Enable: 'true' })).toMatchObject({ ok: false });
  expect(agent.agent.text).toMatch(/Device\.RouterAdvertisement\. not served.*--radvd off/);
  expect(radvdsOf(dataDir)).toEqual([]);
  expect(existsSync(join(dataDir, 'radvd.conf'))).toBe(false);
}

describe('Linux with --radvd off, in network namespaces', () => {
  it('starts no radvd, serves no Device.RouterAdvertisement. (7026) and nothing is advertised on the managed link', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'usp-radvd-off-'));
    dataDirs.push(dataDir);
    a = await startAgentInNamespace(ns, 'ra0', { dataDir, args: ['--radvd', 'off', '--captive-portal', 'off', '--bridge-filter', 'off', '--qos', 'off'] });
    await expectNotServed(a, dataDir);
    expect(await switchableServed(a)).toEqual([]);
    expect(a.agent.text).toMatch(/Device\.QoS\. not served.*--qos off/);
    expect(agentTables().filter((t) => /captive|bridge_filter|qos/.test(t))).toEqual([]);
    // The host solicits once its link-local address left DAD; only the agent's radvd could answer on this link.
    await expect.poll(() => host.ip('-6', 'addr', 'show', 'dev', 'ra1', 'scope', 'link', '-tentative'), { timeout: 20_000, interval: 200 }).toContain('inet6 fe80::');
    const heard = rdisc6();
    expect(heard).toMatch(/No response/i);
    expect(heard).not.toMatch(/Router lifetime/);
    // Device.NeighborDiscovery. (the same wiring) is still served.
    expect(await get(a.controller, 'Device.NeighborDiscovery.Enable')).toMatch(/^(true|false)$/);
    await a.close();
    a = undefined;
  }, 60_000);

  it('"$radvd": "off" in the defaults file does the same', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'usp-radvd-off-file-'));
    dataDirs.push(dataDir);
    a = await startAgentInNamespace(ns, 'ra0', { dataDir, fileSettings: { $manageInterfaces: ['ra0'], $radvd: 'off', $captivePortal: 'off', $qos: 'on' } });
    await expectNotServed(a, dataDir);
    expect(await switchableServed(a)).toEqual(['Device.Bridging.Filter.{i}.', 'Device.QoS.']);
  }, 60_000);
});
