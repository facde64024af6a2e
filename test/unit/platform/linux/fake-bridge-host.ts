import fs from 'node:fs';
import path from 'node:path';
import { FakeHost, fixture } from './fake-host.js';

/**
 * A fake host (fake-host.ts) with the bridge br-lan (vlan_filtering as given) over lan1..lan3, and
 * `standin` as its `bridge` (called with STATE and LOG files in the host's directory first). The
 * devices are written here (ifindexes and MACs as in test/fixtures/linux/bridge-vlan; lan3's are
 * not recorded there): this kernel has no bridge module.
 */
export function fakeBridgeHost(filtering: string, standin: string): FakeHost {
  const host = new FakeHost();
  const links = JSON.parse(fixture('ip-j-addr.json')) as unknown[];
  const link = (ifindex: number, ifname: string, address: string, master?: string) => ({
    ifindex,
    ifname,
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    operstate: 'UP',
    link_type: 'ether',
    address,
    ...(master ? { master } : {}),
    addr_info: [],
  });
  links.push(link(4, 'lan1', '26:cb:13:00:1b:da', 'br-lan'), link(6, 'lan2', '2e:d3:14:35:6c:2b', 'br-lan'), link(8, 'lan3', '02:00:00:00:00:03', 'br-lan'), link(9, 'br-lan', '26:cb:13:00:1b:da'));
  host.write('ip-j-addr.json', JSON.stringify(links));
  for (const [dev, ifindex] of [
    ['lan1', 4],
    ['lan2', 6],
    ['lan3', 8],
    ['br-lan', 9],
  ] as const) {
    for (const [k, v] of Object.entries({ ifindex: String(ifindex), operstate: 'up', carrier: '1', type: '1', flags: '0x1003', mtu: '1500', uevent: `INTERFACE=${dev}` }))
      host.write(`sys/class/net/${dev}/${k}`, `${v}\n`);
    for (const c of ['tx_bytes', 'rx_bytes', 'tx_packets', 'rx_packets', 'tx_errors', 'rx_errors', 'tx_dropped', 'rx_dropped', 'multicast', 'collisions'])
      host.write(`sys/class/net/${dev}/statistics/${c}`, '0\n');
  }
  host.write('sys/class/net/br-lan/bridge/vlan_filtering', `${filtering}\n`);
  host.write('sys/class/net/br-lan/bridge/ageing_time', '30000\n');
  for (const p of ['lan1', 'lan2', 'lan3']) for (const [k, v] of Object.entries({ state: '3', priority: '32', path_cost: '2' })) host.write(`sys/class/net/br-lan/brif/${p}/${k}`, `${v}\n`);
  host.write('bin/bridge', `#!/bin/sh\nexec node '${standin}' '${host.dir}/bridge.state' '${host.dir}/bridge.log' "$@"\n`);
  fs.chmodSync(path.join(host.binDir, 'bridge'), 0o755);
  return host;
}
