/**
 * Device.USB. over any UsbSource (usb-rows.ts): Port.{i} (USBPort:1), Interface.{i} and its Stats
 * (USBInterface:1), USBHosts.Host.{i} with Device.{i}, Configuration.{i} and its Interface.{i}
 * (USBHostsBasic:1, USBHostsAdv:1). The NumberOfEntries parameters follow from the tables.
 * Host Enable, PowerManagementEnable and Reset(), and Interface Enable, are writable only where
 * the source can make them take effect. Bindings are classes: one copy of their methods for a
 * fleet of simulated gateways.
 */
import type { CommandBinding, InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { StatusSeen } from '../status-seen.js';
import type { UsbConfigurationRow, UsbDeviceRow, UsbHostRow, UsbNetRow, UsbPortRow, UsbSource } from './usb-rows.js';

export const USB_PORT_ROW = 'Device.USB.Port.{i}.';
export const USB_INTERFACE_ROW = 'Device.USB.Interface.{i}.';
export const USB_HOST_ROW = 'Device.USB.USBHosts.Host.{i}.';
const DEVICE_ROW = `${USB_HOST_ROW}Device.{i}.`;
const CONFIG_ROW = `${DEVICE_ROW}Configuration.{i}.`;

/** Device.USB. and Device.USB.USBHosts. serve only their derived NumberOfEntries: one binding for a whole fleet. */
const COUNTS_ONLY: ObjectBinding = { params: [], get: () => ({}) };

const PORT_PARAMS = ['Name', 'Standard', 'Type', 'Receptacle', 'Rate', 'Power'] as const;
const INTERFACE_PARAMS = ['Enable', 'Status', 'Name', 'LastChange', 'LowerLayers', 'Upstream', 'MaxBitRate', 'MACAddress', 'Port'] as const;
const HOST_PARAMS = ['Enable', 'Name', 'Type', 'PowerManagementEnable', 'USBVersion'] as const;
const DEVICE_PARAMS = [
  'DeviceNumber',
  'USBVersion',
  'DeviceClass',
  'DeviceSubClass',
  'DeviceVersion',
  'DeviceProtocol',
  'ProductID',
  'VendorID',
  'Manufacturer',
  'ProductClass',
  'SerialNumber',
  'Port',
  'USBPort',
  'Rate',
  'Parent',
  'MaxChildren',
  'IsSuspended',
  'IsSelfPowered',
] as const;

const gone = (what: string, n: number | undefined): UspError => new UspError(ErrorCode.ObjectDoesNotExist, `no USB ${what} ${n ?? ''} (unplugged?)`.trim());

/** The rows of one source with their instance numbers (per device: a fleet gateway makes them when first read). */
class UsbRows {
  readonly ports = new InstanceMap();
  readonly interfaces = new InstanceMap();
  readonly hosts = new InstanceMap();
  /** Device numbers per host: each Host's Device table counts from 1. */
  private readonly deviceMaps = new Map<string, InstanceMap>();
  private seen: StatusSeen | undefined;

  constructor(
    readonly source: UsbSource,
    private readonly now: () => number,
  ) {}

  lastChange(row: UsbNetRow): number {
    this.seen ??= new StatusSeen(this.now);
    return this.seen.lastChange(row.name, row.status);
  }

  devices(host: string): InstanceMap {
    let m = this.deviceMaps.get(host);
    if (!m) this.deviceMaps.set(host, (m = new InstanceMap()));
    return m;
  }

  async port(n: number): Promise<UsbPortRow> {
    const name = this.ports.keyOf(n);
    const row = name === undefined ? undefined : (await this.source.snapshot()).ports.find((p) => p.name === name);
    if (!row) throw gone('port', n);
    return row;
  }

  async netdev(n: number): Promise<UsbNetRow> {
    const name = this.interfaces.keyOf(n);
    const row = name === undefined ? undefined : (await this.source.snapshot()).interfaces.find((p) => p.name === name);
    if (!row) throw gone('interface', n);
    return row;
  }

  async host(n: number): Promise<UsbHostRow> {
    const name = this.hosts.keyOf(n);
    const row = name === undefined ? undefined : (await this.source.snapshot()).hosts.find((h) => h.name === name);
    if (!row) throw gone('host', n);
    return row;
  }

  async device(keys: InstanceKeys): Promise<{ host: UsbHostRow; device: UsbDeviceRow }> {
    const host = await this.host(keys[0]);
    const key = this.devices(host.name).keyOf(keys[1]);
    const device = key === undefined ? undefined : host.devices.find((d) => d.key === key);
    if (!device) throw gone('device', keys[1]);
    return { host, device };
  }

  async configuration(keys: InstanceKeys): Promise<UsbConfigurationRow> {
    const { device } = await this.device(keys);
    const c = device.configurations[keys[2] - 1];
    if (!c) throw gone('configuration', keys[2]);
    return c;
  }

  /** A reference to Port row `name` ("" when it is not a row now: TR-181's empty reference). */
  portRef(name: string | undefined): string {
    const n = name === undefined ? undefined : this.ports.peek(name);
    return n === undefined ? '' : `Device.USB.Port.${n}`;
  }
}

class PortBinding implements ObjectBinding {
  readonly params = PORT_PARAMS;
  constructor(private readonly rows: UsbRows) {}
  async list(): Promise<number[]> {
    return this.rows.ports.list((await this.rows.source.snapshot()).ports.map((p) => p.name));
  }
  async get([n]: InstanceKeys): Promise<Record<string, Value>> {
    const p = await this.rows.port(n);
    return { Name: p.name, Standard: p.standard, Type: p.type, Receptacle: p.receptacle, Rate: p.rate, Power: p.power };
  }
  rowIdentity(keys: InstanceKeys): string | undefined {
    return this.rows.ports.keyOf(keys[0]);
  }
}

class InterfaceBinding implements ObjectBinding {
  readonly params = INTERFACE_PARAMS;
  readonly writable: readonly string[];
  constructor(private readonly rows: UsbRows) {
    // LowerLayers: a USB interface is the lowest layer (TR-181), it stacks on no other interface.
    this.writable = rows.source.setInterfaceEnable ? ['Enable'] : [];
  }
  async list(): Promise<number[]> {
    // List the rows before a reference to them (Port) is read.
    const snap = await this.rows.source.snapshot();
    this.rows.ports.list(snap.ports.map((p) => p.name));
    return this.rows.interfaces.list(snap.interfaces.map((i) => i.name));
  }
  async get([n]: InstanceKeys): Promise<Record<string, Value>> {
    const r = await this.rows.netdev(n);
    return {
      Enable: r.enable,
      Status: r.status,
      Name: r.name,
      LastChange: r.lastChange ?? this.rows.lastChange(r),
      LowerLayers: '',
      Upstream: r.upstream,
      MaxBitRate: r.maxBitRate,
      MACAddress: r.macAddress,
      Port: this.rows.portRef(r.port),
    };
  }
  async set([n]: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const r = await this.rows.netdev(n);
    if (changes.Enable !== undefined && changes.Enable !== r.enable) await this.rows.source.setInterfaceEnable!(r.name, changes.Enable === true, `Device.USB.Interface.${n}.Enable`);
  }
  rowIdentity(keys: InstanceKeys): string | undefined {
    return this.rows.interfaces.keyOf(keys[0]);
  }
}

class InterfaceStatsBinding implements ObjectBinding {
  readonly params: readonly string[];
  constructor(private readonly rows: UsbRows) {
    this.params = rows.source.statsParams;
  }
  async get([n]: InstanceKeys): Promise<Record<string, Value>> {
    return this.rows.source.stats((await this.rows.netdev(n)).name);
  }
}

class HostBinding implements ObjectBinding {
  readonly params = HOST_PARAMS;
  readonly writable: readonly string[];
  readonly commands?: Readonly<Record<string, CommandBinding>>;
  constructor(private readonly rows: UsbRows) {
    const control = rows.source.hostControl;
    this.writable = control ? ['Enable', 'PowerManagementEnable'] : [];
    if (control) {
      this.commands = {
        'Reset()': {
          run: async ({ keys }) => {
            const h = await this.rows.host(keys[0]);
            // A disabled host has nothing to reset: resetting would switch it on.
            if (!h.enable) throw new UspError(ErrorCode.CommandFailure, `USB host ${h.name} is disabled: set Enable true first`);
            await control.reset(h.name);
            return {};
          },
        },
      };
    }
  }
  async list(): Promise<number[]> {
    return this.rows.hosts.list((await this.rows.source.snapshot()).hosts.map((h) => h.name));
  }
  async get([n]: InstanceKeys): Promise<Record<string, Value>> {
    const h = await this.rows.host(n);
    return { Enable: h.enable, Name: h.name, Type: h.type, PowerManagementEnable: h.powerManagement, USBVersion: h.usbVersion };
  }
  async set([n]: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    const h = await this.rows.host(n);
    const control = this.rows.source.hostControl!;
    if (changes.PowerManagementEnable !== undefined && changes.PowerManagementEnable !== h.powerManagement) await control.setPowerManagement(h.name, changes.PowerManagementEnable === true);
    if (changes.Enable !== undefined && changes.Enable !== h.enable) await control.setEnable(h.name, changes.Enable === true);
  }
  rowIdentity(keys: InstanceKeys): string | undefined {
    return this.rows.hosts.keyOf(keys[0]);
  }
}

class DeviceBinding implements ObjectBinding {
  readonly params = DEVICE_PARAMS;
  constructor(private readonly rows: UsbRows) {}
  async list([h]: InstanceKeys): Promise<number[]> {
    const host = await this.rows.host(h);
    // Every device of the host numbered at once, parents first, so Parent always names a row.
    return this.rows.devices(host.name).list(host.devices.map((d) => d.key));
  }
  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const { host, device: d } = await this.rows.device(keys);
    const parent = d.parent === undefined ? undefined : this.rows.devices(host.name).peek(d.parent);
    if (d.usbPort !== undefined) this.rows.ports.list((await this.rows.source.snapshot()).ports.map((p) => p.name));
    return {
      DeviceNumber: d.deviceNumber,
      USBVersion: d.usbVersion,
      DeviceClass: d.deviceClass,
      DeviceSubClass: d.deviceSubClass,
      DeviceVersion: d.deviceVersion,
      DeviceProtocol: d.deviceProtocol,
      ProductID: d.productId,
      VendorID: d.vendorId,
      Manufacturer: d.manufacturer,
      ProductClass: d.productClass,
      SerialNumber: d.serialNumber,
      Port: d.port,
      USBPort: this.rows.portRef(d.usbPort),
      Rate: d.rate,
      Parent: parent === undefined ? '' : `Device.USB.USBHosts.Host.${keys[0]}.Device.${parent}`,
      MaxChildren: d.maxChildren,
      IsSuspended: d.suspended,
      IsSelfPowered: d.selfPowered,
    };
  }
  rowIdentity(keys: InstanceKeys): string | undefined {
    const host = this.rows.hosts.keyOf(keys[0]);
    return host === undefined ? undefined : this.rows.devices(host).keyOf(keys[1]);
  }
}

