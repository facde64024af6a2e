/**
 * The USB 3 Gigabit Ethernet adapter in port 2 of the simulated gateway (an ASIX AX88179, as
 * sold for adding a wired port to a router), with a PC wired to it: its USB device row, and its
 * network interface eth1, Device.USB.Interface.1 (USBInterface:1). The interface is a LAN
 * interface of its own (not in br-lan), never upstream.
 *
 * Interface Enable takes it up or down as `ip link set eth1 up|down` would: Status Up or Down
 * (LastChange follows), and its Stats stand still while it is down (the traffic model's counters
 * are closed-form functions of the time the interface has been up, traffic.ts). When the host
 * controller is switched off the adapter is gone with its interface; switched on again, or
 * reset, it is a new netdev whose counters start from 0, as the kernel's would.
 *
 * The device row is a frozen constant per bus address; a gateway keeps interface state only
 * after a Controller changes something (one small object).
 */
import type { UsbDeviceRow, UsbNetRow } from '../usb/usb-rows.js';
import type { Value } from '../../datamodel/value/Value.js';
import { Prng } from './random.js';
import type { SimContext } from './SimContext.js';
import { readStats, statsTypesAt, type TrafficProfile } from './traffic.js';

export const ADAPTER_NETDEV = 'eth1';
const STATS_PATH = 'Device.USB.Interface.{i}.Stats.';
/** The PC's traffic: mostly downloads through the gateway (what eth1 sends). */
const TRAFFIC: TrafficProfile = Object.freeze({ label: 'usb.eth1', sentRate: 40_000, receivedRate: 6_000 });

const CONFIGURATIONS = Object.freeze([Object.freeze({ number: 1, interfaces: Object.freeze([Object.freeze({ number: 0, cls: 'ff', subClass: 'ff', protocol: '00' })]) })]);
const rows = new Map<number, UsbDeviceRow>();

/** The adapter at bus address `devnum` (one frozen row per address, shared by a fleet). */
export function adapterDevice(devnum: number): UsbDeviceRow {
  let row = rows.get(devnum);
  if (!row) {
    row = Object.freeze({
      key: `1-2#${devnum}`,
      deviceNumber: devnum,
      usbVersion: '3.0',
      // Vendor-specific class: the ax88179_178a driver binds by vendor and product.
      deviceClass: 'ff',
      deviceSubClass: 'ff',
      deviceProtocol: '00',
      deviceVersion: 0x0100,
      productId: 0x1790,
      vendorId: 0x0b95,
      manufacturer: 'ASIX Elec. Corp.',
      productClass: 'AX88179',
      serialNumber: '0000249B1D3C1B',
      port: 2,
      usbPort: 'usb1-port2',
      rate: 'Super',
      maxChildren: 0,
      suspended: false,
      selfPowered: false,
      configurations: CONFIGURATIONS,
    });
    // Bus addresses grow with each re-enumeration; a handful of rows are ever made.
    if (rows.size < 64) rows.set(devnum, row);
  }
  return row;
}

/** One gateway's eth1: up or down, and how long it has been up in earlier periods. */
export class UsbEthernet {
  private enabled = true;
  /** Up time (ms) of the periods before the current one. */
  private upBefore = 0;
  /** When the current netdev appeared or last came up (ms); undefined: at boot. */
  private since: number | undefined;

  constructor(private readonly ctx: SimContext) {}

  /** The interface row (while the host controller is on). */
  row(): UsbNetRow {
    const rnd = new Prng(this.ctx.seed, 'usb-eth1');
    const mac = ['00', '0e', 'c6', ...[0, 1, 2].map(() => rnd.int(0, 255).toString(16).padStart(2, '0'))].join(':');
    // LastChange from the simulation's own state, not from when the agent first read it: a fleet
    // gateway built late must read what the same gateway built at boot reads.
    const lastChange = Math.max(0, Math.floor((this.ctx.now() - (this.since ?? this.ctx.bootedAt)) / 1000));
    return { name: ADAPTER_NETDEV, enable: this.enabled, status: this.enabled ? 'Up' : 'Down', upstream: false, maxBitRate: 1000, macAddress: mac, port: 'usb1-port2', lastChange };
  }

  /** Seconds eth1 has been up, the current period included. */
  private upSeconds(): number {
    const now = this.ctx.now();
    const current = this.enabled ? now - (this.since ?? this.ctx.bootedAt) : 0;
    return Math.max(0, this.upBefore + current) / 1000;
  }

  stats(): Record<string, Value> {
    return readStats(statsTypesAt(this.ctx.model, STATS_PATH), this.ctx.seed, TRAFFIC, this.upSeconds());
  }

  setEnable(enable: boolean): void {
    if (enable === this.enabled) return;
    const now = this.ctx.now();
    if (!enable) this.upBefore += now - (this.since ?? this.ctx.bootedAt);
    this.since = now;
    this.enabled = enable;
  }

  /** A new netdev (the adapter enumerated again): counters from 0, Enable as configured. */
  renew(): void {
    this.upBefore = 0;
    this.since = this.ctx.now();
  }
}
