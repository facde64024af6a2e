/**
 * Device.DeviceInfo.FirmwareImage.{i} of the simulated gateway (TR-181 Firmware:1): two flash
 * banks, A/B style, and the boot logic behind ActiveFirmwareImage and BootFirmwareImage. The
 * agent's Download()/Activate() (agent/firmware/) write images through `beginDownload` and
 * choose the next boot with `setBootBank`; this file only simulates the flash and the boot loader.
 *
 * The simulated flash keeps no image bytes, only what each bank holds (name, version, an install
 * number). An image is staged in RAM while it downloads and written to its bank only once it is
 * valid, so a failed or cancelled download leaves the bank's previous image in place; its Status
 * still shows the failure until the next download or boot.
 *
 * Image identity (TR-181 FirmwareImage.{i}.Name/Version): an image may start with a header line
 * `SIMFW version=<v> [name=<n>] [boot=fail]` (≤ 256 bytes, tokens without spaces). Without one,
 * Name is the URL's file name and Version the dotted number at its end (`fg5600-3.3.0.img` →
 * `3.3.0`); an image from which no version can be read fails validation. `boot=fail` makes the
 * image fail to boot, to exercise the rollback.
 *
 * Boot (each registration is a boot): the bank BootFirmwareImage names is booted when it holds an
 * available image that boots; otherwise the bank that ran before (rollback), with the failure in
 * the failed bank's BootFailureLog and Status ActivationFailed. BootFirmwareImage is never
 * rewritten to the bank that actually booted (TR-181). A boot that runs another image than the
 * previous boot reports FirmwareUpdated (takeFirmwareUpdated, for Device.Boot!).
 *
 * The banks are the device's flash, not its configuration: they persist in `firmware.json` in
 * the data directory (the store's dir), apart from state.json, so a FactoryReset() keeps them.
 * Without a data directory they live in memory and every start is a factory-fresh device.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../datamodel/store/atomic-write.js';
import type { Awaitable, InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { dateTime, invalidParams, type SimContext } from './SimContext.js';

export const FIRMWARE_STATE_FILE = 'firmware.json';
/** Two banks: the running image and the one an upgrade goes into. */
export const BANK_COUNT = 2;
/** TimeWindow instances Activate() accepts (the schema's maximum; agent/firmware picks the first usable). */
export const MAX_ACTIVATE_TIME_WINDOWS = 5;

const TABLE = 'Device.DeviceInfo.FirmwareImage.';
const REF_RE = /^Device\.DeviceInfo\.FirmwareImage\.(\d+)\.?$/;
/** TR-181 Name and Version are string(64). */
const MAX_TEXT = 64;
const HEADER_MAGIC = 'SIMFW';
const HEADER_MAX = 256;
const VERSION_RE = /^[0-9A-Za-z][0-9A-Za-z.+_~-]*$/;
/** "<anything>-3.3.0" or "_v3.3.0-rc1" at the end of a file name without its extensions. */
const FILE_VERSION_RE = /(?:^|[-_])v?(\d+(?:\.\d+)+(?:[-+][0-9A-Za-z.]+)?)$/;
const IMAGE_EXTENSIONS = /(\.(img|bin|itb|trx|ubi|fw|gz|tar|xz|zip))+$/i;

export type FirmwareStatus = 'NoImage' | 'Active' | 'Downloading' | 'Validating' | 'Available' | 'DownloadFailed' | 'ValidationFailed' | 'InstallationFailed' | 'ActivationFailed';

/** What the agent learns about an installed image. */
export interface ImageInfo {
  name: string;
  version: string;
}

interface StoredImage {
  /** Install number: a new one per installed image, so re-installing a version is still an update. */
  id: number;
  name: string;
  version: string;
  failsToBoot: boolean;
}

interface Bank {
  image?: StoredImage;
  /** FirmwareImage.{i}.Available: the boot loader only boots a bank with this set. */
  available: boolean;
  status: FirmwareStatus;
  bootFailureLog: string;
}

interface FirmwareState {
  format: 1;
  banks: Bank[];
  /** BootFirmwareImage: bank number. */
  boot: number;
  /** Install number of the image the previous boot ran. */
  lastRunImageId: number;
  /** Install numbers handed out so far. */
  installs: number;
}

export interface FirmwareOptions {
  /** Version of the image in bank 1 of a factory-fresh device (Device.DeviceInfo.SoftwareVersion). */
  factoryVersion: string;
}

/**
 * Serves FirmwareImage.{i} from `fw` (made with `new SimulatedFirmware(ctx, …)`, which boots the
 * simulated device). Register it after Device.DeviceInfo., whose binding serves
 * ActiveFirmwareImage, BootFirmwareImage and SoftwareVersion from the same object, so that
 * FirmwareImageNumberOfEntries keeps its schema place among DeviceInfo's parameters.
 */
