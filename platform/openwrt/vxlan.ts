/**
 * Device.VXLAN. on OpenWrt (TR-181 VXLANBasic:1; VXLANAdv:1 with Filter.{i}. where nft runs:
 * vxlan-filter.ts): the rows of Tunnel.{i}. and Tunnel.{i}.Interface.{i}. are kept in the
 * agent's store (their Aliases, instance numbers and a Tunnel with no Interface have no place in netifd's configuration), and
 * each Interface is written as a netifd interface section `usp_vxlan_<T>_<I>` of the `vxlan`
 * package (vxlan-sections.ts). Every change rewrites those sections, runs `uci commit network`
 * and NETWORK_RELOAD; when a step fails the staged changes are reverted, the store is put back
 * and the change answers 7003. At start (stateLoaded) the sections are found again by their
 * names and brought in line with the stored rows.
 *
 * - Served only where the package's protocol handler is installed
 *   (/lib/netifd/proto/vxlan.sh, which needs kmod-vxlan) and a store exists.
 * - Shared checks with Linux and the simulated gateway (platform/vxlan-rules.ts): endpoint
 *   family, VNI range and uniqueness, limits. Here also: a DSCP netifd cannot be given (netifdTos)
 *   is refused with 7012, and LowerLayers must name a netifd interface other than a VXLAN one.
 * - KeepAlivePolicy ICMP where a `ping` is found (busybox's on OpenWrt): the Linux pinger
 *   (linux/vxlan-keepalive.ts) echoes the endpoint in use, and after KeepAliveThreshold misses the
 *   sections are written again toward the next RemoteEndpoints address; the echo goes by the
 *   routing table (no device is named). Without a `ping` the KeepAlive parameters are read-only.
 * - Status: Interface from `ubus call network.interface dump` (up: Up; the handler's
 *   NO_WAN_LINK error: LowerLayerDown; another error, or no interface although it is enabled:
 *   Error); LastChange is netifd's uptime. Stats are the device's sysfs counters; Tunnel Stats
 *   their sums over the Tunnel's devices. The IP.Interface on top is netifd's own interface of
 *   the section (ip.ts names this Interface as its LowerLayers).
 * - fw4 is not changed: incoming VXLAN (UDP RemotePort) on the WAN needs a rule of the operator's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalid, publicValues, type Row, StoredTable } from '../stored-table.js';
import { VxlanInterfaceRules, VxlanTunnelRules } from '../vxlan-table-rules.js';
import { endpointsOf, VXLAN_INTERFACE, VXLAN_INTERFACE_DISCARDS, VXLAN_INTERFACE_STATS, VXLAN_TUNNEL, VXLAN_TUNNEL_STATS } from '../vxlan-rules.js';
import { detectDiagnosticTools } from '../diagnostics/diagnostic-tools.js';
import { echoTargetOf, VxlanKeepAlive } from '../linux/vxlan-keepalive.js';
import type { IPInterfaces } from './ip.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { NetIfStatus } from './ubus-types.js';
import { NETWORK_RELOAD, type UciWriter } from './uci.js';
import { MAX_DEVICE_NAME, netifdTos, planSections, stageSections, VXLAN_SECTION_RE, vxlanSectionName, wantedOptions } from './vxlan-sections.js';
import { filterTargets, registerOpenWrtVxlanFilters } from './vxlan-filter.js';
import { readDeviceCounters, sumCounters, TUNNEL_COUNTERS } from './vxlan-stats.js';

/** The `vxlan` package's netifd protocol handler (vxlan and vxlan6). */
export const VXLAN_PROTO_HANDLER = '/lib/netifd/proto/vxlan.sh';

/** netifd's interface status with the errors a protocol handler reported (proto_notify_error). */
type VxlanIfStatus = NetIfStatus & { errors?: Array<{ subsystem?: string; code?: string }> };

class OpenWrtVxlan {
  tunnels!: StoredTable;
  interfaces!: StoredTable;
  /** Called after each writing of the sections (the Filter rules follow them). */
  applied?: () => Promise<void>;
  readonly keepAlive: VxlanKeepAlive;

  constructor(
    readonly ctx: OpenWrtContext,
    private readonly ip: IPInterfaces,
    private readonly uci: UciWriter,
  ) {
    this.keepAlive = new VxlanKeepAlive(
      ctx.runner,
      detectDiagnosticTools().ping,
      (t) => Promise.resolve(echoTargetOf(this.tunnelRow(t))),
      // Another endpoint: the Tunnel's sections are written again toward it.
      () => this.apply(),
    );
  }

