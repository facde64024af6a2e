/**
 * Device.Ethernet.VLANTermination.{i}. on the simulated gateway (TR-181 VLANTermination:1), by a
 * Controller over a real WebSocket: a tagged interface added over br-lan's Link comes Up, shows
 * in Device.InterfaceStack (derived from LowerLayers) under an IP interface stacked on it, counts
 * traffic, and refuses bad VLAN IDs, lower layers and duplicates (7012) with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, tryAdd, trySet } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';

const VLAN = 'Device.Ethernet.VLANTermination.';

describe('simulated gateway: a Controller adds and deletes VLAN terminations', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  const stackOf = async (higher: string): Promise<string[]> =>
    Object.values(await getObjects(f.controller, ['Device.InterfaceStack.*.']))
      .filter((r) => r.HigherLayer === higher)
      .map((r) => `${r.HigherLayer}>${r.LowerLayer}`);

  it('a tagged interface over br-lan: Up, in the InterfaceStack under an IP interface, counting; deleted, its stacking goes', async () => {
    const vlan = await add(f.controller, VLAN, { Enable: 'true', LowerLayers: 'Device.Ethernet.Link.1', VLANID: '100' });
    const ref = vlan.slice(0, -1);
    expect((await getObjects(f.controller, [vlan]))[vlan]).toMatchObject({ Status: 'Up', Name: 'br-lan.100', VLANID: '100', TPID: '33024', LowerLayers: 'Device.Ethernet.Link.1' });
    expect((await getObjects(f.controller, ['Device.Ethernet.']))['Device.Ethernet.'].VLANTerminationNumberOfEntries).toBe('1');
    await expect.poll(() => stackOf(ref)).toEqual([`${ref}>Device.Ethernet.Link.1`]);
    const ip = await add(f.controller, 'Device.IP.Interface.', { Enable: 'true', LowerLayers: ref });
    await expect.poll(() => stackOf(ip.slice(0, -1))).toEqual([`${ip.slice(0, -1)}>${ref}`]);
    // Counters move with the simulated traffic (the agent's clock is the wall clock: polled).
    const bytes = async (): Promise<number> => Number((await getObjects(f.controller, [`${vlan}Stats.BytesSent`]))[`${vlan}Stats.`].BytesSent);
    const first = await bytes();
    await expect.poll(bytes, { timeout: 30_000, interval: 500 }).toBeGreaterThan(first);
    await del(f.controller, ip, vlan);
    await expect.poll(() => stackOf(ref)).toEqual([]);
    expect(Object.keys(await getObjects(f.controller, [`${VLAN}*.Name`]))).toEqual([]);
  });

  it('refuses VLAN ID 0 and 4095, a lower layer that is no Ethernet.Link, and one VLAN ID twice on a Link (7012), changing nothing', async () => {
    const kept = await add(f.controller, VLAN, { LowerLayers: 'Device.Ethernet.Link.2', VLANID: '10' });
    for (const params of [
      { LowerLayers: 'Device.Ethernet.Link.2', VLANID: '0' },
      { LowerLayers: 'Device.Ethernet.Link.2', VLANID: '4095' },
      { LowerLayers: 'Device.Ethernet.Interface.1', VLANID: '20' },
      { LowerLayers: 'Device.Ethernet.Link.2', VLANID: '10' },
    ]) {
      const r = await tryAdd(f.controller, VLAN, params);
      expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode), JSON.stringify(params)).toBe(7012);
    }
    const other = await add(f.controller, VLAN, { LowerLayers: 'Device.Ethernet.Link.1', VLANID: '10' });
    const r = await trySet(f.controller, other, { LowerLayers: 'Device.Ethernet.Link.2' });
    expect(r.ok ? 0 : (r.paramErrCode ?? r.errCode)).toBe(7012);
    const rows = await getObjects(f.controller, [`${VLAN}*.`]);
    expect(Object.keys(rows).filter((p) => !p.endsWith('Stats.'))).toEqual([kept, other]);
    expect(rows[other].LowerLayers).toBe('Device.Ethernet.Link.1');
    await del(f.controller, kept, other);
  });
});
