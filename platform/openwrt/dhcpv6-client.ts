/**
 * Device.DHCPv6.Client.{i}. on OpenWrt: netifd runs odhcp6c for every `config interface` of
 * network with `proto 'dhcpv6'` (its proto handler dhcpv6.sh), so those sections are the rows.
 *
 * | TR-181 (Client.{i}.) | UCI option of the interface section (dhcpv6.sh: odhcp6c flag) |
 * |---|---|
 * | Enable | `disabled` (and `auto` '0': down) |
 * | Interface | the section's IP.Interface; a new one moves the client there (dhcpv6-client-move.ts) |
 * | DUID | `clientid` (-c), else odhcp6c's own DUID-LL of the device's MAC |
 * | RequestAddresses | `reqaddress` (-N): 'none' false; 'try' (default) or 'force' true; false writes 'none', true deletes it |
 * | RequestPrefixes | `reqprefix` (-P): 'no' false; 'auto' (default) or a length true; false writes 'no', true deletes it |
 * | RequestedOptions | `reqopts` (-r per code), a space-separated list |
 * | SentOption.{i} | `sendopts` items (-x per item) and the agent's `usp_disabled_sendopts` (dhcpv6-sent-options.ts) |
 * | RapidCommit | false, read-only: odhcp6c never puts option 14 in a SOLICIT (and refuses `-x 14`) |
 * | SuggestedT1, SuggestedT2 | -1, read-only: odhcp6c sends T1 and T2 0 ("no preference") in every IA_NA and IA_PD; no flag sets them |
 * | Renew() | `ubus call network.interface.<name> renew` (dhcpv6.sh sends odhcp6c SIGUSR1) |
 *
 * Status, Server.{i} and ReceivedOption.{i} come from `ubus call odhcp6c.<device> get_state`
 * (odhcp6c-state.ts): Server rows are the SERVER addresses (SourceAddress; odhcp6c does not
 * report the server's DUID nor when to refresh: "" and the unknown time); without that ubus
 * object (older odhcp6c) a running client has none.
 *
 * Add turns an IP.Interface without addressing (`proto 'none'`) into a DHCPv6 client, Delete
 * turns it back to `proto 'none'` and drops the client's options. Delete, Enable false and a new
 * Interface are refused (7024, 7012) for the interface holding the IPv6 default route: netifd
 * would drop it, and with it maybe the way to the Controller.
 */
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { UNKNOWN_TIME, type Value } from '../../datamodel/value/Value.js';
import { duplicateKey } from '../dhcpv4-client-options.js';
import { DHCPV6_OWN_OPTIONS, optionCodeList } from '../dhcpv6-options.js';
import { canonicalizeReferences } from '../reference.js';
import { noSuchInstance } from './convert.js';
import { clientMoveChanges, dropClientOptions } from './dhcpv6-client-move.js';
import { Dhcpv6SentOptions } from './dhcpv6-sent-options.js';
import type { IPInterfaces } from './ip.js';
import { interfaceSections, sectionEnabled } from './ip-config.js';
import { type Odhcp6cState, parseOdhcp6cState } from './odhcp6c-state.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { DeviceStatusMap, InterfaceDump, NetIfStatus } from './ubus-types.js';
import { NETWORK_RELOAD, planWrite, type UciChange, type UciWriter } from './uci.js';
import { listOption, stringOption, type UciSection } from './uci-show.js';

const CLIENT = 'Device.DHCPv6.Client.{i}.';
const CLIENT_PARAMS = ['Enable', 'Interface', 'Status', 'DUID', 'RequestAddresses', 'RequestPrefixes', 'RapidCommit', 'SuggestedT1', 'SuggestedT2', 'RequestedOptions', 'SupportedOptions'] as const;
/** RapidCommit and SuggestedT1/T2 are left out: no UCI option or odhcp6c flag changes them. */
const CLIENT_WRITABLE = ['Enable', 'Interface', 'RequestAddresses', 'RequestPrefixes', 'RequestedOptions'] as const;
/** The options odhcp6c takes in and hands to netifd's dhcpv6.script (SIP, DNS, SNTP, NTP, AFTR, softwire46). */
export const ODHCP6C_SUPPORTED = [21, 22, 23, 24, 31, 56, 64, 94, 95, 96] as const;
/** RequestedOptions items at most (each becomes one `-r`). */
const MAX_REQUESTED = 16;

