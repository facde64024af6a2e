/**
 * What the Linux per-interface setting tables share (Device.RouterAdvertisement.InterfaceSetting
 * through radvd, Device.Routing.RIP.InterfaceSetting through bird,
 * Device.NeighborDiscovery.InterfaceSetting through the kernel's sysctls): the
 * object's own Enable kept in the store, the Interface checked on a Set and kept with the kernel
 * name of its device beside it (`$device`, as NAT does, since IP.Interface numbers are given
 * afresh at each start), and Interface and Status read back from that device.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalid, type Row } from '../stored-table.js';
import type { IpInterfaceNames } from './nat.js';

/** The stored column with the Linux device a setting row names (not a TR-181 parameter). */
export const DEVICE_KEY = '$device';

/** How a setting object's own Enable starts, and the read-only values it serves beside it. */
export interface StoredEnableOptions {
  /** Enable before a Controller sets it (default true; RIP starts off: it announces the device's networks). */
  enabledByDefault?: boolean;
  /** Read-only parameters with one value each (RIP's SupportedModes). */
  constants?: Readonly<Record<string, Value>>;
}

/**
 * Device.RouterAdvertisement. / Device.NeighborDiscovery. / Device.Routing.RIP.: Enable, kept in
 * the store (its default until a Controller says otherwise), and any constant parameters.
 */
export class StoredEnableBinding implements ObjectBinding {
  readonly params: readonly string[];
  readonly writable = ['Enable'] as const;
  readonly changesOnlyThroughAgent = true;

  constructor(
    private readonly store: DataStore,
    private readonly node: ModelNode,
    /** Makes the device follow the stored rows; a failure puts the stored Enable back. */
    private readonly apply: () => Promise<void>,
    private readonly opts: StoredEnableOptions = {},
  ) {
    this.params = ['Enable', ...Object.keys(opts.constants ?? {})];
  }

  enabled(): boolean {
    const stored = this.store.row(this.node.pathOf([]))?.Enable;
    return typeof stored === 'boolean' ? stored : (this.opts.enabledByDefault ?? true);
  }

  get(): Record<string, Value> {
    return { Enable: this.enabled(), ...this.opts.constants };
  }

  async set(_keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    if (changes.Enable === undefined) return;
    const path = this.node.pathOf([]);
    const before = this.store.row(path) ?? {};
    this.store.setRow(path, { Enable: changes.Enable === true });
    try {
      await this.apply();
    } catch (e) {
      this.store.setRow(path, before);
      throw e;
    }
  }
}

export interface SettingInterfaceRules {
  interfaces: IpInterfaceNames;
  /** 7002 unless the device is one the agent manages. */
  requireManaged(device: string, path?: string): void;
  /** Why the loopback interface cannot be named (7012). */
  loopback: string;
}

/** The check of a Set of Interface: 7012 for no IP.Interface or loopback, 7002 for a device the agent does not manage; `merged` gets the device. */
export async function checkSettingInterface(rules: SettingInterfaceRules, merged: Record<string, Value>, changes: Record<string, Value>): Promise<void> {
  if (changes.Interface === undefined) return;
  delete merged[DEVICE_KEY];
  const ref = String(changes.Interface);
  if (ref === '') return;
  const device = await rules.interfaces.nameOf(ref);
  if (device === undefined) throw invalid([{ param: 'Interface', message: `${ref} is no Device.IP.Interface row of this device` }]);
  if (device === 'lo') throw invalid([{ param: 'Interface', message: rules.loopback }]);
  rules.requireManaged(device, ref);
  merged[DEVICE_KEY] = device;
}

/**
 * A setting row's values without its device, with Interface (the IP.Interface its device is
 * now) and Status: Disabled (the row or the object off), Error_Misconfigured (no device now),
 * Error (`healthy` says the device's settings are not in force), else Enabled.
 */
export async function readSettingInterface(interfaces: IpInterfaceNames, row: Row, enabled: boolean, healthy: (device: string) => boolean): Promise<{ out: Record<string, Value>; device: unknown }> {
  const { [DEVICE_KEY]: device, ...values } = row;
  const out: Record<string, Value> = { ...values };
  const present = typeof device === 'string' ? await interfaces.pathOf(device) : undefined;
  if (present !== undefined) out.Interface = present;
  if (row.Enable !== true || !enabled) out.Status = 'Disabled';
  else if (present === undefined) out.Status = 'Error_Misconfigured';
  else out.Status = healthy(String(device)) ? 'Enabled' : 'Error';
  return { out, device };
}
