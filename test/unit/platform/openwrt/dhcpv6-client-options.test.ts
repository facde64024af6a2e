/**
 * The pure parts of Device.DHCPv6.Client.{i}.SentOption.{i} and of a Client's Interface move on
 * OpenWrt: which `sendopts` items are rows, what odhcp6c would refuse (its option table, read
 * from its source: internal options, typed values, one buffer of 1024 bytes), the UCI changes
 * of a rewrite and of a move. The sections are written for these tests in the form
 * `uci show` gives them (parseUciShow).
 */
import { describe, expect, it } from 'vitest';
import { clientMoveChanges } from '../../../../platform/openwrt/dhcpv6-client-move.js';
import { sendoptsChanges } from '../../../../platform/openwrt/dhcpv6-sent-options.js';
import { odhcp6cSendProblems, sendoptsItem, sendoptsItems, takesHex } from '../../../../platform/openwrt/odhcp6c-sendopts.js';
import type { UciSection } from '../../../../platform/openwrt/uci-show.js';

const iface = (name: string, options: UciSection['options']): UciSection => ({ name, type: 'interface', options });

describe('sendopts items of a dhcpv6 interface', () => {
  it('serves the numeric TAG:HEX items odhcp6c reads as hex, enabled from sendopts, disabled from the agent’s option', () => {
    const s = iface('wan6', { proto: 'dhcpv6', sendopts: ['500:abba', '0x11:0000040e', 'dns:2001:db8::1', '23:20010db8', '202:"file"'], usp_disabled_sendopts: '600:' });
    const items = sendoptsItems(s);
    expect(items.filter((i) => i.tag !== undefined).map((i) => [i.tag, i.value, i.enabled])).toEqual([
      [500, 'ABBA', true],
      [17, '0000040E', true],
      [600, '', false],
    ]);
    // Kept but no row: a named option, a typed value (23 is read as addresses), a quoted string.
    expect(items.filter((i) => i.tag === undefined).map((i) => [i.raw, i.code])).toEqual([
      ['dns:2001:db8::1', 23],
      ['23:20010db8', 23],
      ['202:"file"', 202],
    ]);
    // A space-separated option string (as the OpenWrt wiki documents it) reads the same.
    expect(sendoptsItems(iface('wan6', { sendopts: '500:abba 16:00000001' })).map((i) => i.tag)).toEqual([500, 16]);
    expect(sendoptsItem(500, 'ABBA', true)).toMatchObject({ raw: '500:abba', value: 'ABBA' });
    // One row per Tag (the unique key): a hand-written second item with it is kept, not served.
    expect(sendoptsItems(iface('wan6', { sendopts: '500:ab', usp_disabled_sendopts: '500:cd' })).map((i) => [i.raw, i.tag])).toEqual([
      ['500:ab', 500],
      ['500:cd', undefined],
    ]);
  });

  it('odhcp6c takes hex for the options it does not know and for 11, 16, 56, 68; not for its own or typed ones', () => {
    expect([11, 16, 17, 56, 68, 103, 500, 65535].every(takesHex)).toBe(true);
    expect([1, 6, 14, 20, 25, 39, 82, 94, 135, 15, 21, 22, 23, 24, 31, 112].some(takesHex)).toBe(false);
  });

  it('refuses what would make odhcp6c exit: its own options, typed values, no data, an option twice, a full buffer', () => {
    const s = iface('wan6', { sendopts: ['vendorclass:00000001'] });
    const problems = (row: ReturnType<typeof sendoptsItem>, section = s, others = sendoptsItems(section)): string[] =>
      odhcp6cSendProblems(section, [...others, row], row).map((b) => `${b.param}: ${b.message}`);
    expect(problems(sendoptsItem(14, '', true))).toEqual([expect.stringMatching(/^Tag: odhcp6c builds option 14 itself/)]);
    expect(problems(sendoptsItem(23, '20010db8000000000000000000000001', true))).toEqual([expect.stringMatching(/^Tag: .*IPv6 addresses, not as hex/)]);
    expect(problems(sendoptsItem(500, '', true))).toEqual([expect.stringMatching(/^Value: odhcp6c sends no option without data/)]);
    // Disabled, an empty Value is kept (netifd does not read the agent's option).
    expect(problems(sendoptsItem(500, '', false))).toEqual([]);
    expect(problems(sendoptsItem(16, '00000002', true))).toEqual(["Tag: sendopts sends option 16 already as 'vendorclass:00000001'"]);
    expect(problems(sendoptsItem(16, '00000002', true), iface('wan6', { vendorclass: '00000001' }))).toEqual(["Tag: wan6's vendorclass sends option 16 already"]);
    const big = [sendoptsItem(500, 'ab'.repeat(600), true)];
    expect(problems(sendoptsItem(501, 'cd'.repeat(500), true), iface('wan6', {}), big)).toEqual([expect.stringMatching(/^Value: the enabled options would take 1108 bytes; odhcp6c holds 1024/)]);
    expect(problems(sendoptsItem(501, 'cd'.repeat(400), true), iface('wan6', {}), big)).toEqual([]);
  });

  it('a rewrite puts each item in its list (sendopts is a list(string) to netifd), dropping an emptied list', () => {
    const s = iface('wan6', { sendopts: '500:abba', usp_disabled_sendopts: ['600:01'] });
    expect(sendoptsChanges(s, [sendoptsItem(500, 'ABBA', true), sendoptsItem(501, '01', true)])).toEqual([
      { section: 'wan6', option: 'sendopts', value: '', remove: true },
      { section: 'wan6', option: 'sendopts', value: '500:abba', append: true },
      { section: 'wan6', option: 'sendopts', value: '501:01', append: true },
      { section: 'wan6', option: 'usp_disabled_sendopts', value: '', remove: true },
    ]);
    expect(sendoptsChanges(iface('wan6', {}), [sendoptsItem(600, '', false)])).toEqual([{ section: 'wan6', option: 'usp_disabled_sendopts', value: '600:', append: true }]);
  });
});

