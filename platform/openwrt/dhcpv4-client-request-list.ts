/**
 * Device.DHCPv4.Client.{i}.ReqOption.{i}. on OpenWrt in Order (TR-181 DHCPv4Client:1), through
 * what netifd's dhcp.sh hands udhcpc: `reqopts` tags become `-O` (sent in ascending tag order:
 * busybox keeps them as a bitmap), `sendopts` items `-x` (sent as given), `defaultreqopts '0'`
 * becomes `-o`, and `-O 121` is added unless `classlessroute '0'` (`-O 212` too where the 6rd
 * package is installed, unless `iface6rd '0'`). So the agent writes the request list as one
 * `sendopts` item `0x37:HEX` of its own, beside `defaultreqopts '0'`, `classlessroute '0'` and no
 * `reqopts`: udhcpc then sends that list, in that order, as the only option 55
 * (dhcpv4-request-list.ts). The rows are kept in the agent's own options, which netifd does not
 * read: `usp_reqopts` (every row's tag, in Order) and `usp_disabled_reqopts` (the disabled ones).
 * The list is the enabled rows, then `usp_reqopts_base` where no row names them: what udhcpc
 * asked for before the agent took the list over (subnet mask, router and DNS servers always;
 * udhcpc's defaults unless `defaultreqopts` was '0'; 121 unless `classlessroute` was '0').
 *
 * A section the agent has not written this way (no `usp_reqopts`) is read as netifd runs it:
 * `reqopts` (enabled, in list order), then `usp_disabled_reqopts`. Where netifd adds `-O 212` (the
 * 6rd package installed and `iface6rd` not '0') udhcpc would send its own option 55 first, so
 * there the rows stay in `reqopts` and only an Order that keeps the list as it is can be set.
 */
import { existsSync } from 'node:fs';
import { parseRequestListOption, requestList, requestListOption, UDHCPC_DEFAULT_REQUESTS } from '../dhcpv4-request-list.js';
import type { UciChange } from './uci.js';
import { listOption, stringOption, type UciSection } from './uci-show.js';

/** netifd's 6rd protocol handler: where it is installed, dhcp.sh requests option 212 with `-O`. */
export const SIX_RD_HANDLER = '/lib/netifd/proto/6rd.sh';
/** Option 121, classless static routes (RFC 3442): dhcp.sh requests it unless `classlessroute '0'`. */
const CLASSLESS_ROUTES = 121;
/** What the agent always keeps in the list: subnet mask, router, DNS servers (the lease needs them). */
const ALWAYS = [1, 3, 6];
/** `usp_reqopts` of a section the agent holds the list of with no rows (UCI keeps no empty option). */
const EMPTY = '-';

/** One ReqOption row of a section: its tag (undefined for an item that is no numeric tag) and Enable. */
export interface ReqItem {
  tag?: number;
  enabled: boolean;
  raw: string;
}

/** A DHCP option tag as netifd's option items write it (decimal or 0x hex), 1-254. */
export function parseTag(text: string): number | undefined {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 254 ? n : undefined;
}

const words = (s: UciSection, option: string): string[] => listOption(s.options[option]).flatMap((v) => v.split(/\s+/).filter(Boolean));

/** Whether the agent keeps this section's rows in its own options (it gives udhcpc the list itself). */
export function ordered(s: UciSection): boolean {
  return s.options.usp_reqopts !== undefined;
}

/** The ReqOption rows of a section, in Order. */
export function reqItems(s: UciSection): ReqItem[] {
  const item = (raw: string, enabled: boolean): ReqItem => ({ tag: parseTag(raw), enabled, raw });
  if (!ordered(s)) return [...words(s, 'reqopts').map((w) => item(w, true)), ...words(s, 'usp_disabled_reqopts').map((w) => item(w, false))];
  const off = new Set(words(s, 'usp_disabled_reqopts'));
  return words(s, 'usp_reqopts')
    .filter((w) => w !== EMPTY)
    .map((w) => item(w, !off.has(w)));
}

/** Whether netifd adds `-O 212` for this section (6rd installed, `iface6rd` not '0'): the agent cannot give the list alone then. */
export function netifdAdds6rd(s: UciSection, handler = SIX_RD_HANDLER): boolean {
  return stringOption(s.options.iface6rd) !== '0' && existsSync(handler);
}