/** The `reqopts` codes of a section (a string of space-separated codes, or a UCI list of them). */
export function requestedOptions(s: UciSection): string {
  return listOption(s.options.reqopts)
    .flatMap((v) => v.split(/\s+/))
    .filter((w) => /^\d+$/.test(w))
    .join(',');
}

/** The configured values of a Client row. */
export function clientConfig(s: UciSection): Record<string, Value> {
  const reqprefix = stringOption(s.options.reqprefix);
  return {
    Enable: sectionEnabled(s),
    RequestAddresses: stringOption(s.options.reqaddress) !== 'none',
    RequestPrefixes: reqprefix !== 'no',
    RequestedOptions: requestedOptions(s),
    SupportedOptions: ODHCP6C_SUPPORTED.join(','),
  };
}

/** The UCI changes of a Set of the writable parameters, or a 7012 naming what is refused. */
export function clientChanges(s: UciSection, current: Record<string, Value>, changes: Record<string, Value>): UciChange[] {
  const opt = (option: string, value: string): UciChange => ({ section: s.name, option, value });
  const drop = (option: string): UciChange[] => (s.options[option] !== undefined ? [{ ...opt(option, ''), remove: true }] : []);
  return planWrite(current, changes, {
    Enable: (v) => (v === current.Enable ? [] : v === true ? [...drop('disabled'), ...(s.options.auto !== undefined ? drop('auto') : [])] : [opt('disabled', '1')]),
    RequestAddresses: (v) => (v === current.RequestAddresses ? [] : v === true ? drop('reqaddress') : [opt('reqaddress', 'none')]),
    RequestPrefixes: (v) => (v === current.RequestPrefixes ? [] : v === true ? drop('reqprefix') : [opt('reqprefix', 'no')]),
    RequestedOptions: (v) => {
      const codes = optionCodeList(v);
      if (codes === undefined || codes.length > MAX_REQUESTED) return `a list of up to ${MAX_REQUESTED} DHCPv6 option codes (1-65535)`;
      const own = codes.find((c) => DHCPV6_OWN_OPTIONS.has(c));
      if (own !== undefined) return `option ${own} is set by the DHCPv6 protocol itself`;
      const text = [...new Set(codes)].join(' ');
      if (text.replace(/ /g, ',') === current.RequestedOptions) return [];
      return text === '' ? drop('reqopts') : [...drop('reqopts'), opt('reqopts', text)];
    },
  });
}

/** The UCI changes of an Add on `s` (an interface without addressing): proto dhcpv6 and the Add's settings. */
export function clientAddChanges(s: UciSection, params: Record<string, Value>): UciChange[] {
  const fresh: UciSection = { ...s, options: { ...s.options, proto: 'dhcpv6' } };
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'Interface' && k !== 'Alias'));
  // TR-181's Enable default is false: a new client waits for its Enable.
  rest.Enable ??= false;
  return [{ section: s.name, option: 'proto', value: 'dhcpv6' }, ...clientChanges(fresh, clientConfig(fresh), rest)];
}

/** The UCI changes of a Delete: proto none, the client's options gone. */
export function clientDeleteChanges(s: UciSection): UciChange[] {
  return [{ section: s.name, option: 'proto', value: 'none' }, ...dropClientOptions(s)];
}

/** odhcp6c's DUID without `clientid`: DUID-LL (type 3) of hardware type 1 and the device's MAC (RFC 8415 §11.4). */
export function duidOfMac(mac: string | undefined): string {
  const hex = (mac ?? '').replace(/:/g, '');
  return /^[0-9a-fA-F]{12}$/.test(hex) ? `00030001${hex}`.toUpperCase() : '';
}

class OpenWrtDhcpv6Clients {
  readonly rows = new InstanceMap();

  constructor(
    readonly ctx: OpenWrtContext,
    readonly ip: IPInterfaces,
    private readonly uci: UciWriter,
  ) {}

  async sections(): Promise<UciSection[]> {
    return interfaceSections(await this.ctx.uci('network')).filter((s) => stringOption(s.options.proto) === 'dhcpv6');
  }

  async list(): Promise<number[]> {
    return this.rows.list((await this.sections()).map((s) => s.name));
  }