describe('a DHCPv6 client moving to another interface', () => {
  const client = iface('wan6', { proto: 'dhcpv6', device: 'eth1', reqaddress: 'none', reqopts: ['23', '24'], sendopts: ['500:abba'], usp_disabled_sendopts: '600:01', auto: '0' });

  it('moves proto dhcpv6 and dhcpv6.sh’s options to the target and back to proto none on the old section, keeping Enable', () => {
    const spare = iface('spare', { proto: 'none', device: 'eth2', reqprefix: 'no', sendopts: ['700:01'] });
    const { changes, moved } = clientMoveChanges(client, spare, undefined);
    expect(changes).toEqual([
      { section: 'spare', option: 'proto', value: 'dhcpv6' },
      // The target's own left-over: gone, not mixed in.
      { section: 'spare', option: 'reqprefix', value: '', remove: true },
      { section: 'spare', option: 'reqaddress', value: 'none' },
      { section: 'spare', option: 'reqopts', value: '23', append: true },
      { section: 'spare', option: 'reqopts', value: '24', append: true },
      { section: 'spare', option: 'sendopts', value: '', remove: true },
      { section: 'spare', option: 'sendopts', value: '500:abba', append: true },
      { section: 'spare', option: 'usp_disabled_sendopts', value: '600:01' },
      // The client was down (auto '0'): it stays down there.
      { section: 'spare', option: 'disabled', value: '1' },
      { section: 'wan6', option: 'proto', value: 'none' },
      { section: 'wan6', option: 'reqaddress', value: '', remove: true },
      { section: 'wan6', option: 'reqopts', value: '', remove: true },
      { section: 'wan6', option: 'sendopts', value: '', remove: true },
      { section: 'wan6', option: 'usp_disabled_sendopts', value: '', remove: true },
    ]);
    expect(moved.options).toEqual({ proto: 'dhcpv6', device: 'eth2', reqaddress: 'none', reqopts: ['23', '24'], sendopts: ['500:abba'], usp_disabled_sendopts: '600:01', disabled: '1' });
  });

  it('takes the Enable of the same Set: true clears the target’s disabled and auto', () => {
    const spare = iface('spare', { proto: 'none', disabled: '1', auto: '0' });
    const { changes, moved } = clientMoveChanges(iface('wan6', { proto: 'dhcpv6' }), spare, true);
    expect(changes).toEqual([
      { section: 'spare', option: 'proto', value: 'dhcpv6' },
      { section: 'spare', option: 'disabled', value: '', remove: true },
      { section: 'spare', option: 'auto', value: '', remove: true },
      { section: 'wan6', option: 'proto', value: 'none' },
    ]);
    expect(moved.options).toEqual({ proto: 'dhcpv6' });
  });
});