  tunnelRow(t: number): Row | undefined {
    return this.tunnels.rows([]).find(([n]) => n === t)?.[1];
  }

  /** Writes the sections the stored rows want, then the Filter rules. */
  async apply(): Promise<void> {
    try {
      await this.writeSections();
    } finally {
      this.keepAlive.sync(this.tunnels.rows([]));
      await this.applied?.();
    }
  }

  /** Only the steps that differ; nothing when all is in line. */
  private async writeSections(): Promise<void> {
    const wanted = new Map<string, Record<string, string>>();
    for (const [t, tunnel] of this.tunnels.rows([])) {
      for (const [i, iface] of this.interfaces.rows([t])) {
        const ll = String(iface.LowerLayers ?? '');
        const tunlink = ll === '' ? undefined : await this.ip.nameOf(ll);
        const name = vxlanSectionName(t, i);
        // Refused before anything is written: the store is put back.
        if (name.length > MAX_DEVICE_NAME) throw new UspError(ErrorCode.ResourcesExceeded, `device name ${name} of Device.VXLAN.Tunnel.${t}.Interface.${i} is longer than the kernel takes`);
        wanted.set(name, wantedOptions(tunnel, iface, tunlink, this.keepAlive.endpoint(t, tunnel)));
      }
    }
    this.ctx.forgetUci('network');
    const steps = planSections(await this.ctx.uci('network'), wanted);
    if (steps.length === 0) return;
    try {
      await this.uci.transact('network', (stage) => stageSections(stage, steps), NETWORK_RELOAD);
    } finally {
      this.ctx.forgetUci('network');
      this.ctx.forget('network.interface', 'dump');
    }
  }

  private async status(name: string): Promise<VxlanIfStatus | undefined> {
    const dump = await this.ctx.ubus<{ interface?: VxlanIfStatus[] }>('network.interface', 'dump');
    return dump.interface?.find((s) => s.interface === name);
  }

  async readInterface(keys: InstanceKeys, row: Row): Promise<Record<string, Value>> {
    const [t, i] = [keys[0]!, keys[1]!];
    const name = vxlanSectionName(t, i);
    const tunnel = this.tunnelRow(t) ?? {};
    const out: Record<string, Value> = { ...publicValues(row), Name: name, LastChange: 0 };
    if (row.Enable !== true) out.Status = 'Down';
    else if (tunnel.Enable !== true || endpointsOf(tunnel.RemoteEndpoints).length === 0) out.Status = 'LowerLayerDown';
    else {
      const s = await this.status(name);
      if (s?.up === true) {
        out.Status = 'Up';
        if (s.uptime !== undefined) out.LastChange = Math.max(0, Math.trunc(s.uptime));
      } else if (s?.errors?.some((e) => e.code === 'NO_WAN_LINK')) out.Status = 'LowerLayerDown';
      // Set up (a reload pending) or refused: the handler's error, or netifd without the section.
      else out.Status = s === undefined || (s.errors?.length ?? 0) > 0 ? 'Error' : 'Down';
    }
    return out;
  }

  async readTunnel(keys: InstanceKeys, row: Row): Promise<Record<string, Value>> {
    const out = publicValues(row);
    const endpoint = this.keepAlive.endpoint(keys[0]!, row);
    out.Status = row.Enable !== true ? 'Disabled' : endpoint === undefined || this.keepAlive.failed(keys[0]!) ? 'Error' : 'Enabled';
    out.ConnectedRemoteEndpoint = '';
    if (row.Enable === true && endpoint !== undefined) {
      for (const [i] of this.interfaces.rows([keys[0]!])) {
        if ((await this.status(vxlanSectionName(keys[0]!, i)))?.up === true) out.ConnectedRemoteEndpoint = endpoint;
      }
    }
    return out;
  }

