/**
 * Device.Ethernet.Link.{i}. Add and Delete on the simulated gateway (TR-181 EthernetLink:1
 * createDelete), by a Controller over a real WebSocket: the new Link over a LAN port takes the
 * port's MAC address, shows in Device.InterfaceStack (derived from LowerLayers), carries an IP
 * interface, and goes with its stacking when deleted; the gateway's own Links stay (7024).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, del, tryAdd } from '../peers/controller-steps.js';
import { getObjects } from '../peers/get-objects.js';

describe('simulated gateway: a Controller adds and deletes Ethernet Links', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  /** The InterfaceStack pairs naming `higher`, as "higher>lower" (the table is derived anew at most once a second: polled). */
  const stackOf = async (higher: string): Promise<string[]> =>
    Object.values(await getObjects(f.controller, ['Device.InterfaceStack.*.']))
      .filter((r) => r.HigherLayer === higher)
      .map((r) => `${r.HigherLayer}>${r.LowerLayer}`);

  it('a Link over lan1 with lan1 MAC, in the InterfaceStack, under an IP interface; deleted, its stacking goes too', async () => {
    const link = await add(f.controller, 'Device.Ethernet.Link.', { Enable: 'true', LowerLayers: 'Device.Ethernet.Interface.1' });
    const rows = await getObjects(f.controller, [link, 'Device.Ethernet.Interface.1.MACAddress']);
    expect(rows[link]).toMatchObject({ Name: `link${link.split('.')[3]}`, LowerLayers: 'Device.Ethernet.Interface.1', MACAddress: rows['Device.Ethernet.Interface.1.'].MACAddress });
    const ref = link.slice(0, -1);
    await expect.poll(() => stackOf(ref)).toEqual([`${ref}>Device.Ethernet.Interface.1`]);
    // An IP interface on the new Link.
    const ip = await add(f.controller, 'Device.IP.Interface.', { Enable: 'true', LowerLayers: ref });
    await expect.poll(() => stackOf(ip.slice(0, -1))).toEqual([`${ip.slice(0, -1)}>${ref}`]);
    await del(f.controller, ip, link);
    await expect.poll(() => stackOf(ref)).toEqual([]);
    expect(Object.keys(await getObjects(f.controller, ['Device.Ethernet.Link.*.Name']))).toEqual(['Device.Ethernet.Link.1.', 'Device.Ethernet.Link.2.']);
  });

  it("refuses a Link over an IP interface (7012) and keeps the gateway's own Links (7024)", async () => {
    const bad = await tryAdd(f.controller, 'Device.Ethernet.Link.', { LowerLayers: 'Device.IP.Interface.1' });
    expect(bad.ok ? 0 : bad.paramErrCode).toBe(7012);
    const m = await f.controller.send({ reqType: 'delete', delete: { allowPartial: true, objPaths: ['Device.Ethernet.Link.1.'] } });
    const r = m.body.msgBody === 'response' && m.body.response.respType === 'deleteResp' ? m.body.response.deleteResp.deletedObjResults[0]?.operStatus : undefined;
    expect(r?.operStatus === 'operFailure' ? r.operFailure.errCode : 0).toBe(7024);
  });
});
