import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { readSubtree, type ObjectValues } from '../../../../datamodel/tree/read-object.js';
import { counter } from '../../../../platform/linux/net-stats.js';
import { prefixToMask } from '../../../../platform/linux/ip-addr.js';
import { ipv4Addressing, ipv6AddressStatus, ipv6Origin } from '../../../../platform/linux/ip.js';
import { defaultRouteInterfaces, parseCpuTimes, parseOsRelease } from '../../../../platform/linux/proc-parsers.js';
import { CAPTURED_MS, FakeHost, fixture, type LinuxFixture, linuxHost } from './fake-host.js';

const binding = (f: LinuxFixture, path: string) => f.model.bindingAt(path)!;

describe('linux platform: values that move', () => {
  let f: LinuxFixture;
  afterEach(() => f.cleanup());

  it('measures CPUUsage between two reads of /proc/stat, at least a second apart', async () => {
    f = linuxHost();
    const ps = binding(f, 'Device.DeviceInfo.ProcessStatus.');
    expect(await ps.get([], {})).toEqual({ CPUUsage: 44 }); // since boot
    const cpu = fixture('proc-stat.txt').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // +30 user, +10 system, +50 idle, +10 iowait: 100 ticks, 40 of them busy.
    const next = [cpu[0]! + 30, cpu[1], cpu[2]! + 10, cpu[3]! + 50, cpu[4]! + 10, ...cpu.slice(5)];
    f.host.write('proc/stat', `cpu  ${next.join(' ')}\n`);
    f.advance(0.5);
    expect(await ps.get([], {})).toEqual({ CPUUsage: 44 }); // too soon: the last measurement again
    f.advance(0.5);
    expect(await ps.get([], {})).toEqual({ CPUUsage: 40 });
  });

  it('reads UpTime and HostName on every read', async () => {
    f = linuxHost();
    const info = binding(f, 'Device.DeviceInfo.');
    f.host.write('proc/uptime', '90061.99 1.00\n');
    f.host.write('proc/sys/kernel/hostname', 'cpe-7\n');
    expect(await info.get([], {})).toMatchObject({ UpTime: 90061, HostName: 'cpe-7' });
  });

  it('keeps instance numbers by interface name while interfaces come and go', async () => {
    f = linuxHost();
    const eth = binding(f, 'Device.Ethernet.Interface.{i}.');
    expect(await eth.list!([], {})).toEqual([1]);
    f.host.remove('sys/class/net/eth0');
    // The scan of /sys/class/net serves every read for cacheMs (1 s by default): let it age.
    f.advance(2);
    expect(await eth.list!([], {})).toEqual([]);
    await expect(eth.get([1], {})).rejects.toMatchObject({ code: ErrorCode.ObjectDoesNotExist });
    // A new port appears, then eth0 comes back: eth0 is 1 again, the newcomer 2.
    for (const a of ['address=02:fc:00:00:00:09', 'operstate=down', 'carrier=0', 'speed=1000', 'duplex=full', 'type=1', 'ifindex=7', 'flags=0x1002']) {
      const [k, v] = a.split('=');
      f.host.write(`sys/class/net/eth9/${k}`, `${v}\n`);
    }
    f.advance(2);
    expect(await eth.list!([], {})).toEqual([2]);
    expect(await eth.get([2], {})).toMatchObject({
      Name: 'eth9',
      Enable: false,
      Status: 'Down',
      Upstream: false,
      CurrentBitRate: 1000,
      CurrentDuplexMode: 'Full',
    });
    for (const [k, v] of [
      ['address', '02:fc:00:00:00:01'],
      ['operstate', 'up'],
      ['type', '1'],
      ['ifindex', '4'],
      ['flags', '0x1003'],
    ]) {
      f.host.write(`sys/class/net/eth0/${k}`, `${v}\n`);
    }
    f.advance(2);
    expect(await eth.list!([], {})).toEqual([1, 2]);
    expect(await eth.get([1], {})).toMatchObject({ Name: 'eth0' });
  });

  it('wraps 32-bit counters and keeps 64-bit ones exact', async () => {
    expect(counter('unsignedInt', '4294967301')).toBe(5);
    expect(counter('unsignedLong', '18446744073709551615')).toBe('18446744073709551615');
    expect(counter('unsignedLong', '007')).toBe('7');
    expect(counter('unsignedLong', undefined)).toBeUndefined();
    expect(counter('unsignedLong', '-1')).toBeUndefined();
  });

  it('turns address lifetimes into dateTimes counted from when `ip` ran', async () => {
    f = linuxHost();
    const links = JSON.parse(fixture('ip-j-addr.json')) as Array<{ ifname: string; addr_info: unknown[] }>;
    links
      .find((l) => l.ifname === 'eth0')!
      .addr_info.push(
        { family: 'inet6', local: '2001:db8::1234', prefixlen: 128, scope: 'global', dynamic: true, valid_life_time: 7200, preferred_life_time: 3600 },
        { family: 'inet6', local: '2001:db8::2:5054:ff:fe12:3456', prefixlen: 64, scope: 'global', dynamic: true, mngtmpaddr: true, deprecated: true, valid_life_time: 600, preferred_life_time: 0 },
        { family: 'inet', local: '198.51.100.7', prefixlen: 22, scope: 'global', dynamic: true, valid_life_time: 86400, preferred_life_time: 86400 },
      );
    f.host.write('ip-j-addr.json', JSON.stringify(links));
    const all = await f.byPath();
    expect(all.get('Device.IP.Interface.4.IPv6Address.3.')).toEqual({
      Enable: true,
      Status: 'Enabled',
      IPAddressStatus: 'Preferred',
      IPAddress: '2001:db8::1234',
      Origin: 'DHCPv6',
      PreferredLifetime: '2026-11-25T08:48:47Z',
      ValidLifetime: '2026-11-25T09:48:47Z',
    });
    expect(all.get('Device.IP.Interface.4.IPv6Address.4.')).toMatchObject({
      IPAddressStatus: 'Deprecated',
      Origin: 'AutoConfigured',
      PreferredLifetime: '2026-11-25T07:48:47Z',
      ValidLifetime: '2026-11-25T07:58:47Z',
    });
    expect(all.get('Device.IP.Interface.4.IPv4Address.2.')).toMatchObject({ IPAddress: '198.51.100.7', SubnetMask: '255.255.252.0', AddressingType: 'DHCP' });
    expect(CAPTURED_MS).toBe(Date.parse('2026-11-25T07:48:47Z'));
  });

  it('a failing `ip` fails the IP objects only (7003), once per read', async () => {
    f = linuxHost();
    f.host.write('ip.fail', '');
    await expect(f.readAll()).rejects.toMatchObject({ code: ErrorCode.InternalError });
    expect(f.host.ipCalls()).toHaveLength(1);
    const ip = f.model.requireNode('Device.IP.');
    const out: ObjectValues[] = [];
    await expect(readSubtree(f.model, { node: ip, keys: [] }, 0, {}, out)).rejects.toThrow(/data source failed: ip -j addr show: exit 1: Cannot open netlink socket/);
    for (const path of ['Device.DeviceInfo.', 'Device.Ethernet.']) {
      const node = f.model.requireNode(path);
      const rest: ObjectValues[] = [];
      await readSubtree(f.model, { node, keys: [] }, 0, {}, rest);
      expect(rest.length, path).toBeGreaterThan(0);
    }
  });

  it('a missing `ip` is a 7003 naming the tool', async () => {
    f = linuxHost();
    f.host.remove('bin/ip');
    const b = binding(f, 'Device.IP.Interface.{i}.');
    await expect(b.list!([], {})).rejects.toThrow(/data source unavailable: .*ip is not installed/);
  });
});

