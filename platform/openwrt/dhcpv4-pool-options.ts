/**
 * Device.DHCPv4.Server.Pool.{i}.Option.{i}. on OpenWrt (TR-181 DHCPv4Server:1): the options
 * dnsmasq sends the pool's clients, from the `dhcp_option` list of the pool's `dhcp` section
 * ('42,192.168.1.1'; dnsmasq.init passes each item to dnsmasq as --dhcp-option=<network>,<item>).
 * Tag (the table's unique key) and Value (hexBinary) are converted by dhcp-option-value.ts.
 *
 * - Enable false moves the item to the agent's own list `usp_disabled_dhcp_option` of the same
 *   section, which dnsmasq.init does not read: dnsmasq stops sending the option and the row keeps
 *   its value (TR-181's default for a new row is false, so an Add without Enable writes there).
 * - Add, Set and Delete rewrite both lists in order (`uci delete` of the option, then `uci
 *   add_list` of each item), so an item written as one space-separated option is kept too; items
 *   that are no Option row ("option:router,…", "tag:…") are written back unchanged.
 * - A Tag already in the pool is refused with 7025; a Value dnsmasq cannot send as given (one byte
 *   for an option dnsmasq knows as wider) with 7012. Nothing is written then.
 * - DNSServers, IPRouters and DomainName of the Pool read the same list (options 6, 3 and 15).
 */
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { noSuchInstance, refused } from './convert.js';
import { formatDhcpOption, MAX_TAG, MIN_TAG, parseDhcpOption } from './dhcp-option-value.js';
import type { DhcpState } from './DhcpState.js';
import { POOL, readPools, type PoolView } from './dhcpv4-server.js';
import type { UciStage } from './uci.js';
import { listOption, type UciSection } from './uci-show.js';

/** dnsmasq.init's list of the options a pool sends. */
export const OPTIONS = 'dhcp_option';
/** The agent's list of a pool's disabled options (dnsmasq.init ignores it). */
export const DISABLED_OPTIONS = 'usp_disabled_dhcp_option';

interface OptionRow {
  tag: number;
  value: string;
  enabled: boolean;
  /** The list item as written. */
  item: string;
}

/** The pool's Option rows, first item of a tag wins (later ones are kept but not served). */
export function poolOptions(s: UciSection): OptionRow[] {
  const out: OptionRow[] = [];
  for (const [option, enabled] of [
    [OPTIONS, true],
    [DISABLED_OPTIONS, false],
  ] as const) {
    for (const item of listOption(s.options[option])) {
      const o = parseDhcpOption(item);
      if (o && !out.some((r) => r.tag === o.tag)) out.push({ ...o, enabled, item });
    }
  }
  return out;
}

