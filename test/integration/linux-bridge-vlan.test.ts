/**
 * The 802.1Q bridge objects of the Linux platform (VLANBridge:1: Bridge.{i}.VLAN, VLANPort, Port
 * PVID and AcceptableFrameTypes) driven by a real Controller over WebSocket against a real agent
 * process (`usp-agent run --platform linux`). This machine's kernel has no bridge module, so the
 * agent's `bridge` is a stand-in replaying, in order, what the real one did in a VM for the same
 * writes (test/fixtures/linux/bridge-vlan-writes: session.json recorded, bridge-standin.mjs
 * written); the bridge br-lan and its ports lan1..lan3 are a sysfs tree and `ip -j addr` written
 * by the test (USP_AGENT_LINUX_SYSFS_ROOT, fake-bridge-host.ts). Bad values are refused before
 * `bridge` is asked, and the agent stays up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, REPO, writeDefaultsFile } from '../peers/agent-process.js';
import { add, del, set, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';
import { freePort, TestController } from '../peers/TestController.js';
import { fakeBridgeHost } from '../unit/platform/linux/fake-bridge-host.js';

const FIXTURE = join(REPO, 'test/fixtures/linux/bridge-vlan-writes');
const host = fakeBridgeHost('1', join(FIXTURE, 'bridge-standin.mjs'));
const SESSION = JSON.parse(readFileSync(join(FIXTURE, 'session.json'), 'utf8')) as Array<{ step: string; argv: string[]; exitCode: number }>;
/** The agent's other Linux sources stay off: this test is about bridges and must not touch the host. */
const QUIET = ['--dnsmasq', 'off', '--nat', 'off', '--access-control', 'off', '--packet-counters', 'off', '--time', 'off', '--wifi', 'off'];
let controller: TestController | undefined;

afterAll(async () => {
  await controller?.close();
  await AgentProcess.killAll();
  host.cleanup();
});

