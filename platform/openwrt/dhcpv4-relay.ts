/**
 * Device.DHCPv4.Relay. on OpenWrt (TR-181 DHCPv4Relay:1): dnsmasq's DHCP relay as OpenWrt
 * configures it. Each `config relay` section of the `dhcp` config is a Forwarding.{i}, keyed by
 * section name. OpenWrt's dnsmasq init script turns a relay section into
 * `--dhcp-relay=<local_addr>,<server_addr>[,<device of interface>]`, and skips the section when
 * `local_addr` or `server_addr` is empty. dnsmasq then relays every DHCP request that arrives on
 * the interface holding `local_addr` to `server_addr`, instead of serving it from a pool on that
 * interface (dnsmasq: the relay takes precedence). The section's own `interface` names where the
 * server's replies are accepted from (a netifd interface): TR-181 has no item for it, so the agent
 * keeps it as it is and writes none.
 *
 * | TR-181 (Forwarding.{i}.) | UCI of the `relay` section |
 * |--------------------------|----------------------------|
 * | Interface                | `local_addr`: the IPv4 address of that IP.Interface (netifd); read back by address |
 * | DHCPServerIPAddress      | `server_addr` while the row relays, else `usp_disabled_server_addr` |
 * | Enable                   | `usp_disabled` '1' when false (the address is parked, so dnsmasq.init skips the section) |
 * | LocallyServed            | `usp_locally_served` '1' when true (parked too: the interface's pool serves) |
 * | Order                    | the section's place among the `relay` sections (`uci reorder`) |
 * | Alias                    | kept by the agent (UCI has no option for it) |
 *
 * Relay.Enable false is `usp_relay_disabled` '1' in the dnsmasq section and parks every row's
 * address; true relays again the rows that are enabled and not locally served. The options
 * starting with `usp_` are the agent's; dnsmasq.init reads none of them.
 *
 * What dnsmasq's relay cannot do: classify requests (dhcpv4-relay-rules.ts, shared with generic
 * Linux): the criteria read their defaults, another value is refused with 7012, and one enabled
 * row per Interface. LocallyServed false with no DHCPServerIPAddress should drop the requests,
 * which dnsmasq cannot do: the row reads Error_Misconfigured and the interface's pool (if any)
 * serves. Sections relaying DHCPv6 (an IPv6 `local_addr` or `server_addr`) are not DHCPv4 rows:
 * they are left out and never written.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { RELAY_CRITERIA, RELAY_FORWARDING_PARAMS, RELAY_FORWARDING_WRITABLE, relayConflict, relayCriteriaProblems } from '../dhcpv4-relay-rules.js';
import { canonicalizeReferences } from '../reference.js';
import { noSuchInstance, refused } from './convert.js';
import { ipv4ToNumber, numberToIpv4 } from '../dnsmasq-leases.js';
import type { DhcpState } from './DhcpState.js';
import type { IPInterfaces } from './ip.js';
import type { UciChange, UciStage } from './uci.js';
import { stringOption, type UciConfig, type UciSection } from './uci-show.js';

export const FORWARDING = 'Device.DHCPv4.Relay.Forwarding.{i}.';
/** dnsmasq section option: Relay.Enable false. */
export const RELAY_OFF = 'usp_relay_disabled';
/** relay section options the agent keeps (dnsmasq.init reads none). */
const PARKED = 'usp_disabled_server_addr';
const ROW_OFF = 'usp_disabled';
const LOCAL = 'usp_locally_served';
/** The options a row's state decides, in the order they are written. */
const MANAGED = ['local_addr', 'server_addr', PARKED, ROW_OFF, LOCAL] as const;

/** What a relay row says, as far as dnsmasq's relay goes. */
export interface RelayRow {
  enable: boolean;
  locallyServed: boolean;
  /** DHCPServerIPAddress ('' for none). */
  server: string;
  /** `local_addr` (undefined: no Interface). */
  localAddr?: string;
}

function isIpv6(v: string | string[] | undefined): boolean {
  return (stringOption(v) ?? '').includes(':');
}

/** The `relay` sections that relay DHCPv4 (none of their addresses IPv6), in file order. */
export function relaySections(config: UciConfig): UciSection[] {
  return config.filter((s) => s.type === 'relay' && !isIpv6(s.options.local_addr) && !isIpv6(s.options.server_addr) && !isIpv6(s.options[PARKED]));
}

export function rowOf(s: UciSection): RelayRow {
  return {
    enable: stringOption(s.options[ROW_OFF]) !== '1',
    locallyServed: stringOption(s.options[LOCAL]) === '1',
    server: stringOption(s.options.server_addr) ?? stringOption(s.options[PARKED]) ?? '',
    localAddr: stringOption(s.options.local_addr),
  };
}

/** Whether dnsmasq relays for the row: Relay on, the row enabled, not locally served, with a server. */
export function relays(row: RelayRow, relayOn: boolean): boolean {
  return relayOn && row.enable && !row.locallyServed && row.server !== '';
}