describe('linux platform: identity', () => {
  let f: LinuxFixture | undefined;
  afterEach(() => {
    f?.cleanup();
    f = undefined;
  });
  const info = () => f!.model.bindingAt('Device.DeviceInfo.')!;

  it('takes Manufacturer, ModelName and SerialNumber from DMI when present, skipping placeholders', async () => {
    const host = new FakeHost();
    // Illustrative: what a QEMU q35 VM reports, with an unset serial.
    host.write('sys/class/dmi/id/sys_vendor', 'QEMU\n');
    host.write('sys/class/dmi/id/product_name', 'Standard PC (Q35 + ICH9, 2009)\n');
    host.write('sys/class/dmi/id/product_serial', 'To be filled by O.E.M.\n');
    f = linuxHost({}, host);
    expect(await info().get([], {})).toMatchObject({
      Manufacturer: 'QEMU',
      ModelName: 'Standard PC (Q35 + ICH9, 2009)',
      SerialNumber: '02FC00000001',
    });
  });

  it('lets factory data override and add identity parameters', async () => {
    f = linuxHost({ identity: { Manufacturer: 'Example Networks', ManufacturerOUI: '0A5F1E', ProductClass: 'EX-1', SerialNumber: 'EX123' } });
    expect([...f.model.requireNode('Device.DeviceInfo.').params.keys()]).toEqual(expect.arrayContaining(['ManufacturerOUI', 'ProductClass']));
    expect(await info().get([], {})).toMatchObject({
      Manufacturer: 'Example Networks',
      ManufacturerOUI: '0A5F1E',
      ProductClass: 'EX-1',
      SerialNumber: 'EX123',
      HardwareVersion: 'AMD EPYC',
    });
  });

  it('serves every identity parameter, "" where the host gives none, and lets the factory defaults set them over DMI', async () => {
    const host = new FakeHost();
    host.write('sys/class/dmi/id/sys_vendor', 'QEMU\n');
    f = linuxHost({}, host);
    const params = [...f.model.requireNode('Device.DeviceInfo.').params.keys()];
    expect(params).toEqual(expect.arrayContaining(['Manufacturer', 'ManufacturerOUI', 'ModelName', 'ProductClass']));
    // FriendlyName and ProvisioningCode have no Linux source: the agent serves them (agent-held.ts; linux-device-info.test.ts).
    expect(params).not.toEqual(expect.arrayContaining(['FriendlyName']));
    expect(params).not.toEqual(expect.arrayContaining(['ProvisioningCode']));
    // eth0's recorded MAC (02:fc:...) is locally administered: it carries no OUI.
    expect(await info().get([], {})).toMatchObject({ Manufacturer: 'QEMU', ManufacturerOUI: undefined, ProductClass: '' });
    // What applying the factory defaults does (a Set by the agent itself): the vendor data wins.
    await info().set!([], { Manufacturer: 'Example Networks', ManufacturerOUI: '0A5F1E', ProductClass: 'FWA', SoftwareVersion: 'ignored' }, {});
    expect(await info().get([], {})).toMatchObject({ Manufacturer: 'Example Networks', ManufacturerOUI: '0A5F1E', ProductClass: 'FWA' });
    expect((await info().get([], {})).SoftwareVersion).not.toBe('ignored');
    await expect(Promise.resolve().then(() => info().set!([], { HostName: 'x' }, {}))).rejects.toMatchObject({ code: ErrorCode.ObjectNotUpdated });
  });

  it('takes ManufacturerOUI from a universally administered base MAC and ProductClass from the device tree', async () => {
    const host = new FakeHost();
    host.write('sys/class/net/eth0/address', '00:0d:b9:4a:12:34\n');
    host.write('sys/firmware/devicetree/base/compatible', 'pcengines,apu2\0amd,g-series\0');
    f = linuxHost({}, host);
    expect(await info().get([], {})).toMatchObject({ ManufacturerOUI: '000DB9', ProductClass: 'pcengines,apu2', SerialNumber: '000DB94A1234' });
  });

  it('refuses a malformed ManufacturerOUI at start-up', () => {
    const host = new FakeHost();
    try {
      expect(() => linuxHost({ identity: { ManufacturerOUI: '0a5f1e' } }, host)).toThrow(/six upper-case hex digits/);
    } finally {
      host.cleanup();
    }
  });

  it('formats OpenWrt os-release as version and revision', async () => {
    const host = new FakeHost();
    host.write('etc/os-release', 'NAME="OpenWrt"\nVERSION="24.10.5"\nVERSION_ID="24.10.5"\nBUILD_ID="r29087-d9c5716d1d"\nPRETTY_NAME="OpenWrt 24.10.5"\n');
    host.write('proc/cpuinfo', 'system type\t\t: MediaTek MT7621 ver:1 eco:3\nmachine\t\t\t: D-Link COVR-X1860 A1\nprocessor\t\t: 0\ncpu model\t\t: MIPS 1004Kc V2.15\n');
    f = linuxHost({}, host);
    expect(await info().get([], {})).toMatchObject({
      SoftwareVersion: '24.10.5 r29087-d9c5716d1d',
      HardwareVersion: 'MediaTek MT7621 ver:1 eco:3',
      Description: 'OpenWrt 24.10.5',
    });
  });
});