/** The `bridge` writes the agent made (reads left out), as argv lines without the program name. */
const writes = (): string[] =>
  readFileSync(join(host.dir, 'bridge.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as string[]).join(' '))
    .filter((l) => l !== '-j vlan show');

describe('Linux 802.1Q bridge through a Controller (recorded bridge vlan writes)', () => {
  it('reads, refuses bad values, then replays the recorded writes: PVID, VLAN Add, VLANPort Add/Set, AdmitOnlyVLANTagged, VLANID move, Deletes', async () => {
    const port = await freePort();
    const defaults = join(host.dir, 'defaults.json');
    writeDefaultsFile(defaults, port);
    const p = AgentProcess.start(defaults, join(host.dir, 'data'), {
      platform: 'linux',
      args: [...QUIET, '--manage-interfaces', 'br-lan,lan1,lan2,lan3'],
      env: { PATH: `${host.binDir}:${process.env.PATH}`, USP_AGENT_LINUX_SYSFS_ROOT: host.sysRoot },
    });
    await p.waitForLine(/websocket server listening/, { timeoutMs: 30_000 });
    const c = (controller = await TestController.connect(`ws://127.0.0.1:${port}/usp`, CONTROLLER_EID, AGENT_EID));

    const read = async (): Promise<Record<string, Record<string, string>>> => getObjects(c, ['Device.Bridging.']);
    let o = await read();
    expect(o['Device.Bridging.']).toMatchObject({ MaxQBridgeEntries: '64', MaxVLANEntries: '4094' });
    const br = Object.keys(o).find((k) => /^Device\.Bridging\.Bridge\.\d+\.$/.test(k) && o[k]!.Name === 'br-lan')!;
    expect(o[br]).toMatchObject({ Standard: '802.1Q-2011', VLANNumberOfEntries: '1', VLANPortNumberOfEntries: '4' });
    const portOf = (name: string): string => Object.keys(o).find((k) => k.startsWith(`${br}Port.`) && /Port\.\d+\.$/.test(k) && o[k]!.Name === name)!;
    const [lan1, lan2] = [portOf('lan1'), portOf('lan2')];
    expect(o[lan1]).toMatchObject({ PVID: '1', AcceptableFrameTypes: 'AdmitAll', IngressFiltering: 'true', PriorityTagging: 'false', DefaultUserPriority: '0' });

    // Bad values: refused before `bridge` runs.
    const refused = async (r: Promise<{ ok: boolean; errCode?: number; paramErrCode?: number }>): Promise<number | undefined> => {
      const x = await r;
      expect(x.ok).toBe(false);
      return x.paramErrCode ?? x.errCode;
    };
    expect(await refused(trySet(c, lan1, { PVID: '4095' }))).toBe(7012);
    expect(await refused(trySet(c, lan1, { AcceptableFrameTypes: 'AdmitOnlyPrioUntagged' }))).toBe(7012);
    expect(await refused(tryAdd(c, `${br}VLAN.`, { VLANID: '0' }))).toBe(7012);
    expect(await refused(tryAdd(c, `${br}VLAN.`, { VLANID: '4095' }))).toBe(7012);
    expect(await refused(tryAdd(c, `${br}VLANPort.`, { VLAN: `${br}VLAN.1`, Port: `${br}Port.99` }))).toBe(7012);
    expect(await refused(trySet(c, lan1, { PriorityTagging: 'true' }))).toBe(7013);
    expect(await refused(trySet(c, lan1, { IngressFiltering: 'false' }))).toBe(7013);
    expect(readFileSync(join(host.dir, 'bridge.log'), 'utf8')).not.toMatch(/"vlan","(add|del)"/);

    await set(c, lan1, { PVID: '10' });
    o = await read();
    expect(o[lan1]).toMatchObject({ PVID: '10', AcceptableFrameTypes: 'AdmitAll' });
    const vlan20 = await add(c, `${br}VLAN.`, { VLANID: '20' });
    const member = await add(c, `${br}VLANPort.`, { VLAN: vlan20.slice(0, -1), Port: lan2.slice(0, -1), Untagged: 'true' });
    o = await read();
    expect(o[member]).toMatchObject({ VLAN: vlan20.slice(0, -1), Port: lan2.slice(0, -1), Untagged: 'true', Enable: 'true' });
    await set(c, member, { Untagged: 'false' });
    await set(c, lan1, { AcceptableFrameTypes: 'AdmitOnlyVLANTagged' });
    o = await read();
    expect(o[member]).toMatchObject({ Untagged: 'false' });
    expect(o[lan1]).toMatchObject({ AcceptableFrameTypes: 'AdmitOnlyVLANTagged' });
    expect(o[lan1]!.PVID).toBeUndefined();
    // A new VLANID moves every membership; the VLAN and its members keep their instances.
    await set(c, vlan20, { VLANID: '30' });
    o = await read();
    expect(o[vlan20]).toMatchObject({ VLANID: '30' });
    expect(o[member]).toMatchObject({ VLAN: vlan20.slice(0, -1), Port: lan2.slice(0, -1) });
    // lan1 leaves VLAN 1, then VLAN 30 goes.
    const lan1Vlan1 = Object.keys(o).find((k) => k.startsWith(`${br}VLANPort.`) && o[k]!.Port === lan1.slice(0, -1) && o[k]!.VLAN === `${br}VLAN.1`)!;
    await del(c, lan1Vlan1);
    await del(c, vlan20);
    o = await read();
    expect(o[vlan20]).toBeUndefined();
    expect(o[lan1Vlan1]).toBeUndefined();

    // Every write the agent made is a recorded step, in the recorded order.
    const recorded = SESSION.filter((s) => s.argv[0] === 'bridge' && s.argv.join(' ') !== 'bridge -j vlan show' && s.exitCode === 0).map((s) => s.argv.slice(1).join(' '));
    expect(writes()).toEqual(recorded);
    expect(p.alive).toBe(true);
  }, 120_000);
});
