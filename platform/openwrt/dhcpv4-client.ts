/**
 * Device.DHCPv4.Client.{i}. on OpenWrt (TR-181 DHCPv4Client:1): netifd runs udhcpc for every
 * `config interface` of network with `proto 'dhcp'`, so those sections are the Client rows.
 *
 * - Interface: the section's IP.Interface. Enable: the section's `disabled`. The lease is what
 *   `ubus call network.interface dump` shows: the address, the default route's next hop, the
 *   DNS servers, and `data.dhcpserver`/`data.leasetime` that netifd's dhcp.script reports.
 *   LeaseTimeRemaining is estimated from the interface's uptime (udhcpc renews at T1, half the
 *   lease; netifd does not say when it last did).
 * - SentOption.{i} ↔ the section's `sendopts` ("TAG:HEX" items, which netifd passes to udhcpc
 *   as `-x`); a disabled row's item is kept in the agent's own `usp_disabled_sendopts`, which
 *   netifd does not read. ReqOption.{i}, in Order ↔ the request list the agent gives udhcpc as a
 *   `sendopts` item `0x37:HEX` of its own (not served as a SentOption), the rows kept in its own
 *   options (dhcpv4-client-request-list.ts). Items that are no numeric tag (udhcpc's option
 *   names) are kept as they are and not served.
 * - Add turns an IP.Interface without addressing (`proto 'none'`: delete its static IPv4Address
 *   rows first) into a DHCP client; Delete turns it back to `proto 'none'`. Delete and Enable
 *   false are refused (7012, 7024) for the interface that holds the default route: that is the
 *   way to the Controller, and netifd would drop it.
 * - Renew(): `ubus call network.interface.<name> renew` (netifd sends udhcpc SIGUSR1).
 */
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { duplicateKey, optionProblems } from '../dhcpv4-client-options.js';
import { PARAMETER_REQUEST_LIST } from '../dhcpv4-request-list.js';
import { parseTag, placeAt, reqChanges, reqItems } from './dhcpv4-client-request-list.js';
import { canonicalizeReferences } from '../reference.js';
import type { IPInterfaces } from './ip.js';
import { interfaceSections, sectionEnabled } from './ip-config.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { InterfaceDump, NetIfStatus } from './ubus-types.js';
import { NETWORK_RELOAD, type UciChange, type UciWriter } from './uci.js';
import { listOption, stringOption, type UciSection } from './uci-show.js';

const CLIENT = 'Device.DHCPv4.Client.{i}.';
const SENT = `${CLIENT}SentOption.{i}.`;
const REQ = `${CLIENT}ReqOption.{i}.`;
const CLIENT_PARAMS = ['Enable', 'Interface', 'Status', 'DHCPStatus', 'IPAddress', 'SubnetMask', 'IPRouters', 'DNSServers', 'LeaseTimeRemaining', 'DHCPServer'] as const;
/** A Client is its interface's `proto dhcp`: a new Interface moves `proto dhcp` and the option lists there. */
const CLIENT_WRITABLE = ['Enable', 'Interface'] as const;
/** The options of an interface section that belong to its DHCP client (they move with it). */
const CLIENT_OPTIONS = ['sendopts', 'reqopts', 'usp_disabled_sendopts', 'usp_disabled_reqopts', 'usp_reqopts', 'usp_reqopts_base', 'defaultreqopts', 'classlessroute'] as const;
/** What a Set of a SentOption or ReqOption changes. */
const SENT_WRITABLE = ['Enable', 'Tag', 'Value'] as const;
const REQ_WRITABLE = ['Enable', 'Order', 'Tag'] as const;

/** One option item of `sendopts`/`reqopts`: its tag (undefined for a named item) and value. */
interface OptionItem {
  tag?: number;
  value: string;
  enabled: boolean;
  raw: string;
}

/** The option items of a section: enabled from `option`, disabled from the agent's own. */
function items(s: UciSection, option: 'sendopts' | 'reqopts'): OptionItem[] {
  if (option === 'reqopts') return reqItems(s).map((i) => ({ ...i, value: '' }));
  const words = (o: string): string[] => listOption(s.options[o]).flatMap((v) => v.split(/\s+/).filter(Boolean));
  const parse = (raw: string, enabled: boolean): OptionItem => {
    const colon = raw.indexOf(':');
    const value = colon < 0 ? '' : raw.slice(colon + 1);
    const tag = colon < 0 ? undefined : parseTag(raw.slice(0, colon));
    // Option 55 is the request list (the agent's item for ReqOption Order), no SentOption.
    return { tag: tag !== undefined && tag !== PARAMETER_REQUEST_LIST && /^([0-9a-f]{2})*$/i.test(value) ? tag : undefined, value: value.toUpperCase(), enabled, raw };
  };
  return [...words(option).map((w) => parse(w, true)), ...words(`usp_disabled_${option}`).map((w) => parse(w, false))];
}