  async section(n: number | undefined): Promise<UciSection> {
    const name = this.rows.keyOf(n);
    const s = (await this.sections()).find((x) => x.name === name);
    if (!s) throw noSuchInstance('DHCPv6 client', n);
    return s;
  }

  async status(name: string): Promise<NetIfStatus | undefined> {
    return (await this.ctx.ubus<InterfaceDump>('network.interface', 'dump')).interface?.find((i) => i.interface === name);
  }

  /** odhcp6c's state for the interface while it runs; undefined without one (down, or an odhcp6c without ubus). */
  async state(st: NetIfStatus | undefined): Promise<Odhcp6cState | undefined> {
    const device = st?.l3_device ?? st?.device;
    if (!st?.up || device === undefined) return undefined;
    try {
      return parseOdhcp6cState(await this.ctx.ubus<unknown>(`odhcp6c.${device}`, 'get_state'));
    } catch {
      return undefined;
    }
  }

  async macOf(device: string | undefined): Promise<string | undefined> {
    if (device === undefined) return undefined;
    try {
      return (await this.ctx.ubus<DeviceStatusMap>('network.device', 'status'))[device]?.macaddr;
    } catch {
      return undefined;
    }
  }

  /** 7012 (or `code`) when `name` holds the IPv6 default route, naming `param`. */
  async refuseDefaultRoute(name: string, code: ErrorCode, what: string, param = 'Enable'): Promise<void> {
    const st = await this.status(name);
    if (!(st?.route ?? []).some((r) => r.target === '::' && r.mask === 0)) return;
    const message = `${what} would take down ${name}, which holds the IPv6 default route (maybe the way to the Controller); add another uplink first`;
    throw new UspError(code, message, { paramErrors: code === ErrorCode.InvalidValue ? [{ param, message, code }] : undefined });
  }

  /** The section an added Client runs on: an interface without addressing, or 7012/7025 saying why not. */
  async unaddressed(reference: Value | undefined): Promise<UciSection> {
    const name = typeof reference === 'string' && reference !== '' ? await this.ip.nameOf(reference) : undefined;
    const bad = (message: string): UspError => new UspError(ErrorCode.InvalidValue, `Interface: ${message}`, { paramErrors: [{ param: 'Interface', message, code: ErrorCode.InvalidValue }] });
    if (name === undefined) throw bad('name the Device.IP.Interface the DHCPv6 client is to run on');
    const s = interfaceSections(await this.ctx.uci('network')).find((x) => x.name === name);
    const proto = s ? stringOption(s.options.proto) : undefined;
    if (proto === 'dhcpv6') throw duplicateKey('Interface', `${name} runs a DHCPv6 client already`);
    if (!s || proto !== 'none') throw bad(`${name} is ${proto ? `proto '${proto}'` : 'no UCI interface'}: only an interface without addressing (proto 'none') becomes a DHCPv6 client`);
    return s;
  }

  async write(changes: UciChange[]): Promise<void> {
    await this.uci.apply('network', changes, NETWORK_RELOAD);
    this.ctx.forgetUci('network');
    this.ctx.forget('network.interface', 'dump');
  }
}

