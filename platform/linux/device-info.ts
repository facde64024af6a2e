/**
 * Device.DeviceInfo. of a generic Linux host or container (TR-181 DeviceInfo:1, Baseline:4):
 * identity from DMI (/sys/class/dmi/id, PCs and VMs) or the device tree (ARM/MIPS boards),
 * /proc/cpuinfo, /etc/os-release and the base MAC address, read once at registration because
 * none of it changes while the system runs; UpTime and HostName read on every Get.
 *
 * The identity a tender reads (Manufacturer, ManufacturerOUI, ModelName, ProductClass, ...) is
 * the integrator's to give: the factory-defaults file may set each of VENDOR_IDENTITY, which is
 * kept in the agent's store and wins over what the host says (a PC's DMI names the board maker,
 * not the product). A parameter neither gives reads "" (unknown; ManufacturerOUI, which has no
 * such value, is then left out of a Get). FriendlyName and ProvisioningCode have no Linux
 * source: the agent serves them for every platform (agent/baseline/agent-held.ts).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { HostFiles } from './HostFiles.js';
import type { LinuxContext } from './LinuxContext.js';
import { FIRMWARE_DEVICE_INFO_PARAMS, type FirmwareReferences } from './firmware-installer.js';
import { IFF_NOARP } from './net-status.js';
import { parseCpuinfo, parseOsRelease, parseUptime } from './proc-parsers.js';

/** Identity parameters an integrator may set from factory data (they win over what is read). */
export interface LinuxIdentity {
  Manufacturer?: string;
  /** Six upper-case hex digits. */
  ManufacturerOUI?: string;
  ModelName?: string;
  ProductClass?: string;
  SerialNumber?: string;
  HardwareVersion?: string;
  SoftwareVersion?: string;
  Description?: string;
}

/** Placeholders firmware leaves in DMI fields that nobody filled in. */
const DMI_PLACEHOLDER = /^(to be filled by o\.?e\.?m\.?|default string|system manufacturer|system product name|system serial number|not specified|not applicable|none|n\/a|0+|0123456789|x+)$/i;

/**
 * Identity parameters the factory-defaults file may set (read-only to controllers): vendor data
 * only the integrator knows. SoftwareVersion is not among them: the running firmware says it.
 */
export const VENDOR_IDENTITY = ['Manufacturer', 'ManufacturerOUI', 'ModelName', 'ProductClass', 'SerialNumber', 'HardwareVersion', 'Description'] as const;

const PATH = 'Device.DeviceInfo.';
/** HostName and BootFirmwareImage are refused by name (set below); the identity is the factory defaults'. */
const NOTHING_WRITABLE: readonly string[] = [];

const MAX_LEN: Record<keyof LinuxIdentity, number> = {
  Manufacturer: 64,
  ManufacturerOUI: 6,
  ModelName: 64,
  ProductClass: 64,
  SerialNumber: 64,
  HardwareVersion: 64,
  SoftwareVersion: 64,
  Description: 256,
};

/**
 * Serves Device.DeviceInfo.; returns the identity it found (for logging by the caller). `store`
 * keeps what the factory defaults set (VENDOR_IDENTITY) and the stored parameters; without one
 * (offline tools, tests) they live in memory.
 */
export function registerDeviceInfo(ctx: LinuxContext, overrides: LinuxIdentity = {}, firmware?: FirmwareReferences, store?: DataStore): LinuxIdentity {
  const { files } = ctx;
  const identity: LinuxIdentity = { ...readIdentity(files) };
  for (const [k, v] of Object.entries(overrides) as [keyof LinuxIdentity, string | undefined][]) if (v !== undefined) identity[k] = v;
  for (const k of Object.keys(identity) as Array<keyof LinuxIdentity>) {
    const v = identity[k];
    // TR-181 sizes are in characters; an over-long DMI string is cut rather than dropped.
    if (v === undefined || v === '') delete identity[k];
    else identity[k] = [...v].slice(0, MAX_LEN[k]).join('');
  }
  if (identity.ManufacturerOUI !== undefined && !/^[0-9A-F]{6}$/.test(identity.ManufacturerOUI)) {
    throw new Error(`ManufacturerOUI must be six upper-case hex digits, got ${JSON.stringify(identity.ManufacturerOUI)}`);
  }
  // Every identity parameter is served, "" when nothing gives it, so the factory defaults can set
  // it. ManufacturerOUI has no "unknown" value (six hex digits): without one a Get leaves it out.
  const fixed: Record<string, Value | undefined> = Object.fromEntries(VENDOR_IDENTITY.map((k) => [k, k === 'ManufacturerOUI' ? undefined : '']));
  Object.assign(fixed, identity);
  let memory: Record<string, Value> = {};
  const kept = (): Readonly<Record<string, Value>> => (store ? (store.row(PATH) ?? {}) : memory);
  const settable = new Set<string>(VENDOR_IDENTITY);
  ctx.model.register(PATH, {
    params: [...Object.keys(fixed), 'UpTime', 'HostName', ...(firmware ? FIRMWARE_DEVICE_INFO_PARAMS : [])],
    writable: NOTHING_WRITABLE,
    get: async () => {
      const [uptime, hostname, refs] = await Promise.all([files.read(files.proc('uptime')), files.attr(files.proc('sys', 'kernel', 'hostname')), firmware?.references()]);
      const values = { ...fixed, ...refs } as Record<string, Value>;
      // Names a newer or older version kept that this one does not serve are ignored.
      for (const [k, v] of Object.entries(kept())) if (settable.has(k)) values[k] = v;
      const up = uptime === undefined ? undefined : parseUptime(uptime);
      if (up !== undefined) values.UpTime = Math.min(Math.floor(up), 0xffff_ffff);
      if (hostname !== undefined) values.HostName = hostname.slice(0, 255);
      return values;
    },
    // Only the factory defaults reach the vendor identity (read-only to Controllers). A read-only value the device provides
    // (SoftwareVersion, UpTime) is left as it is: the defaults check names it.
    set: (_keys, changes) => {
      for (const k of ['HostName', 'BootFirmwareImage']) {
        if (k in changes) throw new UspError(ErrorCode.ObjectNotUpdated, `${PATH}${k} cannot be changed on this platform`, { path: PATH });
      }
      const taken = Object.fromEntries(Object.entries(changes).filter(([k]) => settable.has(k)));
      if (Object.keys(taken).length === 0) return;
      if (store) store.setRow(PATH, { ...kept(), ...taken });
      else memory = { ...memory, ...taken };
    },
  });
  return identity;
}

