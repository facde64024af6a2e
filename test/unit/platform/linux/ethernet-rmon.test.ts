/**
 * Device.Ethernet.RMONStats.{i}. on Linux: the recorded host's sysfs counters, and the RMON
 * group `ethtool --json -S IF --groups rmon` prints (recorded: this host's eth0, which has none;
 * the documented format for a NIC that has one: test/fixtures/linux/SOURCES.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { parseEthtoolRmon, rmonCounters } from '../../../../platform/rmon-counters.js';
import { FakeHost, fixture, type LinuxFixture, linuxHost } from './fake-host.js';

const RMON = 'Device.Ethernet.RMONStats.{i}.';

/** A fake `ethtool` that prints `file` for `--json -S eth0 --groups rmon`. */
function withEthtool(file: string): FakeHost {
  const host = new FakeHost();
  const bin = path.join(host.binDir, 'ethtool');
  host.write('ethtool-rmon.json', fixture(file));
  fs.writeFileSync(bin, ['#!/bin/sh', `[ "$*" = "--json -S eth0 --groups rmon" ] && exec cat '${host.binDir}/../ethtool-rmon.json'`, 'echo "fake ethtool: $*" >&2; exit 2', ''].join('\n'));
  fs.chmodSync(bin, 0o755);
  return host;
}

describe('linux platform: Device.Ethernet.RMONStats', () => {
  let f: LinuxFixture | undefined;
  afterEach(() => f?.cleanup());

  it('parses the RMON group: none on a virtual NIC (recorded), counters and the receive histogram on a NIC that has one', () => {
    expect(parseEthtoolRmon(fixture('ethtool-json-S-rmon-eth0.json'))).toBeUndefined();
    const nic = parseEthtoolRmon(fixture('ethtool-json-S-rmon-nic.json'))!;
    expect(nic).toMatchObject({ undersize: 3n, oversize: 2n });
    const types = new Map([
      ['Packets64Bytes', 'unsignedLong'],
      ['Packets1024to1518Bytes', 'unsignedLong'],
      ['UndersizePackets', 'unsignedInt'],
      ['CRCErroredPackets', 'unsignedInt'],
    ]);
    // The receive buckets only (the 1519-10240 one matches no TR-181 parameter); a 32-bit counter wraps.
    expect(rmonCounters(types, { rx_crc_errors: '4294967295', rx_frame_errors: '2' }, nic)).toEqual({
      Packets64Bytes: '120034',
      Packets1024to1518Bytes: '831902',
      UndersizePackets: 3,
      CRCErroredPackets: 1,
    });
  });

  it('serves one row per Ethernet port from sysfs when the driver has no RMON group (or ethtool is not installed)', async () => {
    f = linuxHost();
    const all = await f.byPath();
    expect(all.get('Device.Ethernet.')).toMatchObject({ RMONStatsNumberOfEntries: 1 });
    const row = all.get('Device.Ethernet.RMONStats.1.')!;
    // eth0's recorded counters: 472689590 bytes, 16235 packets, no errors.
    expect(row).toMatchObject({
      Enable: true,
      Status: 'Enabled',
      Name: 'eth0',
      Interface: 'Device.Ethernet.Interface.1',
      VLANID: 0,
      Bytes: '472689590',
      Packets: '16235',
      MulticastPackets: '0',
      CRCErroredPackets: 0,
      DropEvents: 0,
    });
    expect(row).not.toHaveProperty('UndersizePackets');
    expect(all.get('Device.Ethernet.Interface.1.')).toMatchObject({ Name: 'eth0' });
  });

  it("adds the driver's RMON counters where ethtool reports them", async () => {
    f = linuxHost({}, withEthtool('ethtool-json-S-rmon-nic.json'));
    expect(await f.model.bindingAt(RMON)!.get([1], {})).toMatchObject({
      Bytes: '472689590',
      UndersizePackets: 3,
      OversizePackets: 2,
      Packets64Bytes: '120034',
      Packets65to127Bytes: '40211',
      Packets1024to1518Bytes: '831902',
    });
  });

  it('a disabled row reports nothing; its Interface and VLANID are fixed (7012)', async () => {
    f = linuxHost();
    const rmon = f.model.bindingAt(RMON)!;
    await rmon.set!([1], { Enable: false }, {});
    const off = await rmon.get([1], {});
    expect(off).toMatchObject({ Enable: false, Status: 'Disabled' });
    expect(off).not.toHaveProperty('Bytes');
    await rmon.set!([1], { Enable: true, Interface: 'Device.Ethernet.Interface.1.' }, {});
    expect(await rmon.get([1], {})).toMatchObject({ Status: 'Enabled', Bytes: '472689590' });
    await expect(rmon.set!([1], { VLANID: 5 }, {})).rejects.toMatchObject({ code: ErrorCode.InvalidValue });
  });
});