describe('linux platform: parsers', () => {
  it('parses os-release quoting', () => {
    const m = parseOsRelease('A="x \\"y\\""\nB=\'z\'\nC=plain\n# comment\n');
    expect(Object.fromEntries(m)).toEqual({ A: 'x "y"', B: 'z', C: 'plain' });
  });

  it('finds default-route interfaces, ignoring the IPv6 reject route on lo', () => {
    expect([...defaultRouteInterfaces(fixture('proc-net-route.txt'), fixture('proc-net-ipv6_route.txt'))]).toEqual(['eth0']);
    expect([...defaultRouteInterfaces(undefined, undefined)]).toEqual([]);
  });

  it('sums /proc/stat without guest time', () => {
    expect(parseCpuTimes('cpu  10 1 5 100 4 1 2 3 7 7\n')).toEqual({ total: 126, idle: 104 });
    expect(parseCpuTimes('intr 1 2\n')).toBeUndefined();
  });

  it('converts prefix lengths and addressing types', () => {
    expect([0, 8, 22, 30, 32].map(prefixToMask)).toEqual(['0.0.0.0', '255.0.0.0', '255.255.252.0', '255.255.255.252', '255.255.255.255']);
    const link = { ifindex: 9, ifname: 'pppoe-wan', link_type: 'ppp' };
    expect(ipv4Addressing(link, { family: 'inet', local: '100.64.1.2', prefixlen: 32 })).toBe('IPCP');
    expect(ipv4Addressing({ ...link, link_type: 'ether' }, { family: 'inet', local: '169.254.3.4', prefixlen: 16 })).toBe('AutoIP');
    expect(ipv6AddressStatus({ family: 'inet6', local: 'fe80::1', prefixlen: 64, tentative: true, optimistic: true })).toBe('Optimistic');
    expect(ipv6AddressStatus({ family: 'inet6', local: 'fe80::1', prefixlen: 64, dadfailed: true, tentative: true })).toBe('Duplicate');
    expect(ipv6Origin({ family: 'inet6', local: '2001:db8::5', prefixlen: 64, protocol: 'kernel_ra', dynamic: true })).toBe('AutoConfigured');
  });
});