export function registerFirmwareImages(ctx: SimContext, fw: SimulatedFirmware): void {
  ctx.model.register(`${TABLE}{i}.`, new FirmwareImageBinding(fw));
}

// No Alias: the agent holds it (datamodel/store/stored-alias.ts), so a factory-defaults Alias and
// the cpe-<n> one survive restarts like every other platform table's.
const IMAGE_PARAMS = ['Name', 'Version', 'Available', 'Status', 'BootFailureLog'] as const;

/** FirmwareImage.{i}: a class over the gateway's firmware, its methods one copy for a whole fleet (issue 14). */
class FirmwareImageBinding implements ObjectBinding {
  readonly params = IMAGE_PARAMS;

  constructor(private readonly fw: SimulatedFirmware) {}

  list(): number[] {
    return this.fw.bankNumbers();
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return this.fw.row(keys[0]);
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    if (changes.Available !== undefined) this.fw.setAvailable(keys[0], changes.Available === true);
  }
}

/**
 * The two banks and the boot loader; the agent's FirmwareBackend (agent/firmware/FirmwareBackend.ts).
 * Constructing it is the boot: it picks the bank to run and settles every bank's Status.
 */
export class SimulatedFirmware {
  private readonly file: string | undefined;
  private readonly state: FirmwareState;
  /** Bank running since this boot (ActiveFirmwareImage). */
  readonly activeBank: number;
  /** The image running since this boot: SoftwareVersion stays its version until the next boot. */
  private readonly running: StoredImage;
  private firmwareUpdated: boolean;

  constructor(
    private readonly ctx: SimContext,
    opts: FirmwareOptions,
  ) {
    this.file = ctx.store.dir ? join(ctx.store.dir, FIRMWARE_STATE_FILE) : undefined;
    this.state = this.load() ?? factoryState(opts.factoryVersion);
    const before = JSON.stringify(this.state);
    this.activeBank = this.bootLoader();
    this.running = { ...this.bank(this.activeBank).image! };
    this.firmwareUpdated = this.running.id !== this.state.lastRunImageId;
    this.state.lastRunImageId = this.running.id;
    // Written only when the boot changed something: an ordinary boot (a factory-fresh flash, read
    // back the same at every start) costs the agent's start no synchronous write and fsync.
    if (JSON.stringify(this.state) !== before) this.save();
  }

  bankNumbers(): number[] {
    return this.state.banks.map((_b, i) => i + 1);
  }

  /** Device.DeviceInfo.ActiveFirmwareImage (a reference: no trailing dot). */
  activeImage(): string {
    return `${TABLE}${this.activeBank}`;
  }

  /** Device.DeviceInfo.BootFirmwareImage. */
  bootImage(): string {
    return `${TABLE}${this.state.boot}`;
  }

  /** Device.DeviceInfo.SoftwareVersion: the version of the image this boot runs. */
  runningVersion(): string {
    return this.running.version;
  }

  /**
   * Set of Device.DeviceInfo.BootFirmwareImage: must reference a FirmwareImage row with an
   * available, installed image; anything else is 7012 (TR-181: "cannot be empty and must point to
   * a valid and enabled FirmwareImage"). Takes effect at the next boot.
   */
  setBootImage(ref: string): void {
    const m = REF_RE.exec(ref);
    const n = m ? Number(m[1]) : 0;
    if (!m || !this.state.banks[n - 1]) throw invalidParams([{ param: 'BootFirmwareImage', message: `${JSON.stringify(ref)} is not a ${TABLE}{i} row` }]);
    const why = this.unbootable(n);
    if (why) throw invalidParams([{ param: 'BootFirmwareImage', message: why }]);
    this.state.boot = n;
    this.save();
  }

  /** FirmwareImage.{i}.Available; false is refused for the active image and the boot image (TR-181). */
  setAvailable(n: number, available: boolean): void {
    const b = this.bank(n);
    if (!available && (n === this.activeBank || n === this.state.boot)) {
      throw invalidParams([{ param: 'Available', message: `cannot be false: FirmwareImage.${n} is ${n === this.activeBank ? 'the active image' : 'BootFirmwareImage'}` }]);
    }
    b.available = available;
    this.save();
  }

  /** One FirmwareImage.{i} row. Name and Version are empty in the statuses TR-181 names. */
  row(n: number): Record<string, Value> {
    const b = this.bank(n);
    const withImage = b.status === 'Active' || b.status === 'Available' || b.status === 'InstallationFailed' || b.status === 'ActivationFailed';
    return {
      Name: withImage ? (b.image?.name ?? '') : '',
      Version: withImage ? (b.image?.version ?? '') : '',
      Available: b.available,
      Status: b.status,
      BootFailureLog: b.bootFailureLog,
    };
  }

