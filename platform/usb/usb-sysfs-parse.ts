/**
 * Device.USB. rows from the kernel's USB sysfs (the sysfs-bus-usb ABI), pure: the reader
 * (usb-sysfs.ts) collects the attribute files, this turns them into rows, and the unit tests feed
 * it recorded trees.
 *
 * | sysfs                                          | TR-181                                                    |
 * |------------------------------------------------|-----------------------------------------------------------|
 * | root hub `usbN` (one bus)                      | Host.{i}, Name usbN                                       |
 * | root hub `product` / `manufacturer` (xHCI, EHCI, OHCI, UHCI) | Host Type                                    |
 * | root hub `version`                             | Host USBVersion ("3.0"); Port Standard                    |
 * | root hub `authorized` / `power/control` auto   | Host Enable / PowerManagementEnable                       |
 * | `BUS-PORT[.PORT...]` devices on the hub's bus  | Host.{i}.Device.{i}: devnum, idVendor, bcdDevice, speed ...|
 * | interfaces `BUS-PATH:CONFIG.IF`                | Configuration.{i} (the active one, the only one Linux shows) and its Interface.{i} |
 * | root hub ports `usbN-portK` (not `connect_type` "not used"); SuperSpeed `peer` merged into its USB 2 twin | Port.{i}, Type Host |
 * | netdev whose `device` is a USB interface       | Interface.{i}: Status from `operstate` and `carrier` as for every Linux netdev (+ Stats from `statistics/`) |
 *
 * Linux shows an xHCI controller as two buses, a USB 2 and a SuperSpeed root hub: each is a Host
 * row, so DeviceNumber (a device's address on its bus) stays unique within its Host, as TR-181
 * wants; their twin ports (`peer`) are one physical Port row.
 *
 * sysfs does not say what connector a port has: a host port is served as Standard-A, the
 * receptacle of host ports on routers and gateways. A network interface over USB on a host is
 * its link to the modem or phone behind it: Upstream true.
 */
import { IFF_UP, interfaceStatus } from '../linux/net-status.js';
import type { UsbConfigurationRow, UsbDeviceRow, UsbHostRow, UsbNetRow, UsbPortRow, UsbRate, UsbSnapshot } from './usb-rows.js';

/** One sysfs directory's attribute files by name ("power/control" for a sub-directory's), undefined when absent. */
export type Attrs = Readonly<Record<string, string | undefined>>;

/** What the reader collected under a sysfs root. */
export interface RawUsbTree {
  /** bus/usb/devices entries (root hubs, devices, interfaces) by name. */
  entries: ReadonlyMap<string, Attrs>;
  /** Root hub ports by hub name ("usb1" → its "usb1-portK"), with their attributes and `peer` link target's name. */
  ports: ReadonlyMap<string, ReadonlyArray<{ name: string; attrs: Attrs; peer?: string }>>;
  /** Network devices whose `device` link names a USB interface ("1-1:1.0"). */
  netdevs: ReadonlyArray<{ name: string; usbInterface: string; attrs: Attrs }>;
}

export const ROOT_HUB = /^usb(\d+)$/;
export const DEVICE = /^(\d+)-(\d+(?:\.\d+)*)$/;
export const INTERFACE = /^(\d+)-(\d+(?:\.\d+)*|0):(\d+)\.(\d+)$/;
const PORT = /^usb(\d+)-port(\d+)$/;

/** The attribute files read of a root hub or device. */
export const DEVICE_ATTRS = [
  'busnum',
  'devnum',
  'devpath',
  'speed',
  'version',
  'product',
  'manufacturer',
  'serial',
  'idVendor',
  'idProduct',
  'bDeviceClass',
  'bDeviceSubClass',
  'bDeviceProtocol',
  'bcdDevice',
  'maxchild',
  'bmAttributes',
  'bConfigurationValue',
  'authorized',
  'power/control',
  'power/runtime_status',
] as const;
export const INTERFACE_ATTRS = ['bInterfaceNumber', 'bInterfaceClass', 'bInterfaceSubClass', 'bInterfaceProtocol', 'bAlternateSetting'] as const;
export const PORT_ATTRS = ['connect_type'] as const;
export const NETDEV_ATTRS = ['address', 'operstate', 'carrier', 'flags', 'speed'] as const;

