/**
 * What a platform sees of its USB hardware, in TR-181 terms (Device.USB.): the physical ports,
 * the USB network interfaces, and each host controller with the devices on its buses. A source
 * (sysfs on Linux and OpenWrt, the simulated gateway) fills one snapshot per read; the bindings
 * (usb-bindings.ts) serve every object from it.
 */
import type { Value } from '../../datamodel/value/Value.js';

/** TR-181 USB signalling rates (Port.Rate, Device.Rate: "Unknown" only for a device). */
export type UsbRate = 'Low' | 'Full' | 'High' | 'Super';

/** Device.USB.Port.{i}.: one physical port of the device. */
export interface UsbPortRow {
  /** Stable name, the table's functional unique key (the kernel's "usb1-port2"). */
  name: string;
  /** USB specification the port complies with ("2.0", "3.0"). */
  standard: string;
  type: 'Host' | 'Hub' | 'Device';
  receptacle: 'Standard-A' | 'Standard-B' | 'Powered-B' | 'Micro-AB' | 'Micro-B';
  /** The attached device's rate, else the fastest the port signals. */
  rate: UsbRate;
  /** Who powers the attached device; Unknown with nothing attached. */
  power: 'Self' | 'Bus' | 'Unknown';
}

/** Device.USB.USBHosts.Host.{i}.Device.{i}.Configuration.{i}.Interface.{i}. */
export interface UsbConfigInterfaceRow {
  number: number;
  /** One byte each, hex ("08"). */
  cls: string;
  subClass: string;
  protocol: string;
}

/** Device.USB.USBHosts.Host.{i}.Device.{i}.Configuration.{i}. */
export interface UsbConfigurationRow {
  number: number;
  interfaces: readonly UsbConfigInterfaceRow[];
}

/** Device.USB.USBHosts.Host.{i}.Device.{i}.: a device on one of the host's buses (hubs included, root hubs not). */
export interface UsbDeviceRow {
  /** Stable while plugged: where it sits and its address ("1-3.1#4"); a device plugged again is a new row. */
  key: string;
  deviceNumber: number;
  usbVersion: string;
  deviceClass: string;
  deviceSubClass: string;
  deviceProtocol: string;
  deviceVersion: number;
  productId: number;
  vendorId: number;
  manufacturer: string;
  productClass: string;
  serialNumber: string;
  /** Port number on its parent hub (or on the root hub). */
  port: number;
  /** Device.USB.Port row name of the root port it is plugged into directly; undefined behind a hub. */
  usbPort?: string;
  /** `key` of its parent hub; undefined on a root port. */
  parent?: string;
  rate: UsbRate | 'Unknown';
  maxChildren: number;
  suspended: boolean;
  selfPowered: boolean;
  configurations: readonly UsbConfigurationRow[];
}

/** Device.USB.USBHosts.Host.{i}.: one host controller. */
export interface UsbHostRow {
  /** Stable name, the functional unique key ("usb1"). */
  name: string;
  type: 'Unknown' | 'OHCI' | 'EHCI' | 'UHCI' | 'xHCI';
  enable: boolean;
  powerManagement: boolean;
  usbVersion: string;
  devices: readonly UsbDeviceRow[];
}

/** Device.USB.Interface.{i}.: a network interface over USB. */
export interface UsbNetRow {
  /** The netdev's name, the functional unique key. */
  name: string;
  enable: boolean;
  status: 'Up' | 'Down' | 'Unknown' | 'Dormant' | 'NotPresent' | 'LowerLayerDown' | 'Error';
  upstream: boolean;
  /** Mbit/s. */
  maxBitRate: number;
  macAddress: string;
  /** Device.USB.Port row name of the root port its device hangs off; undefined when unknown. */
  port?: string;
  /**
   * Seconds since Status last changed, where the source knows it (the simulation does); undefined:
   * counted from when the agent first read this Status.
   */
  lastChange?: number;
}

export interface UsbSnapshot {
  ports: readonly UsbPortRow[];
  hosts: readonly UsbHostRow[];
  interfaces: readonly UsbNetRow[];
}

/** Where Device.USB. comes from, and what of it a Controller can change. */
export interface UsbSource {
  /** Everything, in a stable order; one call fills every object (cached by the source). */
  snapshot(): Promise<UsbSnapshot>;
  /** The Stats parameters served (Stats of an interface: those the source counts). */
  readonly statsParams: readonly string[];
  stats(name: string): Promise<Record<string, Value>>;
  /** Host controller switches; undefined: Enable and PowerManagementEnable read-only, no Reset(). */
  readonly hostControl?: UsbHostControl;
  /** Brings a USB network interface up or down; undefined: Interface Enable read-only. */
  setInterfaceEnable?(name: string, enable: boolean, path: string): Promise<void>;
}

export interface UsbHostControl {
  setEnable(host: string, enable: boolean): Promise<void>;
  setPowerManagement(host: string, enable: boolean): Promise<void>;
  reset(host: string): Promise<void>;
}