/** The managed options a row needs (undefined: absent). */
function optionsOf(row: RelayRow, relayOn: boolean): Record<(typeof MANAGED)[number], string | undefined> {
  const on = relays(row, relayOn);
  return {
    local_addr: row.localAddr,
    server_addr: on ? row.server : undefined,
    [PARKED]: !on && row.server !== '' ? row.server : undefined,
    [ROW_OFF]: row.enable ? undefined : '1',
    [LOCAL]: row.locallyServed ? '1' : undefined,
  };
}

/** The uci sets and deletes that take `section` (its options now: `have`) to `row`. */
export function planRow(section: string, have: UciSection['options'], row: RelayRow, relayOn: boolean): UciChange[] {
  const want = optionsOf(row, relayOn);
  const out: UciChange[] = [];
  for (const option of MANAGED) {
    const now = stringOption(have[option]);
    const next = want[option];
    // `uci delete` of an absent option fails ("Entry not found"): only a change is written.
    if (next === undefined && now !== undefined) out.push({ section, option, value: '', remove: true });
    else if (next !== undefined && next !== now) out.push({ section, option, value: next });
  }
  return out;
}

/** The 1-based place of `section` among the relay sections, and the `uci reorder` position for place `order`. */
function orderOf(config: UciConfig, section: string): number {
  return relaySections(config).findIndex((s) => s.name === section) + 1;
}
function reorderPosition(config: UciConfig, section: string, order: number): number | undefined {
  const rows = relaySections(config).filter((s) => s.name !== section);
  const k = Math.max(1, Math.min(order, rows.length + 1));
  if (orderOf(config, section) === k) return undefined;
  const others = config.filter((s) => s.name !== section).map((s) => s.name);
  if (rows.length === 0) return undefined;
  return k <= rows.length ? others.indexOf(rows[k - 1].name) : others.indexOf(rows[rows.length - 1].name) + 1;
}