/** Configuration n is the device's n-th (by ConfigurationNumber): a plugged device's list never changes. */
class ConfigurationBinding implements ObjectBinding {
  readonly params = ['ConfigurationNumber'] as const;
  constructor(private readonly rows: UsbRows) {}
  async list(keys: InstanceKeys): Promise<number[]> {
    return (await this.rows.device(keys)).device.configurations.map((_, i) => i + 1);
  }
  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    return { ConfigurationNumber: (await this.rows.configuration(keys)).number };
  }
}

class ConfigInterfaceBinding implements ObjectBinding {
  readonly params = ['InterfaceNumber', 'InterfaceClass', 'InterfaceSubClass', 'InterfaceProtocol'] as const;
  constructor(private readonly rows: UsbRows) {}
  async list(keys: InstanceKeys): Promise<number[]> {
    return (await this.rows.configuration(keys)).interfaces.map((_, i) => i + 1);
  }
  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const i = (await this.rows.configuration(keys)).interfaces[keys[3] - 1];
    if (!i) throw gone('interface', keys[3]);
    return { InterfaceNumber: i.number, InterfaceClass: i.cls, InterfaceSubClass: i.subClass, InterfaceProtocol: i.protocol };
  }
}

/** Registers Device.USB. and everything below it over `source`. */
export function registerUSB(model: DataModel, source: UsbSource, now: () => number): void {
  const rows = new UsbRows(source, now);
  model.register('Device.USB.', COUNTS_ONLY);
  model.register(USB_PORT_ROW, new PortBinding(rows));
  model.register(USB_INTERFACE_ROW, new InterfaceBinding(rows));
  model.register(`${USB_INTERFACE_ROW}Stats.`, new InterfaceStatsBinding(rows));
  model.register('Device.USB.USBHosts.', COUNTS_ONLY);
  model.register(USB_HOST_ROW, new HostBinding(rows));
  model.register(DEVICE_ROW, new DeviceBinding(rows));
  model.register(CONFIG_ROW, new ConfigurationBinding(rows));
  model.register(`${CONFIG_ROW}Interface.{i}.`, new ConfigInterfaceBinding(rows));
}
