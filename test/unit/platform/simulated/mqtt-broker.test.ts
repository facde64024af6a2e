/**
 * The simulated gateway's MQTT broker (Device.MQTT.Broker.{i}., MQTTBrokerBase:1 and
 * MQTTBrokerExtended:1): the shipped row on br-lan with simulated IoT clients whose counters
 * move, writes that restart it (counters from 0), a Username the devices do not know (refused:
 * ConnectionErrors), Enable false, a refused Interface, and what a restart keeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { expectSchemaTyped, refusal, type SimFixture, simulated } from './fixture.js';

const B = 'Device.MQTT.Broker.';

describe('simulated platform: Device.MQTT.Broker', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  it('ships one anonymous broker on br-lan whose clients publish and whose counters move', async () => {
    sim = simulated();
    expect((await sim.values('Device.MQTT.')).BrokerNumberOfEntries).toBe(1);
    expect(await sim.values(`${B}1.`)).toMatchObject({ Name: 'iot', Enable: true, Status: 'Enabled', Port: 1883, Interface: 'Device.IP.Interface.1', Username: '' });
    sim.advance(120);
    const a = await sim.values(`${B}1.Stats.`);
    expect(a.TotalNumberOfClients).toBeGreaterThanOrEqual(3);
    expect(Number(a.NumberOfActiveClients) + Number(a.NumberOfInactiveClients)).toBe(a.TotalNumberOfClients);
    expect(Number(a.PublishReceived)).toBeGreaterThan(0);
    expect(a.ConnectionErrors).toBe(0);
    sim.advance(60);
    const b = await sim.values(`${B}1.Stats.`);
    for (const k of ['PublishReceived', 'PublishSent', 'MQTTMessagesSent', 'MQTTMessagesReceived']) expect(Number(b[k])).toBeGreaterThan(Number(a[k]));
    const objects = (await sim.readAll()).filter((o) => o.path.startsWith(B));
    // Broker 1: 8 parameters (Status and BridgeNumberOfEntries included, less BridgeNumberOfEntries: not served) and 10 Stats.
    expect(expectSchemaTyped(objects)).toBeGreaterThanOrEqual(8 + 10);
  });

  it('a Username restarts it and refuses the devices (ConnectionErrors); Enable false stops it', async () => {
    sim = simulated();
    sim.advance(600);
    await sim.set(`${B}1.`, { Username: 'hub', Password: 'pw' });
    sim.advance(65);
    const s = await sim.values(`${B}1.Stats.`);
    expect(s).toMatchObject({ NumberOfActiveClients: 0, PublishReceived: '0' });
    expect(s.ConnectionErrors).toBeGreaterThan(0);
    await sim.set(`${B}1.`, { Username: '' });
    sim.advance(10);
    expect(Number((await sim.values(`${B}1.Stats.`)).PublishReceived)).toBeLessThan(50);
    await sim.set(`${B}1.`, { Enable: false });
    expect((await sim.values(`${B}1.`)).Status).toBe('Disabled');
    expect((await sim.values(`${B}1.Stats.`)).TotalNumberOfClients).toBe(0);
  });

  it('refuses an Interface that names no IP.Interface row and a Username with a colon (7012), keeping nothing', async () => {
    sim = simulated();
    for (const bad of [{ Interface: 'Device.IP.Interface.99' }, { Username: 'a:b' }] as Array<Record<string, string>>) {
      expect((await refusal(() => sim.set(`${B}1.`, bad))).code).toBe(ErrorCode.InvalidValue);
    }
    expect(await sim.values(`${B}1.`)).toMatchObject({ Interface: 'Device.IP.Interface.1', Username: '' });
  });

  it('added rows start disabled; a broker off br-lan has no client; the rows survive a restart', async () => {
    const store = new DataStore();
    sim = simulated(42, { store });
    const n = await sim.add(B, { Name: 'wan-side', Enable: true, Port: 8883, Interface: 'Device.IP.Interface.2' });
    expect((await sim.values(`${B}${n}.`)).Status).toBe('Enabled');
    sim.advance(60);
    expect((await sim.values(`${B}${n}.Stats.`)).TotalNumberOfClients).toBe(0);
    sim.stop();
    sim = simulated(42, { store });
    expect(await sim.instances(B)).toEqual([1, n]);
    expect(await sim.values(`${B}${n}.`)).toMatchObject({ Name: 'wan-side', Port: 8883 });
  });
});
