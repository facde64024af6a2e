/**
 * Two simulated gateways of one fleet (one SharedSupportedModel, as `usp-agent fleet` builds
 * them), Wi-Fi objects: their bindings' methods and parameter lists are one copy for the fleet
 * (issue 14: memory per gateway), while what one gateway is told to do stays its own.
 */
import { describe, expect, it } from 'vitest';
import { expectSharedCode, simulatedFleet } from './fleet-fixture.js';

const fleet = simulatedFleet(7);

const WIFI_OBJECTS = [
  'Device.WiFi.Radio.{i}.',
  'Device.WiFi.Radio.{i}.Stats.',
  'Device.WiFi.SSID.{i}.',
  'Device.WiFi.SSID.{i}.Stats.',
  'Device.WiFi.AccessPoint.{i}.',
  'Device.WiFi.AccessPoint.{i}.Security.',
  'Device.WiFi.AccessPoint.{i}.WPS.',
  'Device.WiFi.AccessPoint.{i}.AC.{i}.',
  'Device.WiFi.AccessPoint.{i}.AC.{i}.Stats.',
  'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.',
  'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.',
];

describe('simulated Wi-Fi of a fleet', () => {
  it('shares every binding method and parameter list between gateways', () => {
    const [a, b] = fleet(2);
    for (const path of WIFI_OBJECTS) {
      expectSharedCode(path, a.binding(path), b.binding(path));
    }
  });

  it('keeps a write on one gateway out of the other', async () => {
    const [a, b] = fleet(2);
    a.advance(600);
    b.advance(600);
    await a.set('Device.WiFi.SSID.2.', { SSID: 'only-a' });
    await a.set('Device.WiFi.AccessPoint.3.', { MaxAllowedAssociations: 7 });
    await a.set('Device.WiFi.AccessPoint.1.Security.', { ModeEnabled: 'WPA2-Enterprise' });
    await a.set('Device.WiFi.AccessPoint.2.WPS.', { Enable: false });
    await a.set('Device.WiFi.AccessPoint.1.AC.3.', { OutQLenHistogramSampleInterval: 5 });
    await a.set('Device.WiFi.Radio.3.', { Channel: 37 });
    const added = await a.add('Device.WiFi.SSID.', { SSID: 'extra' });
    expect(added).toBe(5);
    a.advance(60);
    b.advance(60);
    const [sa, sb] = [await a.values('Device.WiFi.SSID.2.'), await b.values('Device.WiFi.SSID.2.')];
    expect([sa.SSID, sb.SSID]).toEqual(['only-a', (await b.values('Device.WiFi.SSID.1.')).SSID]);
    expect([(await a.values('Device.WiFi.AccessPoint.3.')).MaxAllowedAssociations, (await b.values('Device.WiFi.AccessPoint.3.')).MaxAllowedAssociations]).toEqual([7, 64]);
    expect([(await a.values('Device.WiFi.AccessPoint.1.')).Status, (await b.values('Device.WiFi.AccessPoint.1.')).Status]).toEqual(['Error_Misconfigured', 'Enabled']);
    expect([(await a.values('Device.WiFi.AccessPoint.2.WPS.')).Enable, (await b.values('Device.WiFi.AccessPoint.2.WPS.')).Enable]).toEqual([false, true]);
    expect([(await a.values('Device.WiFi.AccessPoint.1.AC.3.')).OutQLenHistogramSampleInterval, (await b.values('Device.WiFi.AccessPoint.1.AC.3.')).OutQLenHistogramSampleInterval]).toEqual([5, 60]);
    expect([(await a.values('Device.WiFi.Radio.3.')).Channel, (await b.values('Device.WiFi.Radio.3.')).AutoChannelEnable]).toEqual([37, true]);
    expect((await a.instances('Device.WiFi.SSID.')).length).toBe(5);
    expect((await b.instances('Device.WiFi.SSID.')).length).toBe(4);
  });
});
