/**
 * Device.DHCPv6.Client.{i}. of the simulated gateway (TR-181 DHCPv6Client:1): the DHCPv6 client
 * on the WAN, wwan0 (Device.IP.Interface.2), with which a 5G router asks the network for its
 * delegated prefix (3GPP TS 23.401 §5.3.1.2.6). The gateway ships with no Client row; a
 * Controller adds one (persisted) with its SentOption rows. While the row is enabled and the data
 * session has IPv6, the network's DHCPv6 server (the PDN gateway, one Server row) answers it:
 *
 * - RequestPrefixes: IA_PD (25) with the /56 wwan0 has (IP.Interface.2.IPv6Prefix.2, ipv6-plan.ts);
 * - RequestAddresses: IA_NA (3) with status NoAddrsAvail, as a 3GPP network never assigns
 *   IA_NA addresses (the modem's address comes from the RA: TS 23.401 §5.3.1.2.2);
 * - RapidCommit: the server commits at once and answers with Rapid Commit (14);
 * - SuggestedT1/SuggestedT2 (seconds, -1 none): the server takes them while they fit the lease,
 *   else uses its own (half and 0.8 of the preferred lifetime: RFC 8415 §14.2);
 * - RequestedOptions: DNS servers (23) and domain list (24) only when asked for;
 * - SentOption: kept and sent; the network's server reflects none of them.
 *
 * Every answered option is a ReceivedOption row of the one Server. Renew() renews now.
 * At no idle cost in a fleet: the state is made at the first read, as dhcpv4-client.ts does.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { duplicateKey } from '../dhcpv4-client-options.js';
import { DHCPV6_REQUESTABLE, dhcpv6OptionProblems, optionCodeList } from '../dhcpv6-options.js';
import { canonicalizeReferences } from '../reference.js';
import { FactoryTable } from './factory-table.js';
import { WAN_INTERFACE, type IPState } from './ip.js';
import type { LanIPv6 } from './ip-ipv6.js';
import { formatIPv6, parseIPv6, parseIPv6Prefix } from './ipv6.js';
import { hash32 } from './random.js';
import { dateTime, invalidParams, nth, type SimContext, WritableRows } from './SimContext.js';
import { StoredRowsBinding } from './stored-rows-binding.js';

const CLIENT = 'Device.DHCPv6.Client.{i}.';
const SENT = `${CLIENT}SentOption.{i}.`;
const MAX_CLIENTS = 2;
const MAX_OPTIONS = 8;
const NO_ROWS = [] as const;
/** The PDN gateway's link-local address, the source of its replies. */
const SERVER_ADDRESS = 'fe80::1';
/** Two resolvers of the network (RFC 3849 documentation addresses). */
const DNS_V6 = ['2001:db8:53::1', '2001:db8:53::2'] as const;
/** Domain search list "example.net" in DNS wire format (RFC 1035 §3.1). */
const DOMAIN_LIST = '076578616D706C65036E657400';
const PD_PREFERRED_S = 43_200;
const PD_VALID_S = 86_400;
const CLIENT_STORED = ['Enable', 'Alias', 'Interface', 'RequestAddresses', 'RequestPrefixes', 'RapidCommit', 'SuggestedT1', 'SuggestedT2', 'RequestedOptions'] as const;
const CLIENT_PARAMS = [...CLIENT_STORED, 'Status', 'DUID', 'SupportedOptions'] as const;
const CLIENT_DEFAULTS: Readonly<Record<string, Value>> = {
  Enable: false,
  Alias: '',
  Interface: '',
  RequestAddresses: true,
  RequestPrefixes: false,
  RapidCommit: false,
  SuggestedT1: -1,
  SuggestedT2: -1,
  RequestedOptions: '',
};
const SENT_PARAMS = ['Enable', 'Alias', 'Tag', 'Value'] as const;
const SENT_DEFAULTS: Readonly<Record<string, Value>> = { Enable: false, Alias: '', Tag: 0, Value: '' };
const SERVER_PARAMS = ['SourceAddress', 'DUID', 'InformationRefreshTime'] as const;
const RECEIVED_PARAMS = ['Tag', 'Value', 'Server'] as const;

const hex = (n: number, bytes: number): string =>
  n
    .toString(16)
    .padStart(bytes * 2, '0')
    .toUpperCase();
const option = (code: number, data: string): string => hex(code, 2) + hex(data.length / 2, 2) + data;
const address = (text: string): string => (parseIPv6(text) ?? 0n).toString(16).padStart(32, '0').toUpperCase();

/** One gateway's client tables, made at the first use. */
class ClientState {
  readonly clients: FactoryTable;
  readonly rows: WritableRows;
  readonly sent: FactoryTable;
  readonly sentRows: WritableRows;
  readonly renewedAt = new Map<number, number>();