  /** The device of Interface `keys` (the section's name), or 7016 for a row that does not exist. */
  deviceOf(keys: InstanceKeys): string {
    if (!this.interfaces.rows([keys[0]!]).some(([n]) => n === keys[1])) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${VXLAN_INTERFACE}`);
    return vxlanSectionName(keys[0]!, keys[1]!);
  }

  async tunnelStats(keys: InstanceKeys): Promise<Record<string, Value>> {
    if (!this.tunnelRow(keys[0]!)) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: Device.VXLAN.Tunnel.${keys[0]}.`);
    const devices = this.interfaces.rows([keys[0]!]).map(([i]) => vxlanSectionName(keys[0]!, i));
    const out = await sumCounters(this.ctx.sysNetDir, devices);
    if (this.keepAlive.usable) {
      const k = this.keepAlive.counts(keys[0]!);
      out.KeepAliveSent = k.sent % 2 ** 32;
      out.KeepAliveReceived = k.received % 2 ** 32;
    }
    return out;
  }
}

/** netifd reads the handler's `tos` back as hexadecimal: only a TOS whose hex digits are all decimal gets through. */
function checkNetifdTos(merged: Record<string, Value>, changes: Record<string, Value>): void {
  const dscp = Number(merged.DefaultDSCPMark ?? 0);
  if (changes.DefaultDSCPMark !== undefined && dscp !== 0 && netifdTos(dscp) === undefined) {
    throw invalid([{ param: 'DefaultDSCPMark', message: `netifd cannot set TOS 0x${(dscp << 2).toString(16)} on a VXLAN device (DSCP 1 to 39 only)` }]);
  }
}

/**
 * Serves Device.VXLAN.Tunnel.{i}., its Interface.{i}. and both Stats with rows kept in `store`,
 * where the `vxlan` package is installed; returns the start step (the sections brought in line
 * once the store is loaded), or undefined when not served.
 */
export function registerOpenWrtVxlan(ctx: OpenWrtContext, ip: IPInterfaces, uci: UciWriter, store: DataStore): { start(): Promise<void>; stop(): void } | undefined {
  if (!fs.existsSync(ctx.runner.executable(VXLAN_PROTO_HANDLER))) {
    ctx.log.info('Device.VXLAN. not served', { why: `the vxlan package is not installed (no ${path.basename(VXLAN_PROTO_HANDLER)} handler)` });
    return undefined;
  }
  const v = new OpenWrtVxlan(ctx, ip, uci);
  v.tunnels = new StoredTable(store, ctx.model.requireNode(VXLAN_TUNNEL), new VxlanTunnelRules(v, checkNetifdTos));
  // The underlay is a netifd interface; a VXLAN interface over another (or itself) is not taken.
  const underlayExists = async (ref: string): Promise<boolean> => {
    const name = await ip.nameOf(ref);
    return name !== undefined && !VXLAN_SECTION_RE.test(name);
  };
  v.interfaces = new StoredTable(store, ctx.model.requireNode(VXLAN_INTERFACE), new VxlanInterfaceRules(v, underlayExists));
  ctx.model.register(VXLAN_TUNNEL, v.tunnels);
  ctx.model.register(VXLAN_INTERFACE, v.interfaces);
  const rows = { tunnels: () => v.tunnels.list([]), interfaces: (t: number) => v.interfaces.list([t]) };
  v.applied = registerOpenWrtVxlanFilters(ctx, store, rows, () => filterTargets(v.tunnels.rows([]), (t) => v.interfaces.rows([t])));
  const tunnelCounters = v.keepAlive.usable ? [...TUNNEL_COUNTERS, 'KeepAliveSent', 'KeepAliveReceived'] : TUNNEL_COUNTERS;
  ctx.model.register(VXLAN_TUNNEL_STATS, { params: tunnelCounters, changesOnlyThroughAgent: false, get: (keys) => v.tunnelStats(keys) });
  const types = new Map(ctx.model.requireNode(VXLAN_INTERFACE_STATS).def.params.map((p) => [p.name, p.type]));
  const counters = readDeviceCounters(ctx.sysNetDir, types);
  ctx.model.register(VXLAN_INTERFACE_STATS, {
    params: [...counters.params, ...Object.keys(VXLAN_INTERFACE_DISCARDS)],
    changesOnlyThroughAgent: false,
    get: async (keys) => ({ ...VXLAN_INTERFACE_DISCARDS, ...(await counters.read(v.deviceOf(keys))) }),
  });
  return {
    stop: () => v.keepAlive.stop(),
    start: async () => {
      try {
        await v.apply();
      } catch (e) {
        // The rows stay; their Status shows what netifd has, and the next change tries again.
        ctx.log.warn('VXLAN sections not brought in line at start', { error: e instanceof Error ? e.message : String(e) });
      }
    },
  };
}