/** Serves Device.DHCPv4.Relay. and Device.DHCPv4.Relay.Forwarding.{i}. (add, delete, set). */
export function registerDHCPv4Relay(state: DhcpState, ip: IPInterfaces): void {
  const { model } = state.ctx;

  const read = async (): Promise<{ config: UciConfig; sections: UciSection[]; relayOn: boolean; dnsmasq?: UciSection }> => {
    const config = await state.config();
    const sections = relaySections(config);
    state.relays.list(sections.map((s) => s.name));
    const dnsmasq = config.find((s) => s.type === 'dnsmasq');
    return { config, sections, dnsmasq, relayOn: stringOption(dnsmasq?.options[RELAY_OFF]) !== '1' };
  };
  const sectionOf = async (n: number | undefined): Promise<{ s: UciSection; config: UciConfig; sections: UciSection[]; relayOn: boolean }> => {
    const r = await read();
    const s = r.sections.find((c) => c.name === state.relays.keyOf(n));
    if (!s) throw noSuchInstance('DHCPv4 relay forwarding', n);
    return { s, ...r };
  };
  /** The netifd interface whose IPv4 address is `addr`. */
  const interfaceOf = async (addr: string | undefined): Promise<string | undefined> => {
    const n = ipv4ToNumber(addr ?? '');
    if (n === undefined) return undefined;
    for (const [name, net] of await state.networks()) if (net.address === n) return name;
    return undefined;
  };
  /** local_addr for an Interface reference: its netifd interface's IPv4 address, or why not. */
  const localAddrFor = async (reference: string): Promise<string | undefined | { message: string }> => {
    if (reference === '') return undefined;
    const name = await ip.nameOf(reference);
    if (!name) return { message: `${reference} is no netifd interface` };
    const net = (await state.networks()).get(name);
    if (!net) return { message: `${reference} (${name}) has no IPv4 address for dnsmasq to relay from` };
    return numberToIpv4(net.address);
  };

  const values = async (s: UciSection, config: UciConfig, relayOn: boolean): Promise<Record<string, Value>> => {
    const row = rowOf(s);
    const iface = await interfaceOf(row.localAddr);
    return {
      Enable: row.enable,
      // Error_Misconfigured: TR-181's dangling Interface, and a relay with no server (TR-181 drops
      // those requests; dnsmasq cannot, so they are not relayed).
      // While Relay.Enable is false no row relays; each keeps its own Enable.
      Status: !row.enable || !relayOn ? 'Disabled' : !iface || (!row.locallyServed && row.server === '') ? 'Error_Misconfigured' : 'Enabled',
      Alias: state.aliases.get(s.name) ?? `cpe-${s.name}`,
      Order: orderOf(config, s.name),
      Interface: iface ? await ip.pathOf(iface) : '',
      LocallyServed: row.locallyServed,
      DHCPServerIPAddress: row.server,
      ...RELAY_CRITERIA,
    };
  };

  /**
   * The row a Set or Add leaves (`current` the row before it, `changes` validated by the schema),
   * or the refusal naming each parameter dnsmasq cannot take.
   */
  const nextRow = async (current: RelayRow & { Interface: string }, changes: Record<string, Value>): Promise<RelayRow> => {
    const bad = relayCriteriaProblems(changes);
    const row: RelayRow = { ...current };
    if (typeof changes.Enable === 'boolean') row.enable = changes.Enable;
    if (typeof changes.LocallyServed === 'boolean') row.locallyServed = changes.LocallyServed;
    if (changes.DHCPServerIPAddress !== undefined) {
      const v = String(changes.DHCPServerIPAddress);
      const n = ipv4ToNumber(v);
      if (v !== '' && n === undefined) bad.push({ param: 'DHCPServerIPAddress', message: 'must be an IPv4 address' });
      else row.server = n === undefined ? '' : numberToIpv4(n);
    }
    if (typeof changes.Interface === 'string' && changes.Interface !== current.Interface) {
      const a = await localAddrFor(changes.Interface);
      if (typeof a === 'object') bad.push({ param: 'Interface', message: a.message });
      else row.localAddr = a;
    }
    if (bad.length > 0) throw refused(bad);
    return row;
  };
  /** One enabled row per Interface (see the file comment): the other row's number when `row` would be a second. */
  const conflict = async (self: string | undefined, row: RelayRow, sections: UciSection[]): Promise<number | undefined> => {
    if (!row.enable || row.localAddr === undefined) return undefined;
    const other = sections.find((s) => s.name !== self && rowOf(s).enable && rowOf(s).localAddr === row.localAddr);
    return other ? state.relays.numberOf(other.name) : undefined;
  };
  const conflictError = (n: number, iface: Value) => refused([relayConflict(n, iface)]);

  model.register('Device.DHCPv4.Relay.', {
    params: ['Enable', 'Status'],
    get: async () => {
      const { relayOn } = await read();
      return { Enable: relayOn, Status: relayOn ? 'Enabled' : 'Disabled' };
    },
    set: async (_keys, changes) => {
      const { sections, relayOn, dnsmasq } = await read();
      if (typeof changes.Enable !== 'boolean' || changes.Enable === relayOn) return;
      if (!dnsmasq) throw refused([{ param: 'Enable', message: 'no dnsmasq section in /etc/config/dhcp' }]);
      const on = changes.Enable;
      const planned: UciChange[] = [on ? { section: dnsmasq.name, option: RELAY_OFF, value: '', remove: true } : { section: dnsmasq.name, option: RELAY_OFF, value: '1' }];
      for (const s of sections) planned.push(...planRow(s.name, s.options, rowOf(s), on));
      await state.write(async (stage) => {
        for (const c of planned) await stage.set(c);
      });
    },
  });

  model.register(FORWARDING, {
    params: RELAY_FORWARDING_PARAMS,
    writable: RELAY_FORWARDING_WRITABLE,
    list: async () => state.relays.list((await read()).sections.map((s) => s.name)),
    get: async ([n]) => {
      const { s, config, relayOn } = await sectionOf(n);
      return values(s, config, relayOn);
    },
    rowIdentity: ([n]) => state.relays.keyOf(n),
    set: async ([n], changes) => {
      canonicalizeReferences(changes, ['Interface']);
      const { s, config, sections, relayOn } = await sectionOf(n);
      const current = await values(s, config, relayOn);
      const row = await nextRow({ ...rowOf(s), Interface: String(current.Interface) }, changes);
      const other = await conflict(s.name, row, sections);
      if (other !== undefined) throw conflictError(other, changes.Interface ?? current.Interface);
      const planned = planRow(s.name, s.options, row, relayOn);
      const position = typeof changes.Order === 'number' ? reorderPosition(config, s.name, changes.Order) : undefined;
      if (planned.length > 0 || position !== undefined)
        await state.write(async (stage) => {
          for (const c of planned) await stage.set(c);
          if (position !== undefined) await stage.reorder(s.name, position);
        });
      if (typeof changes.Alias === 'string') state.aliases.set(state.relays.keyOf(n) ?? s.name, changes.Alias);
    },
    add: async (_parent, params) => {
      const p = { ...params };
      canonicalizeReferences(p, ['Interface']);
      const { sections, relayOn, config } = await read();
      // TR-181's defaults: Enable false, no Interface, LocallyServed false, no server.
      const row = await nextRow({ enable: false, locallyServed: false, server: '', Interface: '' }, p);
      const other = await conflict(undefined, row, sections);
      if (other !== undefined) throw conflictError(other, p.Interface ?? '');
      const order = typeof p.Order === 'number' && p.Order <= sections.length ? p.Order : undefined;
      const [name] = await state.write(async (stage: UciStage) => {
        const created = await stage.add('relay');
        for (const c of planRow(created, {}, row, relayOn)) await stage.set(c);
        // Before the row at that place (a new section comes last).
        if (order !== undefined)
          await stage.reorder(
            created,
            config.findIndex((c) => c.name === sections[order - 1].name),
          );
      });
      if (typeof p.Alias === 'string' && p.Alias !== '') state.aliases.set(name, p.Alias);
      return state.relays.numberOf(name);
    },
    delete: async ([n]) => {
      const { s } = await sectionOf(n);
      await state.write(async (stage) => stage.remove(s.name));
      state.aliases.delete(s.name);
    },
  });
}