  constructor(
    readonly ctx: SimContext,
    readonly ip: IPState,
    readonly lanV6: LanIPv6,
  ) {
    this.clients = new FactoryTable(ctx, CLIENT, NO_ROWS, MAX_CLIENTS);
    this.rows = new WritableRows(ctx, CLIENT, CLIENT_DEFAULTS);
    this.sent = new FactoryTable(ctx, SENT, NO_ROWS, MAX_OPTIONS);
    this.sentRows = new WritableRows(ctx, SENT, SENT_DEFAULTS);
  }

  /** The gateway's DUID-UUID (RFC 6355): type 4 and 16 bytes drawn from the seed. */
  duid(): string {
    return `0004${[0, 1, 2, 3].map((i) => hex(hash32(this.ctx.seed, 'dhcpv6-duid', i), 4)).join('')}`;
  }

  /** The server's DUID-EN (RFC 8415 §11.3): type 2, an enterprise number and an identifier. */
  serverDuid(): string {
    return `0002000028AF${hex(hash32(this.ctx.seed, 'dhcpv6-server'), 4)}`;
  }

  /** Whether client `n` is answered now: enabled, on wwan0, the data session has IPv6. */
  bound(n: number): boolean {
    const row = this.rows.row([n]);
    return row.Enable === true && row.Interface === WAN_INTERFACE && this.lanV6.delegated() !== undefined;
  }

  /** T1 and T2 the server grants: the client's suggestion when it fits the lease, else its own. */
  timers(row: Record<string, Value>): [number, number] {
    const t1s = Number(row.SuggestedT1);
    const t2s = Number(row.SuggestedT2);
    const t1 = t1s > 0 && t1s <= PD_PREFERRED_S ? t1s : PD_PREFERRED_S / 2;
    const t2 = t2s >= t1 && t2s <= PD_VALID_S ? t2s : Math.max(t1, (PD_PREFERRED_S * 4) / 5);
    return [t1, t2];
  }

  /** The options of the server's Reply to client `n`, in the order it sends them. */
  received(n: number): Array<{ Tag: number; Value: string }> {
    if (!this.bound(n)) return [];
    const row = this.rows.row([n]);
    const [t1, t2] = this.timers(row);
    const iaid = hex(n, 4);
    const out = [
      { Tag: 1, Value: this.duid() },
      { Tag: 2, Value: this.serverDuid() },
    ];
    // RFC 8415 §21.13: status NoAddrsAvail (2) inside the IA_NA.
    if (row.RequestAddresses === true) out.push({ Tag: 3, Value: iaid + hex(0, 4) + hex(0, 4) + option(13, '0002' + Buffer.from('no addresses', 'ascii').toString('hex').toUpperCase()) });
    const pd = this.lanV6.delegated();
    const p = pd && parseIPv6Prefix(pd.prefix);
    if (row.RequestPrefixes === true && p) {
      const iaprefix = hex(PD_PREFERRED_S, 4) + hex(PD_VALID_S, 4) + hex(p.length, 1) + p.network.toString(16).padStart(32, '0').toUpperCase();
      out.push({ Tag: 25, Value: iaid + hex(t1, 4) + hex(t2, 4) + option(26, iaprefix) });
    }
    if (row.RapidCommit === true) out.push({ Tag: 14, Value: '' });
    const wanted = optionCodeList(row.RequestedOptions) ?? [];
    if (wanted.includes(23)) out.push({ Tag: 23, Value: DNS_V6.map(address).join('') });
    if (wanted.includes(24)) out.push({ Tag: 24, Value: DOMAIN_LIST });
    return out;
  }

  check(n: number, changes: Record<string, Value>): void {
    canonicalizeReferences(changes, ['Interface']);
    const bad: Array<{ param: string; message: string }> = [];
    const ref = changes.Interface;
    if (ref !== undefined && ref !== '' && ref !== WAN_INTERFACE)
      bad.push({ param: 'Interface', message: `the gateway's DHCPv6 client runs on the WAN, wwan0 (${WAN_INTERFACE}), not ${String(ref)}` });
    for (const param of ['SuggestedT1', 'SuggestedT2'] as const) {
      const v = changes[param];
      if (v !== undefined && Number(v) < -1) bad.push({ param, message: 'is -1 (no suggestion) or a number of seconds' });
    }
    const wanted = changes.RequestedOptions === undefined ? [] : optionCodeList(changes.RequestedOptions);
    const known = new Set<number>(DHCPV6_REQUESTABLE);
    if (wanted === undefined || wanted.some((t) => !known.has(t))) bad.push({ param: 'RequestedOptions', message: `the client can ask for ${DHCPV6_REQUESTABLE.join(',')}` });
    if (bad.length > 0) throw invalidParams(bad);
    if (ref !== undefined && ref !== '') {
      const other = this.clients.list([]).find((m) => m !== n && this.rows.row([m]).Interface === ref);
      if (other !== undefined) throw duplicateKey('Interface', `Device.DHCPv6.Client.${other}. already runs on ${String(ref)}`);
    }
  }

