/**
 * Device.USB. on Linux and OpenWrt, from the kernel's sysfs (the parsing and the mapping table:
 * usb-sysfs-parse.ts). One scan of `bus/usb/devices` and `class/net` fills every object and
 * serves reads for a second. Writes go to the root hubs' own attributes, so they take effect at
 * once and read back from the same files:
 *
 * | TR-181 (Host.{i})          | sysfs of its root hub                                              |
 * |----------------------------|--------------------------------------------------------------------|
 * | Enable                     | `authorized` 1 / 0 (0 disconnects every device on the hub)         |
 * | PowerManagementEnable      | `power/control` auto / on (runtime suspend of idle devices)        |
 * | Reset()                    | `authorized` 0 then 1: every device is disconnected and enumerated again |
 *
 * Interface.{i}.Enable is written only where the platform hands a link switch (Linux: `ip link set`
 * on interfaces it manages; OpenWrt: the netdev's netifd `config device` section, whose `enabled`
 * it then reads back as Enable, since netifd keeps a device down until an interface uses it). The Stats are the netdev's `statistics/` counters, with the agent's
 * nftables packet classes (Unicast, Broadcast, MulticastPacketsSent, UnknownProto) where in use.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { cachedSource, type CachedSource } from '../../datamodel/tree/binding-helpers.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { HostFiles } from '../linux/HostFiles.js';
import { counter } from '../linux/net-stats.js';
import { classStats, RECEIVED_CLASS_PARAMS, SENT_CLASS_PARAMS, type DeviceClassCounts } from '../linux/packet-classes.js';
import { registerUSB } from './usb-bindings.js';
import type { UsbHostControl, UsbSnapshot, UsbSource } from './usb-rows.js';
import { DEVICE, DEVICE_ATTRS, INTERFACE, INTERFACE_ATTRS, NETDEV_ATTRS, parseUsbTree, PORT_ATTRS, ROOT_HUB, type Attrs, type RawUsbTree } from './usb-sysfs-parse.js';

/** How long one scan serves every read, ms (a Get of Device.USB. reads each row's sub-objects). */
const SCAN_MS = 1000;
/** Entries of bus/usb/devices read at most (a hub tree full of devices is far below it). */
export const MAX_USB_ENTRIES = 512;
/** Network devices looked at per scan (each one `device` link read): far above a router's. */
const MAX_NETDEVS = 1024;

/** Counter file and TR-181 type of the Stats the kernel keeps for every netdev. */
const KERNEL_STATS: ReadonlyArray<readonly [string, string, 'unsignedLong' | 'unsignedInt']> = [
  ['BytesSent', 'tx_bytes', 'unsignedLong'],
  ['BytesReceived', 'rx_bytes', 'unsignedLong'],
  ['PacketsSent', 'tx_packets', 'unsignedLong'],
  ['PacketsReceived', 'rx_packets', 'unsignedLong'],
  ['ErrorsSent', 'tx_errors', 'unsignedInt'],
  ['ErrorsReceived', 'rx_errors', 'unsignedInt'],
  ['DiscardPacketsSent', 'tx_dropped', 'unsignedInt'],
  ['DiscardPacketsReceived', 'rx_dropped', 'unsignedInt'],
  ['MulticastPacketsReceived', 'multicast', 'unsignedLong'],
];

/** The agent's nftables packet counters (platform/linux/packet-classes.ts), where in use. */
export interface PacketClassSource {
  readonly egress: boolean;
  of(device: string): Promise<DeviceClassCounts | undefined>;
}

export interface SysfsUsbOptions {
  packetClasses?: PacketClassSource;
  /** Brings netdev `name` up or down (rejecting with the UspError to answer); absent: Interface Enable is read-only. */
  setLinkEnable?(name: string, enable: boolean, path: string): Promise<void>;
  /**
   * The Enable configured for netdev `name` where the platform keeps one apart from the link's
   * up flag (undefined: the flag is the Enable).
   */
  configuredEnable?(name: string): Promise<boolean | undefined>;
}

const attrOf = async (files: HostFiles, dir: string, names: readonly string[]): Promise<Attrs> => {
  const values = await Promise.all(names.map((a) => files.attr(path.join(dir, a))));
  return Object.fromEntries(names.map((a, i) => [a, values[i]]));
};

async function linkName(file: string): Promise<string | undefined> {
  try {
    return path.basename(await fs.promises.readlink(file));
  } catch {
    return undefined;
  }
}

