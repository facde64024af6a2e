/**
 * Device.VXLAN. of a Linux host (TR-181 VXLANBasic:1): Tunnel.{i}. and Tunnel.{i}.Interface.{i}.
 * rows are the agent's configuration, kept in its store (StoredTable) and made again at start
 * (stateLoaded), as after a reboot the kernel has none. Each Interface of an enabled Tunnel with
 * a remote endpoint, itself enabled, is one kernel VXLAN device `vxlan-usp<T>-<I>`
 * (vxlan-devices.ts): VNI from the Interface, the RemoteEndpoints address in use (the first
 * until a keepalive moves on; a multicast one
 * as the group), RemotePort as dstport, SourcePort (0: the kernel's per-flow choice), DefaultDSCPMark
 * as the outer TOS, and, when LowerLayers names an IP interface, that device and its first
 * address of the delivery family as `dev` and `local`. It is up while it exists; it is deleted
 * with its row, when its Tunnel or itself is disabled, and made again when a change touches it.
 *
 * The device's name must be managed (`--manage-interfaces vxlan-usp1-1,...` or `*`), as for the
 * bridges the agent makes: a change that would make an unmanaged one is refused (7002) and the
 * store put back. The device is an ordinary netdev: it is a Device.IP.Interface row whose
 * LowerLayers names its VXLAN Interface, and it can take addresses there.
 *
 * Status, Name and LastChange are read from sysfs and the `ip monitor link` watcher; Interface
 * Stats are the device's kernel counters, Tunnel Stats the sums over its Interfaces' devices.
 * ConnectedRemoteEndpoint is the remote address the Tunnel's devices use, while one exists.
 * KeepAlivePolicy ICMP (writable where a `ping` is found): vxlan-keepalive.ts, which moves a
 * Tunnel to its next endpoint when one stops answering. Filter.{i}. (VXLANAdv:1, where nft can be
 * used): vxlan-filter.ts, whose rules are written again each time the devices are made.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { publicValues, type Row, StoredTable } from '../stored-table.js';
import { VxlanInterfaceRules, VxlanTunnelRules } from '../vxlan-table-rules.js';
import { endpointsOf, VXLAN_INTERFACE, VXLAN_INTERFACE_DISCARDS, VXLAN_INTERFACE_STATS, VXLAN_TUNNEL, VXLAN_TUNNEL_STATS } from '../vxlan-rules.js';
import { detectDiagnosticTools } from '../diagnostics/diagnostic-tools.js';
import { registerLinuxVxlanFilters } from './vxlan-filter.js';
import { echoTargetOf, VxlanKeepAlive } from './vxlan-keepalive.js';
import type { IpLink } from './ip-addr.js';
import type { LinkChanges } from './link-changes.js';
import type { LinuxContext } from './LinuxContext.js';
import type { IpInterfaceNames } from './nat.js';
import { readCounters, registerDeviceStats } from './net-stats.js';
import { interfaceStatus } from './net-status.js';
import { addArgs, parseVxlanLinks, sameDevice, VXLAN_DEVICE_RE, type VxlanDevice, vxlanDeviceName } from './vxlan-devices.js';

const LIST_ARGS = ['-j', '-d', 'link', 'show', 'type', 'vxlan'] as const;
const PATH = 'Device.VXLAN.';

/** Where the IP interfaces' devices and addresses come from (registerIP). */
export interface VxlanUnderlay {
  names: IpInterfaceNames;
  links: () => Promise<ReadonlyMap<string, IpLink>>;
}

/** Why an Interface row has no device, or the device it wants. */
type Want = { device: VxlanDevice } | { none: 'Down' | 'LowerLayerDown' };

class LinuxVxlan {
  tunnels!: StoredTable;
  interfaces!: StoredTable;
  readonly keepAlive: VxlanKeepAlive;
  /** Called after each making of the devices (Filter rules follow them). */
  applied?: () => Promise<void>;

  constructor(
    readonly ctx: LinuxContext,
    private readonly underlay: VxlanUnderlay,
    private readonly changes: LinkChanges,
  ) {
    this.keepAlive = new VxlanKeepAlive(
      ctx.runner,
      detectDiagnosticTools().ping,
      (t) => Promise.resolve(echoTargetOf(this.tunnelRow(t))),
      // Another endpoint: the Tunnel's devices are made again toward it.
      () => this.apply(false),
    );
  }

  private tunnelRow(t: number): Row | undefined {
    return this.tunnels.rows([]).find(([n]) => n === t)?.[1];
  }

