/**
 * Device.Cellular.Interface.{i}.Stats. with ModemManager (CellularInterfaceStats:1): the recorded
 * Quectel RM500Q (`mmcli -m 0 -J`, its connected bearer `mmcli -b 1 -J` on wwan0) and a fake
 * sysfs net tree holding the kernel's counter files of that netdev (and of a multiplexed one).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type MmFixture, modemManager } from './fake-mmcli.js';

const sys = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-cell-sys-'));
afterAll(() => fs.rmSync(sys, { recursive: true, force: true }));

/** /sys/class/net/DEV/statistics/ with these counters. */
function netdev(dev: string, counters: Record<string, string>): void {
  const dir = path.join(sys, 'class', 'net', dev, 'statistics');
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, v] of Object.entries(counters)) fs.writeFileSync(path.join(dir, file), `${v}\n`);
}

netdev('wwan0', {
  tx_bytes: '218364',
  rx_bytes: '8589934597',
  tx_packets: '1520',
  rx_packets: '2961',
  tx_errors: '0',
  rx_errors: '3',
  tx_dropped: '1',
  rx_dropped: '7',
  multicast: '0',
});
netdev('qmimux0', { tx_bytes: '11', rx_bytes: '22', tx_packets: '1', rx_packets: '2', tx_errors: '0', rx_errors: '0', tx_dropped: '0', rx_dropped: '0', multicast: '0' });

const STATS = 'Device.Cellular.Interface.1.Stats.';

describe('Cellular Interface Stats from the data netdev', () => {
  let f: MmFixture;
  afterEach(() => f.cleanup());

  it("the connected bearer's interface (wwan0): its kernel counters, 64-bit", async () => {
    f = modemManager({ sysRoot: sys });
    expect((await f.read('Device.Cellular.')).get(STATS)).toEqual({
      BytesSent: '218364',
      BytesReceived: '8589934597',
      PacketsSent: '1520',
      PacketsReceived: '2961',
      ErrorsSent: '0',
      ErrorsReceived: '3',
      DiscardPacketsSent: '1',
      DiscardPacketsReceived: '7',
      MulticastPacketsReceived: '0',
    });
  });

  it("a multiplexed bearer's own netdev (qmimux0) is the one counted", async () => {
    f = modemManager({ sysRoot: sys });
    const b = f.mmcli.fixture<{ bearer: { status: Record<string, string> } }>('-b 1 -J');
    b.bearer.status.interface = 'qmimux0';
    b.bearer.status.multiplexed = 'yes';
    f.mmcli.reply('-b 1 -J', b);
    expect((await f.read('Device.Cellular.')).get(STATS)).toMatchObject({ BytesSent: '11', BytesReceived: '22' });
  });

  it('no connected bearer: the modem\'s "(net)" port; a netdev the kernel does not show counts nothing', async () => {
    f = modemManager({ sysRoot: sys });
    const b = f.mmcli.fixture<{ bearer: { status: Record<string, string> } }>('-b 1 -J');
    b.bearer.status.connected = 'no';
    b.bearer.status.interface = '--';
    f.mmcli.reply('-b 1 -J', b);
    expect((await f.read('Device.Cellular.')).get(STATS)).toMatchObject({ BytesSent: '218364' });
    f.cleanup();
    f = modemManager({ sysRoot: path.join(sys, 'empty') });
    expect((await f.read('Device.Cellular.')).get(STATS)).toEqual({});
  });
});
