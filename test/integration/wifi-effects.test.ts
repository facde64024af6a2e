/**
 * Writable Wi-Fi parameters of the simulated gateway take effect, seen by a Controller over a
 * real WebSocket (TR-181 WiFiAccessPoint:2, WiFiRadio:1): an AccessPoint's MAC filter refuses a
 * station, which leaves AssociatedDevice (ObjectDeletion) and comes back (ObjectCreation) once
 * allowed again; Radio.{i}.GuardInterval lowers the stations' PHY rates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { add, set } from '../peers/controller-steps.js';
import { getObjects, responseOf } from '../peers/get-objects.js';
import { notifications, waitForNotification } from '../peers/TestController.js';

const TABLE = 'Device.WiFi.AccessPoint.2.AssociatedDevice.';
const STATION = `${TABLE}1.`;

describe('simulated gateway: Wi-Fi settings that take effect', () => {
  let f: AgentFixture;
  beforeAll(async () => {
    f = await startAgent();
  });
  afterAll(async () => {
    await f.close();
  });

  /** Whether `path` names an object the agent serves now. */
  const exists = async (path: string): Promise<boolean> => {
    const r = responseOf(await f.controller.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
    return r.respType === 'getResp' && r.getResp.reqPathResults[0].errCode === 0 && (r.getResp.reqPathResults[0].resolvedPathResults?.length ?? 0) > 0;
  };
  /** The Hosts row of the device with MAC address `mac`. */
  const hostOf = async (mac: string): Promise<Record<string, string>> => {
    const hosts = await getObjects(f.controller, ['Device.Hosts.Host.*.']);
    const row = Object.values(hosts).find((h) => h.PhysAddress === mac);
    if (!row) throw new Error(`no Device.Hosts.Host for ${mac}`);
    return row;
  };

  it('a station the MAC filter does not allow leaves AssociatedDevice and Hosts sees it go; allowed again, it comes back', { timeout: 150_000 }, async () => {
    const c = f.controller;
    for (const [ID, NotifType, ReferenceList] of [
      ['sta-on', 'ObjectCreation', TABLE],
      ['sta-off', 'ObjectDeletion', `${TABLE}*.`],
    ]) {
      await add(c, 'Device.LocalAgent.Subscription.', { Enable: 'true', ID, NotifType, ReferenceList });
    }
    // Seed 42: the laptop, a resident, associates with AccessPoint 2 some seconds after boot; the
    // agent has told of it (ObjectCreation), so it will tell when it leaves.
    await waitForNotification(c, (ns) => ns.find((n) => n.notify.subscriptionId === 'sta-on' && n.notify.notification === 'objCreation' && n.notify.objCreation.objPath === STATION), 70_000);
    const stations = await getObjects(c, [`${TABLE}*.`]);
    const mac = stations[STATION].MACAddress;
    const others = Object.entries(stations)
      .filter(([p]) => p !== STATION)
      .map(([, v]) => v.MACAddress);
    expect((await hostOf(mac)).Active).toBe('true');

    const from = notifications(c).length;
    await set(c, 'Device.WiFi.AccessPoint.2.', { MACAddressControlEnabled: 'true', AllowedMACAddress: [...others, '02:00:5e:00:00:01'].join(',') });
    const gone = await waitForNotification(
      c,
      (ns) => ns.slice(from).find((n) => n.notify.subscriptionId === 'sta-off' && n.notify.notification === 'objDeletion' && n.notify.objDeletion.objPath === STATION),
      40_000,
    );
    expect(gone.notify.subscriptionId).toBe('sta-off');
    expect(await exists(STATION)).toBe(false);
    expect(await hostOf(mac)).toMatchObject({ Active: 'false', AssociatedDevice: '' });

    const back = notifications(c).length;
    await set(c, 'Device.WiFi.AccessPoint.2.', { MACAddressControlEnabled: 'false' });
    await waitForNotification(
      c,
      (ns) => ns.slice(back).find((n) => n.notify.subscriptionId === 'sta-on' && n.notify.notification === 'objCreation' && n.notify.objCreation.objPath === STATION),
      70_000,
    );
    expect((await getObjects(c, [STATION]))[STATION].MACAddress).toBe(mac);
    expect((await hostOf(mac)).Active).toBe('true');
  });

  it("GuardInterval 3.2 us lowers an 802.11ax station's rate below what the shortest guard gives", { timeout: 60_000 }, async () => {
    const c = f.controller;
    // Seed 42: the phone (802.11ax) associates with AccessPoint 3 on Radio 3 about 15 s after boot.
    const phone = 'Device.WiFi.AccessPoint.3.AssociatedDevice.1.';
    while (!(await exists(phone))) await new Promise((res) => setTimeout(res, 500));
    // MCS 0 fixes the rate's share of the station's maximum (1/16) whatever the signal, so only
    // the guard interval and the rate's own swing (70-100 % of it) remain. The exact ratio at one
    // instant is checked on a fake clock (test/unit/platform/simulated/wifi-effects.test.ts).
    await set(c, 'Device.WiFi.Radio.3.', { MCS: '0', GuardInterval: '4xLTF_3.2us' });
    const v = (await getObjects(c, [phone]))[phone];
    expect(v.OperatingStandard).toBe('ax');
    const top = Number(v.MaxSupportedDataDownlinkRate) / 16;
    const rate = Number(v.LastDataDownlinkRate);
    expect(rate).toBeLessThanOrEqual((13.6 / 16) * top + 100);
    expect(rate).toBeGreaterThanOrEqual(0.7 * (13.6 / 16) * top - 100);
  });
});