  /** The device Interface `i` of Tunnel `t` wants (see the file comment). */
  async want(t: number, i: number, tunnel: Row, iface: Row): Promise<Want> {
    if (iface.Enable !== true) return { none: 'Down' };
    const remote = this.keepAlive.endpoint(t, tunnel);
    if (tunnel.Enable !== true || remote === undefined) return { none: 'LowerLayerDown' };
    const device: VxlanDevice = {
      name: vxlanDeviceName(t, i),
      id: Number(iface.VNI),
      remote,
      port: Number(tunnel.RemotePort ?? 4789),
      srcport: Number(tunnel.SourcePort ?? 0),
      tos: Number(tunnel.DefaultDSCPMark ?? 0) << 2,
      up: true,
    };
    const ll = String(iface.LowerLayers ?? '');
    if (ll !== '') {
      const dev = await this.underlay.names.nameOf(ll);
      const family = tunnel.DeliveryHeaderProtocol === 'IPv6' ? 'inet6' : 'inet';
      const addr = dev === undefined ? undefined : (await this.underlay.links()).get(dev)?.addr_info?.find((a) => a.family === family && a.scope !== 'link');
      // The underlay has no address of the delivery family (yet): no device until it has.
      if (dev === undefined || addr === undefined) return { none: 'LowerLayerDown' };
      device.dev = dev;
      device.local = addr.local;
    }
    return { device };
  }

  /** Every device the rows want, by name. */
  private async wanted(): Promise<Map<string, VxlanDevice>> {
    const out = new Map<string, VxlanDevice>();
    for (const [t, tunnel] of this.tunnels.rows([])) {
      for (const [i, iface] of this.interfaces.rows([t])) {
        const w = await this.want(t, i, tunnel, iface);
        if ('device' in w) out.set(w.device.name, w.device);
      }
    }
    return out;
  }

  /**
   * Makes the kernel's VXLAN devices what the rows want. `strict` (a Controller's change):
   * a device whose name is not managed refuses the change; at start it is only left unmade.
   */
  async apply(strict = true): Promise<void> {
    try {
      await this.makeDevices(strict);
    } finally {
      this.keepAlive.sync(this.tunnels.rows([]));
      await this.applied?.();
    }
  }

  private async makeDevices(strict: boolean): Promise<void> {
    const wanted = await this.wanted();
    // Refused before anything changes, so a refused change leaves the kernel as it was.
    for (const want of wanted.values()) {
      if (!strict) break;
      this.ctx.ip.requireManaged(want.name, PATH);
      if (want.dev !== undefined) this.ctx.ip.requireManaged(want.dev, PATH);
    }
    const current = new Map(parseVxlanLinks(await this.ctx.runner.run('ip', LIST_ARGS)).map((d) => [d.name, d]));
    for (const [name, have] of current) {
      const want = wanted.get(name);
      if (want === undefined || !sameDevice(have, want)) {
        await this.ctx.ip.run(['link', 'del', 'dev', name], PATH);
        current.delete(name);
      }
    }
    for (const want of wanted.values()) {
      // At start, a name no longer managed (the agent restarted with other --manage-interfaces) is left unmade.
      if (!this.ctx.ip.managed.has(want.name)) continue;
      const have = current.get(want.name);
      if (!have) await this.ctx.ip.run(addArgs(want), PATH);
      if (!have?.up) await this.ctx.ip.run(['link', 'set', 'dev', want.name, 'up'], PATH);
    }
  }

