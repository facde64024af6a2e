/**
 * Two simulated gateways of one fleet (one SharedSupportedModel, as `usp-agent fleet` builds
 * them): what does not depend on the gateway is made once and shared (issue 14: memory per
 * gateway), and what a gateway does (a Set, a BSS restart, a sensor's polls) stays its own.
 */
import { describe, expect, it } from 'vitest';
import { statsTypes } from '../../../../platform/simulated/traffic.js';
import { schemaDefaults, schemaTypes } from '../../../../platform/simulated/schema-tables.js';
import type { SimFixture } from './fixture.js';
import { simulatedFleet } from './fleet-fixture.js';

const fleet = simulatedFleet(7);

describe('simulated gateways of one fleet', () => {
  it('share their tree and the per-schema tables of the simulation', () => {
    const [a, b] = fleet(2);
    expect(b.model.root).toBe(a.model.root);
    for (const path of ['Device.WiFi.SSID.{i}.Stats.', 'Device.WiFi.Radio.{i}.Stats.', 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.']) {
      expect(schemaTypes(b.model, path)).toBe(schemaTypes(a.model, path));
    }
    const ethernetStats = (gw: SimFixture) => statsTypes(gw.model.requireNode('Device.Ethernet.Interface.{i}.Stats.').def.params, '');
    expect(ethernetStats(b)).toBe(ethernetStats(a));
    for (const path of ['Device.DeviceInfo.', 'Device.Ethernet.Interface.{i}.', 'Device.WiFi.Radio.{i}.', 'Device.WiFi.SSID.{i}.Stats.']) {
      expect(b.binding(path).params).toBe(a.binding(path).params);
    }
    // Objects with nothing of the gateway in them: one binding for the fleet.
    for (const path of ['Device.Bridging.', 'Device.DNS.', 'Device.Ethernet.', 'Device.NAT.', 'Device.DeviceInfo.TemperatureStatus.']) {
      expect(b.binding(path)).toBe(a.binding(path));
    }
    const names = ['Enable', 'Protocol'];
    expect(schemaDefaults(b.model, 'Device.NAT.PortMapping.{i}.', names)).toBe(schemaDefaults(a.model, 'Device.NAT.PortMapping.{i}.', names));
    expect(schemaDefaults(a.model, 'Device.NAT.PortMapping.{i}.', names)).toEqual({ Enable: false, Protocol: 'TCP' });
  });

  it('keep what one gateway does out of the others', async () => {
    const read = async (gw: SimFixture) => ({
      ssid1: await gw.values('Device.WiFi.SSID.1.'),
      ssid4: await gw.values('Device.WiFi.SSID.4.'),
      ssid1Stats: await gw.values('Device.WiFi.SSID.1.Stats.'),
      radio1Stats: await gw.values('Device.WiFi.Radio.1.Stats.'),
      radio2: await gw.values('Device.WiFi.Radio.2.'),
      sensor: await gw.values('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.'),
    });
    // What an untouched gateway reads at 1,500 s, taken before any gateway does anything.
    const [reference] = fleet(1);
    reference.advance(1500);
    const untouched = await read(reference);
    const [a, b, c] = fleet(3);
    for (const gw of [a, b, c]) gw.advance(600);
    // Gateway a: its guest SSID on, its home SSID on 2.4 GHz restarted (the Wi-Fi accounts
    // keep what the BSS carried), a sensor polled at another interval, a radio moved.
    await a.set('Device.WiFi.SSID.4.', { Enable: true });
    await a.set('Device.WiFi.SSID.1.', { SSID: 'elsewhere' });
    await a.set('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.1.', { PollingInterval: 5 });
    await a.set('Device.WiFi.Radio.2.', { Channel: 100 });
    for (const gw of [a, b, c]) gw.advance(900);
    const [ra, rb, rc] = [await read(a), await read(b), await read(c)];
    // b and c, untouched, with the same seed and clock, read as an untouched gateway; a reads its own.
    expect(rb).toEqual(untouched);
    expect(rc).toEqual(untouched);
    expect(ra.ssid1.SSID).toBe('elsewhere');
    expect(rb.ssid1.SSID).not.toBe('elsewhere');
    expect([ra.ssid4.Status, rb.ssid4.Status]).toEqual(['Up', 'Down']);
    expect([ra.sensor.PollingInterval, rb.sensor.PollingInterval]).toEqual([5, 0]);
    expect([ra.radio2.Channel, ra.radio2.AutoChannelEnable, rb.radio2.AutoChannelEnable]).toEqual([100, false, true]);
    expect(ra.ssid1Stats).not.toEqual(rb.ssid1Stats);
    expect(ra.radio1Stats).not.toEqual(rb.radio1Stats);
  });
});