/** Serves Device.DHCPv4.Server.Pool.{i}.Option.{i}. */
export function registerDHCPv4PoolOptions(state: DhcpState): void {
  const { model } = state.ctx;
  // Numbered per pool by Tag; a pool's section may be renamed by libuci, its instance number stays.
  const numbers = new Map<number, InstanceMap>();
  const aliases = new Map<string, string>();
  const mapOf = (p: number): InstanceMap => {
    let m = numbers.get(p);
    if (!m) numbers.set(p, (m = new InstanceMap()));
    return m;
  };

  const poolOf = async (p: number | undefined): Promise<{ view: PoolView; rows: OptionRow[]; map: InstanceMap }> => {
    const { pools } = await readPools(state);
    const view = pools.get(state.pools.keyOf(p) ?? '');
    if (!view || p === undefined) throw noSuchInstance('DHCPv4 pool', p);
    const rows = poolOptions(view.section);
    const map = mapOf(p);
    map.list(rows.map((r) => String(r.tag)));
    return { view, rows, map };
  };
  const rowAt = async ([p, n]: InstanceKeys): Promise<{ view: PoolView; rows: OptionRow[]; map: InstanceMap; row: OptionRow }> => {
    const pool = await poolOf(p);
    const row = pool.rows.find((r) => String(r.tag) === pool.map.keyOf(n));
    if (!row) throw noSuchInstance('DHCPv4 pool option', n);
    return { ...pool, row };
  };
  const values = (p: number, row: OptionRow, n: number): Record<string, Value> => ({
    Enable: row.enabled,
    Alias: aliases.get(`${p}/${row.tag}`) ?? `cpe-${n}`,
    Tag: row.tag,
    Value: row.value,
  });

  /** The row `changes` make of `current` (undefined: a new row), or 7012/7025 before anything is written. */
  const target = (rows: readonly OptionRow[], current: OptionRow | undefined, changes: Record<string, Value>): OptionRow => {
    const tag = Number(changes.Tag ?? current?.tag);
    const value = String(changes.Value ?? current?.value ?? '');
    const enabled = typeof changes.Enable === 'boolean' ? changes.Enable : (current?.enabled ?? false);
    const bad: Array<{ param: string; message: string }> = [];
    if (!Number.isInteger(tag) || tag < MIN_TAG || tag > MAX_TAG) bad.push({ param: 'Tag', message: `must be a DHCPv4 option tag (${MIN_TAG} to ${MAX_TAG})` });
    const item = bad.length === 0 ? formatDhcpOption(tag, value) : '';
    if (typeof item !== 'string') bad.push({ param: 'Value', message: item.refused });
    if (bad.length > 0) throw refused(bad);
    const other = rows.find((r) => r.tag === tag && r !== current);
    if (other) throw new UspError(ErrorCode.DuplicateUniqueKey, `option ${tag} is already in this pool`);
    return { tag, value, enabled, item: item as string };
  };

  /** Writes both lists of `s` with `row` put in place of `old` (added when undefined, removed when `row` is). */
  const write = (s: UciSection, old: OptionRow | undefined, row: OptionRow | undefined): Promise<string[]> =>
    state.write(async (stage) => {
      for (const [option, enabled] of [
        [OPTIONS, true],
        [DISABLED_OPTIONS, false],
      ] as const) {
        const items = listOption(s.options[option]);
        let next = old && old.enabled === enabled ? items.filter((i) => i !== old.item) : [...items];
        if (row && row.enabled === enabled) {
          // Kept in place when it stays in the same list, appended otherwise.
          const at = old && old.enabled === enabled ? items.indexOf(old.item) : -1;
          next = at >= 0 ? [...next.slice(0, at), row.item, ...next.slice(at)] : [...next, row.item];
        }
        if (next.length !== items.length || next.some((v, i) => v !== items[i])) await rewriteList(stage, s, option, next);
      }
    });

  model.register(`${POOL}Option.{i}.`, {
    params: ['Enable', 'Alias', 'Tag', 'Value'],
    list: async ([p]) => {
      const { rows, map } = await poolOf(p);
      return rows.map((r) => map.numberOf(String(r.tag))).sort((a, b) => a - b);
    },
    get: async (keys) => {
      const { row } = await rowAt(keys);
      return values(keys[0], row, keys[1]);
    },
    set: async (keys, changes) => {
      const { view, rows, map, row } = await rowAt(keys);
      const next = target(rows, row, changes);
      if (next.item !== row.item || next.enabled !== row.enabled) await write(view.section, row, next);
      if (next.tag !== row.tag) {
        map.rekey([[String(row.tag), String(next.tag)]]);
        moveAlias(aliases, `${keys[0]}/${row.tag}`, `${keys[0]}/${next.tag}`);
      }
      if (typeof changes.Alias === 'string') aliases.set(`${keys[0]}/${next.tag}`, changes.Alias);
    },
    add: async ([p], params) => {
      const { view, rows, map } = await poolOf(p);
      if (params.Tag === undefined) throw refused([{ param: 'Tag', message: 'an Option needs its Tag in the Add (it is the unique key)' }]);
      const row = target(rows, undefined, params);
      await write(view.section, undefined, row);
      if (typeof params.Alias === 'string' && params.Alias !== '') aliases.set(`${p}/${row.tag}`, params.Alias);
      return map.numberOf(String(row.tag));
    },
    delete: async (keys) => {
      const { view, map, row } = await rowAt(keys);
      await write(view.section, row, undefined);
      map.retire(String(row.tag));
      aliases.delete(`${keys[0]}/${row.tag}`);
    },
  });
}

/** Replaces list `option` of `s` with `next`, in order (deleting an absent option would fail). */
async function rewriteList(stage: UciStage, s: UciSection, option: string, next: readonly string[]): Promise<void> {
  if (s.options[option] !== undefined) await stage.set({ section: s.name, option, value: '', remove: true });
  for (const value of next) await stage.set({ section: s.name, option, value, append: true });
}

function moveAlias(aliases: Map<string, string>, from: string, to: string): void {
  const a = aliases.get(from);
  aliases.delete(from);
  if (a !== undefined) aliases.set(to, a);
}
