/**
 * Device.DeviceInfo. of the simulated gateway (TR-181 DeviceInfo:1, MemoryStatus:1,
 * ProcessStatus:1): a fixed product identity, a seeded serial number, UpTime from the clock,
 * and memory and CPU load that wander smoothly with time. TemperatureStatus is temperature.ts's.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_ACTIVATE_TIME_WINDOWS, type SimulatedFirmware } from './firmware.js';
import { cpuLoad } from './load.js';
import { clampInt, Prng, wave } from './random.js';
import { invalidParams, SIM_OUI, type SimContext, WritableRows } from './SimContext.js';

/** Firmware version of the simulated device (not the agent's; that is Device.LocalAgent.SoftwareVersion). */
export const SIM_SOFTWARE_VERSION = '3.2.1-sim';

const TOTAL_RAM_KIB = 1_048_576; // 1 GiB, typical of a Wi-Fi 6E FWA gateway
const TOTAL_FLASH_KIB = 262_144; // 256 MiB of UBI overlay

const WRITABLE = ['FriendlyName', 'HostName', 'ProvisioningCode'] as const;

// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
const HOST_NAME_RE = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/;

/** Names of the values registerDeviceInfo fixes at boot (`fixed` there). */
const FIXED = ['Manufacturer', 'ManufacturerOUI', 'ModelName', 'ModelNumber', 'Description', 'ProductClass', 'SerialNumber', 'HardwareVersion', 'SoftwareVersion'] as const;
/** One list for every gateway of a fleet (issue 14). */
const DEVICE_INFO_PARAMS = [...FIXED, 'UpTime', ...WRITABLE, 'ActiveFirmwareImage', 'BootFirmwareImage', 'MaxNumberOfActivateTimeWindows'];

/** Serves Device.DeviceInfo., .MemoryStatus. and .ProcessStatus. (CPUUsage). */
export function registerDeviceInfo(ctx: SimContext, firmware: SimulatedFirmware): void {
  const { model, identity, seed } = ctx;
  const rows = new WritableRows(ctx, 'Device.DeviceInfo.', () => ({
    FriendlyName: '5G Home Gateway',
    HostName: `fg5-${identity.serialNumber.slice(-4).toLowerCase()}`,
    ProvisioningCode: '',
  }));
  const fixed: Record<(typeof FIXED)[number], Value> = {
    Manufacturer: 'Example Networks',
    ManufacturerOUI: SIM_OUI,
    ModelName: 'FG5-6E Fixed Wireless Gateway',
    ModelNumber: 'FG5600',
    Description: 'Simulated 5G NR fixed-wireless access gateway with Wi-Fi 6E',
    ProductClass: '5G-FWA',
    SerialNumber: identity.serialNumber,
    HardwareVersion: identity.hardwareVersion,
    SoftwareVersion: SIM_SOFTWARE_VERSION,
  };

  model.register('Device.DeviceInfo.', {
    params: DEVICE_INFO_PARAMS,
    // Object.assign, not `{ ...a, k: v, ...b }`: V8 builds that literal shape on a slow path
    // (about 6 µs a call, measured), and this object is read on every DeviceInfo Get.
    get: () => {
      const v: Record<string, Value> = Object.assign({}, fixed, rows.row([]));
      v.SoftwareVersion = firmware.runningVersion();
      v.UpTime = ctx.upTime();
      v.ActiveFirmwareImage = firmware.activeImage();
      v.BootFirmwareImage = firmware.bootImage();
      v.MaxNumberOfActivateTimeWindows = MAX_ACTIVATE_TIME_WINDOWS;
      return v;
    },
    set: (keys, all) => {
      const { BootFirmwareImage: boot, ...changes } = all;
      const host = changes.HostName;
      if (host !== undefined && !HOST_NAME_RE.test(String(host))) {
        throw invalidParams([{ param: 'HostName', message: `${JSON.stringify(host)} is not an RFC 1123 host name` }]);
      }
      // Validated (7012) before anything is applied; the boot loader keeps it, not the store.
      if (boot !== undefined) firmware.setBootImage(String(boot));
      rows.apply(keys, changes);
    },
  });

  // Used memory settles after boot and then breathes with load; persistent use barely moves.
  const flashUsedKiB = new Prng(seed, 'flash').int(40_000, 90_000);
  model.register('Device.DeviceInfo.MemoryStatus.', {
    params: ['Total', 'Free', 'TotalPersistent', 'FreePersistent'],
    get: () => {
      const t = ctx.elapsed();
      const usedShare = 0.55 + 0.06 * wave(seed, 'ram', t, [45, 600, 7200]);
      return {
        Total: TOTAL_RAM_KIB,
        Free: Math.round(TOTAL_RAM_KIB * (1 - usedShare)),
        TotalPersistent: TOTAL_FLASH_KIB,
        FreePersistent: TOTAL_FLASH_KIB - flashUsedKiB,
      };
    },
  });

  // ProcessNumberOfEntries follows from Process.{i} (processes.ts); CPU.{i} is not served.
  // The same load heats the CPU's temperature sensor (temperature.ts).
  const cpu = cpuLoad(seed);
  model.register('Device.DeviceInfo.ProcessStatus.', {
    params: ['CPUUsage'],
    get: () => ({ CPUUsage: clampInt(cpu.at(ctx.elapsed()), 1, 100) }),
  });
}
