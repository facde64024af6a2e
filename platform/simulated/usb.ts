/**
 * Device.USB. of the simulated gateway: one USB 3 (xHCI) host controller with two ports on the
 * back panel, a 32 GB USB 3 flash drive in port 1 and a USB 3 Gigabit Ethernet adapter in port 2
 * whose eth1 is USB.Interface.1 (usb-ethernet.ts: its Enable takes it up and down). Host Enable,
 * PowerManagementEnable and Reset() act on the simulation: a disabled host shows no device and
 * empty ports; with power management on, the idle drive is suspended (IsSuspended); a reset
 * enumerates both devices again under the bus's next addresses (new Device rows, as on Linux).
 *
 * Every port, host and device row is a module constant shared by a fleet (eth1's row is made
 * when read); a gateway keeps state only after something reads or changes it (small objects),
 * and builds its bindings the first time something reads Device.USB. (a deferred group).
 */
import { registerUSB } from '../usb/usb-bindings.js';
import type { UsbDeviceRow, UsbHostControl, UsbHostRow, UsbPortRow, UsbSnapshot, UsbSource } from '../usb/usb-rows.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { SimContext } from './SimContext.js';
import { ADAPTER_NETDEV, adapterDevice, UsbEthernet } from './usb-ethernet.js';
// Every Stats counter the simulation serves: a simulated USB interface would count them all.
import { STATS_PARAMS } from './traffic.js';

const HOST = 'usb1';
const port = (k: number, withDrive: boolean): UsbPortRow =>
  Object.freeze({ name: `${HOST}-port${k}`, standard: '3.0', type: 'Host', receptacle: 'Standard-A', rate: 'Super', power: withDrive ? 'Bus' : 'Unknown' });
const PORTS_WITH_DEVICES: readonly UsbPortRow[] = Object.freeze([port(1, true), port(2, true)]);
const EMPTY_PORTS: readonly UsbPortRow[] = Object.freeze([port(1, false), port(2, false)]);

/** The flash drive at bus address `devnum` (2 after boot: the root hub is 1); idle, it is suspended while the host's power management is on. */
function drive(devnum: number, suspended: boolean): UsbDeviceRow {
  return Object.freeze({
    key: `1-1#${devnum}`,
    deviceNumber: devnum,
    usbVersion: '3.2',
    deviceClass: '00',
    deviceSubClass: '00',
    deviceProtocol: '00',
    deviceVersion: 0x0100,
    productId: 0x5591,
    vendorId: 0x0781,
    manufacturer: 'SanDisk',
    productClass: 'Ultra Flair',
    serialNumber: '4C530001230518117443',
    port: 1,
    usbPort: `${HOST}-port1`,
    rate: 'Super',
    maxChildren: 0,
    suspended,
    selfPowered: false,
    // Mass storage, SCSI transparent command set, bulk-only transport.
    configurations: Object.freeze([Object.freeze({ number: 1, interfaces: Object.freeze([Object.freeze({ number: 0, cls: '08', subClass: '06', protocol: '50' })]) })]),
  });
}

const host = (enable: boolean, powerManagement: boolean, devices: readonly UsbDeviceRow[]): UsbHostRow =>
  Object.freeze({ name: HOST, type: 'xHCI', enable, powerManagement, usbVersion: '3.0', devices: Object.freeze(devices) });
/** What every gateway's host shows until a Controller changes it: the drive at address 2, the adapter at 3. */
const BOOT_HOSTS: readonly UsbHostRow[] = Object.freeze([host(true, true, [drive(2, true), adapterDevice(3)])]);

const noInterface = (name: string): UspError => new UspError(ErrorCode.ObjectDoesNotExist, `no USB network interface ${name}`);

/** A gateway's host after a Controller changed it. */
interface HostState {
  enable: boolean;
  powerManagement: boolean;
  devnum: number;
}

class SimulatedUsb implements UsbSource, UsbHostControl {
  readonly statsParams = STATS_PARAMS;
  readonly hostControl = this;
  private state: HostState | undefined;
  private eth: UsbEthernet | undefined;

  constructor(private readonly ctx: SimContext) {}

  private get ethernet(): UsbEthernet {
    return (this.eth ??= new UsbEthernet(this.ctx));
  }

  snapshot(): Promise<UsbSnapshot> {
    const s = this.state;
    if (!s) return Promise.resolve({ ports: PORTS_WITH_DEVICES, hosts: BOOT_HOSTS, interfaces: [this.ethernet.row()] });
    // The drive at devnum, the adapter at the next address.
    const devices = s.enable ? [drive(s.devnum, s.powerManagement), adapterDevice(s.devnum + 1)] : [];
    return Promise.resolve({ ports: s.enable ? PORTS_WITH_DEVICES : EMPTY_PORTS, hosts: [host(s.enable, s.powerManagement, devices)], interfaces: s.enable ? [this.ethernet.row()] : [] });
  }

  stats(name: string): Promise<Record<string, Value>> {
    if (name !== ADAPTER_NETDEV || this.state?.enable === false) return Promise.reject(noInterface(name));
    return Promise.resolve(this.ethernet.stats());
  }

  /** eth1 up or down (`ip link set eth1 up|down`). */
  setInterfaceEnable(name: string, enable: boolean): Promise<void> {
    if (name !== ADAPTER_NETDEV || this.state?.enable === false) return Promise.reject(noInterface(name));
    this.ethernet.setEnable(enable);
    return Promise.resolve();
  }

  private get changed(): HostState {
    return (this.state ??= { enable: true, powerManagement: true, devnum: 2 });
  }

  setEnable(_host: string, enable: boolean): Promise<void> {
    const s = this.changed;
    // Switched on again, both devices are enumerated anew (eth1 is a new netdev).
    if (enable && !s.enable) {
      s.devnum += 2;
      this.ethernet.renew();
    }
    s.enable = enable;
    return Promise.resolve();
  }

  setPowerManagement(_host: string, enable: boolean): Promise<void> {
    this.changed.powerManagement = enable;
    return Promise.resolve();
  }

  reset(): Promise<void> {
    this.changed.devnum += 2;
    this.ethernet.renew();
    return Promise.resolve();
  }
}

/** Registers the gateway's Device.USB. */
export function registerUsbSim(ctx: SimContext): void {
  registerUSB(ctx.model, new SimulatedUsb(ctx), ctx.now);
}