  /** The netdev of Interface `keys` while it exists. */
  async deviceOf(keys: InstanceKeys): Promise<string | undefined> {
    const iface = this.interfaces.rows([keys[0]!]).find(([n]) => n === keys[1])?.[1];
    if (!iface) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${VXLAN_INTERFACE}`);
    const name = vxlanDeviceName(keys[0]!, keys[1]!);
    return (await this.ctx.files.exists(this.ctx.files.sys('class', 'net', name))) ? name : undefined;
  }

  async readInterface(keys: InstanceKeys, row: Row): Promise<Record<string, Value>> {
    const [t, i] = [keys[0]!, keys[1]!];
    const name = vxlanDeviceName(t, i);
    const out: Record<string, Value> = { ...publicValues(row), Name: name };
    const at = (a: string) => this.ctx.files.attr(this.ctx.files.sys('class', 'net', name, a));
    const [operstate, flags, carrier] = await Promise.all([at('operstate'), at('flags'), at('carrier')]);
    let status: string;
    if (operstate !== undefined) {
      status = interfaceStatus(operstate, (parseInt(flags ?? '0', 16) & 1) !== 0, carrier === '1', true);
    } else {
      const w = await this.want(t, i, this.tunnelRow(t) ?? {}, row);
      // Wanted but not there: `ip` refused it, or its name is not managed.
      status = 'none' in w ? w.none : 'Error';
    }
    out.Status = status;
    out.LastChange = this.changes.lastChange(name, status, 'stacked');
    return out;
  }

  async readTunnel(keys: InstanceKeys, row: Row): Promise<Record<string, Value>> {
    const out = publicValues(row);
    const t = keys[0]!;
    out.Status = row.Enable !== true ? 'Disabled' : endpointsOf(row.RemoteEndpoints).length === 0 || this.keepAlive.failed(t) ? 'Error' : 'Enabled';
    out.ConnectedRemoteEndpoint = '';
    if (row.Enable === true) {
      const have = parseVxlanLinks(await this.ctx.runner.run('ip', LIST_ARGS)).find((d) => VXLAN_DEVICE_RE.exec(d.name)?.[1] === String(t));
      if (have) out.ConnectedRemoteEndpoint = have.remote;
    }
    return out;
  }

  /** Tunnel.{i}.Stats: its Interfaces' device counters, summed. */
  async tunnelStats(keys: InstanceKeys): Promise<Record<string, Value>> {
    if (!this.tunnelRow(keys[0]!)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.VXLAN.Tunnel.${keys[0]}.`);
    const sums = new Map<string, bigint>(TUNNEL_COUNTERS.map((n) => [n, 0n]));
    for (const [i] of this.interfaces.rows([keys[0]!])) {
      const dev = await this.deviceOf([keys[0]!, i]).catch(() => undefined);
      if (dev === undefined) continue;
      const raw = await readCounters(this.ctx.files, dev, TUNNEL_COUNTERS);
      TUNNEL_COUNTERS.forEach((n, k) => sums.set(n, sums.get(n)! + BigInt(raw[k]?.trim() || '0')));
    }
    const out: Record<string, Value> = {};
    for (const [n, v] of sums) out[n] = n.startsWith('Errors') ? Number(v % 2n ** 32n) : v.toString();
    if (this.keepAlive.usable) {
      const k = this.keepAlive.counts(keys[0]!);
      out.KeepAliveSent = k.sent % 2 ** 32;
      out.KeepAliveReceived = k.received % 2 ** 32;
    }
    return out;
  }

  /** "Device.VXLAN.Tunnel.T.Interface.I" of the agent's device `dev`, while that row exists (IP.Interface.LowerLayers). */
  pathOf(dev: string): string | undefined {
    const m = VXLAN_DEVICE_RE.exec(dev);
    if (!m || !this.interfaces.rows([Number(m[1])]).some(([n]) => n === Number(m[2]))) return undefined;
    return `Device.VXLAN.Tunnel.${m[1]}.Interface.${m[2]}`;
  }
}

const TUNNEL_COUNTERS = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived'] as const;

/**
 * Serves Device.VXLAN.Tunnel.{i}., its Interface.{i}., both Stats and Filter.{i}. with rows kept in `store`;
 * adds to `loaded` the making of the rows' devices once the store is loaded. `pathOf(dev)` names
 * the Interface of one of them (IP.Interface.LowerLayers).
 */
export function registerLinuxVxlan(
  ctx: LinuxContext,
  store: DataStore,
  underlay: VxlanUnderlay,
  changes: LinkChanges,
  loaded: Array<() => Promise<void>>,
  stops: Array<() => void>,
): { pathOf(dev: string): string | undefined } {
  const v = new LinuxVxlan(ctx, underlay, changes);
  v.tunnels = new StoredTable(store, ctx.model.requireNode(VXLAN_TUNNEL), new VxlanTunnelRules(v));
  v.interfaces = new StoredTable(store, ctx.model.requireNode(VXLAN_INTERFACE), new VxlanInterfaceRules(v, async (ref) => (await underlay.names.nameOf(ref)) !== undefined));
  ctx.model.register(VXLAN_TUNNEL, v.tunnels);
  ctx.model.register(VXLAN_INTERFACE, v.interfaces);
  stops.push(() => v.keepAlive.stop());
  const tunnelCounters = v.keepAlive.usable ? [...TUNNEL_COUNTERS, 'KeepAliveSent', 'KeepAliveReceived'] : TUNNEL_COUNTERS;
  ctx.model.register(VXLAN_TUNNEL_STATS, { params: tunnelCounters, changesOnlyThroughAgent: false, get: (keys) => v.tunnelStats(keys) });
  registerDeviceStats(ctx, VXLAN_INTERFACE_STATS, (keys) => v.deviceOf(keys), VXLAN_INTERFACE_DISCARDS);
  v.applied = registerLinuxVxlanFilters(ctx, store, { tunnels: () => v.tunnels.list([]), interfaces: (t) => v.interfaces.list([t]) });
  loaded.push(async () => {
    try {
      await v.apply(false);
    } catch (e) {
      // The rows stay; their Status shows what the kernel refused, and the next change tries again.
      ctx.log?.warn('VXLAN devices not made at start', { error: e instanceof Error ? e.message : String(e) });
    }
  });
  return { pathOf: (dev) => v.pathOf(dev) };
}
