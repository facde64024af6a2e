/**
 * The simulated gateway's MQTT bridges (Device.MQTT.Broker.{i}.Bridge.{i}., MQTTBrokerBridgeBase:1):
 * none shipped; a Controller's bridge connects to a simulated remote (Connecting, then Connected
 * through the reachable Server of lowest Priority), reads Error_BrokerUnreachable when no Server
 * answers, Error_Misconfigured without a Server or Subscription, Error while its broker is off,
 * Disabled with Enable false; bad values are refused (7012), the Server in use cannot be deleted
 * (7024), and the rows survive a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { refusal, type SimFixture, simulated } from './fixture.js';

const B = 'Device.MQTT.Broker.1.';

describe('simulated platform: Device.MQTT.Broker.{i}.Bridge', () => {
  let sim: SimFixture;
  afterEach(() => sim.stop());

  async function bridgeWith(sim: SimFixture, addresses: Array<[string, number]>): Promise<string> {
    const n = await sim.add(`${B}Bridge.`, { Name: 'cloud', Enable: true, Username: 'gw', Password: 'secret' });
    const bridge = `${B}Bridge.${n}.`;
    for (const [Address, Priority] of addresses) await sim.add(`${bridge}Server.`, { Address, Priority, Enable: true });
    return bridge;
  }

  it('ships none; a bridge needs a Server and a Subscription, then connects through the answering Server of lowest Priority', async () => {
    sim = simulated();
    expect((await sim.values(B)).BridgeNumberOfEntries).toBe(0);
    const bridge = await bridgeWith(sim, []);
    expect(await sim.values(bridge)).toMatchObject({ Status: 'Error_Misconfigured', ServerConnection: '', Password: 'secret' });
    await sim.add(`${bridge}Server.`, { Address: 'dead.invalid', Priority: 1, Enable: true });
    await sim.add(`${bridge}Server.`, { Address: 'backup.example.net', Priority: 5, Enable: true });
    await sim.add(`${bridge}Server.`, { Address: 'cloud.example.net', Priority: 2, Enable: false });
    expect((await sim.values(bridge)).Status).toBe('Error_Misconfigured');
    await sim.add(`${bridge}Subscription.`, { Topic: 'gw/#', Direction: 'out', Enable: true });
    expect(await sim.values(bridge)).toMatchObject({ Status: 'Connecting', ServerConnection: `${bridge}Server.2` });
    sim.advance(3);
    expect(await sim.values(bridge)).toMatchObject({ Status: 'Connected', ServerConnection: `${bridge}Server.2`, ServerNumberOfEntries: 3, SubscriptionNumberOfEntries: 1 });
    expect((await sim.values(`${bridge}Subscription.1.`)).Status).toBe('Enabled');
    // The Server in use cannot be deleted; another can.
    expect((await refusal(() => sim.del(`${bridge}Server.2.`))).code).toBe(ErrorCode.DeleteFailure);
    await sim.del(`${bridge}Server.3.`);
    // Only unreachable Servers left: Error_BrokerUnreachable, no ServerConnection, the Subscription not in use.
    await sim.set(`${bridge}Server.2.`, { Address: '192.0.2.10' });
    expect(await sim.values(bridge)).toMatchObject({ Status: 'Error_BrokerUnreachable', ServerConnection: '' });
    expect((await sim.values(`${bridge}Subscription.1.`)).Status).toBe('Error');
  });

  it('follows its broker and its own Enable', async () => {
    sim = simulated();
    const bridge = await bridgeWith(sim, [['cloud.example.net', 0]]);
    await sim.add(`${bridge}Subscription.`, { Topic: 'a/#', Direction: 'both', QoS: 1, Enable: true });
    sim.advance(5);
    expect((await sim.values(bridge)).Status).toBe('Connected');
    await sim.set(B, { Enable: false });
    expect(await sim.values(bridge)).toMatchObject({ Status: 'Error', ServerConnection: '' });
    await sim.set(B, { Enable: true });
    expect((await sim.values(bridge)).Status).toBe('Connecting');
    await sim.set(bridge, { Enable: false });
    expect((await sim.values(bridge)).Status).toBe('Disabled');
    expect((await sim.values(`${bridge}Subscription.1.`)).Status).toBe('Error');
    await sim.set(`${bridge}Subscription.1.`, { Enable: false });
    expect((await sim.values(`${bridge}Subscription.1.`)).Status).toBe('Disabled');
  });

  it('refuses bad values (7012) keeping nothing, and Adds past the bounds (7005)', async () => {
    sim = simulated();
    const bridge = await bridgeWith(sim, [['cloud.example.net', 0]]);
    const sub = `${bridge}Subscription.${await sim.add(`${bridge}Subscription.`, { Topic: 'a/#', Enable: true })}.`;
    for (const [path, bad] of [
      [sub, { Topic: 'a/#/b' }],
      [sub, { RemotePrefix: 'r/#' }],
      [`${bridge}Server.1.`, { Address: 'no such host!' }],
      [bridge, { KeepAliveTime: 2 }],
    ] as const) {
      expect((await refusal(() => sim.set(path, bad))).code, JSON.stringify(bad)).toBe(ErrorCode.InvalidValue);
    }
    expect(await sim.values(sub)).toMatchObject({ Topic: 'a/#', RemotePrefix: '' });
    expect((await refusal(() => sim.add(`${bridge}Subscription.`, { Topic: 'bad topic' }))).code).toBe(ErrorCode.InvalidValue);
    expect((await sim.values(bridge)).SubscriptionNumberOfEntries).toBe(1);
    for (let i = 0; i < 3; i++) await sim.add(`${bridge}Server.`, { Address: `s${i}.example.net` });
    expect((await refusal(() => sim.add(`${bridge}Server.`, { Address: 'one.too.many' }))).code).toBe(ErrorCode.ResourcesExceeded);
  });

  it('keeps the rows across a restart, and a deleted broker takes its bridges with it', async () => {
    const store = new DataStore();
    sim = simulated(42, { store });
    const bridge = await bridgeWith(sim, [['cloud.example.net', 0]]);
    await sim.add(`${bridge}Subscription.`, { Topic: 'a/#', Enable: true });
    sim.stop();
    sim = simulated(42, { store });
    expect(await sim.values(bridge)).toMatchObject({ Name: 'cloud', ServerNumberOfEntries: 1, SubscriptionNumberOfEntries: 1 });
    await sim.del(B);
    expect(await sim.instances('Device.MQTT.Broker.')).toEqual([]);
    const n = await sim.add('Device.MQTT.Broker.', { Name: 'again' });
    expect((await sim.values(`Device.MQTT.Broker.${n}.`)).BridgeNumberOfEntries).toBe(0);
  });
});