  /** True once after a boot that runs a different image than the boot before (Boot! FirmwareUpdated). */
  takeFirmwareUpdated(): boolean {
    const v = this.firmwareUpdated;
    this.firmwareUpdated = false;
    return v;
  }

  /** An Activate() that missed its TimeWindows (the agent was down): ActivationFailed with `reason` as BootFailureLog. */
  activationFailed(n: number, reason: string): void {
    if (this.bank(n).status !== 'Active') this.update(n, { status: 'ActivationFailed', bootFailureLog: reason });
  }

  /**
   * Starts receiving an image into bank `n`: Status Downloading. The active bank may take one too
   * (TP-469 9.7): it then runs on until the next boot, which starts the new image.
   */
  beginDownload(n: number): SimulatedImageWriter {
    const b = this.bank(n);
    if (b.status === 'Downloading' || b.status === 'Validating') {
      throw new UspError(ErrorCode.CommandFailure, `a download into FirmwareImage.${n} is already in progress`);
    }
    const before = { ...b };
    this.update(n, { status: 'Downloading' });
    return new SimulatedImageWriter({
      validating: () => this.update(n, { status: 'Validating' }),
      install: (image) => {
        const id = ++this.state.installs;
        // TR-181: a newly installed image is Available and its BootFailureLog is cleared.
        this.update(n, { image: { id, ...image }, available: true, status: 'Available', bootFailureLog: '' });
      },
      fail: (status) => this.update(n, { status }),
      cancel: () => this.update(n, before),
    });
  }

  /** Why bank `n` cannot be activated, or undefined when it can. */
  unbootable(n: number): string | undefined {
    const b = this.state.banks[n - 1];
    if (!b) return `no FirmwareImage.${n}`;
    if (!b.image || (b.status !== 'Available' && b.status !== 'Active')) return `FirmwareImage.${n} holds no installed image (Status ${b.status})`;
    if (!b.available) return `FirmwareImage.${n} is not Available`;
    return undefined;
  }

  /** Activate(): throws 7022 when bank `n` cannot be booted. */
  checkBootable(n: number): void {
    const why = this.unbootable(n);
    if (why) throw new UspError(ErrorCode.CommandFailure, why);
  }

  /** Makes bank `n` the next boot's (BootFirmwareImage); the caller then reboots. */
  setBootBank(n: number): void {
    this.checkBootable(n);
    this.state.boot = n;
    this.save();
  }

