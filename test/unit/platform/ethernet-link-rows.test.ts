/**
 * EthernetLinkRows (platform/ethernet-link-rows.ts), the Ethernet.Link rows of Linux and OpenWrt:
 * one Link per device, added rows numbered past the devices' and kept by number, deleted devices
 * kept as deleted, a Delete undone, and the bounds.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, UspError } from '../../../datamodel/UspError.js';
import { DataStore } from '../../../datamodel/store/DataStore.js';
import { EthernetLinkRows, LinkDeletions, MAX_ADDED_LINKS } from '../../../platform/ethernet-link-rows.js';

const numbers = (rows: EthernetLinkRows, devices: readonly string[]) => rows.rows(devices).map((r) => `${r.n}:${r.dev ?? '-'}`);

describe('EthernetLinkRows', () => {
  it('numbers devices in order, adds past them, and keeps a deleted device without a Link while others come', () => {
    const rows = new EthernetLinkRows();
    expect(numbers(rows, ['eth0', 'eth1'])).toEqual(['1:eth0', '2:eth1']);
    const gone = rows.delete(rows.row(2, ['eth0', 'eth1']));
    expect(numbers(rows, ['eth0', 'eth1', 'usb0'])).toEqual(['1:eth0', '3:usb0']);
    const n = rows.add('eth1', true);
    expect(n).toBe(4);
    expect(rows.linkOf('eth1', ['eth0', 'eth1'])).toBe(4);
    expect(() => rows.checkFree(0, 'eth1', 'Device.Ethernet.Interface.2', ['eth0', 'eth1'])).toThrow(UspError);
    // The added row goes; a rolled-back Delete brings it back under its number.
    const undo = new LinkDeletions(rows);
    undo.keep(rows.delete(rows.row(4, ['eth0', 'eth1'])));
    expect(rows.linkOf('eth1', ['eth0', 'eth1'])).toBeUndefined();
    undo.restore(4);
    expect(rows.linkOf('eth1', ['eth0', 'eth1'])).toBe(4);
    // eth1's own Link back: still hidden while the added one is over eth1, shown once that goes.
    rows.restore(gone);
    expect(numbers(rows, ['eth0', 'eth1'])).toEqual(['1:eth0', '4:eth1']);
    rows.delete(rows.row(4, ['eth0', 'eth1']));
    expect(numbers(rows, ['eth0', 'eth1'])).toEqual(['1:eth0', '2:eth1']);
  });

  it('refuses more added rows than it keeps (7005)', () => {
    const rows = new EthernetLinkRows();
    for (let i = 0; i < MAX_ADDED_LINKS; i++) rows.add(undefined, false);
    const e = (() => {
      try {
        rows.add(undefined, false);
      } catch (err) {
        return err;
      }
    })();
    expect((e as UspError).code).toBe(ErrorCode.ResourcesExceeded);
  });

  it('in a store: a second instance (a restart) finds the added rows under their numbers, the devices numbered around them', () => {
    const store = new DataStore();
    const first = new EthernetLinkRows(store);
    first.rows(['eth0', 'eth1']);
    first.delete(first.row(1, ['eth0', 'eth1']));
    expect(first.add('eth0', false)).toBe(3);
    const again = new EthernetLinkRows(store);
    // eth0's own Link stays deleted but keeps its number from the others: eth1 is 2 again.
    expect(numbers(again, ['eth0', 'eth1', 'eth2'])).toEqual(['2:eth1', '3:eth0', '4:eth2']);
  });
});