/** Collects the attribute files parseUsbTree reads. */
export async function readUsbTree(files: HostFiles): Promise<RawUsbTree> {
  const dir = files.sys('bus', 'usb', 'devices');
  const names = (await files.list(dir)).sort().slice(0, MAX_USB_ENTRIES);
  const entries = new Map<string, Attrs>();
  const ports = new Map<string, Array<{ name: string; attrs: Attrs; peer?: string }>>();
  await Promise.all(
    names.map(async (name) => {
      const d = path.join(dir, name);
      if (ROOT_HUB.test(name) || DEVICE.test(name)) entries.set(name, await attrOf(files, d, DEVICE_ATTRS));
      else if (INTERFACE.test(name)) {
        entries.set(name, await attrOf(files, d, INTERFACE_ATTRS));
        // A root hub's interface (BUS-0:1.0) holds the hub's ports.
        const m = INTERFACE.exec(name)!;
        if (m[2] !== '0') return;
        const hub = `usb${m[1]}`;
        const list = (await files.list(d)).filter((p) => p.startsWith(`${hub}-port`));
        ports.set(hub, await Promise.all(list.map(async (p) => ({ name: p, attrs: await attrOf(files, path.join(d, p), PORT_ATTRS), peer: await linkName(path.join(d, p, 'peer')) }))));
      }
    }),
  );
  const netDir = files.sys('class', 'net');
  const netdevs: Array<{ name: string; usbInterface: string; attrs: Attrs }> = [];
  for (const name of (await files.list(netDir)).sort().slice(0, MAX_NETDEVS)) {
    const usbInterface = await linkName(path.join(netDir, name, 'device'));
    if (usbInterface === undefined || !INTERFACE.test(usbInterface)) continue;
    netdevs.push({ name, usbInterface, attrs: await attrOf(files, path.join(netDir, name), NETDEV_ATTRS) });
  }
  return { entries, ports, netdevs };
}

/** Writes one root hub attribute; a refusal is the Controller's 7012 with the kernel's reason. */
async function writeAttr(file: string, value: string): Promise<void> {
  try {
    await fs.promises.writeFile(file, value);
  } catch (e) {
    throw new UspError(ErrorCode.InvalidValue, `the kernel refused ${value} for ${path.basename(path.dirname(file))}/${path.basename(file)}: ${(e as Error).message}`);
  }
}

export class SysfsUsbSource implements UsbSource {
  private readonly scan: CachedSource<UsbSnapshot>;
  readonly statsParams: readonly string[];
  readonly hostControl: UsbHostControl;
  readonly setInterfaceEnable?: (name: string, enable: boolean, path: string) => Promise<void>;
  private readonly classParams: readonly string[];

  constructor(
    private readonly files: HostFiles,
    now: () => number,
    private readonly opts: SysfsUsbOptions = {},
  ) {
    this.scan = cachedSource(async () => this.withConfiguredEnable(parseUsbTree(await readUsbTree(files))), { maxAgeMs: SCAN_MS, now });
    const classes = opts.packetClasses;
    this.classParams = classes ? [...RECEIVED_CLASS_PARAMS, ...(classes.egress ? SENT_CLASS_PARAMS : [])] : [];
    this.statsParams = [...KERNEL_STATS.map(([p]) => p), ...this.classParams];
    const setLink = opts.setLinkEnable;
    if (setLink) {
      this.setInterfaceEnable = async (name, enable, p) => {
        await setLink(name, enable, p);
        this.scan.invalidate();
      };
    }
    this.hostControl = {
      setEnable: (host, enable) => this.writeHubs(host, 'authorized', enable ? '1' : '0'),
      setPowerManagement: (host, enable) => this.writeHubs(host, 'power/control', enable ? 'auto' : 'on'),
      reset: async (host) => {
        await this.writeHubs(host, 'authorized', '0');
        await this.writeHubs(host, 'authorized', '1');
      },
    };
  }

  snapshot(): Promise<UsbSnapshot> {
    return this.scan.read();
  }

  async stats(name: string): Promise<Record<string, Value>> {
    const dir = this.files.sys('class', 'net', name, 'statistics');
    const [raw, counts] = await Promise.all([Promise.all(KERNEL_STATS.map(([, f]) => this.files.attr(path.join(dir, f)))), this.opts.packetClasses?.of(name)]);
    if (raw.every((r) => r === undefined)) throw new UspError(ErrorCode.ObjectDoesNotExist, `network interface ${name} no longer exists`);
    const out: Record<string, Value> = {};
    KERNEL_STATS.forEach(([p, , type], i) => {
      const v = counter(type, raw[i]);
      if (v !== undefined) out[p] = v;
    });
    const wide = new Set(['UnicastPacketsSent', 'UnicastPacketsReceived', 'MulticastPacketsSent', 'BroadcastPacketsSent', 'BroadcastPacketsReceived']);
    for (const [p, c] of Object.entries(classStats(counts))) if (this.classParams.includes(p)) out[p] = counter(wide.has(p) ? 'unsignedLong' : 'unsignedInt', c.toString())!;
    return out;
  }

  private async withConfiguredEnable(snap: UsbSnapshot): Promise<UsbSnapshot> {
    const configured = this.opts.configuredEnable;
    if (!configured || snap.interfaces.length === 0) return snap;
    const interfaces = await Promise.all(snap.interfaces.map(async (i) => ({ ...i, enable: (await configured(i.name)) ?? i.enable })));
    return { ...snap, interfaces };
  }

  private async writeHubs(hub: string, attr: string, value: string): Promise<void> {
    try {
      await writeAttr(this.files.sys('bus', 'usb', 'devices', hub, attr), value);
    } finally {
      this.scan.invalidate();
    }
  }
}

/**
 * Registers Device.USB. over the sysfs of `files` when it has a USB root hub at registration: a
 * device without USB claims no USB support in GetSupportedDM.
 */
export function registerSysfsUsb(model: DataModel, files: HostFiles, now: () => number, opts: SysfsUsbOptions = {}): boolean {
  if (!files.listSync(files.sys('bus', 'usb', 'devices')).some((n) => ROOT_HUB.test(n))) return false;
  registerUSB(model, new SysfsUsbSource(files, now, opts), now);
  return true;
}
