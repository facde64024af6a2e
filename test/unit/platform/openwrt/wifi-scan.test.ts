/**
 * OpenWrt's NeighboringWiFiDiagnostic() scan (`ubus call iwinfo scan`, replayed from
 * test/fixtures/openwrt/ubus-iwinfo-scan.phy1-ap0.json) and the IP diagnostics' Interface →
 * kernel device mapping (netifd l3_device).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticSlots } from '../../../../agent/diagnostics/DiagnosticSlots.js';
import { registerNeighboringWiFi } from '../../../../agent/diagnostics/register-neighboring-wifi.js';
import { silentLogger } from '../../../../datamodel/Logger.js';
import { fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const SCAN = 'iwinfo scan {"device":"phy1-ap0"}';
let fx: PlatformFixture;
afterEach(() => fx.close());

describe('openwrt: NeighboringWiFiDiagnostic() scan', () => {
  it('scans on the radio that is up (radio1, phy1-ap0) and maps every result field', async () => {
    const fake = fakeOpenWrt();
    fake.respond(SCAN, { file: 'ubus-iwinfo-scan.phy1-ap0.json' });
    fx = openWrt(fake);
    const results = await fx.platform.wifiScan(new AbortController().signal);
    expect(fake.ubusCalls()).toContain(SCAN);
    expect(fake.ubusCalls().filter((c) => c.startsWith('iwinfo scan'))).toEqual([SCAN]);
    expect(results).toHaveLength(5);
    expect(results[0]).toEqual({
      Radio: 'Device.WiFi.Radio.2',
      SSID: 'Vodafone-8C2A',
      BSSID: '88:71:2f:3c:8c:2a',
      Mode: 'Infrastructure',
      Channel: 36,
      SignalStrength: -58,
      SecurityModeEnabled: 'WPA2',
      EncryptionMode: 'AES',
      OperatingFrequencyBand: '5GHz',
      SupportedStandards: 'a,n,ac',
      OperatingStandards: 'a,n,ac',
      OperatingChannelBandwidth: '80MHz',
      BeaconPeriod: 0,
      // The scanning radio's own noise floor (iwinfo info), which the scan does not report per BSS.
      Noise: -95,
      BasicDataTransferRates: '',
      SupportedDataTransferRates: '',
      DTIMPeriod: 0,
    });
    expect(results.map((r) => [r.SecurityModeEnabled, r.OperatingChannelBandwidth, r.EncryptionMode, r.SSID])).toEqual([
      ['WPA2', '80MHz', 'AES', 'Vodafone-8C2A'],
      ['WPA2-PSK-WPA3-SAE', '160MHz', 'AES', 'FRITZ!Box 7590 KL'],
      ['None', '20MHz', '', 'Cafe Gast'],
      ['WPA-WPA2-Enterprise', '40MHz', 'TKIP,AES', ''],
      ['OWE', '80MHz', 'AES', 'OpenWrt-OWE'],
    ]);
    expect(results[2].SupportedStandards).toBe('a,n');
  });

  it('a scan that fails (rpcd without iwinfo scan) rejects: the command then completes with Status Error', async () => {
    const fake = fakeOpenWrt();
    fake.respond(SCAN, undefined);
    fx = openWrt(fake);
    await expect(fx.platform.wifiScan(new AbortController().signal)).rejects.toThrow(/iwinfo scan/);
  });
});

describe('openwrt: the NeighboringWiFiDiagnostic() command over the recorded scan', () => {
  const run = (f: PlatformFixture) => {
    registerNeighboringWiFi(f.model, new DiagnosticSlots(), f.platform.wifiScan, silentLogger);
    const cmd = f.model.commandBinding(f.model.requireNode('Device.WiFi.'), 'NeighboringWiFiDiagnostic()')!;
    return cmd.run({ keys: [], objectPath: 'Device.WiFi.', input: {}, commandKey: 'k', ctx: {}, signal: new AbortController().signal });
  };

  it('Status Complete and Result.1 ... Result.5 output arguments', async () => {
    const fake = fakeOpenWrt();
    fake.respond(SCAN, { file: 'ubus-iwinfo-scan.phy1-ap0.json' });
    fx = openWrt(fake);
    const out = await run(fx);
    expect(out.Status).toBe('Complete');
    expect(out['Result.5.SSID']).toBe('OpenWrt-OWE');
    expect(out['Result.2.SecurityModeEnabled']).toBe('WPA2-PSK-WPA3-SAE');
    expect(out['Result.6.SSID']).toBeUndefined();
  });

  it('a failed scan is a completed command with Status Error', async () => {
    const fake = fakeOpenWrt();
    fake.respond(SCAN, undefined);
    fx = openWrt(fake);
    expect(await run(fx)).toEqual({ Status: 'Error' });
  });
});

describe('openwrt: IP diagnostics Interface → kernel device', () => {
  it("Device.IP.Interface.N is netifd's l3_device", async () => {
    fx = openWrt(fakeOpenWrt());
    const rows = await fx.values('Device.IP.');
    const byName = new Map([...rows].filter(([p]) => /^Device\.IP\.Interface\.\d+\.$/.test(p)).map(([p, v]) => [v.Name, Number(/(\d+)\.$/.exec(p)![1])]));
    expect(await fx.platform.ipInterfaceDevice(byName.get('lan')!)).toBe('br-lan');
    expect(await fx.platform.ipInterfaceDevice(byName.get('wan')!)).toBe('eth1.2');
    expect(await fx.platform.ipInterfaceDevice(99)).toBeUndefined();
  });
});
