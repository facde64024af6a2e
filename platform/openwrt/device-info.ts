/**
 * Device.DeviceInfo. on OpenWrt (TR-181 DeviceInfo:1, MemoryStatus:1, ProcessStatus:1):
 * identity from `ubus call system board`, UpTime and memory from `ubus call system info`, CPU
 * usage from /proc/stat (procd's `load` is the load average, not usage).
 *
 * ubus has no serial number or OUI; as docs/platform-mapping.md allows, both default to the base MAC address
 * (eth0's, else the first Ethernet port's), read once from `network.device status` and kept:
 * it does not change while the agent runs. Until that source answers, both are left out rather
 * than failing the whole object.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Value } from '../../datamodel/value/Value.js';
import { FIRMWARE_DEVICE_INFO_PARAMS, type FirmwareReferences } from '../linux/firmware-installer.js';
import { HostFiles } from '../linux/HostFiles.js';
import { registerProcessTable } from '../linux/processes.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { DeviceStatusMap, SystemBoard, SystemInfo } from './ubus-types.js';

const PROC_STAT = '/proc/stat';

/** Serves Device.DeviceInfo., .MemoryStatus. and .ProcessStatus. (CPUUsage, Process.{i}). */
export function registerDeviceInfo(ctx: OpenWrtContext, procStat = PROC_STAT, firmware?: FirmwareReferences): void {
  const { model } = ctx;
  let baseMac: string | undefined;
  // Best effort: without network.device the identity still reads, minus what the MAC gives.
  const readBaseMac = async (): Promise<string> => {
    try {
      baseMac ??= pickBaseMac(await ctx.ubus<DeviceStatusMap>('network.device', 'status'));
    } catch (e) {
      ctx.log.debug('no base MAC address for SerialNumber', { error: e instanceof Error ? e.message : String(e) });
    }
    return baseMac ?? '';
  };

  model.register('Device.DeviceInfo.', {
    params: [
      'Manufacturer',
      'ManufacturerOUI',
      'ModelName',
      'Description',
      'ProductClass',
      'SerialNumber',
      'HardwareVersion',
      'SoftwareVersion',
      'UpTime',
      'HostName',
      ...(firmware ? FIRMWARE_DEVICE_INFO_PARAMS : []),
    ],
    // Of these only BootFirmwareImage changes on a Set (firmware-boot-choice.ts); the identity is the board's.
    ...(firmware && {
      writable: ['BootFirmwareImage'],
      set: async (_keys, changes) => {
        if (changes.BootFirmwareImage !== undefined) await firmware.setBootImage(String(changes.BootFirmwareImage));
      },
    }),
    get: async () => {
      const [board, info, mac, refs] = await Promise.all([ctx.ubus<SystemBoard>('system', 'board'), ctx.ubus<SystemInfo>('system', 'info'), readBaseMac(), firmware?.references()]);
      const [manufacturer, modelName] = splitModel(board.model ?? '');
      const release = board.release ?? {};
      const values: Record<string, Value> = {
        Manufacturer: manufacturer,
        ModelName: modelName,
        Description: release.description ?? '',
        ProductClass: board.board_name ?? '',
        HardwareVersion: board.system ?? '',
        SoftwareVersion: [release.version, release.revision].filter(Boolean).join(' '),
        UpTime: Math.max(0, Math.trunc(info.uptime ?? 0)),
        HostName: board.hostname ?? '',
        ...refs,
      };
      if (mac) values.SerialNumber = mac.replace(/:/g, '').toUpperCase();
      const oui = ouiOf(mac);
      if (oui) values.ManufacturerOUI = oui;
      return values;
    },
  });

  model.register('Device.DeviceInfo.MemoryStatus.', {
    params: ['Total', 'Free', 'TotalPersistent', 'FreePersistent'],
    get: async () => {
      const { memory = {}, root = {} } = await ctx.ubus<SystemInfo>('system', 'info');
      // memory.* are bytes (TR-181: KiB); root.* (the overlay) are KiB already.
      return {
        Total: kib(memory.total),
        Free: kib(memory.available ?? memory.free),
        TotalPersistent: Math.trunc(root.total ?? 0),
        FreePersistent: Math.trunc(root.avail ?? root.free ?? 0),
      };
    },
  });

  const cpu = new CpuUsage(procStat);
  model.register('Device.DeviceInfo.ProcessStatus.', {
    params: ['CPUUsage'],
    get: () => ({ CPUUsage: cpu.read() }),
  });
  // Process.{i}: procfs, as on any Linux (procd's `service list` names services, not processes).
  registerProcessTable(model, new HostFiles({ procRoot: path.dirname(procStat) }), ctx.now, ctx.cacheMs);
}

/**
 * "D-Link COVR-X1860 A1" → ["D-Link", "COVR-X1860 A1"]: boards name the vendor first. A
 * one-word model has no vendor part and keeps the whole as ModelName.
 */
export function splitModel(model: string): [string, string] {
  const trimmed = model.trim();
  const space = trimmed.indexOf(' ');
  return space < 0 ? ['', trimmed] : [trimmed.slice(0, space), trimmed.slice(space + 1)];
}

/** eth0's MAC, else the first Ethernet port's (by name), else "". */
function pickBaseMac(devices: DeviceStatusMap): string {
  const eth0 = devices.eth0?.macaddr;
  if (eth0) return eth0.toLowerCase();
  const first = Object.keys(devices)
    .sort()
    .find((n) => devices[n].devtype === 'ethernet' && devices[n].macaddr);
  return first ? devices[first].macaddr!.toLowerCase() : '';
}

/** The OUI of a universally administered MAC ("94:83:c4:.." → "9483C4"); none for local ones. */
function ouiOf(macAddr: string): string | undefined {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):/i.exec(macAddr);
  if (!m || (parseInt(m[1], 16) & 0x02) !== 0) return undefined;
  return (m[1] + m[2] + m[3]).toUpperCase();
}

function kib(bytes: number | undefined): number {
  return Math.floor((bytes ?? 0) / 1024);
}

/**
 * CPU usage in percent from the aggregate "cpu" line of /proc/stat: over the interval since the
 * previous sample, or since boot on the first read. Reads closer together than a second of
 * ticks repeat the last figure instead of dividing noise.
 */
class CpuUsage {
  private last?: { busy: number; total: number };
  private value = 0;

  constructor(private readonly file: string) {}

  read(): number {
    const now = this.sample();
    if (!now) return this.value;
    const prev = this.last;
    if (prev && now.total - prev.total < 100) return this.value;
    const busy = prev ? now.busy - prev.busy : now.busy;
    const total = prev ? now.total - prev.total : now.total;
    this.last = now;
    this.value = total > 0 ? Math.min(100, Math.max(0, Math.round((100 * busy) / total))) : 0;
    return this.value;
  }

  private sample(): { busy: number; total: number } | undefined {
    try {
      const line = fs
        .readFileSync(this.file, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('cpu '));
      if (!line) return undefined;
      const f = line.trim().split(/\s+/).slice(1).map(Number);
      // user nice system idle iowait irq softirq steal (guest time is already in user/nice).
      const total = f.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
      const idle = (f[3] || 0) + (f[4] || 0);
      return { busy: total - idle, total };
    } catch {
      return undefined;
    }
  }
}
