/**
 * Device.DeviceInfo. of a generic Linux host or container (TR-181 DeviceInfo:1): identity from
 * DMI (/sys/class/dmi/id, PCs and VMs) or the device tree (ARM/MIPS boards), /proc/cpuinfo and
 * /etc/os-release, read once at registration because none of it changes while the system
 * runs; UpTime and HostName read on every Get.
 *
 * A parameter is served only when this host has a source for it, so GetSupportedDM does not
 * promise e.g. a ManufacturerOUI that only factory data could provide (pass it in `identity`).
 */
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

/** Serves Device.DeviceInfo.; returns the identity it found (for logging by the caller). */
export function registerDeviceInfo(ctx: LinuxContext, overrides: LinuxIdentity = {}, firmware?: FirmwareReferences): LinuxIdentity {
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
  const fixed = identity as Record<string, Value>;
  ctx.model.register('Device.DeviceInfo.', {
    params: [...Object.keys(fixed), 'UpTime', 'HostName', ...(firmware ? FIRMWARE_DEVICE_INFO_PARAMS : [])],
    get: async () => {
      const [uptime, hostname, refs] = await Promise.all([files.read(files.proc('uptime')), files.attr(files.proc('sys', 'kernel', 'hostname')), firmware?.references()]);
      const values: Record<string, Value> = { ...fixed, ...refs };
      const up = uptime === undefined ? undefined : parseUptime(uptime);
      if (up !== undefined) values.UpTime = Math.min(Math.floor(up), 0xffff_ffff);
      if (hostname !== undefined) values.HostName = hostname.slice(0, 255);
      return values;
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
  return {
    Manufacturer: dmi('sys_vendor') ?? dmi('board_vendor'),
    ModelName: dmi('product_name') ?? dmi('board_name') ?? dt('model') ?? cpu.get('Model'),
    SerialNumber: dmi('product_serial') ?? dt('serial-number') ?? baseMacSerial(files),
    // The SoC or CPU: "system type" on MIPS (MediaTek MT7621 ...), "Hardware" on 32-bit ARM.
    HardwareVersion: cpu.get('system type') ?? cpu.get('Hardware') ?? cpu.get('model name') ?? cpu.get('cpu model'),
    // OpenWrt: VERSION_ID "24.10.5" + BUILD_ID "r29087-d9c5716d1d", as its release string.
    SoftwareVersion: version !== undefined ? (build ? `${version} ${build}` : version) : kernel,
    Description: os.get('PRETTY_NAME'),
  };
}

/**
 * The last resort for SerialNumber (as on OpenWrt boards without factory data): the MAC of
 * the lowest-numbered Ethernet-type interface, as 12 upper-case hex digits (no colons, so it
 * can go into an `os::OUI-Serial` Endpoint ID).
 */
function baseMacSerial(files: HostFiles): string | undefined {
  let best: { index: number; mac: string } | undefined;
  for (const name of files.listSync(files.sys('class', 'net'))) {
    const at = (a: string) => files.attrSync(files.sys('class', 'net', name, a));
    const mac = at('address');
    const index = Number(at('ifindex'));
    const flags = parseInt(at('flags') ?? '0', 16);
    if (at('type') !== '1' || !mac || /^(00:){5}00$/.test(mac) || flags & IFF_NOARP) continue;
    if (!best || index < best.index) best = { index, mac };
  }
  return best?.mac.replace(/:/g, '').toUpperCase();
}