  checkSent(keys: InstanceKeys, changes: Record<string, Value>): void {
    const parent = keys.slice(0, -1);
    const siblings = this.sent.list(parent).map((m) => [m, this.sentRows.row([...parent, m])] as const);
    const bad = dhcpv6OptionProblems(keys, changes, siblings);
    if (bad.length > 0) throw invalidParams(bad);
  }
}

class Holder {
  private made?: ClientState;

  constructor(
    private readonly ctx: SimContext,
    private readonly ip: IPState,
    private readonly lanV6: LanIPv6,
  ) {}

  get s(): ClientState {
    return (this.made ??= new ClientState(this.ctx, this.ip, this.lanV6));
  }
}

/** Device.DHCPv6.Client.{i}. */
class ClientBinding extends StoredRowsBinding {
  readonly params = CLIENT_PARAMS;
  readonly writable = CLIENT_STORED.filter((p) => p !== 'Alias');
  readonly commands = {
    'Renew()': {
      run: async ({ keys }: { keys: InstanceKeys }): Promise<Record<string, Value>> => {
        const s = this.h.s;
        s.clients.check(keys);
        if (s.rows.row(keys).Enable !== true) throw new UspError(ErrorCode.CommandFailure, `Device.DHCPv6.Client.${keys[0]}. is not enabled`);
        s.renewedAt.set(keys[0]!, s.ctx.now());
        return {};
      },
    },
  };

  constructor(private readonly h: Holder) {
    super();
  }

  protected parentTable(): undefined {
    return undefined;
  }

  protected table(): FactoryTable {
    return this.h.s.clients;
  }

  protected rows(): WritableRows {
    return this.h.s.rows;
  }

  protected checkChanges(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.h.s.check(keys[0]!, changes);
  }

  override get(keys: InstanceKeys): Record<string, Value> {
    const s = this.h.s;
    s.clients.check(keys);
    const row = s.rows.row(keys);
    const status = row.Enable !== true ? 'Disabled' : row.Interface === WAN_INTERFACE ? 'Enabled' : 'Error_Misconfigured';
    return { ...row, Status: status, DUID: s.duid(), SupportedOptions: DHCPV6_REQUESTABLE.join(',') };
  }

  override delete(keys: InstanceKeys): void {
    super.delete(keys);
    this.h.s.renewedAt.delete(keys[0]!);
  }
}

/** Client.{i}.SentOption.{i}. */
class SentOptionBinding extends StoredRowsBinding {
  readonly params = SENT_PARAMS;

  constructor(private readonly h: Holder) {
    super();
  }

  protected parentTable(): FactoryTable {
    return this.h.s.clients;
  }

  protected table(): FactoryTable {
    return this.h.s.sent;
  }

  protected rows(): WritableRows {
    return this.h.s.sentRows;
  }

  protected checkChanges(keys: InstanceKeys, changes: Record<string, Value>): void {
    this.h.s.checkSent(keys, changes);
  }
}

/** Client.{i}.Server.{i}.: the network's server while it answers. */
class ServerBinding implements ObjectBinding {
  readonly params = SERVER_PARAMS;

  constructor(private readonly h: Holder) {}

  list([n]: InstanceKeys): number[] {
    this.h.s.clients.check([n!]);
    return this.h.s.bound(n!) ? [1] : [];
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const s = this.h.s;
    if (!s.bound(keys[0]!) || keys[1] !== 1) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such server: ${keys[1]}`);
    // The client asks again at T1 after the last exchange: when wwan0 came up, or the last Renew().
    const since = Math.max(s.ip.wanChangedAt(), s.renewedAt.get(keys[0]!) ?? 0);
    const [t1] = s.timers(s.rows.row([keys[0]!]));
    return { SourceAddress: formatIPv6(parseIPv6(SERVER_ADDRESS)!), DUID: s.serverDuid(), InformationRefreshTime: dateTime(since + t1 * 1000) };
  }
}

/** Client.{i}.ReceivedOption.{i}. */
class ReceivedOptionBinding implements ObjectBinding {
  readonly params = RECEIVED_PARAMS;

  constructor(private readonly h: Holder) {}

  list([n]: InstanceKeys): number[] {
    this.h.s.clients.check([n!]);
    return this.h.s.received(n!).map((_, i) => i + 1);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return { ...nth(this.h.s.received(keys[0]!), keys[1]), Server: `Device.DHCPv6.Client.${keys[0]}.Server.1` };
  }
}

/** Serves Device.DHCPv6.Client.{i}. with its SentOption, Server and ReceivedOption tables. */
export function registerDHCPv6Client(ctx: SimContext, ip: IPState, lanV6: LanIPv6): void {
  const h = new Holder(ctx, ip, lanV6);
  ctx.model.register(CLIENT, new ClientBinding(h));
  ctx.model.register(SENT, new SentOptionBinding(h));
  ctx.model.register(`${CLIENT}Server.{i}.`, new ServerBinding(h));
  ctx.model.register(`${CLIENT}ReceivedOption.{i}.`, new ReceivedOptionBinding(h));
}