/** What udhcpc asked for before the agent took the list over (kept as `usp_reqopts_base`). */
export function requestBase(s: UciSection): number[] {
  const kept = words(s, 'usp_reqopts_base').map(parseTag);
  if (ordered(s) && kept.length > 0 && kept.every((t) => t !== undefined)) return kept as number[];
  return [...new Set([...ALWAYS, ...(stringOption(s.options.defaultreqopts) === '0' ? [] : UDHCPC_DEFAULT_REQUESTS), ...(stringOption(s.options.classlessroute) === '0' ? [] : [CLASSLESS_ROUTES])])];
}

/** The request list the section's udhcpc sends once `next` are its rows. */
export function requestListOf(s: UciSection, next: readonly ReqItem[]): number[] {
  return requestList(
    next.filter((i) => i.enabled && i.tag !== undefined).map((i) => i.tag!),
    requestBase(s),
  );
}

/**
 * The changes that make `s` hold rows `next` (in Order) with udhcpc sending them first, in
 * that order: the agent's own options, `defaultreqopts '0'`, `classlessroute '0'`, no
 * `reqopts`, and `sendopts` with the Controller's items as they are and the agent's `0x37:HEX`.
 */
export function orderedChanges(s: UciSection, next: readonly ReqItem[]): UciChange[] {
  const set = (option: string, value: string): UciChange => (value === '' ? { section: s.name, option, value: '', remove: true } : { section: s.name, option, value });
  const base = requestBase(s);
  const sendopts = [...words(s, 'sendopts').filter((w) => parseRequestListOption(w) === undefined), requestListOption(requestListOf(s, next))];
  const changes: UciChange[] = [
    set('usp_reqopts', next.map((i) => i.raw).join(' ')),
    set(
      'usp_disabled_reqopts',
      next
        .filter((i) => !i.enabled)
        .map((i) => i.raw)
        .join(' '),
    ),
    set('usp_reqopts_base', base.join(' ')),
    set('defaultreqopts', '0'),
    set('classlessroute', '0'),
    set('sendopts', sendopts.join(' ')),
  ];
  changes.push({ section: s.name, option: 'reqopts', value: '', remove: true });
  // An empty usp_reqopts still says the agent holds the list: UCI keeps no empty option, so a lone marker.
  if (next.length === 0) changes[0] = { section: s.name, option: 'usp_reqopts', value: EMPTY };
  // Nothing to delete where the option is not set.
  return changes.filter((c) => !c.remove || s.options[c.option] !== undefined);
}

/** `list` with `item` moved (or added) so it is the `order`-th of the tagged items; an Order past the last puts it last. */
export function placeAt<T extends { tag?: number }>(list: readonly T[], item: T, order: number): T[] {
  const rest = list.filter((i) => i !== item);
  const before = rest.filter((i) => i.tag !== undefined)[order - 1];
  if (before === undefined) return [...rest, item];
  const at = rest.indexOf(before);
  return [...rest.slice(0, at), item, ...rest.slice(at)];
}

/**
 * The changes that make `s` hold rows `next`, or why they cannot: where netifd adds `-O 212`
 * the rows stay in `reqopts` (enabled, in list order) and `usp_disabled_reqopts`, and udhcpc
 * sends them in ascending tag order, so an Order (of row `moved`) that would read otherwise is
 * refused.
 */
export function reqChanges(s: UciSection, next: readonly ReqItem[], moved?: ReqItem, handler = SIX_RD_HANDLER): UciChange[] | string {
  if (ordered(s) || !netifdAdds6rd(s, handler)) return orderedChanges(s, next);
  const legacy = [...next.filter((i) => i.enabled), ...next.filter((i) => !i.enabled)];
  const tagged = (l: readonly ReqItem[]): ReqItem[] => l.filter((i) => i.tag !== undefined);
  // udhcpc sends the -O tags in ascending order, and the disabled rows read after the enabled ones.
  const on = tagged(next)
    .filter((i) => i.enabled)
    .map((i) => i.tag!);
  const ascending = on.every((t, k) => k === 0 || on[k - 1]! < t);
  if (moved && (!ascending || tagged(legacy).indexOf(moved) !== tagged(next).indexOf(moved))) {
    return "netifd requests option 212 for 6rd here (-O), so udhcpc sends its own request list, in tag order; set the interface's iface6rd '0' (or remove the 6rd package) to order it";
  }
  const set = (option: string, value: string): UciChange => (value === '' ? { section: s.name, option, value: '', remove: true } : { section: s.name, option, value });
  const text = (on: boolean): string =>
    legacy
      .filter((i) => i.enabled === on)
      .map((i) => i.raw)
      .join(' ');
  return [set('reqopts', text(true)), set('usp_disabled_reqopts', text(false))].filter((c) => !c.remove || s.options[c.option] !== undefined);
}
