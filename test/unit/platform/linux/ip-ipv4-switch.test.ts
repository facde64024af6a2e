/**
 * The Linux IPv4 switches (platform/linux/ip-ipv4-switch.ts) at the `ip` command boundary, and
 * the /proc/net/tcp reading of the agent's own connections (own-connections.ts): what is kept
 * aside and what the kernel is told, the refusals (own path, loopback, unmanaged, bound), and
 * the state kept in a real DataStore across a reload (an agent restart) with the start-up
 * switch-off. `ip` is a written shell stand-in that logs its argv; the real commands run in
 * test/integration/linux-ipv4-enable.test.ts.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import type { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { UspError } from '../../../../datamodel/UspError.js';
import { CommandRunner } from '../../../../platform/exec/CommandRunner.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import type { IpLink } from '../../../../platform/linux/ip-addr.js';
import type { RouteEntry } from '../../../../platform/linux/ip-interface-restack.js';
import { LinuxIpv4Switches } from '../../../../platform/linux/ip-ipv4-switch.js';
import { IpWriter, ManagedInterfaces } from '../../../../platform/linux/ip-write.js';
import { establishedLocalIpv4 } from '../../../../platform/linux/own-connections.js';

const dir = mkdtempSync(join(tmpdir(), 'usp-ipv4sw-'));
const log = join(dir, 'ip.log');
writeFileSync(join(dir, 'ip'), `#!/bin/sh\necho "$*" >> ${log}\n`);
chmodSync(join(dir, 'ip'), 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => writeFileSync(log, ''));
const ipLog = (): string[] => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);

const lo: IpLink = { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], link_type: 'loopback', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] };
const eth1 = (): IpLink => ({
  ifindex: 2,
  ifname: 'eth1',
  flags: ['UP'],
  addr_info: [
    { family: 'inet', local: '192.0.2.1', prefixlen: 24 },
    { family: 'inet', local: '203.0.113.9', prefixlen: 24, dynamic: true, valid_life_time: 3600 },
    { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
  ],
});
const ctl0: IpLink = { ifindex: 3, ifname: 'ctl0', flags: ['UP'], addr_info: [{ family: 'inet', local: '10.0.0.2', prefixlen: 30 }] };
const ROUTES: RouteEntry[] = [
  { dst: '192.0.2.0/24', protocol: 'kernel', prefsrc: '192.0.2.1' },
  { dst: '198.51.100.0/24', gateway: '192.0.2.2', metric: 5 },
  { dst: 'default', gateway: '203.0.113.1', protocol: 'dhcp' },
];

function switches(store: DataStore, links: IpLink[], opts: { manage?: string[]; own?: string[] } = {}): LinuxIpv4Switches {
  const runner = new CommandRunner({ commandPath: dir });
  const ctx = { model: {} as DataModel, files: new HostFiles(), now: Date.now, runner, cacheMs: 0, ip: new IpWriter(runner, new ManagedInterfaces(opts.manage ?? ['*'])) };
  return new LinuxIpv4Switches({
    ctx,
    store,
    links: () => Promise.resolve(new Map(links.map((l) => [l.ifname, l]))),
    routes: () => Promise.resolve(ROUTES),
    ownAddresses: () => Promise.resolve(new Set(opts.own ?? [])),
  });
}

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    return e instanceof UspError ? e.code : -1;
  }
}

describe('LinuxIpv4Switches', () => {
  it('off keeps the permanent addresses and added routes aside and flushes; on puts them back', async () => {
    const sw = switches(new DataStore(), [lo, eth1()]);
    await sw.check('eth1', false, 'P.');
    await sw.setInterface('eth1', false, 'P.');
    expect(ipLog()).toEqual(['-4 addr flush dev eth1']);
    expect(sw.interfaceOn('eth1')).toBe(false);
    expect(sw.effective('eth1')).toBe(false);
    // The DHCP address is its client's to give again: not kept.
    expect(sw.heldLocals('eth1')).toEqual(['192.0.2.1']);
    expect(sw.heldPrefix('eth1', '192.0.2.1')).toBe(24);
    writeFileSync(log, '');
    await sw.setInterface('eth1', true, 'P.');
    expect(ipLog()).toEqual(['-4 addr add 192.0.2.1/24 dev eth1', '-4 route add 198.51.100.0/24 via 192.0.2.2 dev eth1 metric 5']);
    expect(sw.heldLocals('eth1')).toEqual([]);
  });

  it('the stack switch takes every interface but loopback; an interface keeps its own value', async () => {
    const sw = switches(new DataStore(), [lo, eth1(), ctl0]);
    await sw.setInterface('ctl0', false, 'P.');
    writeFileSync(log, '');
    await sw.setStack(false, 'Device.IP.');
    // ctl0 was off already: only eth1 changes.
    expect(ipLog()).toEqual(['-4 addr flush dev eth1']);
    expect([sw.stackOn(), sw.interfaceOn('eth1'), sw.effective('eth1'), sw.effective('lo')]).toEqual([false, true, false, true]);
    // Its own switch goes on, the stack is off: nothing reaches the kernel.
    writeFileSync(log, '');
    await sw.setInterface('ctl0', true, 'P.');
    expect(ipLog()).toEqual([]);
    expect(sw.effective('ctl0')).toBe(false);
    await sw.setStack(true, 'Device.IP.');
    expect(ipLog()).toEqual([
      '-4 addr add 192.0.2.1/24 dev eth1',
      '-4 route add 198.51.100.0/24 via 192.0.2.2 dev eth1 metric 5',
      '-4 addr add 10.0.0.2/30 dev ctl0',
      '-4 route add 198.51.100.0/24 via 192.0.2.2 dev ctl0 metric 5',
    ]);
  });

  it("refuses the agent's own path (7012), loopback (7012), an unmanaged interface (7002) and the stack without '*' (7002), with nothing run", async () => {
    const sw = switches(new DataStore(), [lo, eth1(), ctl0], { manage: ['eth1', 'ctl0', 'lo'], own: ['10.0.0.2'] });
    expect(await codeOf(sw.check('ctl0', false, 'P.'))).toBe(7012);
    expect(await codeOf(sw.check('lo', false, 'P.'))).toBe(7012);
    expect(await codeOf(sw.setStack(false, 'Device.IP.'))).toBe(7002);
    const unmanaged = switches(new DataStore(), [lo, eth1()], { manage: ['ctl0'] });
    expect(await codeOf(unmanaged.check('eth1', false, 'P.'))).toBe(7002);
    const all = switches(new DataStore(), [lo, eth1(), ctl0], { own: ['10.0.0.2'] });
    expect(await codeOf(all.setStack(false, 'Device.IP.'))).toBe(7012);
    expect(all.stackOn()).toBe(true);
    expect(ipLog()).toEqual([]);
  });

  it('is kept in the store across a restart; at start an interface given addresses again is switched off again', async () => {
    const data = mkdtempSync(join(dir, 'store-'));
    const first = new DataStore(data);
    first.load(() => undefined);
    await switches(first, [lo, eth1()]).setInterface('eth1', false, 'P.');
    await first.flush();
    const second = new DataStore(data);
    second.load(() => undefined);
    // The host's configuration put 192.0.2.1 back at boot, and one more.
    const again = {
      ...eth1(),
      addr_info: [
        { family: 'inet', local: '192.0.2.1', prefixlen: 24 },
        { family: 'inet', local: '192.0.2.50', prefixlen: 24 },
      ],
    };
    const sw = switches(second, [lo, again]);
    expect(sw.interfaceOn('eth1')).toBe(false);
    writeFileSync(log, '');
    await sw.stateLoaded();
    expect(ipLog()).toEqual(['-4 addr flush dev eth1']);
    expect(sw.heldLocals('eth1')).toEqual(['192.0.2.1', '192.0.2.50']);
    sw.dropHeld('eth1', '192.0.2.50');
    expect(sw.heldLocals('eth1')).toEqual(['192.0.2.1']);
  });

  it('bounds what it keeps aside (7005)', async () => {
    const many: IpLink = { ifindex: 4, ifname: 'big0', flags: ['UP'], addr_info: Array.from({ length: 600 }, (_, i) => ({ family: 'inet', local: `10.${i >> 8}.${i & 255}.1`, prefixlen: 32 })) };
    const sw = switches(new DataStore(), [lo, many]);
    expect(await codeOf(sw.setInterface('big0', false, 'P.'))).toBe(7005);
    expect(ipLog()).toEqual([]);
    // The failed Set leaves the switch as it was.
    expect(sw.interfaceOn('big0')).toBe(true);
  });
});

describe('establishedLocalIpv4', () => {
  it('reads the local IPv4 address of this process’s established sockets, IPv4-mapped ones of tcp6 too', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0200000A:1F90 0100000A:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 111 1 0',
      '   1: 0100007F:1F90 0100007F:D2F1 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0',
      '   2: 0200000A:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0',
    ].join('\n');
    expect(establishedLocalIpv4(tcp, new Set(['111', '333']))).toEqual(['10.0.0.2']);
    const tcp6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0000000000000000FFFF00000200000A:1F90 0000000000000000FFFF00000100000A:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 444 1 0',
      '   1: 000080FE00000000000000000100000A:1F90 000080FE00000000000000000200000A:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 555 1 0',
    ].join('\n');
    expect(establishedLocalIpv4(tcp6, new Set(['444', '555']))).toEqual(['10.0.0.2']);
  });
});
