/**
 * Device.DHCPv4.Relay. on generic Linux (TR-181 DHCPv4Relay:1) through the agent's dnsmasq: the
 * rows are kept in the agent's store like the DHCPv4 server's, and each Forwarding row that relays
 * is one `dhcp-relay=<local address>,<DHCPServerIPAddress>` line in the same dnsmasq file, the
 * local address being the first IPv4 address of its Interface's device now. dnsmasq then relays
 * every DHCP request arriving on that device to the server, and the server's replies back.
 *
 * - A row relays while Relay.Enable and its Enable are true, LocallyServed is false and it has a
 *   DHCPServerIPAddress. LocallyServed true leaves the requests to the Pool on that Interface, if
 *   any (TR-181: "forwarded to the CPE DHCP Server"); while a row relays, dnsmasq relays instead
 *   of serving that Interface's Pool (dnsmasq: a relay on an interface takes precedence).
 * - Status Error_Misconfigured: no Interface, its device without an IPv4 address, or
 *   LocallyServed false without a server (TR-181 drops those requests; dnsmasq cannot, so they
 *   are served by the Pool if there is one). Error while dnsmasq cannot run.
 * - dnsmasq cannot classify requests: the criteria and the one-enabled-row-per-Interface rule are
 *   dhcpv4-relay-rules.ts, shared with OpenWrt; refused with 7012 and nothing kept.
 * - Relay.Enable defaults to false (TR-181): nothing relays until a Controller or the factory
 *   defaults file switches it on.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { registerStored } from '../../datamodel/store/stored-binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { RELAY_CRITERIA, RELAY_FORWARDING_PARAMS, RELAY_FORWARDING_WRITABLE, relayConflict, relayCriteriaProblems } from '../dhcpv4-relay-rules.js';
import { formatIPv4, parseIPv4 } from '../simulated/ipv4.js';
import { invalid, type Row, StoredTable } from '../stored-table.js';
import type { Subnet } from './dnsmasq-conf.js';

const RELAY = 'Device.DHCPv4.Relay.';
const FORWARDING = 'Device.DHCPv4.Relay.Forwarding.{i}.';
/** Forwarding rows kept (one per interface relays; a bound all the same). */
export const MAX_RELAY_FORWARDING = 16;
const DEVICE_KEY = '$device';

/** What the relay needs of the agent's dnsmasq (dnsmasq.ts). */
export interface RelayHost {
  /** `merged` with `$device` for a written Interface; 7012 for a path naming no IP.Interface. */
  withDevice(merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>>;
  /** The stored values with Interface as its device's path now. */
  readInterface(row: Row): Promise<Record<string, Value>>;
  /** The IPv4 subnet of `device`'s first address now. */
  subnetOf(device: string | undefined): Promise<Subnet | undefined>;
  /** Whether dnsmasq runs (or has nothing to run). */
  running(): boolean;
  /** A row changed: the file is made again at commit. */
  changed(): void;
}

function deviceOf(row: Row): string | undefined {
  const d = row[DEVICE_KEY];
  return typeof d === 'string' && d !== '' ? d : undefined;
}

/** The rows of Device.DHCPv4.Relay. and the `dhcp-relay` lines made of them. */
export class LinuxDhcpv4Relay {
  private forwarding!: StoredTable;

  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
    private readonly host: RelayHost,
  ) {}

  register(): void {
    const { model, store, host } = this;
    registerStored(model, store, RELAY, {
      params: ['Enable', 'Status'],
      live: { Status: () => (this.relayOn() ? (host.running() ? 'Enabled' : 'Error') : 'Disabled') },
      onChange: () => host.changed(),
    });
    this.forwarding = new StoredTable(store, model.requireNode(FORWARDING), {
      params: RELAY_FORWARDING_PARAMS,
      writable: RELAY_FORWARDING_WRITABLE,
      live: new Set(['Status']),
      max: MAX_RELAY_FORWARDING,
      references: ['Interface'],
      // TR-181 Order: a row added without one comes after every other.
      initial: () => ({ Order: Math.max(0, ...this.forwarding.rows([]).map(([, r]) => Number(r.Order ?? 0))) + 1 }),
      check: async (keys, merged, changes) => {
        const bad = relayCriteriaProblems(changes);
        const server = String(merged.DHCPServerIPAddress ?? '');
        if (changes.DHCPServerIPAddress !== undefined && server !== '' && parseIPv4(server) === undefined) bad.push({ param: 'DHCPServerIPAddress', message: 'must be an IPv4 address' });
        if (bad.length > 0) throw invalid(bad);
        const row = await host.withDevice(merged, changes);
        const other = this.conflict(keys[0]!, row);
        if (other !== undefined) throw invalid([relayConflict(other, row.Interface ?? '')]);
        return row;
      },
      read: async (_keys, row) => ({ ...(await host.readInterface(row)), ...RELAY_CRITERIA, Status: await this.status(row) }),
      apply: () => host.changed(),
    });
    model.register(FORWARDING, this.forwarding);
  }

  private relayOn(): boolean {
    return this.store.row(RELAY)?.Enable === true;
  }

  /** The other enabled row on the same device as `row` (instance `self`), when `row` is enabled. */
  private conflict(self: number, row: Row): number | undefined {
    const device = deviceOf(row);
    if (row.Enable !== true || device === undefined) return undefined;
    return this.forwarding.rows([]).find(([n, r]) => n !== self && r.Enable === true && deviceOf(r) === device)?.[0];
  }

  private async status(row: Row): Promise<string> {
    if (row.Enable !== true || !this.relayOn()) return 'Disabled';
    const misconfigured = (await this.localAddress(row)) === undefined || (row.LocallyServed !== true && String(row.DHCPServerIPAddress ?? '') === '');
    return misconfigured ? 'Error_Misconfigured' : this.host.running() ? 'Enabled' : 'Error';
  }

  private async localAddress(row: Row): Promise<string | undefined> {
    const subnet = await this.host.subnetOf(deviceOf(row));
    return subnet ? formatIPv4(subnet.address) : undefined;
  }

  /** One `dhcp-relay=` line (after a comment naming the row) per row that relays, in Order. */
  async lines(): Promise<string[]> {
    if (!this.relayOn()) return [];
    const out: string[] = [];
    const rows = this.forwarding.rows([]).sort(([a, x], [b, y]) => Number(x.Order ?? 0) - Number(y.Order ?? 0) || a - b);
    for (const [n, row] of rows) {
      const server = parseIPv4(String(row.DHCPServerIPAddress ?? ''));
      if (row.Enable !== true || row.LocallyServed === true || server === undefined) continue;
      const local = await this.localAddress(row);
      if (local === undefined) continue;
      out.push(`# ${this.model.requireNode(FORWARDING).pathOf([n]).slice(0, -1)}`, `dhcp-relay=${local},${formatIPv4(server)}`);
    }
    return out;
  }
}
