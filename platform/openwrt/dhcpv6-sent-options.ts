/**
 * Device.DHCPv6.Client.{i}.SentOption.{i}. on OpenWrt (TR-181 DHCPv6Client:1): the numeric
 * `TAG:HEX` items of the client's interface section, `sendopts` (enabled rows, which netifd hands
 * odhcp6c as `-x`) and the agent's `usp_disabled_sendopts` (disabled rows). What odhcp6c takes
 * and refuses: odhcp6c-sendopts.ts. The rows' instance numbers are kept per section, by Tag
 * (the table's unique key), and follow the client when its Interface moves.
 */
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { dhcpv6OptionProblems } from '../dhcpv6-options.js';
import { invalid } from '../stored-table.js';
import { MAX_SENT_OPTIONS, odhcp6cSendProblems, type SendoptsItem, sendoptsItem, sendoptsItems, sentOptionValues } from './odhcp6c-sendopts.js';
import type { UciChange } from './uci.js';
import type { UciSection } from './uci-show.js';

/** What the SentOption rows need of their Client rows. */
export interface Dhcpv6ClientSections {
  section(n: number | undefined): Promise<UciSection>;
  write(changes: UciChange[]): Promise<void>;
}

/** The UCI changes that make `s`'s option lists hold `next`: each list rewritten item by item, gone when empty. */
export function sendoptsChanges(s: UciSection, next: readonly SendoptsItem[]): UciChange[] {
  const out: UciChange[] = [];
  for (const [option, on] of [
    ['sendopts', true],
    ['usp_disabled_sendopts', false],
  ] as const) {
    if (s.options[option] !== undefined) out.push({ section: s.name, option, value: '', remove: true });
    for (const i of next.filter((x) => x.enabled === on)) out.push({ section: s.name, option, value: i.raw, append: true });
  }
  return out;
}

/** Serves the SentOption table of every DHCPv6 Client over its section's option lists. */
export class Dhcpv6SentOptions implements ObjectBinding {
  readonly params = ['Enable', 'Tag', 'Value'] as const;
  readonly changesOnlyThroughAgent = false;
  private readonly maps = new Map<string, InstanceMap>();

  constructor(private readonly clients: Dhcpv6ClientSections) {}

  /** The instance numbers of `section`'s rows. */
  private map(section: string): InstanceMap {
    let m = this.maps.get(section);
    if (!m) this.maps.set(section, (m = new InstanceMap()));
    return m;
  }

  /** The rows' numbers follow a client that moved from section `from` to `to`. */
  follow(from: string, to: string): void {
    const m = this.maps.get(from);
    this.maps.delete(from);
    if (m) this.maps.set(to, m);
    else this.maps.delete(to);
  }

  /** A deleted client's rows are gone with it. */
  forget(section: string): void {
    this.maps.delete(section);
  }

  private async rows(parent: InstanceKeys): Promise<{ s: UciSection; all: SendoptsItem[]; map: InstanceMap; tagged: SendoptsItem[] }> {
    const s = await this.clients.section(parent[0]);
    const all = sendoptsItems(s);
    const tagged = all.filter((i) => i.tag !== undefined);
    const map = this.map(s.name);
    map.list(tagged.map((i) => String(i.tag)));
    return { s, all, map, tagged };
  }

  private async row(keys: InstanceKeys): Promise<{ s: UciSection; all: SendoptsItem[]; item: SendoptsItem; map: InstanceMap; tagged: SendoptsItem[] }> {
    const r = await this.rows(keys.slice(0, 1));
    const tag = r.map.keyOf(keys[1]);
    const item = r.tagged.find((i) => String(i.tag) === tag);
    if (!item) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.DHCPv6.Client.${keys[0]}.SentOption.${keys[1]}.`);
    return { ...r, item };
  }

  async list(parent: InstanceKeys): Promise<number[]> {
    const { map, tagged } = await this.rows(parent);
    return map.list(tagged.map((i) => String(i.tag)));
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    return sentOptionValues((await this.row(keys)).item);
  }

  /** Checks `next` (the section's items with `row` changed or added) and writes it, or throws 7012/7025 writing nothing. */
  private async apply(keys: InstanceKeys, s: UciSection, tagged: SendoptsItem[], map: InstanceMap, changes: Record<string, Value>, row: SendoptsItem, next: SendoptsItem[]): Promise<void> {
    const siblings = tagged.map((i): [number, Record<string, Value>] => [map.numberOf(String(i.tag)), { Tag: i.tag! }]);
    const bad = dhcpv6OptionProblems(keys, changes, siblings);
    if (bad.length === 0) bad.push(...odhcp6cSendProblems(s, next, row));
    if (bad.length > 0) throw invalid(bad);
    await this.clients.write(sendoptsChanges(s, next));
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const { s, all, item, map, tagged } = await this.row(keys);
    const merged = { ...sentOptionValues(item), ...changes };
    const next = sendoptsItem(Number(merged.Tag), String(merged.Value), merged.Enable === true);
    if (next.raw === item.raw && next.enabled === item.enabled) return;
    await this.apply(
      keys,
      s,
      tagged,
      map,
      changes,
      next,
      all.map((i) => (i === item ? next : i)),
    );
    if (next.tag !== item.tag) map.rekey([[String(item.tag), String(next.tag)]]);
  }

  async add(parent: InstanceKeys, params: Record<string, Value>): Promise<number> {
    const { s, all, map, tagged } = await this.rows(parent);
    if (params.Tag === undefined) throw invalid([{ param: 'Tag', message: 'required on OpenWrt: the sendopts item is the option code' }]);
    if (tagged.length >= MAX_SENT_OPTIONS) throw new UspError(ErrorCode.ResourcesExceeded, `at most ${MAX_SENT_OPTIONS} SentOption rows per DHCPv6 client`);
    // TR-181's defaults: a new row is disabled, its Value empty.
    const row = sendoptsItem(Number(params.Tag), String(params.Value ?? ''), params.Enable === true);
    await this.apply([...parent, 0], s, tagged, map, { ...params, Tag: params.Tag }, row, [...all, row]);
    return map.numberOf(String(row.tag));
  }

  async delete(keys: InstanceKeys): Promise<void> {
    const { s, all, item, map } = await this.row(keys);
    await this.clients.write(
      sendoptsChanges(
        s,
        all.filter((i) => i !== item),
      ),
    );
    map.retire(String(item.tag));
  }
}
