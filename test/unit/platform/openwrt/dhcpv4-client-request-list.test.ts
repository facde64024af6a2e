/**
 * ReqOption rows in Order on OpenWrt (dhcpv4-client-request-list.ts): how a section's rows are
 * read, where an Order puts a row, and the UCI the agent writes so netifd's dhcp.sh hands udhcpc
 * the request list as one raw option 55; where netifd would add `-O 212` (6rd), what is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { orderedChanges, placeAt, reqChanges, reqItems, requestBase, type ReqItem } from '../../../../platform/openwrt/dhcpv4-client-request-list.js';
import type { UciSection } from '../../../../platform/openwrt/uci-show.js';

const wan = (options: UciSection['options']): UciSection => ({ name: 'wan', type: 'interface', options: { device: 'eth1', proto: 'dhcp', ...options } });
const tags = (items: readonly ReqItem[]): Array<[number | undefined, boolean]> => items.map((i) => [i.tag, i.enabled]);
const dir = mkdtempSync(join(tmpdir(), 'usp-6rd-'));
const installed6rd = join(dir, '6rd.sh');
writeFileSync(installed6rd, '#!/bin/sh\n');
const absent6rd = join(dir, 'absent.sh');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('OpenWrt ReqOption rows', () => {
  it("reads netifd's reqopts (enabled, in list order) and the agent's disabled ones after them", () => {
    expect(tags(reqItems(wan({ reqopts: '51 42', usp_disabled_reqopts: '224' })))).toEqual([
      [51, true],
      [42, true],
      [224, false],
    ]);
  });

  it("reads the agent's own rows in Order, disabled ones in place", () => {
    expect(tags(reqItems(wan({ usp_reqopts: '224 42 51', usp_disabled_reqopts: '42' })))).toEqual([
      [224, true],
      [42, false],
      [51, true],
    ]);
    expect(reqItems(wan({ usp_reqopts: '-' }))).toEqual([]);
  });

  it('places a row at its Order among the tagged rows; past the last, last', () => {
    const [a, b, c] = [{ tag: 1 }, { tag: 2 }, { tag: 3 }];
    const named = { tag: undefined };
    expect(placeAt([a, b, c], c, 1)).toEqual([c, a, b]);
    expect(placeAt([a, b, c], a, 2)).toEqual([b, a, c]);
    expect(placeAt([a, b, c], a, 9)).toEqual([b, c, a]);
    expect(placeAt([named, a, b], b, 1)).toEqual([named, b, a]);
    const d = { tag: 4 };
    expect(placeAt([a, b], d, 2)).toEqual([a, d, b]);
  });

  it('keeps what udhcpc asked for under netifd before: subnet, router, DNS always; its defaults and 121 unless the section turned them off', () => {
    expect(requestBase(wan({}))).toEqual([1, 3, 6, 12, 15, 28, 42, 121]);
    expect(requestBase(wan({ defaultreqopts: '0', classlessroute: '0' }))).toEqual([1, 3, 6]);
    // Once the agent holds the list (and set both to '0' itself), what it kept.
    expect(requestBase(wan({ usp_reqopts: '42', usp_reqopts_base: '1 3 6 121', defaultreqopts: '0', classlessroute: '0' }))).toEqual([1, 3, 6, 121]);
  });

  it("writes the rows to its own options and the list as a sendopts item, the Controller's items kept, no -O left", () => {
    const s = wan({ reqopts: '51', sendopts: '60:41 0x37:0103', usp_disabled_reqopts: '224' });
    const items = reqItems(s);
    const next = placeAt(items, items[1]!, 1);
    const changes = orderedChanges(s, next);
    const value = (o: string): string | undefined => changes.find((c) => c.option === o && !c.remove)?.value;
    expect(value('usp_reqopts')).toBe('224 51');
    expect(value('usp_disabled_reqopts')).toBe('224');
    expect(value('usp_reqopts_base')).toBe('1 3 6 12 15 28 42 121');
    expect(value('defaultreqopts')).toBe('0');
    expect(value('classlessroute')).toBe('0');
    // 224 is disabled: not requested. The old 0x37 item gives way to the new one.
    expect(value('sendopts')).toBe('60:41 0x37:330103060c0f1c2a79');
    expect(changes).toContainEqual({ section: 'wan', option: 'reqopts', value: '', remove: true });
  });

  it('marks a section whose last row went as still holding the list', () => {
    const changes = orderedChanges(wan({ usp_reqopts: '42', usp_reqopts_base: '1 3 6' }), []);
    expect(changes).toContainEqual({ section: 'wan', option: 'usp_reqopts', value: '-' });
    expect(changes.find((c) => c.option === 'sendopts')?.value).toBe('0x37:010306');
  });

  it("keeps reqopts where netifd requests 212 for 6rd, and refuses an Order it cannot put on the wire (7012's reason)", () => {
    const s = wan({ reqopts: '42 51' });
    const items = reqItems(s);
    // 51 before 42: udhcpc would still send 42 first.
    const moved = placeAt(items, items[1]!, 1);
    expect(reqChanges(s, moved, items[1], installed6rd)).toMatch(/iface6rd '0'/);
    // An Order the wire keeps is taken; so are Enable and Tag changes, written as netifd reads them.
    expect(reqChanges(s, placeAt(items, items[0]!, 1), items[0], installed6rd)).toEqual([{ section: 'wan', option: 'reqopts', value: '42 51' }]);
    const off = items.map((i, k) => (k === 0 ? { ...i, enabled: false } : i));
    expect(reqChanges(s, off, undefined, installed6rd)).toEqual([
      { section: 'wan', option: 'reqopts', value: '51' },
      { section: 'wan', option: 'usp_disabled_reqopts', value: '42' },
    ]);
    // iface6rd '0', or no 6rd package: the agent gives the list.
    expect(reqChanges(wan({ reqopts: '42 51', iface6rd: '0' }), moved, items[1], installed6rd)).toContainEqual({ section: 'wan', option: 'usp_reqopts', value: '51 42' });
    expect(reqChanges(s, moved, items[1], absent6rd)).toContainEqual({ section: 'wan', option: 'usp_reqopts', value: '51 42' });
  });
});
