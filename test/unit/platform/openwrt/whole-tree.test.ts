import { afterEach, describe, expect, it } from 'vitest';
import { expectSchemaTyped } from '../schema-typed.js';
import { fakeOpenWrt, NOW_MS, openWrt, type PlatformFixture } from './fake-openwrt.js';

describe('openwrt platform: a whole-tree read of the recorded device', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('returns what docs/platform-mapping.md promises, field by field and with its unit conversions', async () => {
    fx = openWrt();
    const v = await fx.values();
    expect(v.get('Device.DeviceInfo.')).toEqual({
      Manufacturer: 'D-Link', // model "D-Link COVR-X1860 A1", vendor first
      ModelName: 'COVR-X1860 A1',
      ProductClass: 'dlink,covr-x1860-a1', // board_name
      HardwareVersion: 'MediaTek MT7621 ver:1 eco:3', // system
      SoftwareVersion: '23.05-SNAPSHOT r23444-7714fb72be', // release.version + release.revision
      Description: 'OpenWrt 23.05-SNAPSHOT r23444-7714fb72be',
      HostName: 'OpenWrt',
      UpTime: 183748, // system info uptime, s
      SerialNumber: '9483C4000001', // no serial in ubus: the base MAC (eth0)
      ManufacturerOUI: '9483C4',
    });
    // memory.total / memory.available are bytes; TR-181 wants KiB.
    expect(v.get('Device.DeviceInfo.MemoryStatus.')).toEqual({
      Total: Math.floor(124059648 / 1024),
      Free: Math.floor(33476608 / 1024),
      TotalPersistent: 5888,
      FreePersistent: 5564,
    });
    const cpu = v.get('Device.DeviceInfo.ProcessStatus.')!.CPUUsage as number;
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(cpu).toBeLessThanOrEqual(100);

    // Ethernet: the recorded eth0 ("1000F", link-supported up to 1000baseT-F).
    expect(v.get('Device.Ethernet.Interface.1.')).toEqual({
      Enable: true,
      Status: 'Up',
      LastChange: 0, // the agent's first reading: it saw no change before
      Name: 'eth0',
      // No interface with a default route sits on it (wan's is on eth1.2, VLAN 2 of eth1).
      Upstream: false,
      MACAddress: '94:83:c4:00:00:01',
      // Autonegotiation (netifd's autoneg true, no section configures the port): TR-181's automatic selection.
      MaxBitRate: -1,
      CurrentBitRate: 1000,
      DuplexMode: 'Auto',
      CurrentDuplexMode: 'Full',
    });
    expect(v.get('Device.Ethernet.Interface.2.')).toMatchObject({ Name: 'eth1', Upstream: true, CurrentBitRate: 100, CurrentDuplexMode: 'Half' });
    expect(v.get('Device.Ethernet.Interface.1.Stats.')).toEqual({
      BytesSent: '987654321',
      BytesReceived: '4213845921',
      PacketsSent: '2744103',
      PacketsReceived: '3911022',
      ErrorsSent: 0,
      ErrorsReceived: 0,
      DiscardPacketsSent: 0,
      DiscardPacketsReceived: 12,
      MulticastPacketsReceived: '1543',
      Collisions: '0',
    });
    expect(v.get('Device.Ethernet.')).toEqual({ InterfaceNumberOfEntries: 2, LinkNumberOfEntries: 3, RMONStatsNumberOfEntries: 2, VLANTerminationNumberOfEntries: 1 });
    // The wan's eth1.2, a VLAN device netifd made from the dotted name (vlan-termination.ts).
    expect([...v.entries()].find(([p]) => p.startsWith('Device.Ethernet.VLANTermination.'))?.[1]).toMatchObject({ Name: 'eth1.2', VLANID: 2, TPID: 33024 });
    expect(v.get('Device.Ethernet.Link.1.')).toMatchObject({ Name: 'br-lan', LowerLayers: 'Device.Bridging.Bridge.1.Port.1', Status: 'Up', MTU: 1500 });
    expect(v.get('Device.Ethernet.Link.2.')).toMatchObject({ Name: 'eth1', LowerLayers: 'Device.Ethernet.Interface.2' });
    expect(v.get('Device.Ethernet.Link.3.')).toMatchObject({ Name: 'eth1.2', MACAddress: '94:83:c4:00:00:02' });

    // IP: interface dump; up → "Up", mask 24 → 255.255.255.0, proto dhcp → DHCP, static → Static.
    expect(v.get('Device.IP.Interface.1.')).toEqual({
      Enable: true,
      Status: 'Up',
      Name: 'wan',
      LastChange: 59050,
      LowerLayers: 'Device.Ethernet.Link.3',
      Type: 'Normal',
      // uci show network: proto dhcp, no `config device` for eth1.2 (IPv6 on), no ip6assign.
      IPv4Enable: true,
      IPv6Enable: true,
      ULAEnable: false,
      IPv4AddressNumberOfEntries: 1,
      IPv6AddressNumberOfEntries: 0,
      IPv6PrefixNumberOfEntries: 0,
    });
    expect(v.get('Device.IP.Interface.1.IPv4Address.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      IPAddress: '192.168.10.2',
      SubnetMask: '255.255.255.0',
      AddressingType: 'DHCP',
    });
    expect(v.get('Device.IP.Interface.2.')).toMatchObject({ Name: 'lan', LowerLayers: 'Device.Ethernet.Link.1', LastChange: 266776, ULAEnable: true });
    // Configured in UCI, not in the recorded dump: rows after netifd's, Down, read from their sections.
    expect(v.get('Device.IP.Interface.3.')).toMatchObject({ Name: 'loopback', Enable: true, Status: 'Down', Type: 'Loopback', IPv4AddressNumberOfEntries: 1 });
    // Its static address from ipaddr and netmask.
    expect(v.get('Device.IP.Interface.3.IPv4Address.1.')).toEqual({ Enable: true, Status: 'Enabled', IPAddress: '127.0.0.1', SubnetMask: '255.0.0.0', AddressingType: 'Static' });
    expect(v.get('Device.IP.Interface.4.')).toMatchObject({ Name: 'wan6', Enable: true, Status: 'Down', LowerLayers: 'Device.Ethernet.Link.3', IPv4Enable: false });
    // Stats: the counters of the l3_device, the same netifd statistics as its Ethernet.Link.
    expect(v.get('Device.IP.Interface.2.Stats.')).toEqual(v.get('Device.Ethernet.Link.1.Stats.'));
    expect(v.get('Device.IP.Interface.1.Stats.')).toEqual(v.get('Device.Ethernet.Link.3.Stats.'));
    expect(Number(v.get('Device.IP.Interface.1.Stats.')?.BytesReceived)).toBeGreaterThan(0);
    expect(v.get('Device.IP.')).toMatchObject({ IPv4Enable: true, IPv4Status: 'Enabled', ULAPrefix: 'fd12:3456:789a::/48' });
    expect(v.get('Device.IP.Interface.2.IPv4Address.1.')).toMatchObject({ IPAddress: '192.168.1.1', AddressingType: 'Static' });
    // The LAN's ULA assignment and the router's own address in it; no lifetime means infinite.
    expect(v.get('Device.IP.Interface.2.IPv6Prefix.1.')).toMatchObject({
      Prefix: 'fd12:3456:789a::/60',
      Origin: 'Child',
      OnLink: true,
      ValidLifetime: '9999-12-31T23:59:59Z',
    });
    expect(v.get('Device.IP.Interface.2.IPv6Address.1.')).toMatchObject({
      IPAddress: 'fd12:3456:789a::1',
      Origin: 'AutoConfigured',
      Prefix: 'Device.IP.Interface.2.IPv6Prefix.1',
    });

    // DNS and routing: the same interface dump; wan (proto dhcp) announces two servers and the
    // default route via 192.168.10.1 (mask 0 → empty DestIPAddress/DestSubnetMask, no metric → -1).
    expect(v.get('Device.DNS.Client.')).toEqual({ Enable: true, Status: 'Enabled', ServerNumberOfEntries: 2 });
    expect(v.get('Device.DNS.Client.Server.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      DNSServer: '1.1.1.1',
      Interface: 'Device.IP.Interface.1',
      Type: 'DHCPv4',
    });
    expect(v.get('Device.DNS.Client.Server.2.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      DNSServer: '1.1.1.2',
      Interface: 'Device.IP.Interface.1',
      Type: 'DHCPv4',
    });
    expect(v.get('Device.Routing.')).toEqual({ RouterNumberOfEntries: 1 });
    expect(v.get('Device.Routing.Router.1.')).toEqual({ Enable: true, Status: 'Enabled', IPv4ForwardingNumberOfEntries: 1 });
    expect(v.get('Device.Routing.Router.1.IPv4Forwarding.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      DestIPAddress: '',
      DestSubnetMask: '',
      GatewayIPAddress: '192.168.10.1',
      Interface: 'Device.IP.Interface.1',
      Origin: 'DHCPv4',
      ForwardingMetric: -1,
    });
    expect(v.has('Device.Routing.Router.1.IPv4Forwarding.2.')).toBe(false);

    // Wi-Fi: radio1 is up (iwinfo info of phy1-ap0); radio0 is disabled in UCI.
    expect(v.get('Device.WiFi.')).toMatchObject({ RadioNumberOfEntries: 2, SSIDNumberOfEntries: 2, AccessPointNumberOfEntries: 2 });
    expect(v.get('Device.WiFi.Radio.2.')).toMatchObject({
      Enable: true,
      Status: 'Up',
      Name: 'radio1',
      Channel: 36,
      OperatingFrequencyBand: '5GHz', // 5180 MHz
      CurrentOperatingChannelBandwidth: '80MHz', // HE80
      OperatingStandards: 'a,n,ac,ax', // hwmodes
      RegulatoryDomain: 'US ',
      ChannelsInUse: '36,40,44,48',
      AutoChannelEnable: false,
      SupportedOperatingChannelBandwidths: '20MHz,40MHz,80MHz,Auto',
    });
    // A BSS's counters are its netdev's (network.device status of phy1-ap0); a radio's, its BSSes' sum.
    const phy1ap0 = {
      BytesSent: '543210987',
      BytesReceived: '98443201',
      PacketsSent: '98120',
      PacketsReceived: '120044',
      ErrorsSent: 0,
      ErrorsReceived: 0,
      DiscardPacketsSent: 0,
      DiscardPacketsReceived: 0,
    };
    expect(v.get('Device.WiFi.SSID.2.Stats.')).toEqual({ ...phy1ap0, MulticastPacketsReceived: '0' });
    expect(v.get('Device.WiFi.Radio.2.Stats.')).toEqual({ ...phy1ap0, Noise: -95 });
    expect(v.get('Device.WiFi.Radio.1.Stats.')).toMatchObject({ BytesSent: '0', PacketsReceived: '0' }); // down: no BSS interface
    expect(v.get('Device.WiFi.Radio.1.')).toMatchObject({ Enable: false, Status: 'Down', Channel: 1, OperatingFrequencyBand: '2.4GHz' });
    expect(v.get('Device.WiFi.SSID.2.')).toMatchObject({
      Status: 'Up',
      Name: 'phy1-ap0',
      SSID: 'OpenWrt',
      BSSID: '94:83:c4:00:00:03',
      LowerLayers: 'Device.WiFi.Radio.2',
    });
    expect(v.get('Device.WiFi.SSID.1.')).toMatchObject({ Status: 'LowerLayerDown', Name: 'default_radio0', BSSID: '' });
    expect(v.get('Device.WiFi.AccessPoint.2.')).toMatchObject({
      Status: 'Enabled',
      SSIDReference: 'Device.WiFi.SSID.2',
      AssociatedDeviceNumberOfEntries: 1,
    });
    // encryption wpa [2] + psk → WPA2-Personal; ccmp → AES.
    expect(v.get('Device.WiFi.AccessPoint.2.Security.')).toMatchObject({
      ModeEnabled: 'WPA2-Personal',
      EncryptionMode: 'AES',
      KeyPassphrase: 'fixture-passphrase-1',
      // IEEE 802.11 PBKDF2 of the passphrase with SSID "OpenWrt"; no RADIUS options in UCI.
      PreSharedKey: '86f3db8aa4ebcf3960b81fbdc2b795189f2f6138811335e70ce1902516a3b93b',
      RadiusServerIPAddr: '',
      RadiusServerPort: 1812,
      RadiusSecret: '',
    });
    expect(v.get('Device.WiFi.AccessPoint.1.Security.')).toMatchObject({ ModeEnabled: 'None', EncryptionMode: '' });
    // assoclist: rates kbit/s = kbps, tx is towards the station, connected_time 3605 s before now.
    expect(v.get('Device.WiFi.AccessPoint.2.AssociatedDevice.1.')).toEqual({
      MACAddress: '3c:22:fb:00:00:10',
      OperatingStandard: 'ax',
      AuthenticationState: true,
      Active: true,
      SignalStrength: -52,
      Noise: -95,
      SNR: 43,
      LastDataDownlinkRate: 960800,
      LastDataUplinkRate: 1201000,
      AssociationTime: new Date(NOW_MS - 3605_000).toISOString().replace('.000Z', 'Z'),
      Retransmissions: 2, // 2301 retries over 98120 packets
    });
    expect(v.get('Device.WiFi.AccessPoint.2.AssociatedDevice.1.Stats.')).toEqual({
      BytesSent: '543210987',
      BytesReceived: '98443201',
      PacketsSent: '98120',
      PacketsReceived: '120044',
      RetransCount: 2301,
      FailedRetransCount: 14,
    });
  });

  it('reads another board the same way (OpenWrt 24.10 on a Netgear WNDR3800)', async () => {
    const fake = fakeOpenWrt();
    fake.respond('system board', { file: 'ubus-system-board.24.10.json' });
    fx = openWrt(fake);
    expect((await fx.values('Device.DeviceInfo.')).get('Device.DeviceInfo.')).toMatchObject({
      Manufacturer: 'Netgear',
      ModelName: 'WNDR3800',
      ProductClass: 'netgear,wndr3800',
      SoftwareVersion: '24.10.5 r29087-d9c5716d1d',
      HardwareVersion: 'Atheros AR7161 rev 2',
      HostName: 'austru.rss78.ldk35.archam.de',
    });
  });

  it('types every value as its schema parameter says, canonical and within the schema facets', async () => {
    fx = openWrt();
    const objects = await fx.read();
    const params = expectSchemaTyped(objects, { everyServed: false });
    expect(objects.length).toBeGreaterThan(20);
    expect(params).toBeGreaterThan(150);
  });

  it('costs exactly one call per source command, however many objects read it', async () => {
    fx = openWrt();
    await fx.platform.ready; // the event listeners' own start-up calls are done
    fx.platform.runner.invalidate();
    fx.fake.clearLog();
    const before = fx.platform.runner.calls;
    await fx.read();
    const calls = fx.fake.ubusCalls().sort();
    expect(calls).toEqual([
      'iwinfo assoclist {"device":"phy1-ap0"}',
      // One freqlist and one txpowerlist per radio (its channels and power levels), up or down.
      'iwinfo freqlist {"device":"radio0"}',
      'iwinfo freqlist {"device":"radio1"}',
      'iwinfo info {"device":"phy1-ap0"}',
      'iwinfo txpowerlist {"device":"radio0"}',
      'iwinfo txpowerlist {"device":"radio1"}',
      'network.device status',
      'network.interface dump',
      'network.wireless status',
      'system board',
      'system info',
    ]);
    // Besides ubus, one `uci show` per config (network for Bridging, firewall for NAT, dhcp for
    // DHCPv4.Server, DNS.Relay and Hosts, wireless for the SSIDs and AccessPoints, system for Time) and Hosts' `ip -6
    // neigh show`; nothing else ran for the read (the long-running listeners may log their start
    // late). The lease file, ARP table and bridge forwarding database are files, not commands.
    expect(
      fx.fake
        .invocations()
        .filter((a) => a[0] === 'uci')
        .map((a) => a.join(' '))
        .sort(),
    ).toEqual(['uci -q -X show dhcp', 'uci -q -X show firewall', 'uci -q -X show network', 'uci -q -X show system', 'uci -q -X show wireless']);
    expect(fx.fake.invocations().filter((a) => a[0] !== 'uci' && !['call', 'listen', 'subscribe'].includes(a[1]))).toEqual([['ip', '-6', 'neigh', 'show']]);
    expect(fx.platform.runner.calls - before).toBe(17);
    // A second read inside the cache's max age costs nothing more.
    await fx.read();
    expect(fx.fake.ubusCalls()).toHaveLength(11);
    expect(fx.fake.invocations().filter((a) => a[0] === 'uci')).toHaveLength(5);
  });

  it('reads the same instance numbers whichever object a Get reads first', async () => {
    fx = openWrt();
    // IP first: its LowerLayers must not number the Ethernet links in a different order.
    expect((await fx.values('Device.IP.')).get('Device.IP.Interface.1.')?.LowerLayers).toBe('Device.Ethernet.Link.3');
    expect((await fx.values('Device.Ethernet.')).get('Device.Ethernet.Link.3.')?.Name).toBe('eth1.2');
  });

  it('serves a GetSupportedDM view of exactly the objects it maps', () => {
    fx = openWrt();
    const under = (prefix: string): string[] => [...fx.model.supportedNodes()].map((n) => n.supportedPath).filter((p) => p.startsWith(prefix));
    expect(under('Device.WiFi.')).toEqual([
      'Device.WiFi.',
      'Device.WiFi.Radio.{i}.',
      'Device.WiFi.Radio.{i}.Stats.',
      'Device.WiFi.SSID.{i}.',
      'Device.WiFi.SSID.{i}.Stats.',
      'Device.WiFi.AccessPoint.{i}.',
      'Device.WiFi.AccessPoint.{i}.Security.',
      'Device.WiFi.AccessPoint.{i}.WPS.',
      'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.',
      'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.',
      // Stations (wifi-endpoint.ts): no WPS or AC.
      'Device.WiFi.EndPoint.{i}.',
      'Device.WiFi.EndPoint.{i}.Stats.',
      'Device.WiFi.EndPoint.{i}.Security.',
      'Device.WiFi.EndPoint.{i}.Profile.{i}.',
      'Device.WiFi.EndPoint.{i}.Profile.{i}.Security.',
    ]);
    // Bridging from UCI network (bridging.ts): no STP, Stats, PriorityCodePoint, Filter or ProviderBridge.
    expect(under('Device.Bridging.')).toEqual([
      'Device.Bridging.',
      'Device.Bridging.Bridge.{i}.',
      'Device.Bridging.Bridge.{i}.Port.{i}.',
      'Device.Bridging.Bridge.{i}.Port.{i}.Stats.',
      'Device.Bridging.Bridge.{i}.VLAN.{i}.',
      'Device.Bridging.Bridge.{i}.VLANPort.{i}.',
    ]);
    expect(under('Device.IP.')).toEqual([
      'Device.IP.',
      'Device.IP.Interface.{i}.',
      'Device.IP.Interface.{i}.Stats.',
      'Device.IP.Interface.{i}.IPv4Address.{i}.',
      'Device.IP.Interface.{i}.IPv6Address.{i}.',
      'Device.IP.Interface.{i}.IPv6Prefix.{i}.',
    ]);
    expect(under('Device.Ethernet.')).toEqual([
      'Device.Ethernet.',
      'Device.Ethernet.Interface.{i}.',
      'Device.Ethernet.Interface.{i}.Stats.',
      'Device.Ethernet.Link.{i}.',
      'Device.Ethernet.Link.{i}.Stats.',
      'Device.Ethernet.VLANTermination.{i}.',
      'Device.Ethernet.VLANTermination.{i}.Stats.',
      'Device.Ethernet.RMONStats.{i}.',
    ]);
    expect(under('Device.DNS.')).toEqual(['Device.DNS.', 'Device.DNS.Client.', 'Device.DNS.Client.Server.{i}.', 'Device.DNS.Relay.', 'Device.DNS.Relay.Forwarding.{i}.']);
    // DHCPv4 server, relay and Hosts from dnsmasq (dhcpv4-server.ts, dhcpv4-pool-options.ts, dhcpv4-relay.ts, hosts.ts); clients from netifd (dhcpv4-client.ts).
    expect(under('Device.DHCPv4.')).toEqual([
      'Device.DHCPv4.',
      'Device.DHCPv4.Client.{i}.',
      'Device.DHCPv4.Client.{i}.SentOption.{i}.',
      'Device.DHCPv4.Client.{i}.ReqOption.{i}.',
      'Device.DHCPv4.Server.',
      'Device.DHCPv4.Server.Pool.{i}.',
      'Device.DHCPv4.Server.Pool.{i}.StaticAddress.{i}.',
      'Device.DHCPv4.Server.Pool.{i}.Option.{i}.',
      'Device.DHCPv4.Server.Pool.{i}.Client.{i}.',
      'Device.DHCPv4.Server.Pool.{i}.Client.{i}.IPv4Address.{i}.',
      'Device.DHCPv4.Server.Pool.{i}.Client.{i}.Option.{i}.',
      'Device.DHCPv4.Relay.',
      'Device.DHCPv4.Relay.Forwarding.{i}.',
    ]);
    expect(under('Device.Hosts.')).toEqual(['Device.Hosts.', 'Device.Hosts.Host.{i}.', 'Device.Hosts.Host.{i}.IPv4Address.{i}.', 'Device.Hosts.Host.{i}.IPv6Address.{i}.']);
    expect(under('Device.Routing.')).toEqual(['Device.Routing.', 'Device.Routing.Router.{i}.', 'Device.Routing.Router.{i}.IPv4Forwarding.{i}.']);
    expect(under('Device.DeviceInfo.')).toEqual([
      'Device.DeviceInfo.',
      'Device.DeviceInfo.MemoryStatus.',
      'Device.DeviceInfo.ProcessStatus.',
      'Device.DeviceInfo.ProcessStatus.Process.{i}.',
      'Device.DeviceInfo.TemperatureStatus.',
      'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.',
    ]);
    // Time from UCI system (time.ts): no Client or Server table.
    expect(under('Device.Time.')).toEqual(['Device.Time.']);
    // Parameters: SSID.{i}. serves these and no others.
    expect([...fx.model.requireNode('Device.WiFi.SSID.{i}.').params.keys()]).toEqual(['Enable', 'Status', 'Name', 'LowerLayers', 'Upstream', 'BSSID', 'MACAddress', 'SSID']);
  });
});