/** Serves Device.DHCPv6.Client.{i}. with Server.{i}, SentOption.{i} and ReceivedOption.{i} over network's dhcpv6 sections. */
export function registerOpenWrtDHCPv6Clients(ctx: OpenWrtContext, ip: IPInterfaces, uci: UciWriter): void {
  const c = new OpenWrtDhcpv6Clients(ctx, ip, uci);
  const sent = new Dhcpv6SentOptions(c);
  /** A new Interface: the client moves there in one commit, keeping its instance number and its SentOption rows'. */
  const move = async (s: UciSection, changes: Record<string, Value>): Promise<void> => {
    const target = await c.unaddressed(changes.Interface);
    await c.refuseDefaultRoute(s.name, ErrorCode.InvalidValue, 'Moving the DHCPv6 client', 'Interface');
    const { changes: moving, moved } = clientMoveChanges(s, target, changes.Enable);
    const rest = Object.fromEntries(Object.entries(changes).filter(([k]) => k !== 'Interface' && k !== 'Enable'));
    await c.write([...moving, ...clientChanges(moved, clientConfig(moved), rest)]);
    c.rows.rekey([[s.name, target.name]]);
    sent.follow(s.name, target.name);
  };
  const renew = async ({ keys }: { keys: InstanceKeys }): Promise<Record<string, Value>> => {
    const s = await c.section(keys[0]);
    if (!sectionEnabled(s)) throw new UspError(ErrorCode.CommandFailure, `the DHCPv6 client of ${s.name} is disabled`);
    await ctx.runner.run('ubus', ['call', `network.interface.${s.name}`, 'renew']).catch((e: unknown) => {
      throw new UspError(ErrorCode.CommandFailure, `netifd did not renew ${s.name}: ${e instanceof Error ? e.message : String(e)}`);
    });
    return {};
  };
  const stateOf = async (n: number | undefined): Promise<Odhcp6cState | undefined> => {
    const s = await c.section(n);
    return sectionEnabled(s) ? c.state(await c.status(s.name)) : undefined;
  };

  ctx.model.register(CLIENT, {
    params: CLIENT_PARAMS,
    writable: CLIENT_WRITABLE,
    changesOnlyThroughAgent: false,
    commands: { 'Renew()': { run: renew } },
    list: () => c.list(),
    rowIdentity: ([n]) => c.rows.keyOf(n),
    get: async ([n]) => {
      const s = await c.section(n);
      const st = await c.status(s.name);
      const values = clientConfig(s);
      const clientid = stringOption(s.options.clientid);
      values.Interface = await ip.pathOf(s.name);
      values.DUID = clientid !== undefined && /^([0-9a-fA-F]{2})+$/.test(clientid) ? clientid.toUpperCase() : duidOfMac(await c.macOf(st?.l3_device ?? st?.device));
      values.Status = values.Enable !== true ? 'Disabled' : st ? 'Enabled' : 'Error';
      return { ...values, RapidCommit: false, SuggestedT1: -1, SuggestedT2: -1 };
    },
    set: async ([n], changes) => {
      const s = await c.section(n);
      if (changes.Interface !== undefined) {
        canonicalizeReferences(changes, ['Interface']);
        if (changes.Interface !== (await ip.pathOf(s.name))) return move(s, changes);
        // The Interface it has already: nothing to move.
        changes = Object.fromEntries(Object.entries(changes).filter(([k]) => k !== 'Interface'));
      }
      const planned = clientChanges(s, clientConfig(s), changes);
      if (changes.Enable === false && sectionEnabled(s)) await c.refuseDefaultRoute(s.name, ErrorCode.InvalidValue, 'Enable false');
      if (planned.length > 0) await c.write(planned);
    },
    add: async (_parent, params) => {
      canonicalizeReferences(params, ['Interface']);
      const s = await c.unaddressed(params.Interface);
      await c.write(clientAddChanges(s, params));
      return c.rows.numberOf(s.name);
    },
    delete: async ([n]) => {
      const s = await c.section(n);
      await c.refuseDefaultRoute(s.name, ErrorCode.DeleteFailure, 'Deleting the DHCPv6 client');
      await c.write(clientDeleteChanges(s));
      c.rows.retire(s.name);
      sent.forget(s.name);
    },
  });
  ctx.model.register(`${CLIENT}Server.{i}.`, {
    params: ['SourceAddress', 'DUID', 'InformationRefreshTime'],
    changesOnlyThroughAgent: false,
    list: async ([n]) => ((await stateOf(n))?.servers ?? []).map((_, i) => i + 1),
    get: async ([n, k]) => {
      const server = (await stateOf(n))?.servers[k! - 1];
      if (server === undefined) throw noSuchInstance('DHCPv6 server', k);
      return { SourceAddress: server, DUID: '', InformationRefreshTime: UNKNOWN_TIME };
    },
  });
  ctx.model.register(`${CLIENT}SentOption.{i}.`, sent);
  ctx.model.register(`${CLIENT}ReceivedOption.{i}.`, {
    params: ['Tag', 'Value', 'Server'],
    changesOnlyThroughAgent: false,
    list: async ([n]) => ((await stateOf(n))?.received ?? []).map((_, i) => i + 1),
    get: async ([n, k]) => {
      const st = await stateOf(n);
      const o = st?.received[k! - 1];
      if (!o) throw noSuchInstance('received option', k);
      // odhcp6c keeps one server's options: the first it lists.
      return { ...o, Server: st!.servers.length > 0 ? `Device.DHCPv6.Client.${n}.Server.1` : '' };
    },
  });
}
