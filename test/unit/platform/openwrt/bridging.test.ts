/**
 * Device.Bridging on OpenWrt, read: bridges, ports and VLANs from `uci show network` and the
 * cached `network.device status`, on the 24.10 DSA router (802.1Q) and on the recorded device
 * (802.1D, a Wi-Fi member netifd added at run time).
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { parseBridges, parsePortEntry, portPvid } from '../../../../platform/openwrt/bridge-config.js';
import { parseUciShow } from '../../../../platform/openwrt/uci-show.js';
import { expectSchemaTyped } from '../schema-typed.js';
import { DSA_NETWORK, DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { FIXTURES, openWrt, type PlatformFixture } from './fake-openwrt.js';

const B = 'Device.Bridging.Bridge.1.';

describe('openwrt platform: Device.Bridging from UCI network and netifd', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('reads the DSA router: br-lan over lan1..lan4 with VLAN 1 and VLAN 10', async () => {
    fx = openWrt(dsaRouter(), { sysNetDir: DSA_SYS_NET });
    const objects = await fx.read('Device.Bridging.');
    expectSchemaTyped(objects); // every served parameter has a value, typed and within its facets
    const v = new Map(objects.map((o) => [o.path, o.values]));
    // The agent's bounds: 16 bridges, every usable VLAN ID; no Filter table without a store (bridge-filter.test.ts).
    expect(v.get('Device.Bridging.')).toEqual({ MaxBridgeEntries: 16, MaxDBridgeEntries: 16, MaxQBridgeEntries: 16, MaxVLANEntries: 4094, MaxFilterEntries: 0, BridgeNumberOfEntries: 1 });
    expect(v.get(B)).toEqual({
      Enable: true,
      Status: 'Enabled',
      Alias: 'cpe-br-lan',
      Name: 'br-lan',
      Standard: '802.1Q-2011',
      AgingTime: 300,
      PortNumberOfEntries: 6,
      VLANNumberOfEntries: 2,
      VLANPortNumberOfEntries: 6,
    });
    // Port.1 is the bridge itself, stacked on every other port.
    expect(v.get(`${B}Port.1.`)).toEqual({
      Enable: true,
      Status: 'Up',
      Alias: 'cpe-br-lan',
      Name: 'br-lan',
      LastChange: 0,
      ManagementPort: true,
      Type: 'CustomerVLANPort',
      PortState: 'Forwarding',
      PVID: 1,
      LowerLayers: [2, 3, 4, 5, 6].map((p) => `${B}Port.${p}`).join(','),
    });
    // DSA ports are Ethernet.Interface rows (eth0 is Interface.1, then lan1..lan4 by name).
    expect(v.get(`${B}Port.2.`)).toEqual({
      Enable: true,
      Status: 'Up',
      Alias: 'cpe-lan1',
      Name: 'lan1',
      LastChange: 0,
      ManagementPort: false,
      Type: 'CustomerVLANPort',
      // The kernel's port state (brif/lan1/state 3).
      PortState: 'Forwarding',
      PVID: 1,
      LowerLayers: 'Device.Ethernet.Interface.2',
    });
    // No carrier: the kernel disables the port (brif/lan3/state 0).
    expect(v.get(`${B}Port.4.`)).toMatchObject({ Name: 'lan3', Status: 'Down', PortState: 'Disabled', LowerLayers: 'Device.Ethernet.Interface.4', PVID: 1 });
    expect(v.get(`${B}Port.2.Stats.`)).toMatchObject({ BytesSent: expect.any(String), PacketsReceived: expect.any(String) });
    // lan4 is untagged in VLAN 10 without "*": netifd still makes 10 its PVID (its first untagged VLAN).
    expect(v.get(`${B}Port.5.`)).toMatchObject({ Name: 'lan4', LowerLayers: 'Device.Ethernet.Interface.5', PVID: 10 });
    // phy1-ap0 is in br-lan at run time only (wireless config): a port over its SSID, in no VLAN.
    expect(v.get(`${B}Port.6.`)).toMatchObject({ Name: 'phy1-ap0', LowerLayers: 'Device.WiFi.SSID.2', PVID: 1, Status: 'Up' });
    expect(v.get(`${B}VLAN.1.`)).toEqual({ Enable: true, Alias: 'cpe-1', Name: '', VLANID: 1 });
    expect(v.get(`${B}VLAN.2.`)).toEqual({ Enable: true, Alias: 'cpe-2', Name: 'IoT', VLANID: 10 });
    const memberships = [1, 2, 3, 4, 5, 6].map((n) => v.get(`${B}VLANPort.${n}.`));
    expect(memberships).toEqual([
      { Enable: true, Alias: 'cpe-1', VLAN: `${B}VLAN.1`, Port: `${B}Port.2`, Untagged: true }, // lan1:u*
      { Enable: true, Alias: 'cpe-2', VLAN: `${B}VLAN.1`, Port: `${B}Port.3`, Untagged: true }, // lan2:u*
      { Enable: true, Alias: 'cpe-3', VLAN: `${B}VLAN.1`, Port: `${B}Port.4`, Untagged: true }, // lan3:u*
      { Enable: true, Alias: 'cpe-4', VLAN: `${B}VLAN.2`, Port: `${B}Port.3`, Untagged: false }, // lan2:t
      { Enable: true, Alias: 'cpe-5', VLAN: `${B}VLAN.2`, Port: `${B}Port.4`, Untagged: false }, // lan3:t
      { Enable: true, Alias: 'cpe-6', VLAN: `${B}VLAN.2`, Port: `${B}Port.5`, Untagged: true }, // lan4
    ]);
    expect((await fx.values('Device.Ethernet.')).get('Device.Ethernet.')).toMatchObject({ InterfaceNumberOfEntries: 6 });
  });

  it('reads the recorded device: an 802.1D br-lan over eth0 and the Wi-Fi interface', async () => {
    fx = openWrt();
    const v = await fx.values('Device.Bridging.');
    expect(v.get(B)).toMatchObject({
      Status: 'Enabled',
      Standard: '802.1D-2004',
      PortNumberOfEntries: 3,
      VLANNumberOfEntries: 0,
      VLANPortNumberOfEntries: 0,
    });
    expect(v.get(`${B}Port.1.`)).toMatchObject({ ManagementPort: true, LowerLayers: `${B}Port.2,${B}Port.3`, Type: 'VLANUnawarePort' });
    expect(v.get(`${B}Port.2.`)).toMatchObject({ Name: 'eth0', LowerLayers: 'Device.Ethernet.Interface.1', PVID: 1 });
    expect(v.get(`${B}Port.3.`)).toMatchObject({ Name: 'phy1-ap0', LowerLayers: 'Device.WiFi.SSID.2' });
    // The stack above: br-lan's Ethernet.Link sits on the management port.
    const links = [...(await fx.values('Device.Ethernet.')).values()].filter((x) => x.Name === 'br-lan' && 'LowerLayers' in x);
    expect(links).toEqual([expect.objectContaining({ LowerLayers: `${B}Port.1` })]);
  });

  it('reads network.device status once for Ethernet and Bridging, and uci show network once', async () => {
    fx = openWrt(dsaRouter());
    await fx.platform.ready;
    fx.platform.runner.invalidate();
    fx.fake.clearLog();
    await fx.read('Device.Bridging.');
    await fx.read('Device.Ethernet.');
    expect(fx.fake.ubusCalls().filter((c) => c.startsWith('network.device'))).toEqual(['network.device status']);
    // (and `uci show wireless` for the Wi-Fi ports' SSIDs)
    expect(fx.fake.invocations().filter((a) => a[0] === 'uci' && a[4] !== 'wireless')).toEqual([['uci', '-q', '-X', 'show', 'network']]);
  });

  it('fails Bridging with 7003 naming uci when the network config cannot be read; Ethernet still reads', async () => {
    const fake = dsaRouter();
    fake.respondUci('network', { exit: 1, stderr: 'uci: Entry not found' });
    fx = openWrt(fake);
    const e = await fx.read('Device.Bridging.').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(UspError);
    expect((e as UspError).code).toBe(ErrorCode.InternalError);
    expect((e as UspError).message).toContain('uci -q -X show network');
    // VLANTermination rows are network's `config device` sections: they fail the same way.
    const vlans = await Promise.resolve(fx.binding('Device.Ethernet.VLANTermination.{i}.').list!([], {})).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((vlans as UspError).message).toContain('uci -q -X show network');
    const rowsOf = async (table: string) => {
      const b = fx.binding(table);
      return Promise.all(((await b.list!([], {})) as number[]).map(async (n) => b.get!([n], {})));
    };
    expect((await rowsOf('Device.Ethernet.Interface.{i}.'))[1]).toMatchObject({ Name: 'lan1' });
    // br-lan's Link still reads; only its reference to the Bridging port is unknown.
    expect((await rowsOf('Device.Ethernet.Link.{i}.')).find((x) => x.Name === 'br-lan')).toMatchObject({ LowerLayers: '' });
  });

  it("keeps a port's and a VLAN's instance while others come and go", async () => {
    fx = openWrt(dsaRouter());
    await fx.values('Device.Bridging.');
    // lan2 leaves the bridge, in UCI and in netifd (its VLAN 10 entry then does nothing); VLAN 1's section goes.
    const text = DSA_NETWORK.replace("'lan1' 'lan2' 'lan3' 'lan4'", "'lan1' 'lan3' 'lan4'")
      .split('\n')
      .filter((l) => !l.startsWith('network.cfg0878e0'))
      .join('\n');
    fx.fake.respondUci('network', { text });
    const devices = JSON.parse(fs.readFileSync(`${FIXTURES}ubus-network-device-status.24.10-dsa.json`, 'utf8'));
    devices['br-lan']['bridge-members'] = ['lan1', 'lan3', 'lan4', 'phy1-ap0'];
    fx.fake.respond('network.device status', { json: devices });
    fx.platform.runner.invalidate();
    const v = await fx.values('Device.Bridging.');
    expect(v.get(B)).toMatchObject({ PortNumberOfEntries: 5 });
    expect(v.has(`${B}Port.3.`)).toBe(false);
    expect(v.get(`${B}Port.4.`)).toMatchObject({ Name: 'lan3' });
    expect(v.get(`${B}VLAN.2.`)).toMatchObject({ VLANID: 10 });
    expect(v.has(`${B}VLAN.1.`)).toBe(false);
    expect([...v.keys()].filter((p) => p.includes('VLANPort.'))).toEqual([`${B}VLANPort.5.`, `${B}VLANPort.6.`]);
  });
});

describe('bridge configuration as netifd reads it', () => {
  it('takes legacy bridges, option-form port lists, the last section of a VLAN ID, and skips what netifd skips', () => {
    const config = parseUciShow(
      [
        'n.lan=interface',
        "n.lan.type='bridge'",
        "n.lan.ifname='eth0.1 eth1'",
        'n.d=device',
        "n.d.name='br-x'",
        "n.d.type='bridge'",
        "n.d.enabled='0'",
        "n.d.ageing_time='60'",
        'n.v1=bridge-vlan',
        "n.v1.device='br-lan'",
        "n.v1.vlan='5'",
        "n.v1.ports='eth1:t*'",
        'n.v2=bridge-vlan',
        "n.v2.device='br-lan'",
        "n.v2.vlan='5'",
        "n.v2.ports='eth0.1 eth1:t'",
        'n.v3=bridge-vlan',
        "n.v3.device='br-lan'",
        "n.v3.vlan='4095'",
        'n.v4=bridge-vlan',
        "n.v4.device='br-nope'",
        "n.v4.vlan='7'",
      ].join('\n'),
    );
    const [lan, x] = parseBridges(config);
    expect(lan).toMatchObject({ name: 'br-lan', ports: ['eth0.1', 'eth1'], vlanAware: true, enabled: true });
    expect(lan.vlans).toEqual([
      {
        section: 'v2',
        vid: 5,
        name: '',
        raw: ['eth0.1', 'eth1:t'],
        appendable: false,
        ports: [
          { port: 'eth0.1', untagged: true, pvid: false, raw: 'eth0.1' },
          { port: 'eth1', untagged: false, pvid: false, raw: 'eth1:t' },
        ],
      },
    ]);
    expect(x).toMatchObject({ name: 'br-x', enabled: false, vlanAware: false, agingTime: 60, ports: [], vlans: [] });
  });

  it('picks the PVID as netifd does: the last "*" in VLAN ID order, else the first untagged VLAN, else 1', () => {
    const bridge = parseBridges(
      parseUciShow(
        [
          'n.d=device',
          "n.d.name='br'",
          "n.d.type='bridge'",
          'n.a=bridge-vlan',
          "n.a.device='br'",
          "n.a.vlan='30'",
          "n.a.ports='p1:t*' 'p2' 'p3:t'",
          'n.b=bridge-vlan',
          "n.b.device='br'",
          "n.b.vlan='20'",
          "n.b.ports='p1:u*' 'p2:u'",
        ].join('\n'),
      ),
    )[0];
    expect(portPvid(bridge, 'p1')).toBe(30);
    expect(portPvid(bridge, 'p2')).toBe(20);
    expect(portPvid(bridge, 'p3')).toBe(1);
    expect(parsePortEntry('lan1:u*')).toEqual({ port: 'lan1', untagged: true, pvid: true, raw: 'lan1:u*' });
    expect(parsePortEntry('lan2:t')).toMatchObject({ untagged: false, pvid: false });
  });
});
