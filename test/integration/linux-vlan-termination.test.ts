/**
 * Device.Ethernet.VLANTermination on the Linux platform behind the built agent process (`npm run
 * build` first), in a network namespace of its own with a veth pair wan0/wanpeer and
 * `--manage-interfaces wan0`, driven by a Controller over a real WebSocket. This kernel has no
 * 802.1Q module, so `ip` is the stand-in of test/fixtures/linux/vlan-termination first on PATH:
 * the VLAN command lines answer as the Debian kernel with 802.1Q did (recorded), every other
 * command is the real ip. The VLAN devices it "makes" exist in no sysfs the agent reads, so
 * their rows read NotPresent here; what is checked is what the agent runs, refuses and keeps
 * across a restart. Needs root; the namespace is removed afterwards.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, del, tryAdd } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { startAgentInNamespace, type NamespacedAgent } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';

const BIN = new URL('../fixtures/linux/vlan-termination/bin', import.meta.url).pathname;
const VLAN = 'Device.Ethernet.VLANTermination.';
const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-vlant-${tag}`, `10.239.${tag % 250}`, `uspvt${tag}`, 'ctl0');
const work = mkdtempSync(join(tmpdir(), 'usp-vlanterm-'));
const dataDir = join(work, 'data');
const log = join(work, 'vlan.log');
const env = {
  PATH: `${BIN}:${process.env.PATH ?? ''}`,
  USP_VLAN_STANDIN_NEXT: '/usr/sbin/ip',
  USP_VLAN_STANDIN_STATE: join(work, 'vlan-state.json'),
  USP_VLAN_STANDIN_SYS: join(work, 'sys'),
  USP_VLAN_STANDIN_LOG: log,
};
let a: NamespacedAgent | undefined;

beforeAll(async () => {
  ns.ip('link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'wanpeer');
  ns.ip('link', 'set', 'wanpeer', 'up');
  ns.ip('link', 'set', 'wan0', 'up');
  a = await startAgentInNamespace(ns, 'wan0', { dataDir, env });
}, 30_000);

afterAll(async () => {
  await a?.close();
  ns.remove();
  rmSync(work, { recursive: true, force: true });
});

const vlanCalls = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
const linkOf = async (name: string): Promise<string> => {
  const rows = await getObjects(a!.controller, ['Device.Ethernet.Link.*.Name']);
  const path = Object.entries(rows).find(([, v]) => v.Name === name)?.[0];
  if (!path) throw new Error(`no Link of ${name}`);
  return path.slice(0, -1);
};

describe('Linux VLAN terminations by a Controller (agent process, recorded 802.1Q kernel answers)', () => {
  it('adds wan0.100 with ip link add, refuses bad input without running ip, and makes it again after a restart', async () => {
    const wan0 = await linkOf('wan0');
    for (const params of [
      { LowerLayers: wan0, VLANID: '0' },
      { LowerLayers: wan0, VLANID: '4095' },
      { LowerLayers: 'Device.Ethernet.Interface.1', VLANID: '7' },
    ]) {
      const r = await tryAdd(a!.controller, VLAN, params);
      expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode), JSON.stringify(params)).toBe(7012);
    }
    expect(vlanCalls().filter((c) => c.startsWith('link add'))).toEqual([]);

    const row = await add(a!.controller, VLAN, { LowerLayers: wan0, VLANID: '100', Enable: 'true' });
    expect(vlanCalls()).toContain('link add link wan0 name wan0.100 type vlan id 100');
    expect(vlanCalls()).toContain('link set dev wan0.100 up');
    expect((await getObjects(a!.controller, [row]))[row]).toMatchObject({ Name: 'wan0.100', VLANID: '100', TPID: '33024', LowerLayers: wan0, Enable: 'true', Status: 'NotPresent' });
    const dup = await tryAdd(a!.controller, VLAN, { LowerLayers: wan0, VLANID: '100' });
    expect(dup.ok ? 0 : (dup.paramErrCode ?? dup.errCode)).toBe(7012);

    // A restart (the kernel's VLAN devices gone, as after a reboot): the stored row is made again.
    const port = a!.port;
    await a!.close();
    rmSync(env.USP_VLAN_STANDIN_STATE, { force: true });
    rmSync(env.USP_VLAN_STANDIN_SYS, { recursive: true, force: true });
    rmSync(log, { force: true });
    // The same port: the data directory keeps the WebSocket MTP's.
    a = await startAgentInNamespace(ns, 'wan0', { dataDir, env, port });
    await expect.poll(vlanCalls, { timeout: 15_000 }).toEqual(['-j -d link show type vlan', 'link add link wan0 name wan0.100 type vlan id 100', 'link set dev wan0.100 up']);
    expect((await getObjects(a.controller, [row]))[row]).toMatchObject({ Name: 'wan0.100', VLANID: '100' });
    await del(a.controller, row);
    expect(vlanCalls().at(-1)).toBe('link del dev wan0.100');
  });
});