  private bank(n: number): Bank {
    const b = this.state.banks[n - 1];
    if (!b) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${TABLE}${n}`);
    return b;
  }

  private update(n: number, changes: Partial<Bank>): void {
    Object.assign(this.bank(n), changes);
    this.save();
  }

  /** Picks the bank to run, rolling back when BootFirmwareImage's image does not boot. */
  private bootLoader(): number {
    const { banks } = this.state;
    const boots = (n: number): boolean => {
      const b = banks[n - 1];
      return !!b?.image && b.available && !b.image.failsToBoot;
    };
    const wanted = this.state.boot;
    let active = wanted;
    if (!boots(wanted)) {
      const previous = banks.findIndex((b) => b.image?.id === this.state.lastRunImageId) + 1;
      const fallback = [previous, ...this.bankNumbers()].find((n) => n > 0 && n !== wanted && boots(n));
      // With nothing else to run the simulated device starts whatever image it has: it cannot brick.
      if (fallback === undefined) {
        if (!banks[wanted - 1]?.image) active = this.bankNumbers().find((n) => banks[n - 1].image) ?? 1;
      } else {
        active = fallback;
        const w = banks[wanted - 1];
        if (w?.image) {
          w.status = 'ActivationFailed';
          w.bootFailureLog = `${dateTime(this.ctx.now())} image ${w.image.version} failed to boot; rolled back to FirmwareImage.${fallback} (${banks[fallback - 1].image!.version})`;
        }
      }
    }
    banks.forEach((b, i) => {
      const n = i + 1;
      if (n === active) {
        b.status = 'Active';
        b.bootFailureLog = '';
      } else if (b.status === 'Active') {
        b.status = b.image ? 'Available' : 'NoImage';
      } else if (b.status === 'Downloading' || b.status === 'Validating') {
        // A download the power cut (or the reboot) interrupted: the staged image is gone.
        b.status = 'DownloadFailed';
      }
    });
    return active;
  }

  private load(): FirmwareState | undefined {
    if (!this.file || !existsSync(this.file)) return undefined;
    try {
      const s = JSON.parse(readFileSync(this.file, 'utf8')) as FirmwareState;
      if (s.format === 1 && Array.isArray(s.banks) && s.banks.length === BANK_COUNT && s.banks.some((b) => b.image)) return s;
    } catch {
      /* unreadable: a factory-fresh flash, as below */
    }
    return undefined;
  }

  /** Synchronous and atomic: rare and tiny, and a boot or status change must survive a restart at once. */
  private save(): void {
    if (!this.file) return;
    writeFileAtomicSync(this.file, JSON.stringify(this.state));
  }
}

/**
 * One image on its way into a bank: the bytes are looked at only for the header (the simulated
 * flash keeps none). Status follows the calls: Downloading → Validating → Available, or a failure,
 * or, cancelled, back to what it was.
 */
export class SimulatedImageWriter {
  private head = Buffer.alloc(0);
  private bytes = 0;

  constructor(
    private readonly bank: {
      validating(): void;
      install(image: Omit<StoredImage, 'id'>): void;
      fail(status: 'DownloadFailed' | 'ValidationFailed'): void;
      cancel(): void;
    },
  ) {}

  write(chunk: Uint8Array): Awaitable<void> {
    if (this.head.length < HEADER_MAX) this.head = Buffer.concat([this.head, chunk.subarray(0, HEADER_MAX - this.head.length)]);
    this.bytes += chunk.length;
  }

  validating(): void {
    this.bank.validating();
  }

  /** Checks the image and writes it to its bank; a bad image rejects (the caller then calls fail). */
  async install(hint: { fileName: string }): Promise<ImageInfo> {
    if (this.bytes === 0) throw new UspError(ErrorCode.CommandFailure, 'the image is empty');
    const header = parseImageHeader(this.head);
    const version = header?.version ?? versionFromFileName(hint.fileName);
    if (!version) throw new UspError(ErrorCode.CommandFailure, `no firmware version in the image header or its file name ${JSON.stringify(hint.fileName)}`);
    const name = (header?.name ?? hint.fileName).slice(0, MAX_TEXT) || `image-${version}`;
    this.bank.install({ name, version, failsToBoot: header?.failsToBoot ?? false });
    return { name, version };
  }

  fail(status: 'DownloadFailed' | 'ValidationFailed', _reason: string): void {
    this.bank.fail(status);
  }

  cancel(): void {
    this.bank.cancel();
  }
}

/**
 * The optional first line `SIMFW version=<v> [name=<n>] [boot=fail]`. Undefined when the image
 * does not start with the magic; a malformed header throws (the image fails validation).
 */
export function parseImageHeader(head: Uint8Array): { version: string; name?: string; failsToBoot: boolean } | undefined {
  const text = Buffer.from(head).toString('latin1');
  if (!text.startsWith(`${HEADER_MAGIC} `)) return undefined;
  const eol = text.indexOf('\n');
  if (eol < 0) throw new UspError(ErrorCode.CommandFailure, `image header longer than ${HEADER_MAX} bytes`);
  const fields = new Map<string, string>();
  for (const token of text.slice(HEADER_MAGIC.length, eol).trim().split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq <= 0) throw new UspError(ErrorCode.CommandFailure, `bad image header field ${JSON.stringify(token)}`);
    fields.set(token.slice(0, eq), token.slice(eq + 1));
  }
  const version = fields.get('version') ?? '';
  if (!VERSION_RE.test(version) || version.length > MAX_TEXT) throw new UspError(ErrorCode.CommandFailure, `bad version in the image header: ${JSON.stringify(version)}`);
  const name = fields.get('name');
  if (name !== undefined && (name === '' || name.length > MAX_TEXT)) throw new UspError(ErrorCode.CommandFailure, 'bad name in the image header');
  return { version, name, failsToBoot: fields.get('boot') === 'fail' };
}

/** "fg5600-3.3.0.img" → "3.3.0"; undefined when the name ends in no dotted number. */
export function versionFromFileName(fileName: string): string | undefined {
  const v = FILE_VERSION_RE.exec(fileName.replace(IMAGE_EXTENSIONS, ''))?.[1];
  return v !== undefined && v.length <= MAX_TEXT ? v : undefined;
}

function factoryState(version: string): FirmwareState {
  return {
    format: 1,
    banks: [
      { image: { id: 1, name: `fg5600-${version}.img`, version, failsToBoot: false }, available: true, status: 'Active', bootFailureLog: '' },
      ...Array.from({ length: BANK_COUNT - 1 }, (): Bank => ({ available: false, status: 'NoImage', bootFailureLog: '' })),
    ],
    boot: 1,
    lastRunImageId: 1,
    installs: 1,
  };
}
