/**
 * Device.DeviceInfo. of the simulated gateway (TR-181 DeviceInfo:1, MemoryStatus:1,
 * ProcessStatus:1): a fixed product identity, a seeded serial number, UpTime from the clock,
 * and memory and CPU load that wander smoothly with time. TemperatureStatus is temperature.ts's.
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { MAX_ACTIVATE_TIME_WINDOWS, type SimulatedFirmware } from './firmware.js';
import { cpuLoad, type Signal } from './load.js';
import { clampInt, Prng, wave } from './random.js';
import { type Identity, invalidParams, SIM_OUI, type SimContext, WritableRows } from './SimContext.js';

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

const MEMORY_PARAMS = ['Total', 'Free', 'TotalPersistent', 'FreePersistent'] as const;
const PROCESS_STATUS_PARAMS = ['CPUUsage'] as const;

/** DeviceInfo's writable values until written: the host name follows the serial number. */
class DeviceInfoRows extends WritableRows {
  constructor(
    ctx: SimContext,
    private readonly identity: Identity,
  ) {
    super(ctx, 'Device.DeviceInfo.', {});
  }

  protected override initialRow(): Record<string, Value> {
    return { FriendlyName: '5G Home Gateway', HostName: `fg5-${this.identity.serialNumber.slice(-4).toLowerCase()}`, ProvisioningCode: '' };
  }
}

/** Device.DeviceInfo.: a class, its methods one copy for a whole fleet (issue 14). */
class DeviceInfoBinding implements ObjectBinding {
  readonly params = DEVICE_INFO_PARAMS;
  private readonly rows: WritableRows;
  private readonly fixed: Record<(typeof FIXED)[number], Value>;

  constructor(
    private readonly ctx: SimContext,
    private readonly firmware: SimulatedFirmware,
  ) {
    const { identity } = ctx;
    this.rows = new DeviceInfoRows(ctx, identity);
    this.fixed = {
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
  }

  // Object.assign, not `{ ...a, k: v, ...b }`: V8 builds that literal shape on a slow path
  // (about 6 µs a call, measured), and this object is read on every DeviceInfo Get.
  get(): Record<string, Value> {
    const { firmware } = this;
    const v: Record<string, Value> = Object.assign({}, this.fixed, this.rows.row([]));
    v.SoftwareVersion = firmware.runningVersion();
    v.UpTime = this.ctx.upTime();
    v.ActiveFirmwareImage = firmware.activeImage();
    v.BootFirmwareImage = firmware.bootImage();
    v.MaxNumberOfActivateTimeWindows = MAX_ACTIVATE_TIME_WINDOWS;
    return v;
  }

  set(keys: InstanceKeys, all: Record<string, Value>): void {
    const { BootFirmwareImage: boot, ...changes } = all;
    const host = changes.HostName;
    if (host !== undefined && !HOST_NAME_RE.test(String(host))) {
      throw invalidParams([{ param: 'HostName', message: `${JSON.stringify(host)} is not an RFC 1123 host name` }]);
    }
    // Validated (7012) before anything is applied; the boot loader keeps it, not the store.
    if (boot !== undefined) this.firmware.setBootImage(String(boot));
    this.rows.apply(keys, changes);
  }
}

/** Device.DeviceInfo.MemoryStatus.: used memory settles after boot and then breathes with load; persistent use barely moves. */
class MemoryStatusBinding implements ObjectBinding {
  readonly params = MEMORY_PARAMS;
  private readonly flashUsedKiB: number;

  constructor(private readonly ctx: SimContext) {
    this.flashUsedKiB = new Prng(ctx.seed, 'flash').int(40_000, 90_000);
  }

  get(): Record<string, Value> {
    const t = this.ctx.elapsed();
    const usedShare = 0.55 + 0.06 * wave(this.ctx.seed, 'ram', t, [45, 600, 7200]);
    return {
      Total: TOTAL_RAM_KIB,
      Free: Math.round(TOTAL_RAM_KIB * (1 - usedShare)),
      TotalPersistent: TOTAL_FLASH_KIB,
      FreePersistent: TOTAL_FLASH_KIB - this.flashUsedKiB,
    };
  }
}

/**
 * Device.DeviceInfo.ProcessStatus.: ProcessNumberOfEntries follows from Process.{i}
 * (processes.ts); CPU.{i} is not served. The same load heats the CPU's temperature sensor
 * (temperature.ts).
 */
class ProcessStatusBinding implements ObjectBinding {
  readonly params = PROCESS_STATUS_PARAMS;
  private readonly cpu: Signal;

  constructor(private readonly ctx: SimContext) {
    this.cpu = cpuLoad(ctx.seed);
  }

  get(): Record<string, Value> {
    return { CPUUsage: clampInt(this.cpu.at(this.ctx.elapsed()), 1, 100) };
  }
}

/** Serves Device.DeviceInfo., .MemoryStatus. and .ProcessStatus. (CPUUsage). */
export function registerDeviceInfo(ctx: SimContext, firmware: SimulatedFirmware): void {
  ctx.model.register('Device.DeviceInfo.', new DeviceInfoBinding(ctx, firmware));
  ctx.model.register('Device.DeviceInfo.MemoryStatus.', new MemoryStatusBinding(ctx));
  ctx.model.register('Device.DeviceInfo.ProcessStatus.', new ProcessStatusBinding(ctx));
}
