import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LinuxFixture, linuxHost } from './fake-host.js';

/** Records every file-system call HostFiles makes (read, list, exists), as "op /path" under the fake root. */
function recordFileOps(root: string): string[] {
  const ops: string[] = [];
  for (const op of ['readFile', 'readdir', 'access'] as const) {
    const real = fs.promises[op].bind(fs.promises) as (...args: unknown[]) => unknown;
    vi.spyOn(fs.promises, op).mockImplementation(((...args: unknown[]) => {
      ops.push(`${op} ${String(args[0]).slice(root.length)}`);
      return real(...args);
    }) as never);
  }
  return ops;
}

const count = (ops: readonly string[], match: RegExp): number => ops.filter((o) => match.test(o)).length;

describe('linux platform: what a Get costs', () => {
  let f: LinuxFixture;
  afterEach(() => {
    vi.restoreAllMocks();
    f.cleanup();
  });

  it("reads each object's files once per fill, scans /sys/class/net once, runs `ip` once per source", async () => {
    f = linuxHost();
    // TemperatureStatus scans /sys/class/thermal and /sys/class/hwmon once at start, and that scan
    // serves for a second: wait for it, so that it is not counted half.
    await f.model.bindingAt('Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.')!.list!([], {});
    const ops = recordFileOps(f.host.dir);
    await f.readAll();
    // The device scan: one listing, 4 attributes of each of the 4 devices, and eth0's 4
    // bridge/bond/Wi-Fi marks. Before Ethernet.Link it ran twice per read (for
    // InterfaceNumberOfEntries and again for the table), 65 calls in all.
    expect(count(ops, /^readdir \/sys\/class\/net$/)).toBe(1);
    expect(count(ops, /\/(type|ifindex|uevent)$/)).toBe(12);
    // + which of the 4 devices are bridges (Bridging), once per `ip` snapshot.
    expect(count(ops, /^access \/sys\/class\/net\//)).toBe(8);
    // Counters: Interface.Stats 10 files, Link.Stats 9 (no Collisions), each once; IP.Interface.Stats 9 for each of the 4 interfaces;
    // RMONStats.1 its 7 receive counters, once.
    expect(count(ops, /statistics\/collisions$/)).toBe(1);
    expect(count(ops, /statistics\/tx_bytes$/)).toBe(6);
    expect(count(ops, /\/statistics\//)).toBe(19 + 36 + 7);
    // IPv6Enable: disable_ipv6 of `all` (Device.IP.) and of each interface, once.
    expect(count(ops, /disable_ipv6$/)).toBe(5);
    // flags: the scan, Interface.1 and Link.1; mtu: Link.1 only (IP's comes from `ip`).
    expect(count(ops, /eth0\/flags$/)).toBe(3);
    expect(count(ops, /eth0\/mtu$/)).toBe(1);
    // scan 21 + Interface.1 8 (6 attributes, 2 route tables) + Stats 10 + Link.1 5 + Stats 9
    // + DeviceInfo 2 + MemoryStatus 1 + ProcessStatus 1 + IP. 1 (if_inet6) + the bridge check 4;
    // nothing per parameter.
    // + Process.{i}: one listing of /proc and stat + status of each of the 7 recorded processes,
    // once for the whole table (ProcessNumberOfEntries and the rows share the snapshot).
    expect(count(ops, /^readdir \/proc$/)).toBe(1);
    expect(count(ops, /\/proc\/\d+\/(stat|status)$/)).toBe(14);
    // + DNS.Client.Server: /etc/resolv.conf, once for the table and its rows.
    expect(count(ops, /\/etc\/resolv\.conf$/)).toBe(1);
    // + Hosts: dnsmasq's lease file (absent here), once for the table and its rows.
    expect(count(ops, /dnsmasq\.leases$/)).toBe(1);
    // + RMONStats.1: its 7 receive counters (ethtool is not installed on the fake host: no RMON group).
    // + UPnP.Discovery: which interfaces are the LAN (both route tables), once, as its browser starts.
    // + RouteInformation.Enable: accept_ra_rt_info_max_plen of `default` (no interface is managed here).
    expect(ops).toHaveLength(62 + 15 + 1 + 36 + 5 + 1 + 7 + 2 + 1);
    expect(f.host.ipCalls().sort()).toEqual(['-4 -json route show table all', '-6 -json route show table all', '-j addr show', '-j neigh show']);

    // Read again at the same instant: every object reads its live values anew, the scan and `ip` are reused.
    ops.length = 0;
    await f.readAll();
    expect(count(ops, /^readdir /)).toBe(0);
    // The process snapshot, the bridge check and the hosts are reused too; RouteInformation.Enable is read anew.
    expect(ops).toHaveLength(58 - 21 + 36 + 5 + 7 + 1);
    expect(f.host.ipCalls()).toHaveLength(4);
  });

  it('IP.Interface.LowerLayers costs one shared scan, not a read per IP interface', async () => {
    f = linuxHost();
    const ops = recordFileOps(f.host.dir);
    const out = await f.byPath();
    ops.length = 0;
    f.advance(2); // scan and `ip` have aged
    const ip = f.model.bindingAt('Device.IP.Interface.{i}.')!;
    for (const n of await ip.list!([], {})) await ip.get([n], {});
    expect(count(ops, /^readdir \/sys\/class\/net$/)).toBe(1);
    expect(ops).toHaveLength(21 + 4); // the scan, and each interface's disable_ipv6 (its IPv6Enable)
    expect(f.host.ipCalls().filter((c) => c === '-j addr show')).toHaveLength(2);
    expect(out.get('Device.IP.Interface.4.')?.LowerLayers).toBe('Device.Ethernet.Link.1');
  });
});