const ipHex = (list: readonly string[]): string =>
  list
    .map((a) =>
      a
        .split('.')
        .map((p) => Number(p).toString(16).padStart(2, '0'))
        .join(''),
    )
    .join('')
    .toUpperCase();

function maskOf(len: number): string {
  const n = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** The lease of a running interface as the dump shows it. */
function leaseOf(st: NetIfStatus | undefined): Record<string, Value> & { bound: boolean } {
  const addr = st?.up ? st['ipv4-address']?.[0] : undefined;
  const data = (st as { data?: { dhcpserver?: string; leasetime?: number } } | undefined)?.data ?? {};
  const routers = (st?.route ?? []).filter((r) => r.target === '0.0.0.0' && r.mask === 0 && r.nexthop).map((r) => r.nexthop!);
  const lease = Number(data.leasetime ?? 0);
  const up = Number(st?.uptime ?? 0);
  return {
    bound: addr !== undefined,
    IPAddress: addr?.address ?? '',
    SubnetMask: addr ? maskOf(addr.mask) : '',
    IPRouters: addr ? routers.join(',') : '',
    DNSServers: addr ? (st?.['dns-server'] ?? []).filter((d) => !d.includes(':')).join(',') : '',
    DHCPServer: addr ? (data.dhcpserver ?? '') : '',
    LeaseTimeRemaining: !addr || lease <= 0 ? 0 : lease >= 0xffffffff ? -1 : lease - (up % Math.max(1, Math.floor(lease / 2))),
  };
}

/** The Client rows and their option tables over network's dhcp sections. */
class OpenWrtDhcpClients {
  readonly clients = new InstanceMap();
  private readonly options = new Map<string, InstanceMap>();

  constructor(
    readonly ctx: OpenWrtContext,
    readonly ip: IPInterfaces,
    readonly uci: UciWriter,
  ) {}

  optionMap(section: string, table: 'sendopts' | 'reqopts'): InstanceMap {
    const key = `${section}/${table}`;
    let m = this.options.get(key);
    if (!m) this.options.set(key, (m = new InstanceMap()));
    return m;
  }

  async sections(): Promise<UciSection[]> {
    return interfaceSections(await this.ctx.uci('network')).filter((s) => stringOption(s.options.proto) === 'dhcp');
  }

  async list(): Promise<number[]> {
    return this.clients.list((await this.sections()).map((s) => s.name));
  }

  async section(n: number | undefined): Promise<UciSection> {
    const name = this.clients.requireKey(n);
    const s = (await this.sections()).find((x) => x.name === name);
    if (!s) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.DHCPv4.Client.${n}.`);
    return s;
  }

  async status(name: string): Promise<NetIfStatus | undefined> {
    return (await this.ctx.ubus<InterfaceDump>('network.interface', 'dump')).interface?.find((i) => i.interface === name);
  }

  /** 7012 when `name` holds the default route: the Controller's way in. */
  async refuseManagementPath(name: string, code: ErrorCode, what: string, param = 'Enable'): Promise<void> {
    const st = await this.status(name);
    if ((st?.route ?? []).some((r) => r.target === '0.0.0.0' && r.mask === 0)) {
      throw new UspError(code, `${what} would take down ${name}, which holds the default route (the way to the Controller); add another uplink first`, {
        paramErrors: code === ErrorCode.InvalidValue ? [{ param, message: `${name} holds the default route`, code }] : undefined,
      });
    }
  }

  /** The option tables' instance numbers follow a client that moved to another section. */
  moveOptionMaps(from: string, to: string): void {
    for (const table of ['sendopts', 'reqopts'] as const) {
      const m = this.options.get(`${from}/${table}`);
      this.options.delete(`${from}/${table}`);
      if (m) this.options.set(`${to}/${table}`, m);
    }
  }

  /**
   * The section a Client may run on: an interface without addressing (`proto 'none'`), or a
   * 7012 (7025 when it runs a DHCP client already) saying why not.
   */
  async unaddressed(reference: string | undefined): Promise<UciSection> {
    const bad = (message: string): UspError => new UspError(ErrorCode.InvalidValue, `Interface: ${message}`, { paramErrors: [{ param: 'Interface', message, code: ErrorCode.InvalidValue }] });
    const name = reference ? await this.ip.nameOf(reference) : undefined;
    if (name === undefined) throw bad('name the Device.IP.Interface the DHCP client is to run on');
    const s = interfaceSections(await this.ctx.uci('network')).find((x) => x.name === name);
    const proto = s ? stringOption(s.options.proto) : undefined;
    if (proto === 'dhcp') throw duplicateKey('Interface', `${name} already runs a DHCP client`);
    if (!s || proto !== 'none')
      throw bad(`${name} is ${proto ? `proto '${proto}'` : 'no UCI interface'}: only an interface without addressing (proto 'none'; delete its static IPv4Address rows first) becomes a DHCP client`);
    return s;
  }

  async write(changes: UciChange[]): Promise<void> {
    await this.uci.apply('network', changes, NETWORK_RELOAD);
    this.ctx.forgetUci('network');
    this.ctx.forget('network.interface', 'dump');
  }

  /** Rewrites one option table of `s` from `rows` (the enabled items in `option`, the disabled in the agent's own). */
  async writeItems(s: UciSection, table: 'sendopts' | 'reqopts', next: OptionItem[], moved?: OptionItem): Promise<void> {
    if (table === 'reqopts') {
      const changes = reqChanges(s, next, moved);
      if (typeof changes === 'string') throw new UspError(ErrorCode.InvalidValue, `Order: ${changes}`, { paramErrors: [{ param: 'Order', message: changes, code: ErrorCode.InvalidValue }] });
      return this.write(changes);
    }
    const text = (on: boolean): string =>
      next
        .filter((i) => i.enabled === on)
        .map((i) => i.raw)
        .join(' ');
    const change = (option: string, value: string): UciChange => (value === '' ? { section: s.name, option, value: '', remove: true } : { section: s.name, option, value });
    await this.write([change(table, text(true)), change(`usp_disabled_${table}`, text(false))]);
  }
}

class ClientBinding implements ObjectBinding {
  readonly params = CLIENT_PARAMS;
  readonly writable = CLIENT_WRITABLE;
  readonly changesOnlyThroughAgent = false;
  readonly commands = {
    'Renew()': {
      run: async ({ keys }: { keys: InstanceKeys }): Promise<Record<string, Value>> => {
        const s = await this.c.section(keys[0]);
        await this.c.ctx.runner.run('ubus', ['call', `network.interface.${s.name}`, 'renew']).catch((e: unknown) => {
          throw new UspError(ErrorCode.CommandFailure, `netifd did not renew ${s.name}: ${e instanceof Error ? e.message : String(e)}`);
        });
        return {};
      },
    },
  };

  constructor(private readonly c: OpenWrtDhcpClients) {}

  list(): Promise<number[]> {
    return this.c.list();
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const s = await this.c.section(keys[0]);
    const st = await this.c.status(s.name);
    const enabled = sectionEnabled(s);
    const { bound, ...lease } = leaseOf(st);
    return {
      Enable: enabled,
      Interface: await this.c.ip.pathOf(s.name),
      Status: !enabled ? 'Disabled' : st ? 'Enabled' : 'Error',
      DHCPStatus: bound ? 'Bound' : enabled && st ? 'Selecting' : 'Init',
      ...lease,
    };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const s = await this.c.section(keys[0]);
    if (changes.Interface !== undefined) {
      canonicalizeReferences(changes, ['Interface']);
      if (changes.Interface !== (await this.c.ip.pathOf(s.name))) return this.move(s, String(changes.Interface), changes.Enable);
    }
    if (changes.Enable === undefined || changes.Enable === sectionEnabled(s)) return;
    if (changes.Enable === false) await this.c.refuseManagementPath(s.name, ErrorCode.InvalidValue, 'Enable false');
    await this.c.write([changes.Enable === true ? { section: s.name, option: 'disabled', value: '', remove: true } : { section: s.name, option: 'disabled', value: '1' }]);
  }

  /**
   * A new Interface: the other (unaddressed) section becomes `proto 'dhcp'` with this client's
   * option lists and Enable, this one `proto 'none'` without them, in one commit; the row keeps
   * its instance number. Refused for the interface holding the default route, as Delete is.
   */
  private async move(s: UciSection, reference: string, enable: Value | undefined): Promise<void> {
    const target = await this.c.unaddressed(reference);
    await this.c.refuseManagementPath(s.name, ErrorCode.InvalidValue, 'Moving the DHCP client', 'Interface');
    const enabled = enable === undefined ? sectionEnabled(s) : enable === true;
    const changes: UciChange[] = [{ section: target.name, option: 'proto', value: 'dhcp' }];
    for (const option of CLIENT_OPTIONS) {
      const v = s.options[option];
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) changes.push({ section: target.name, option, value: item, append: true });
      else changes.push({ section: target.name, option, value: v });
    }
    if (!enabled) changes.push({ section: target.name, option: 'disabled', value: '1' });
    else if (!sectionEnabled(target)) changes.push({ section: target.name, option: 'disabled', value: '', remove: true });
    changes.push({ section: s.name, option: 'proto', value: 'none' }, ...this.clientOptions(s));
    await this.c.write(changes);
    this.c.clients.rekey([[s.name, target.name]]);
    this.c.moveOptionMaps(s.name, target.name);
  }

  /** Deletes of the client's option lists in `s`. */
  private clientOptions(s: UciSection): UciChange[] {
    return CLIENT_OPTIONS.filter((o) => s.options[o] !== undefined).map((option) => ({ section: s.name, option, value: '', remove: true }));
  }

  async add(_parent: InstanceKeys, params: Record<string, Value>): Promise<number> {
    canonicalizeReferences(params, ['Interface']);
    const { name } = await this.c.unaddressed(params.Interface === undefined ? undefined : String(params.Interface));
    const changes: UciChange[] = [{ section: name, option: 'proto', value: 'dhcp' }];
    if (params.Enable === false) changes.push({ section: name, option: 'disabled', value: '1' });
    await this.c.write(changes);
    return this.c.clients.numberOf(name);
  }

  async delete(keys: InstanceKeys): Promise<void> {
    const s = await this.c.section(keys[0]);
    await this.c.refuseManagementPath(s.name, ErrorCode.DeleteFailure, 'Deleting the DHCP client');
    await this.c.write([{ section: s.name, option: 'proto', value: 'none' }, ...this.clientOptions(s)]);
    this.c.clients.retire(s.name);
  }
}

class OptionBinding implements ObjectBinding {
  readonly changesOnlyThroughAgent: boolean;
  readonly writable: readonly string[];

  constructor(
    private readonly c: OpenWrtDhcpClients,
    private readonly table: 'sendopts' | 'reqopts',
    readonly params: readonly string[],
  ) {
    this.changesOnlyThroughAgent = table === 'sendopts';
    this.writable = table === 'sendopts' ? SENT_WRITABLE : REQ_WRITABLE;
  }

  private async rows(parent: InstanceKeys): Promise<{ s: UciSection; all: OptionItem[]; map: InstanceMap; tagged: OptionItem[] }> {
    const s = await this.c.section(parent[0]);
    const all = items(s, this.table);
    const tagged = all.filter((i) => i.tag !== undefined);
    const map = this.c.optionMap(s.name, this.table);
    map.list(tagged.map((i) => String(i.tag)));
    return { s, all, map, tagged };
  }

  async list(parent: InstanceKeys): Promise<number[]> {
    const { map, tagged } = await this.rows(parent);
    return map.list(tagged.map((i) => String(i.tag)));
  }

  private async row(keys: InstanceKeys): Promise<{ s: UciSection; all: OptionItem[]; item: OptionItem; map: InstanceMap; tagged: OptionItem[] }> {
    const r = await this.rows(keys.slice(0, 1));
    const tag = r.map.requireKey(keys[1]);
    const item = r.tagged.find((i) => String(i.tag) === tag);
    if (!item) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${keys.join('.')}`);
    return { ...r, item };
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const { s, item, tagged } = await this.row(keys);
    const values: Record<string, Value> = { Enable: item.enabled, Tag: item.tag! };
    if (this.table === 'sendopts') return { ...values, Value: item.value };
    const st = item.enabled ? await this.c.status(s.name) : undefined;
    return { ...values, Order: tagged.indexOf(item) + 1, Value: requestedValue(item.tag!, st) };
  }

  private check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>, tagged: OptionItem[], map: InstanceMap): void {
    const siblings = tagged.map((i): [number, Record<string, Value>] => [map.numberOf(String(i.tag)), { Tag: i.tag! }]);
    const bad = optionProblems(keys, merged, changes, siblings, this.table === 'reqopts');
    if (bad.length > 0) throw new UspError(ErrorCode.InvalidValue, bad.map((b) => `${b.param}: ${b.message}`).join('; '), { paramErrors: bad.map((b) => ({ ...b, code: ErrorCode.InvalidValue })) });
  }

  private itemOf(tag: number, value: string, enabled: boolean): OptionItem {
    return { tag, value, enabled, raw: this.table === 'sendopts' ? `${tag}:${value.toLowerCase()}` : String(tag) };
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const { s, all, item, map } = await this.row(keys);
    const merged = { Enable: item.enabled, Tag: item.tag!, Value: item.value, ...changes };
    this.check(
      keys,
      merged,
      changes,
      all.filter((i) => i.tag !== undefined),
      map,
    );
    const next = this.itemOf(Number(merged.Tag), String(merged.Value ?? ''), merged.Enable === true);
    const list = all.map((i) => (i === item ? next : i));
    const moved = changes.Order !== undefined ? next : undefined;
    await this.c.writeItems(s, this.table, moved ? placeAt(list, next, Number(changes.Order)) : list, moved);
    if (merged.Tag !== item.tag) map.rekey([[String(item.tag), String(merged.Tag)]]);
  }

  async add(parent: InstanceKeys, params: Record<string, Value>): Promise<number> {
    const { s, all, map, tagged } = await this.rows(parent);
    const merged: Record<string, Value> = { Enable: false, Value: '', ...params };
    if (merged.Tag === undefined)
      throw new UspError(ErrorCode.InvalidValue, 'Tag: give the option tag (1-254)', {
        paramErrors: [{ param: 'Tag', message: 'required on OpenWrt: the item is the tag', code: ErrorCode.InvalidValue }],
      });
    this.check([...parent, 0], merged, { ...params, Tag: merged.Tag }, tagged, map);
    const item = this.itemOf(Number(merged.Tag), String(merged.Value), merged.Enable === true);
    // TR-181 Order: a row added without one comes after every other.
    const moved = params.Order !== undefined ? item : undefined;
    await this.c.writeItems(s, this.table, moved ? placeAt(all, item, Number(params.Order)) : [...all, item], moved);
    return map.numberOf(String(merged.Tag));
  }

  async delete(keys: InstanceKeys): Promise<void> {
    const { s, all, item, map } = await this.row(keys);
    await this.c.writeItems(
      s,
      this.table,
      all.filter((i) => i !== item),
    );
    map.retire(String(item.tag));
  }
}

