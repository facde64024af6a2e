import { afterEach, describe, expect, it } from 'vitest';
import { expectSchemaTyped } from '../schema-typed.js';
import { type LinuxFixture, linuxHost } from './fake-host.js';

describe('linux platform: whole-tree read of the recorded Debian 12 host', () => {
  let f: LinuxFixture;
  afterEach(() => f.cleanup());

  it('serves every registered parameter, typed as its schema says and valid for its facets', async () => {
    // ManufacturerOUI has no "unknown" value and this VM's MAC carries no OUI: factory data gives it.
    f = linuxHost({ identity: { ManufacturerOUI: '0A5F1E' } });
    const objects = await f.readAll();
    const params = expectSchemaTyped(objects);
    expect(params).toBeGreaterThan(80);
  });

  it('maps DeviceInfo, MemoryStatus and ProcessStatus as docs/platform-mapping.md says', async () => {
    f = linuxHost();
    const all = await f.byPath();
    // No DMI in this VM: Manufacturer, ModelName and ProductClass have no source and read "" (the
    // factory defaults would give them); eth0's MAC is locally administered, so no ManufacturerOUI.
    expect(all.get('Device.DeviceInfo.')).toEqual({
      Manufacturer: '',
      ModelName: '',
      ProductClass: '',
      // FriendlyName and ProvisioningCode: the agent's own (agent/baseline/agent-held.ts).
      HardwareVersion: 'AMD EPYC', // /proc/cpuinfo "model name"
      SoftwareVersion: '12', // os-release VERSION_ID (no BUILD_ID on Debian)
      Description: 'Debian GNU/Linux 12 (bookworm)', // PRETTY_NAME
      SerialNumber: '02FC00000001', // base MAC of eth0 (ifb0/ifb1 are NOARP, lo is not Ethernet)
      UpTime: 2673, // /proc/uptime 2673.45, whole seconds
      HostName: 'vm',
    });
    const mem = all.get('Device.DeviceInfo.MemoryStatus.')!;
    // /proc/meminfo is in KiB already (the kernel's "kB"); Free is MemAvailable, not MemFree.
    expect(mem).toMatchObject({ Total: 24684084, Free: 24288536 });
    expect(mem.FreePersistent as number).toBeLessThanOrEqual(mem.TotalPersistent as number);
    // First read: average since boot, (user+nice+system+irq+softirq+steal) / all of /proc/stat's cpu line.
    // busy 196720+31962+3581+187 = 232450 of 530692 ticks = 43.8 %.
    expect(all.get('Device.DeviceInfo.ProcessStatus.')).toEqual({ CPUUsage: 44, ProcessNumberOfEntries: 7 });
    // The recorded processes (proc-pid/), numbered by PID; processes.test.ts checks each field.
    const processes = [...all].filter(([p]) => p.startsWith('Device.DeviceInfo.ProcessStatus.Process.')).map(([, v]) => `${String(v.PID)} ${String(v.Command)} ${String(v.State)}`);
    expect(processes).toEqual(['2 kthreadd Sleeping', '1731 ntp (sync) d Sleeping', '1732 sleep Stopped', '1801 python3 Zombie', '1864 cat Running', '2123 python3 Running', '2125 sleep Sleeping']);
  });

  it('maps Ethernet.Interface and Stats from sysfs (eth0 only; units and counter widths per schema)', async () => {
    f = linuxHost();
    const all = await f.byPath();
    // One Link and one RMONStats row on the one port (ethernet-link.test.ts, ethernet-rmon.test.ts have their values).
    expect(all.get('Device.Ethernet.')).toEqual({ InterfaceNumberOfEntries: 1, LinkNumberOfEntries: 1, RMONStatsNumberOfEntries: 1 });
    expect(all.get('Device.Ethernet.Interface.1.')).toEqual({
      Enable: true,
      Status: 'Up',
      Name: 'eth0',
      LastChange: 0, // the clock has not moved since the watcher started
      Upstream: true,
      MACAddress: '02:fc:00:00:00:01',
      CurrentBitRate: 0, // sysfs speed -1: unknown, which TR-181 writes as 0
      CurrentDuplexMode: 'Unknown',
      // No ethtool beside the fake `ip`: the kernel's default, automatic selection.
      MaxBitRate: -1,
      DuplexMode: 'Auto',
    });
    expect(all.get('Device.Ethernet.Interface.1.Stats.')).toEqual({
      BytesSent: '1927042',
      BytesReceived: '472689590',
      PacketsSent: '11661',
      PacketsReceived: '16235',
      ErrorsSent: 0,
      ErrorsReceived: 0,
      DiscardPacketsSent: 0,
      DiscardPacketsReceived: 0, // StatsCounter32
      MulticastPacketsReceived: '0',
      Collisions: '0',
    });
  });

  it('maps IP.Interface, IPv4Address and IPv6Address from one `ip -j addr`', async () => {
    f = linuxHost();
    const all = await f.byPath();
    expect(all.get('Device.IP.')).toEqual({ IPv4Capable: true, IPv4Enable: true, IPv4Status: 'Enabled', IPv6Capable: true, IPv6Enable: true, IPv6Status: 'Enabled', InterfaceNumberOfEntries: 4 });
    expect(all.get('Device.IP.Interface.1.')).toEqual({
      Enable: true,
      Status: 'Up',
      Name: 'lo',
      LastChange: 0, // the clock has not moved since the watcher started
      LowerLayers: '',
      MaxMTUSize: 65535,
      Type: 'Loopback',
      Loopback: true,
      Router: 'Device.Routing.Router.1', // no Controller moved it to another routing instance
      IPv4Enable: true,
      IPv6Enable: true,
      IPv4AddressNumberOfEntries: 1,
      IPv6AddressNumberOfEntries: 1,
      IPv6PrefixNumberOfEntries: 0, // ::1/128 has no on-link prefix
    });
    expect(all.get('Device.IP.Interface.2.')).toMatchObject({ Enable: false, Status: 'Down', Name: 'ifb0', LowerLayers: '', MaxMTUSize: 1500, Type: 'Normal', IPv4AddressNumberOfEntries: 0 });
    // disable_ipv6 of ifb1 is 1.
    expect(all.get('Device.IP.Interface.3.')).toMatchObject({ Name: 'ifb1', IPv4Enable: true, IPv6Enable: false });
    // The netdev's counters, as Ethernet.Interface.1.Stats reads them for eth0.
    expect(all.get('Device.Ethernet.Interface.1.Stats.')).toMatchObject(all.get('Device.IP.Interface.4.Stats.')!);
    expect(Object.keys(all.get('Device.IP.Interface.4.Stats.')!)).toHaveLength(9); // no Collisions at the IP layer
    expect(all.get('Device.IP.Interface.4.')).toEqual({
      Enable: true,
      Status: 'Up',
      Name: 'eth0',
      LastChange: 0,
      LowerLayers: 'Device.Ethernet.Link.1',
      MaxMTUSize: 1400,
      Type: 'Normal',
      Loopback: false,
      Router: 'Device.Routing.Router.1',
      IPv4Enable: true,
      IPv6Enable: true,
      IPv4AddressNumberOfEntries: 1,
      IPv6AddressNumberOfEntries: 2,
      IPv6PrefixNumberOfEntries: 1,
    });
    expect(all.get('Device.IP.Interface.1.IPv4Address.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      IPAddress: '127.0.0.1',
      SubnetMask: '255.0.0.0',
      AddressingType: 'Static',
    });
    expect(all.get('Device.IP.Interface.4.IPv4Address.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      IPAddress: '192.0.2.2',
      SubnetMask: '255.255.255.0',
      AddressingType: 'Static',
    });
    const forever = { PreferredLifetime: '9999-12-31T23:59:59Z', ValidLifetime: '9999-12-31T23:59:59Z' };
    expect(all.get('Device.IP.Interface.1.IPv6Address.1.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      IPAddressStatus: 'Preferred',
      IPAddress: '::1',
      Origin: 'WellKnown',
      ...forever,
    });
    expect(all.get('Device.IP.Interface.4.IPv6Address.1.')).toMatchObject({ IPAddress: 'fd00::2', Origin: 'Static', ...forever });
    expect(all.get('Device.IP.Interface.4.IPv6Address.2.')).toMatchObject({ IPAddress: 'fe80::fc:ff:fe00:1', Origin: 'AutoConfigured' });
    // The on-link prefix of fd00::2 (the link-local address has none).
    expect(all.get('Device.IP.Interface.4.IPv6Prefix.1.')).toMatchObject({ Prefix: 'fd00::/64', Origin: 'Static', PrefixStatus: 'Preferred', OnLink: true, Autonomous: false, ...forever });
  });

  it('maps Routing.Router.1.IPv4Forwarding from one `ip -4 -json route`: the default route added by hand is static, the connected one the kernel made is not', async () => {
    f = linuxHost();
    const all = await f.byPath();
    expect(all.get('Device.Routing.Router.1.')).toMatchObject({ Enable: true, Status: 'Enabled' });
    expect(all.get('Device.Routing.Router.1.IPv4Forwarding.1.')).toMatchObject({
      Type: 'Normal',
      StaticRoute: true,
      DestIPAddress: '',
      DestSubnetMask: '',
      GatewayIPAddress: '192.0.2.1',
      Interface: 'Device.IP.Interface.4',
      Origin: 'Static',
      ForwardingMetric: 0,
    });
    expect(all.get('Device.Routing.Router.1.IPv4Forwarding.2.')).toMatchObject({
      StaticRoute: false,
      DestIPAddress: '192.0.2.0',
      DestSubnetMask: '255.255.255.0',
      GatewayIPAddress: '',
      Interface: 'Device.IP.Interface.4',
    });
    expect(all.has('Device.Routing.Router.1.IPv4Forwarding.3.')).toBe(false);
  });

  it('maps IPv6Forwarding from one `ip -6 -json route`: an RA route with its expiry, the default route as ::/0, an unreachable one', async () => {
    f = linuxHost();
    const all = await f.byPath();
    const rows = [...all].filter(([p]) => p.startsWith('Device.Routing.Router.1.IPv6Forwarding.')).map(([, v]) => v);
    expect(rows.map((r) => r.DestIPPrefix)).toEqual(['2001:db8::/64', '2001:db8:77::/48', '2001:db8:dead::/48', 'fe80::/64', '::/0']);
    expect(rows[1]).toMatchObject({ NextHop: 'fe80::1', Interface: 'Device.IP.Interface.4', Origin: 'RA', ForwardingMetric: 1024, ExpirationTime: '2026-11-25T07:58:46Z' });
    expect(rows[2]).toMatchObject({ Type: 'Unreachable', Interface: 'Device.IP.Interface.1' });
    expect(rows[4]).toMatchObject({ Type: 'Normal', NextHop: '2001:db8::1', Origin: 'Static', ExpirationTime: '9999-12-31T23:59:59Z', ForwardingPolicy: -1 });
  });

  it('runs `ip` once per source (addresses, routes) per whole-tree read, and again only once the cache has aged', async () => {
    f = linuxHost();
    await f.readAll();
    // Hosts: the neighbour table.
    expect(f.host.ipCalls().sort()).toEqual(['-4 -json route show table all', '-6 -json route show table all', '-j addr show', '-j neigh show']);
    await f.readAll();
    expect(f.host.ipCalls()).toHaveLength(4); // same instant: served from the cache
    f.advance(2);
    await f.readAll();
    expect(f.host.ipCalls()).toHaveLength(8);
  });
});
