/**
 * What Device.DHCPv4.Server and .Relay, Device.DNS.Relay and Device.Hosts share on OpenWrt: the `dhcp` UCI
 * config (one cached `uci -q -X show dhcp`), the interfaces' IPv4 networks (the cached
 * `ubus call network.interface dump`), dnsmasq's lease file and the kernel's ARP table, and the
 * instance numbers of the rows made from UCI sections, which survive libuci renaming anonymous
 * sections after our own writes (renamesByPosition).
 *
 * Writes go through `uci` on config dhcp, `uci commit dhcp`, then the config.change event that
 * OpenWrt's `reload_config` sends procd for a committed package (DHCP_RELOAD): procd reloads
 * every service with a reload trigger on `dhcp`, dnsmasq and odhcpd alike.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { type ArpEntry, type DhcpLease, ipv4ToNumber, parseArp, parseLeases } from '../dnsmasq-leases.js';
import { type FdbEntry, type Ipv6Neighbour, parseBrforward, parseIpv6Neighbours } from './lan-neighbours.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { InterfaceDump, NetIfStatus } from './ubus-types.js';
import type { UciStage, UciWriter } from './uci.js';
import { stringOption, type UciConfig, type UciSection } from './uci-show.js';
import { moveAliases, trackedUciWrite } from './uci-tracked-write.js';

/**
 * `ubus call service event {"type":"config.change","data":{"package":"dhcp"}}`: what
 * `reload_config` runs after `uci commit dhcp`; dnsmasq's init script registers
 * `procd_add_reload_trigger "dhcp"`, so procd has it regenerate its configuration and reload.
 */
export const DHCP_RELOAD = ['ubus', 'call', 'service', 'event', JSON.stringify({ type: 'config.change', data: { package: 'dhcp' } })] as const;

/** dnsmasq.init's default lease file when the dnsmasq section names none. */
export const DEFAULT_LEASE_FILE = '/tmp/dhcp.leases';

export interface DhcpFiles {
  /** dnsmasq's lease file; default: the dnsmasq section's `leasefile`, else /tmp/dhcp.leases. */
  leaseFile?: string;
  /** The kernel's ARP table (default /proc/net/arp). */
  arpFile?: string;
  /** Where the kernel lists network devices, for a bridge's forwarding database (default /sys/class/net). */
  sysNetDir?: string;
}

/** One interface's IPv4 network, from netifd. */
export interface Network {
  iface: NetIfStatus;
  address: number;
  prefix: number;
  /** The network address (host bits zero). */
  base: number;
  broadcast: number;
}

export class DhcpState {
  /** Pool.{i}: `config dhcp` sections, by name. */
  readonly pools = new InstanceMap();
  /** StaticAddress.{i} (per pool in the model, one numbering here): `config host` sections, by name. */
  readonly hosts = new InstanceMap();
  /** Relay.Forwarding.{i}: `config relay` sections, by name. */
  readonly relays = new InstanceMap();
  /** DHCPv6.Server.Pool.{i}: the `config dhcp` sections odhcpd serves DHCPv6 on (dhcpv6-server.ts), by name. */
  readonly v6pools = new InstanceMap();
  /** RouterAdvertisement.InterfaceSetting.{i}: the `config dhcp` sections with an `ra` mode (router-advertisement.ts), by name. */
  readonly raSettings = new InstanceMap();
  /** Controller-chosen Alias values, by section name (UCI has no option for them). */
  readonly aliases = new Map<string, string>();

  constructor(
    readonly ctx: OpenWrtContext,
    private readonly uci: UciWriter,
    private readonly files: DhcpFiles = {},
  ) {}

  config(): Promise<UciConfig> {
    return this.ctx.uci('dhcp');
  }

  /** The dnsmasq section (the first; OpenWrt ships one). */
  async dnsmasq(): Promise<UciSection | undefined> {
    return (await this.config()).find((s) => s.type === 'dnsmasq');
  }

  /** Each netifd interface with an IPv4 address, by name. */
  async networks(): Promise<Map<string, Network>> {
    const dump = await this.ctx.ubus<InterfaceDump>('network.interface', 'dump');
    const out = new Map<string, Network>();
    for (const iface of dump.interface ?? []) {
      const a = iface['ipv4-address']?.[0];
      const address = a ? ipv4ToNumber(a.address) : undefined;
      if (!a || address === undefined) continue;
      const prefix = Math.max(0, Math.min(32, a.mask));
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      const base = (address & mask) >>> 0;
      out.set(iface.interface, { iface, address, prefix, base, broadcast: (base | (~mask >>> 0)) >>> 0 });
    }
    return out;
  }

  /** dnsmasq's leases now; none when the file does not exist (no client yet since boot). */
  async leases(): Promise<DhcpLease[]> {
    const file = this.files.leaseFile ?? stringOption((await this.dnsmasq())?.options.leasefile) ?? DEFAULT_LEASE_FILE;
    return parseLeases(await readOrEmpty(file));
  }

  async arp(): Promise<ArpEntry[]> {
    return parseArp(await readOrEmpty(this.files.arpFile ?? '/proc/net/arp'));
  }

  /**
   * The IPv6 neighbours (`ip -6 neigh show`, cached like a ubus answer); none when the command
   * fails, above all when the `ip` tool is not installed (stock OpenWrt images lack it): a Host
   * then has no IPv6 addresses, and nothing else fails.
   */
  async ipv6Neighbours(): Promise<Ipv6Neighbour[]> {
    try {
      return await this.ctx.runner.cached('ip', ['-6', 'neigh', 'show'], this.ctx.cacheMs, parseIpv6Neighbours);
    } catch (e) {
      this.ctx.log.debug('no IPv6 neighbours', { error: e instanceof Error ? e.message : String(e) });
      return [];
    }
  }

  /** The forwarding database of `bridge`, with each port's device name; empty when it is no bridge. */
  async fdb(bridge: string): Promise<Array<FdbEntry & { device?: string }>> {
    const dir = path.join(this.files.sysNetDir ?? '/sys/class/net', bridge);
    let ports: string[];
    try {
      ports = await fs.readdir(path.join(dir, 'brif'));
    } catch {
      return [];
    }
    const numbers = new Map<number, string>();
    for (const port of ports) numbers.set(Number(await readOrEmpty(path.join(dir, 'brif', port, 'port_no'))), port);
    const entries = parseBrforward(await fs.readFile(path.join(dir, 'brforward')).catch(() => new Uint8Array()));
    return entries.map((e) => ({ ...e, device: numbers.get(e.port) }));
  }

  /**
   * Runs one dhcp write, then reloads dnsmasq, and moves instance numbers and Aliases across
   * the section renames it caused. Resolves with the names `uci add` printed, as committed.
   */
  async write(stage: (s: UciStage) => Promise<void>): Promise<string[]> {
    const sections = async () => (await this.config()).map((s) => s.name);
    const { renames, added } = await trackedUciWrite(this.uci, 'dhcp', DHCP_RELOAD, await sections(), sections, () => this.ctx.forgetUci('dhcp'), stage);
    this.pools.rekey(renames);
    this.hosts.rekey(renames);
    this.relays.rekey(renames);
    this.v6pools.rekey(renames);
    this.raSettings.rekey(renames);
    moveAliases(this.aliases, renames);
    return added;
  }
}

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new UspError(ErrorCode.InternalError, `data source failed: ${file}: ${(e as Error).message}`);
  }
}