/** ReqOption.{i}.Value: what netifd's dump holds of that option (hex), '' for what it does not keep. */
function requestedValue(tag: number, st: NetIfStatus | undefined): string {
  const lease = leaseOf(st);
  if (!lease.bound) return '';
  const list = (v: Value): string[] => String(v).split(',').filter(Boolean);
  if (tag === 1) return ipHex([String(lease.SubnetMask)]);
  if (tag === 3) return ipHex(list(lease.IPRouters));
  if (tag === 6) return ipHex(list(lease.DNSServers));
  if (tag === 54) return ipHex(list(lease.DHCPServer));
  const leasetime = (st as { data?: { leasetime?: number } } | undefined)?.data?.leasetime;
  if (tag === 51 && leasetime !== undefined) return (leasetime >>> 0).toString(16).padStart(8, '0').toUpperCase();
  return '';
}

/** Serves Device.DHCPv4.Client.{i}. with SentOption.{i} and ReqOption.{i} over network's dhcp sections. */
export function registerDHCPv4Clients(ctx: OpenWrtContext, ip: IPInterfaces, uci: UciWriter): void {
  const c = new OpenWrtDhcpClients(ctx, ip, uci);
  ctx.model.register(CLIENT, new ClientBinding(c));
  ctx.model.register(SENT, new OptionBinding(c, 'sendopts', ['Enable', 'Tag', 'Value']));
  ctx.model.register(REQ, new OptionBinding(c, 'reqopts', ['Enable', 'Order', 'Tag', 'Value']));
}