const hex = (s: string | undefined): number => (s !== undefined && /^(0x)?[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : 0);
const int = (s: string | undefined): number => (s !== undefined && /^\d+$/.test(s) ? Number(s) : 0);
/** One byte as TR-181 hexBinary ("08"); "" when unknown. */
const byte = (s: string | undefined): string => (s !== undefined && /^[0-9a-f]{1,2}$/i.test(s) ? s.toLowerCase().padStart(2, '0') : '');

/** sysfs `speed` (Mbit/s) → TR-181 rate. */
export function usbRate(speed: string | undefined): UsbRate | 'Unknown' {
  switch (speed) {
    case '1.5':
      return 'Low';
    case '12':
      return 'Full';
    case '480':
      return 'High';
    default:
      return Number(speed) >= 5000 ? 'Super' : 'Unknown';
  }
}

/** sysfs `version` (" 2.00", "3.10") → TR-181 USBVersion ("2.0", "3.1"); "" when unknown. */
export function usbVersion(v: string | undefined): string {
  const n = Number(v?.trim());
  return v === undefined || !Number.isFinite(n) || n <= 0 ? '' : n.toFixed(1);
}

function hostType(a: Attrs): UsbHostRow['type'] {
  const text = `${a.product ?? ''} ${a.manufacturer ?? ''}`.toLowerCase();
  for (const t of ['xhci', 'ehci', 'ohci', 'uhci'] as const) if (text.includes(t)) return t === 'xhci' ? 'xHCI' : (t.toUpperCase() as UsbHostRow['type']);
  return 'Unknown';
}

const byHubNumber = (a: string, b: string): number => Number(ROOT_HUB.exec(a)![1]) - Number(ROOT_HUB.exec(b)![1]);
/** Devices in tree order (1-1 < 1-1.2 < 1-2 < 1-10): parents before their children. */
function byDevpath(a: string, b: string): number {
  const pa = a.split(/[-.]/).map(Number);
  const pb = b.split(/[-.]/).map(Number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return pa.length - pb.length;
}

/** The active configuration of device `name` with its interfaces (Linux shows no other). */
function configurations(tree: RawUsbTree, name: string, a: Attrs): UsbConfigurationRow[] {
  const active = int(a.bConfigurationValue);
  if (active === 0) return [];
  const interfaces = [...tree.entries]
    .filter(([n]) => n.startsWith(`${name}:${active}.`))
    .map(([, ia]) => ({ number: int(ia.bInterfaceNumber), cls: byte(ia.bInterfaceClass), subClass: byte(ia.bInterfaceSubClass), protocol: byte(ia.bInterfaceProtocol) }))
    .sort((x, y) => x.number - y.number);
  return [{ number: active, interfaces }];
}

function deviceRow(tree: RawUsbTree, name: string, a: Attrs, portOf: (bus: number, port: number) => string | undefined): UsbDeviceRow {
  const [, bus, path] = DEVICE.exec(name)!;
  const hops = path.split('.');
  return {
    key: `${name}#${int(a.devnum)}`,
    deviceNumber: int(a.devnum),
    usbVersion: usbVersion(a.version),
    deviceClass: byte(a.bDeviceClass),
    deviceSubClass: byte(a.bDeviceSubClass),
    deviceProtocol: byte(a.bDeviceProtocol),
    deviceVersion: hex(a.bcdDevice),
    productId: hex(a.idProduct),
    vendorId: hex(a.idVendor),
    manufacturer: a.manufacturer ?? '',
    productClass: a.product ?? '',
    serialNumber: a.serial ?? '',
    port: Number(hops[hops.length - 1]),
    ...(hops.length === 1 ? { usbPort: portOf(Number(bus), Number(hops[0])) } : {}),
    rate: usbRate(a.speed),
    maxChildren: int(a.maxchild),
    suspended: a['power/runtime_status'] === 'suspended',
    // bmAttributes bit 6 (USB 2.0 9.6.3): the configuration is self-powered.
    selfPowered: (hex(a.bmAttributes) & 0x40) !== 0,
    configurations: configurations(tree, name, a),
  };
}

/** The Port row of each root hub port: `usbN-portK`, or its USB 2 twin's name for a SuperSpeed port with a peer. */
function portRows(tree: RawUsbTree, hubs: readonly string[]): { rows: UsbPortRow[]; rowOf: Map<string, string> } {
  const rows = new Map<string, UsbPortRow>();
  const rowOf = new Map<string, string>();
  /** Rows with a device attached on one of their sides. */
  const occupied = new Set<string>();
  const attached = (port: string): Attrs | undefined => {
    const [, bus, k] = PORT.exec(port)!;
    return tree.entries.get(`${bus}-${k}`);
  };
  // USB 2 hubs first: a SuperSpeed port joins the row of its peer.
  const order = [...hubs].sort((x, y) => Number(usbVersion(tree.entries.get(x)?.version)) - Number(usbVersion(tree.entries.get(y)?.version)) || byHubNumber(x, y));
  for (const hub of order) {
    const ha = tree.entries.get(hub)!;
    const ports = [...(tree.ports.get(hub) ?? [])].filter((p) => PORT.test(p.name)).sort((x, y) => Number(PORT.exec(x.name)![2]) - Number(PORT.exec(y.name)![2]));
    for (const p of ports) {
      if (p.attrs.connect_type === 'not used') continue;
      const twin = p.peer === undefined ? undefined : rowOf.get(p.peer);
      const rowName = twin ?? p.name;
      rowOf.set(p.name, rowName);
      const prev = rows.get(rowName);
      const dev = attached(p.name);
      const rate = usbRate(dev?.speed ?? ha.speed);
      const row: UsbPortRow = {
        name: rowName,
        standard: usbVersion(ha.version),
        type: 'Host',
        receptacle: 'Standard-A',
        rate: rate === 'Unknown' ? 'Full' : rate,
        power: dev === undefined ? 'Unknown' : (hex(dev.bmAttributes) & 0x40) !== 0 ? 'Self' : 'Bus',
      };
      // The side with a device gives Rate and Power; an empty port signals at its faster side's rate; the standard is the faster side's.
      if (prev && dev === undefined) rows.set(rowName, { ...prev, standard: row.standard, ...(occupied.has(rowName) ? {} : { rate: row.rate }) });
      else rows.set(rowName, row);
      if (dev !== undefined) occupied.add(rowName);
    }
  }
  return { rows: [...rows.values()].sort((x, y) => byPortName(x.name, y.name)), rowOf };
}

function byPortName(a: string, b: string): number {
  const [, ha, pa] = PORT.exec(a) ?? ['', '0', '0'];
  const [, hb, pb] = PORT.exec(b) ?? ['', '0', '0'];
  return Number(ha) - Number(hb) || Number(pa) - Number(pb);
}

/** Every Device.USB. row of a collected tree. */
export function parseUsbTree(tree: RawUsbTree): UsbSnapshot {
  const hubs = [...tree.entries.keys()].filter((n) => ROOT_HUB.test(n)).sort(byHubNumber);
  const { rows: ports, rowOf } = portRows(tree, hubs);
  const portOf = (bus: number, k: number): string | undefined => rowOf.get(`usb${bus}-port${k}`);
  const devices = [...tree.entries.keys()].filter((n) => DEVICE.test(n)).sort(byDevpath);
  // One Host per root hub: DeviceNumber is an address on one bus, unique only there.
  const hosts: UsbHostRow[] = hubs.map((hub) => {
    const a = tree.entries.get(hub)!;
    const bus = ROOT_HUB.exec(hub)![1];
    const rows = devices.filter((d) => DEVICE.exec(d)![1] === bus).map((d) => deviceRow(tree, d, tree.entries.get(d)!, portOf));
    const keyOf = new Map(rows.map((r) => [r.key.slice(0, r.key.indexOf('#')), r.key]));
    for (const r of rows) {
      const name = r.key.slice(0, r.key.indexOf('#'));
      if (name.includes('.')) (r as { parent?: string }).parent = keyOf.get(name.slice(0, name.lastIndexOf('.')));
    }
    return {
      name: hub,
      type: hostType(a),
      enable: a.authorized !== '0',
      powerManagement: a['power/control'] === 'auto',
      usbVersion: usbVersion(a.version),
      devices: rows,
    };
  });
  const interfaces: UsbNetRow[] = tree.netdevs
    .map(({ name, usbInterface, attrs }) => {
      const m = INTERFACE.exec(usbInterface)!;
      const device = tree.entries.get(`${m[1]}-${m[2]}`);
      const speed = int(attrs.speed);
      const deviceSpeed = Number(device?.speed);
      // IFF_UP in `flags`: the administrative state `ip link set up/down` sets.
      const adminUp = attrs.flags === undefined ? undefined : (hex(attrs.flags) & IFF_UP) !== 0;
      const carrier = attrs.carrier === undefined ? undefined : attrs.carrier === '1';
      return {
        name,
        enable: adminUp === true,
        status: interfaceStatus(attrs.operstate, adminUp, carrier) as UsbNetRow['status'],
        upstream: true,
        maxBitRate: speed > 0 ? speed : Number.isFinite(deviceSpeed) ? Math.floor(deviceSpeed) : 0,
        macAddress: attrs.address ?? '',
        port: portOf(Number(m[1]), Number(m[2].split('.')[0])),
      };
    })
    .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return { ports, hosts, interfaces };
}
