/**
 * Device.LLDP. on OpenWrt: OpenWrt's lldpd package ships the same lldpd and lldpcli as Debian's,
 * so its stand-in replays the answer recorded from Debian's lldpd 1.0.16
 * (test/fixtures/linux/lldp) on the DSA router of the fixtures, whose lan1 and lan2 are the
 * ports the recording's neighbours were heard on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dsaRouter, DSA_SYS_NET } from './dsa-router.js';
import { fakeOpenWrt, openWrt, type PlatformFixture } from './fake-openwrt.js';

const RECORDED = fileURLToPath(new URL('../../../fixtures/linux/lldp/lldpcli-json0-show-neighbors-details.json', import.meta.url));

/** Puts an lldpcli into the fake userland that logs its argv and prints the recorded answer. */
function installLldpcli(bin: string): void {
  fs.writeFileSync(path.join(bin, 'lldpcli'), `#!/bin/sh\necho "$@" >> "${bin}/lldpcli.calls"\nexec cat "${RECORDED}"\n`, { mode: 0o755 });
}

describe('OpenWrt Device.LLDP. (lldpcli)', () => {
  let fx: PlatformFixture | undefined;
  afterEach(() => fx?.close());

  it("serves the recorded neighbours on the DSA ports' Ethernet.Interface rows, with lldpcli's default socket", async () => {
    const fake = dsaRouter();
    installLldpcli(fake.bin);
    fx = openWrt(fake, { sysNetDir: DSA_SYS_NET });
    const v = await fx.values('Device.');
    const row = (name: string): string => [...v].find(([p, x]) => p.startsWith('Device.Ethernet.Interface.') && x.Name === name)![0].replace(/\.$/, '');
    expect(v.get('Device.LLDP.Discovery.')).toEqual({ DeviceNumberOfEntries: 2 });
    expect(v.get('Device.LLDP.Discovery.Device.1.')).toMatchObject({ Interface: row('lan1'), ChassisIDSubtype: 4, ChassisID: '48:a9:8a:12:34:57', PortNumberOfEntries: 1 });
    expect(v.get('Device.LLDP.Discovery.Device.1.Port.1.')).toMatchObject({ PortIDSubtype: 5, PortID: 'ge7', TTL: 120, PortDescription: 'Port 7 - FWA gateway', MACAddressList: '' });
    expect(v.get('Device.LLDP.Discovery.Device.2.')).toMatchObject({ Interface: row('lan2'), ChassisID: '3c:52:82:aa:bb:cc' });
    expect(fs.readFileSync(path.join(fake.bin, 'lldpcli.calls'), 'utf8')).toBe('-f json0 show neighbors details\n');
  });

  it('a router without lldpcli does not serve Device.LLDP.', () => {
    fx = openWrt(fakeOpenWrt());
    expect(fx.model.bindingAt('Device.LLDP.Discovery.Device.{i}.')).toBeUndefined();
  });
});
