/**
 * The StoredTable rules of Device.VXLAN.Tunnel.{i}. and Tunnel.{i}.Interface.{i}. shared by the
 * platforms that keep VXLAN rows in the agent's store and put them into effect themselves (Linux:
 * `ip link` devices; OpenWrt: netifd sections). A platform gives its reads, its apply step, and
 * what it adds to the shared checks (vxlan-rules.ts): OpenWrt's TOS limit, which underlays exist.
 */
import type { InstanceKeys } from '../datamodel/tree/binding.js';
import type { Value } from '../datamodel/value/Value.js';
import type { Row, TableRules } from './stored-table.js';
import {
  checkVxlanInterface,
  checkVxlanTunnel,
  MAX_VXLAN_INTERFACES,
  MAX_VXLAN_TUNNELS,
  VXLAN_INTERFACE_DEFAULTS,
  VXLAN_INTERFACE_LIVE,
  VXLAN_INTERFACE_PARAMS,
  VXLAN_INTERFACE_WRITABLE,
  VXLAN_TUNNEL_DEFAULTS,
  VXLAN_TUNNEL_LIVE,
  VXLAN_TUNNEL_PARAMS,
  VXLAN_TUNNEL_WRITABLE,
  VXLAN_TUNNEL_WRITABLE_KEEPALIVE,
} from './vxlan-rules.js';

/** What the rules need of a platform's VXLAN state. */
export interface VxlanRowsSource {
  /** Whether keepalive echoes are sent (a `ping` was found): the KeepAlive parameters are then writable. */
  readonly keepAlive: { readonly usable: boolean };
  readonly interfaces: { rows(parentKeys: InstanceKeys): Array<[number, Row]> };
  readTunnel(keys: InstanceKeys, row: Row): Promise<Record<string, Value>>;
  readInterface(keys: InstanceKeys, row: Row): Promise<Record<string, Value>>;
  /** Puts every row into effect after a change; throwing refuses it. */
  apply(): Promise<void>;
}

export class VxlanTunnelRules implements TableRules {
  readonly params = VXLAN_TUNNEL_PARAMS;
  readonly writable: readonly string[];
  readonly live = VXLAN_TUNNEL_LIVE;
  readonly max = MAX_VXLAN_TUNNELS;
  readonly defaults = VXLAN_TUNNEL_DEFAULTS;
  // Status and ConnectedRemoteEndpoint follow the device.
  readonly changesOnlyThroughAgent = false;
  constructor(
    private readonly v: VxlanRowsSource,
    /** A platform's own refusals beyond the shared checks (throws 7012). */
    private readonly platformCheck: (merged: Record<string, Value>, changes: Record<string, Value>) => void = () => undefined,
  ) {
    this.writable = v.keepAlive.usable ? VXLAN_TUNNEL_WRITABLE_KEEPALIVE : VXLAN_TUNNEL_WRITABLE;
  }
  check(_keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Record<string, Value> {
    checkVxlanTunnel(merged, changes);
    this.platformCheck(merged, changes);
    return merged;
  }
  read(keys: InstanceKeys, row: Row): Promise<Record<string, Value>> {
    return this.v.readTunnel(keys, row);
  }
  apply(): Promise<void> {
    return this.v.apply();
  }
}

export class VxlanInterfaceRules implements TableRules {
  readonly params = VXLAN_INTERFACE_PARAMS;
  readonly writable = VXLAN_INTERFACE_WRITABLE;
  readonly live = VXLAN_INTERFACE_LIVE;
  readonly max = MAX_VXLAN_INTERFACES;
  readonly references = ['LowerLayers'] as const;
  readonly defaults = VXLAN_INTERFACE_DEFAULTS;
  readonly changesOnlyThroughAgent = false;
  constructor(
    private readonly v: VxlanRowsSource,
    /** Whether an IP.Interface path may be the underlay (LowerLayers). */
    private readonly underlayExists: (ref: string) => Promise<boolean>,
  ) {}
  check(keys: InstanceKeys, merged: Record<string, Value>, changes: Record<string, Value>): Promise<Record<string, Value>> {
    return checkVxlanInterface(keys[1]!, merged, changes, this.v.interfaces.rows([keys[0]!]), this.underlayExists);
  }
  read(keys: InstanceKeys, row: Row): Promise<Record<string, Value>> {
    return this.v.readInterface(keys, row);
  }
  apply(): Promise<void> {
    return this.v.apply();
  }
}