/** What the host itself says about its identity. */
export function readIdentity(files: HostFiles): LinuxIdentity {
  const dmi = (name: string): string | undefined => {
    const v = files.attrSync(files.sys('class', 'dmi', 'id', name));
    return v === undefined || DMI_PLACEHOLDER.test(v) ? undefined : v;
  };
  // Device-tree strings end in NUL.
  const dt = (name: string): string | undefined =>
    files
      .readSync(files.sys('firmware', 'devicetree', 'base', name))
      ?.replace(/\0+$/, '')
      .trim() || undefined;
  const cpu = parseCpuinfo(files.readSync(files.proc('cpuinfo')) ?? '');
  const os = parseOsRelease(files.readSync(files.etc('os-release')) ?? files.readSync(files.etc('..', 'usr', 'lib', 'os-release')) ?? '');
  const kernel = files.attrSync(files.proc('sys', 'kernel', 'osrelease'));
  const version = os.get('VERSION_ID') ?? os.get('VERSION');
  const build = os.get('BUILD_ID');
  const mac = baseMac(files);
  return {
    Manufacturer: dmi('sys_vendor') ?? dmi('board_vendor'),
    // The vendor's IEEE OUI as the base MAC carries it; a locally administered MAC has none.
    ManufacturerOUI: mac !== undefined && (parseInt(mac.slice(0, 2), 16) & 0x02) === 0 ? mac.replace(/:/g, '').slice(0, 6).toUpperCase() : undefined,
    ModelName: dmi('product_name') ?? dmi('board_name') ?? dt('model') ?? cpu.get('Model'),
    // The product line: DMI's family, or the board's first device-tree `compatible` ("vendor,board"), as OpenWrt's board_name.
    ProductClass: dmi('product_family') ?? dt('compatible')?.split('\0')[0],
    SerialNumber: dmi('product_serial') ?? dt('serial-number') ?? mac?.replace(/:/g, '').toUpperCase(),
    // The SoC or CPU: "system type" on MIPS (MediaTek MT7621 ...), "Hardware" on 32-bit ARM.
    HardwareVersion: cpu.get('system type') ?? cpu.get('Hardware') ?? cpu.get('model name') ?? cpu.get('cpu model'),
    // OpenWrt: VERSION_ID "24.10.5" + BUILD_ID "r29087-d9c5716d1d", as its release string.
    SoftwareVersion: version !== undefined ? (build ? `${version} ${build}` : version) : kernel,
    Description: os.get('PRETTY_NAME'),
  };
}

/**
 * The base MAC address: that of the lowest-numbered Ethernet-type interface. The last resort for
 * SerialNumber (as on OpenWrt boards without factory data), as 12 upper-case hex digits (no
 * colons, so it can go into an `os::OUI-Serial` Endpoint ID), and the source of ManufacturerOUI.
 */
function baseMac(files: HostFiles): string | undefined {
  let best: { index: number; mac: string } | undefined;
  for (const name of files.listSync(files.sys('class', 'net'))) {
    const at = (a: string) => files.attrSync(files.sys('class', 'net', name, a));
    const mac = at('address');
    const index = Number(at('ifindex'));
    const flags = parseInt(at('flags') ?? '0', 16);
    if (at('type') !== '1' || !mac || /^(00:){5}00$/.test(mac) || flags & IFF_NOARP) continue;
    if (!best || index < best.index) best = { index, mac };
  }
  return best?.mac;
}
