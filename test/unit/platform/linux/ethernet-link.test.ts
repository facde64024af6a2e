import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { FakeHost, fixture, type LinuxFixture, linuxHost } from './fake-host.js';

/** Adds an Ethernet port that is up with carrier, to sysfs and to `ip -j addr`. */
function addPort(host: FakeHost, name: string, ifindex: number, mac: string): void {
  addSysfsPort(host, name, ifindex, mac);
  const links = JSON.parse(fixture('ip-j-addr.json')) as unknown[];
  links.push({ ifindex, ifname: name, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', address: mac, addr_info: [] });
  host.write('ip-j-addr.json', JSON.stringify(links));
}

function addSysfsPort(host: FakeHost, name: string, ifindex: number, mac: string): void {
  const attrs = { address: mac, operstate: 'up', carrier: '1', type: '1', ifindex: String(ifindex), flags: '0x1003', mtu: '1500', uevent: `INTERFACE=${name}` };
  for (const [k, v] of Object.entries(attrs)) host.write(`sys/class/net/${name}/${k}`, `${v}\n`);
  for (const f of ['tx_bytes', 'rx_bytes', 'tx_packets', 'rx_packets', 'tx_errors', 'rx_errors', 'tx_dropped', 'rx_dropped', 'multicast', 'collisions']) {
    host.write(`sys/class/net/${name}/statistics/${f}`, '7\n');
  }
}

describe('linux platform: Device.Ethernet.Link', () => {
  let f: LinuxFixture;
  afterEach(() => f.cleanup());

  it('serves one Link on each Ethernet.Interface, from the same sysfs files', async () => {
    f = linuxHost();
    const all = await f.byPath();
    expect(all.get('Device.Ethernet.Link.1.')).toEqual({
      Enable: true,
      Status: 'Up',
      Name: 'eth0',
      LastChange: 0, // the clock has not moved since the watcher started
      LowerLayers: 'Device.Ethernet.Interface.1', // no trailing "."
      MTU: 1400,
      MACAddress: '02:fc:00:00:00:01',
    });
    // The Interface's counters, less Collisions (EthernetLinkStats has none).
    const { Collisions, ...portStats } = all.get('Device.Ethernet.Interface.1.Stats.')!;
    expect(Collisions).toBe('0');
    expect(all.get('Device.Ethernet.Link.1.Stats.')).toEqual(portStats);
    expect(portStats).toMatchObject({ BytesSent: '1927042', BytesReceived: '472689590', ErrorsSent: 0 });
  });

  it('is what IP.Interface.LowerLayers names; interfaces without a Link row name nothing', async () => {
    f = linuxHost();
    const all = await f.byPath();
    const eth0 = all.get('Device.IP.Interface.4.')!;
    expect(eth0).toMatchObject({ Name: 'eth0', LowerLayers: 'Device.Ethernet.Link.1' });
    expect(all.get(`${eth0.LowerLayers as string}.`)).toMatchObject({ Name: 'eth0' });
    // lo is loopback, ifb0/ifb1 NOARP pseudo-devices: not Ethernet, so no Link below them.
    for (const n of [1, 2, 3]) expect(all.get(`Device.IP.Interface.${n}.`)?.LowerLayers, `IP.Interface.${n}`).toBe('');
  });

  it('reports LowerLayerDown when the Link is up but its port has no carrier', async () => {
    f = linuxHost();
    f.host.write('sys/class/net/eth0/operstate', 'down\n');
    f.host.write('sys/class/net/eth0/carrier', '0\n');
    const all = await f.byPath();
    expect(all.get('Device.Ethernet.Interface.1.')).toMatchObject({ Enable: true, Status: 'Down' });
    expect(all.get('Device.Ethernet.Link.1.')).toMatchObject({ Enable: true, Status: 'LowerLayerDown' });
    f.host.write('sys/class/net/eth0/flags', '0x1002'); // ip link set eth0 down
    expect(await f.model.bindingAt('Device.Ethernet.Link.{i}.')!.get([1], {})).toMatchObject({ Enable: false, Status: 'Down' });
  });

  it('numbers Links in ifindex order whichever object a Get reads first', async () => {
    const host = new FakeHost();
    addPort(host, 'eth1', 5, '02:fc:00:00:00:02');
    f = linuxHost({}, host);
    // IP first, and eth1's row before eth0's: the numbers still follow ifindex (eth0 4, eth1 5).
    const ip = f.model.bindingAt('Device.IP.Interface.{i}.')!;
    expect(await ip.list!([], {})).toEqual([1, 2, 3, 4, 5]);
    expect(await ip.get([5], {})).toMatchObject({ Name: 'eth1', LowerLayers: 'Device.Ethernet.Link.2' });
    expect(await ip.get([4], {})).toMatchObject({ Name: 'eth0', LowerLayers: 'Device.Ethernet.Link.1' });
    const all = await f.byPath();
    expect(all.get('Device.Ethernet.')).toEqual({ InterfaceNumberOfEntries: 2, LinkNumberOfEntries: 2, RMONStatsNumberOfEntries: 2 });
    expect(all.get('Device.Ethernet.Link.1.')).toMatchObject({ Name: 'eth0', LowerLayers: 'Device.Ethernet.Interface.1' });
    expect(all.get('Device.Ethernet.Link.2.')).toMatchObject({ Name: 'eth1', LowerLayers: 'Device.Ethernet.Interface.2', MTU: 1500 });
    expect(all.get('Device.Ethernet.Interface.2.')).toMatchObject({ Name: 'eth1' });
  });

  it('keeps a Link number while its port goes and comes back; a gone Link is a 7016', async () => {
    const host = new FakeHost();
    addPort(host, 'eth1', 5, '02:fc:00:00:00:02');
    f = linuxHost({}, host);
    const link = f.model.bindingAt('Device.Ethernet.Link.{i}.')!;
    const stats = f.model.bindingAt('Device.Ethernet.Link.{i}.Stats.')!;
    expect(await link.list!([], {})).toEqual([1, 2]);
    f.host.remove('sys/class/net/eth0');
    f.advance(2); // the device scan serves cacheMs (1 s)
    expect(await link.list!([], {})).toEqual([2]);
    await expect(link.get([1], {})).rejects.toMatchObject({ code: ErrorCode.ObjectDoesNotExist });
    await expect(stats.get([1], {})).rejects.toMatchObject({ code: ErrorCode.ObjectDoesNotExist });
    await expect(link.get([3], {})).rejects.toMatchObject({ code: ErrorCode.ObjectDoesNotExist });
    const ip = f.model.bindingAt('Device.IP.Interface.{i}.')!;
    expect(await ip.list!([], {})).toEqual([1, 2, 3, 4, 5]); // `ip` still lists eth0 (it went from sysfs only)
    expect(await ip.get([4], {})).toMatchObject({ Name: 'eth0', LowerLayers: '' });
    expect(await ip.get([5], {})).toMatchObject({ Name: 'eth1', LowerLayers: 'Device.Ethernet.Link.2' });
    addSysfsPort(f.host, 'eth0', 4, '02:fc:00:00:00:01');
    f.advance(2);
    expect(await link.list!([], {})).toEqual([1, 2]);
    expect(await link.get([1], {})).toMatchObject({ Name: 'eth0', LowerLayers: 'Device.Ethernet.Interface.1' });
  });

  it('serves Links on the named ports only, when ethernetInterfaces names them', async () => {
    f = linuxHost({ ethernetInterfaces: ['eth0'] });
    expect((await f.byPath()).get('Device.Ethernet.Link.1.')).toMatchObject({ Name: 'eth0' });
  });

  it('leaves Link and IP.Interface.LowerLayers out when another platform serves Ethernet', async () => {
    f = linuxHost({ areas: ['IP'] });
    expect(f.model.requireNode('Device.Ethernet.Link.{i}.').supported).toBe(false);
    expect(f.model.requireNode('Device.IP.Interface.{i}.').params.has('LowerLayers')).toBe(false);
    expect((await f.byPath()).get('Device.IP.Interface.4.')).not.toHaveProperty('LowerLayers');
  });
});
