/**
 * restackLowerLayers (platform/linux/ip-interface-restack.ts) at the `ip` command boundary: the
 * commands that re-make a macvlan with what it carried, the routes it keeps and those it leaves
 * to the kernel, the refusal while another device is stacked on it, and the way back when a
 * step fails. `ip` here is a written shell stand-in that logs its argv and refuses an MTU of
 * 9999 as the kernel does; the real commands run in test/integration/linux-ip-interface-lowerlayers.test.ts.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import type { IpLink } from '../../../../platform/linux/ip-addr.js';
import { restackLowerLayers, type RestackDeps, type RouteEntry } from '../../../../platform/linux/ip-interface-restack.js';
import { IpWriter, ManagedInterfaces } from '../../../../platform/linux/ip-write.js';

const dir = mkdtempSync(join(tmpdir(), 'usp-restack-'));
const log = join(dir, 'ip.log');
writeFileSync(join(dir, 'ip'), `#!/bin/sh\necho "$*" >> ${log}\ncase "$*" in *"mtu 9999"*) echo "Error: mtu greater than device maximum." >&2; exit 2;; esac\n`);
chmodSync(join(dir, 'ip'), 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => writeFileSync(log, ''));

const PATH = 'Device.IP.Interface.4.';
/** Ethernet.Link.1 is eth1, .2 eth2. */
const model = {
  bindingAt: () => ({ list: () => [1, 2], get: (keys: number[]) => ({ Name: `eth${keys[0]}` }) }),
} as unknown as DataModel;

function deps(links: IpLink[] = [], routes: Record<'-4' | '-6', RouteEntry[]> = { '-4': [], '-6': [] }): RestackDeps {
  return {
    model,
    ip: new IpWriter(new CommandRunner({ commandPath: dir }), new ManagedInterfaces(['eth1', 'eth2', 'ip-usp1'])),
    ipv6Enabled: () => Promise.resolve(true),
    setIpv6Enabled: () => Promise.resolve(),
    routes: (_name, family) => Promise.resolve(routes[family]),
    links: () => Promise.resolve(new Map(links.map((l) => [l.ifname, l]))),
  };
}

const macvlan = (mtu = 1400): IpLink => ({
  ifindex: 9,
  ifname: 'ip-usp1',
  link: 'eth1',
  address: '02:00:00:00:00:09',
  mtu,
  flags: ['BROADCAST', 'UP'],
  addr_info: [
    { family: 'inet', local: '192.0.2.77', prefixlen: 24 },
    { family: 'inet6', local: '2001:db8::77', prefixlen: 64, scope: 'global' },
    { family: 'inet6', local: '2001:db8::1234', prefixlen: 64, scope: 'global', dynamic: true },
    { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
  ],
});

const ipLog = (): string[] => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);

describe('restackLowerLayers', () => {
  it('re-makes the macvlan on the new Link with its MAC, MTU, static addresses, up state and the routes someone added', async () => {
    const routes: Record<'-4' | '-6', RouteEntry[]> = {
      '-4': [
        { dst: '192.0.2.0/24', protocol: 'kernel', prefsrc: '192.0.2.77' },
        { dst: '198.51.100.0/24', gateway: '192.0.2.1', metric: 7, table: '100' },
        { type: 'local', dst: '192.0.2.77', table: 'local', protocol: 'kernel' },
      ],
      '-6': [
        { dst: '2001:db8:9::/48', gateway: '2001:db8::1', metric: 1024, pref: 'medium' },
        { dst: 'default', gateway: 'fe80::9', protocol: 'ra', metric: 1024 },
      ],
    };
    await restackLowerLayers(deps([], routes), macvlan(), 'Device.Ethernet.Link.2', PATH);
    expect(ipLog()).toEqual([
      'link del dev ip-usp1',
      'link add link eth2 name ip-usp1 address 02:00:00:00:00:09 type macvlan mode bridge',
      'link set dev ip-usp1 mtu 1400',
      '-4 addr add 192.0.2.77/24 dev ip-usp1',
      '-6 addr add 2001:db8::77/64 dev ip-usp1',
      'link set dev ip-usp1 up',
      '-4 route add 198.51.100.0/24 via 192.0.2.1 dev ip-usp1 metric 7 table 100',
      '-6 route add 2001:db8:9::/48 via 2001:db8::1 dev ip-usp1 metric 1024 pref medium',
    ]);
  });

  it('does nothing when the Link is the one it is on', async () => {
    await restackLowerLayers(deps(), macvlan(), 'Device.Ethernet.Link.1.', PATH);
    expect(ipLog()).toEqual([]);
  });

  it('refuses, running nothing, while another device is stacked on it', async () => {
    const vlan: IpLink = { ifindex: 10, ifname: 'ip-usp1.7', link: 'ip-usp1' };
    await expect(restackLowerLayers(deps([macvlan(), vlan]), macvlan(), 'Device.Ethernet.Link.2', PATH)).rejects.toMatchObject({
      code: 7012,
      message: expect.stringContaining('ip-usp1.7 is stacked on ip-usp1') as string,
    });
    expect(ipLog()).toEqual([]);
  });

  it('refuses a host interface, no Link and an unmanaged Link with 7012, running nothing', async () => {
    const host: IpLink = { ifindex: 2, ifname: 'eth1' };
    await expect(restackLowerLayers(deps(), host, 'Device.Ethernet.Link.2', PATH)).rejects.toMatchObject({ code: 7012 });
    await expect(restackLowerLayers(deps(), macvlan(), 'Device.Ethernet.Link.3', PATH)).rejects.toMatchObject({ code: 7012 });
    await expect(restackLowerLayers(deps(), macvlan(), 'Device.WiFi.SSID.1', PATH)).rejects.toMatchObject({ code: 7012 });
    const d = deps();
    d.ip = new IpWriter(new CommandRunner({ commandPath: dir }), new ManagedInterfaces(['eth1', 'ip-usp1']));
    await expect(restackLowerLayers(d, macvlan(), 'Device.Ethernet.Link.2', PATH)).rejects.toMatchObject({ code: 7012, message: expect.stringContaining('eth2 is not managed') as string });
    expect(ipLog()).toEqual([]);
  });

  it('a step the kernel refuses puts the macvlan back on its old device as it was, and fails the Set', async () => {
    await expect(restackLowerLayers(deps(), macvlan(9999), 'Device.Ethernet.Link.2', PATH)).rejects.toMatchObject({ code: 7012 });
    expect(ipLog()).toEqual([
      'link del dev ip-usp1',
      'link add link eth2 name ip-usp1 address 02:00:00:00:00:09 type macvlan mode bridge',
      'link set dev ip-usp1 mtu 9999',
      'link del dev ip-usp1',
      'link add link eth1 name ip-usp1 address 02:00:00:00:00:09 type macvlan mode bridge',
      'link set dev ip-usp1 mtu 9999',
    ]);
  });
});
