/**
 * Device.Ethernet.RMONStats.{i}. on OpenWrt (the recorded 24.10 DSA router): one row per port,
 * netifd's kernel counters where /sys has none for the port, and the driver's RMON group when
 * the ethtool package is installed (the documented `ethtool --json -S IF --groups rmon` format:
 * test/fixtures/linux/SOURCES.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { DSA_SYS_NET, dsaRouter } from './dsa-router.js';
import { openWrt, type PlatformFixture } from './fake-openwrt.js';

const RMON = 'Device.Ethernet.RMONStats.{i}.';
const NIC_RMON = fileURLToPath(new URL('../../../fixtures/linux/ethtool-json-S-rmon-nic.json', import.meta.url));

describe('openwrt platform: Ethernet.RMONStats', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it("one row per port, in the ports' order, from netifd's counters", async () => {
    fx = openWrt(dsaRouter(), { sysNetDir: DSA_SYS_NET });
    const v = await fx.values('Device.Ethernet.');
    expect(v.get('Device.Ethernet.')).toMatchObject({ InterfaceNumberOfEntries: 6, RMONStatsNumberOfEntries: 6 });
    // Row 2 is lan1, as Interface.2 is: 602113 packets, 456789012 bytes, 12 multicast received.
    expect(v.get('Device.Ethernet.Interface.2.')).toMatchObject({ Name: 'lan1' });
    expect(v.get('Device.Ethernet.RMONStats.2.')).toMatchObject({
      Enable: true,
      Status: 'Enabled',
      Name: 'lan1',
      Interface: 'Device.Ethernet.Interface.2',
      VLANID: 0,
      Bytes: '456789012',
      Packets: '602113',
      MulticastPackets: '12',
    });
    // netifd names no CRC errors and /sys has no lan1 here: not read, so left out.
    expect(v.get('Device.Ethernet.RMONStats.2.')).not.toHaveProperty('CRCErroredPackets');
  });

  it("adds the driver's RMON group with ethtool installed; a disabled row reports nothing, its VLANID is fixed (7012)", async () => {
    const fake = dsaRouter();
    fs.writeFileSync(path.join(fake.bin, 'ethtool'), ['#!/bin/sh', `[ "$*" = "--json -S lan1 --groups rmon" ] && exec cat '${NIC_RMON}'`, 'exit 75', ''].join('\n'), { mode: 0o755 });
    fx = openWrt(fake, { sysNetDir: DSA_SYS_NET });
    const rmon = fx.binding(RMON);
    expect(await rmon.list!([], {})).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await rmon.get([2], {})).toMatchObject({ Packets: '602113', UndersizePackets: 3, OversizePackets: 2, Packets64Bytes: '120034', Packets1024to1518Bytes: '831902' });
    // lan2's driver answers nothing: its kernel counters alone, the group's unread (a Get leaves them out, not 0).
    const lan2 = await rmon.get([3], {});
    expect(lan2).toMatchObject({ Name: 'lan2', Bytes: expect.any(String) });
    expect([lan2.UndersizePackets, lan2.Packets64Bytes]).toEqual([undefined, undefined]);
    await rmon.set!([2], { Enable: false }, {});
    expect(await rmon.get([2], {})).toEqual({ Enable: false, Status: 'Disabled', Name: 'lan1', Interface: 'Device.Ethernet.Interface.2', VLANID: 0, Queue: '', AllQueues: false });
    await expect(rmon.set!([2], { VLANID: 10 }, {})).rejects.toMatchObject({ code: ErrorCode.InvalidValue });
  });

  it("keeps a disabled row in the agent's store: the next start reads it Disabled (OpenWrt's UCI has no such setting)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-owrt-rmon-'));
    const start = (): { store: DataStore; fx: PlatformFixture } => {
      const store = new DataStore(dir);
      const f = openWrt(dsaRouter(), { sysNetDir: DSA_SYS_NET, store });
      store.load((why) => {
        throw new Error(why);
      });
      return { store, fx: f };
    };
    try {
      const first = start();
      fx = first.fx;
      await fx.binding(RMON).set!([2], { Enable: false }, {});
      await first.store.flush();
      fx.close();
      fx = start().fx;
      expect(await fx.binding(RMON).get([2], {})).toMatchObject({ Name: 'lan1', Enable: false, Status: 'Disabled' });
      expect(await fx.binding(RMON).get([3], {})).toMatchObject({ Name: 'lan2', Enable: true, Status: 'Enabled' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
