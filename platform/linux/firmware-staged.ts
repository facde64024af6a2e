/**
 * Firmware:1 on a live device (TR-181 Device.DeviceInfo.FirmwareImage.{i}, ActiveFirmwareImage,
 * BootFirmwareImage): the agent's FirmwareBackend (agent/firmware/FirmwareBackend.ts, implemented
 * structurally) over a FirmwareInstaller (firmware-installer.ts: OpenWrt sysupgrade or a hook).
 *
 * - Download(): the image streams into a `.partial` file in the staging directory, after a free
 *   space check (statfs) against FileSize and Content-Length; it is renamed or installed only
 *   once the agent checked checksum and signature and the installer validated it. A failed,
 *   cancelled or interrupted download only ever leaves a `.partial` file, removed at the next
 *   start: nothing half-written is ever installed or activated.
 * - Activate(): the installer makes the bank the next boot's, then, once the notifications are
 *   out, boots it (`bootInto`). Before that a pending-boot marker is written (atomically) to the
 *   data directory; the next start compares the running version with the marker's: the same,
 *   Boot! says FirmwareUpdated; not, the bank's Status is ActivationFailed with a BootFailureLog.
 * - Available (a Controller's false: the agent activates and boots none of those images) and, on
 *   a one-image device, the BootFirmwareImage a Set chose, are kept in the same file; see
 *   firmware-boot-choice.ts for what a Set of BootFirmwareImage does on each kind of device.
 *
 * Statuses the device cannot report (Downloading, Validating, the failures) are kept in memory
 * per bank over what the installer reports; a restart forgets them, as TR-181 allows.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cachedSource, type CachedSource } from '../../datamodel/tree/binding-helpers.js';
import { readJsonFile, writeFileAtomicSync } from '../../datamodel/store/atomic-write.js';
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { rebootIntoBootImage, setBootFirmwareImage } from './firmware-boot-choice.js';
import { invalidValue, reason } from './firmware-errors.js';
import type { BankReport, FirmwareInstaller, ImageIdentity } from './firmware-installer.js';
import { StagedImageWriter } from './staged-image-writer.js';
import { FIRMWARE_LIVE_STATE_FILE, type LiveState, markAvailable } from './firmware-live-state.js';

export { FREE_SPACE_MARGIN, StagedImageWriter } from './staged-image-writer.js';
export { FIRMWARE_LIVE_STATE_FILE } from './firmware-live-state.js';

const TABLE = 'Device.DeviceInfo.FirmwareImage.';
const PARTIAL_PREFIX = '.partial-';
/** TR-181 Name/Version are string(64), BootFailureLog string(64K). */
const MAX_TEXT = 64;
/** How long one `status` answer serves further reads: the span of one Get. */
const STATUS_CACHE_MS = 2000;
/** A device has a few banks; anything more is a broken status report. */
export const MAX_BANKS = 8;

type Status = 'NoImage' | 'Active' | 'Downloading' | 'Validating' | 'Available' | 'DownloadFailed' | 'ValidationFailed' | 'InstallationFailed' | 'ActivationFailed';

export interface StagedFirmwareOptions {
  installer: FirmwareInstaller;
  /** Where images wait (OpenWrt: /tmp, RAM). */
  stagingDir: string;
  /** The agent's data directory (markers); none: nothing survives a restart. */
  dataDir?: string;
  log: Logger;
  now?: () => Date;
}

interface Override {
  status: Status;
  bootFailureLog?: string;
}

export class StagedFirmware {
  private readonly installer: FirmwareInstaller;
  private readonly stateFile: string | undefined;
  private state: LiveState = {};
  private readonly overrides = new Map<number, Override>();
  private firmwareUpdated = false;
  private bankCount = 0;
  /** The installer's `status`, shared for STATUS_CACHE_MS (a whole-tree Get asks once per bank). */
  private readonly status: CachedSource<BankReport[]>;
  private readonly now: () => Date;

  constructor(private readonly opts: StagedFirmwareOptions) {
    this.installer = opts.installer;
    this.status = cachedSource(async () => (await this.installer.status()).slice(0, this.installer.stagedBank ? 1 : MAX_BANKS), { maxAgeMs: STATUS_CACHE_MS });
    this.stateFile = opts.dataDir === undefined ? undefined : join(opts.dataDir, FIRMWARE_LIVE_STATE_FILE);
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * The boot: clears what an interrupted download left, settles the pending-boot marker and
   * FirmwareUpdated. Rejects (naming the installer) when the device's banks cannot be read.
   */
  async init(): Promise<void> {
    mkdirSync(this.opts.stagingDir, { recursive: true, mode: 0o700 });
    for (const f of readdirSync(this.opts.stagingDir)) {
      if (f.startsWith(PARTIAL_PREFIX)) rmSync(join(this.opts.stagingDir, f), { force: true });
    }
    this.state = (this.stateFile && readJsonFile<LiveState>(this.stateFile)) || {};
    // A staged image in RAM is gone after a reboot: the row then says NoImage.
    if (this.state.staged && !isFile(this.state.staged.file)) delete this.state.staged;
    // Nothing staged (or the device booted without the agent's flash): BootFirmwareImage is the running image again.
    if (this.installer.stagedBank && !this.state.staged) this.forgetStaged();
    const banks = await this.reports(true);
    if (banks.length === 0) throw new Error(`${this.installer.what} reports no firmware bank`);
    this.bankCount = this.installer.stagedBank ? 2 : banks.length;
    const running = banks.find((b) => b.active)?.version ?? '';
    this.firmwareUpdated = this.state.lastRunVersion !== undefined && running !== this.state.lastRunVersion;
    const pending = this.state.pending;
    if (pending) {
      const booted = pending.version !== '' ? running === pending.version : this.firmwareUpdated;
      if (booted) {
        this.opts.log.info('firmware activation completed', { bank: pending.bank, version: running });
        if (this.installer.stagedBank && pending.bank === this.stagedSlot()) {
          // The staged image now runs: its instance is the Active one, and the other, whose image
          // was flashed over, is empty (NoImage, Available false: see row()).
          if (this.state.staged) rmSync(this.state.staged.file, { force: true });
          delete this.state.staged;
          this.state.runningBank = pending.bank;
          this.forgetStaged();
        }
      } else {
        const log = `${this.now()
          .toISOString()
          .replace(/\.\d+Z$/, 'Z')} image ${pending.version || pending.name} requested at ${pending.requested} did not boot; running ${running}`;
        this.overrides.set(pending.bank, { status: 'ActivationFailed', bootFailureLog: log });
        this.opts.log.warn('firmware activation did not take effect', { bank: pending.bank, wanted: pending.version, running });
      }
      delete this.state.pending;
    }
    this.state.lastRunVersion = running;
    this.save();
  }

  bankNumbers(): number[] {
    return Array.from({ length: this.bankCount }, (_v, i) => i + 1);
  }

  /**
   * One FirmwareImage.{i} row. On a stagedBank device the instance not running holds the staged
   * image or nothing: after an upgrade the previous image is gone (flashed over), so that row is
   * NoImage ("empty": TR-181 names the case of a multi-image device with a single image
   * installed), with Name and Version empty as TR-181 requires outside Active/Available/the
   * failures, and Available false, since it cannot be booted.
   */
  async row(n: number): Promise<Record<string, Value>> {
    const b = await this.bank(n);
    const o = this.overrides.get(n);
    const status: Status = o?.status ?? (b.active ? 'Active' : b.valid && b.version !== '' ? 'Available' : 'NoImage');
    const withImage = status === 'Active' || status === 'Available' || status === 'InstallationFailed' || status === 'ActivationFailed';
    return {
      Name: withImage ? b.name.slice(0, MAX_TEXT) : '',
      Version: withImage ? b.version.slice(0, MAX_TEXT) : '',
      Available: b.valid && !this.markedUnavailable(n),
      Status: status,
      BootFailureLog: o?.bootFailureLog ?? '',
    };
  }

  /**
   * Device.DeviceInfo.ActiveFirmwareImage and BootFirmwareImage (references without a trailing
   * dot), and SoftwareVersion from the running bank when it reports a version: TR-181
   * FirmwareImage.{i}.Version "MUST be the same" as SoftwareVersion while the image is active.
   */
  async references(): Promise<{ ActiveFirmwareImage: string; BootFirmwareImage: string; SoftwareVersion?: string }> {
    let banks: BankReport[];
    let active: number;
    let boot: number;
    try {
      ({ banks, active, boot } = await this.activeAndBoot());
    } catch (e) {
      // The rest of Device.DeviceInfo. still reads when the firmware tool fails; FirmwareImage.{i} reports the failure.
      this.opts.log.warn('firmware banks unreadable', { error: reason(e) });
      return { ActiveFirmwareImage: '', BootFirmwareImage: '' };
    }
    const refs = { ActiveFirmwareImage: active > 0 ? `${TABLE}${active}` : '', BootFirmwareImage: boot > 0 ? `${TABLE}${boot}` : '' };
    const running = banks.find((b) => b.active)?.version ?? '';
    return running !== '' ? { ...refs, SoftwareVersion: running.slice(0, MAX_TEXT) } : refs;
  }

  /**
   * The running FirmwareImage.{i} (ActiveFirmwareImage) and the next boot's (BootFirmwareImage),
   * 0 when none. Rejects when the device's banks cannot be read.
   */
  async activeAndBoot(): Promise<{ banks: BankReport[]; active: number; boot: number }> {
    const banks = await this.reports();
    const staged = this.installer.stagedBank;
    const active = staged ? (banks[0]?.active ? this.runningSlot() : 0) : banks.findIndex((b) => b.active) + 1;
    const boot = this.state.pending?.bank ?? (staged ? (this.state.bootRequested ?? active) : banks.findIndex((b) => b.boot) + 1 || active);
    return { banks, active, boot };
  }

  /**
   * Set of FirmwareImage.{i}.Available (TR-181): true only for a row holding an image; false is
   * refused (7012) for the running image and for BootFirmwareImage's. Kept in the data directory.
   */
  async setAvailable(n: number, available: boolean): Promise<void> {
    const b = await this.bank(n);
    if (available) {
      if (!this.markedUnavailable(n)) {
        if (!b.valid) throw invalidValue('Available', `FirmwareImage.${n} holds no image`);
        return;
      }
    } else {
      // An empty row already reads false: nothing to keep.
      if (!b.valid || this.markedUnavailable(n)) return;
      const { active, boot } = await this.activeAndBoot();
      if (n === active || n === boot) throw invalidValue('Available', `cannot be false: FirmwareImage.${n} is ${n === active ? 'the running image (ActiveFirmwareImage)' : 'BootFirmwareImage'}`);
    }
    this.update((s) => markAvailable(s, n, available));
  }

  /** Set of Device.DeviceInfo.BootFirmwareImage (firmware-boot-choice.ts). */
  setBootImage(ref: string): Promise<void> {
    return setBootFirmwareImage(this, ref);
  }

  /** Device.Reboot(): boots the image BootFirmwareImage names when it is not the running one (firmware-boot-choice.ts). */
  rebootIntoBootImage(): Promise<void> {
    return rebootIntoBootImage(this, this.opts.log);
  }

  /** The installer, for firmware-boot-choice.ts. */
  get device(): FirmwareInstaller {
    return this.installer;
  }

  /** Why FirmwareImage.{i} `n` cannot be booted (no installed image, Available false), or undefined. */
  async whyUnbootable(n: number): Promise<string | undefined> {
    if (!Number.isInteger(n) || n < 1 || n > this.bankCount) return `no ${TABLE}${n}`;
    return this.unbootable(n);
  }

  /** Bank `n` as the device reports it, with its staged image file (stagedBank installers). */
  async bankAndImage(n: number): Promise<{ bank: BankReport; image: string | undefined }> {
    return { bank: await this.bank(n), image: this.imageOf(n) };
  }

  /** stagedBank installers: BootFirmwareImage names the staged image (`n`), or, undefined, the running one. */
  chooseStaged(n: number | undefined): void {
    this.update((s) => {
      if (n === undefined) delete s.bootRequested;
      else s.bootRequested = n;
    });
  }

  /** The device's bank table changed (a hook's `activate`): the next read asks it again. */
  banksChanged(): void {
    this.status.invalidate();
  }

  takeFirmwareUpdated(): boolean {
    const v = this.firmwareUpdated;
    this.firmwareUpdated = false;
    return v;
  }

  async beginDownload(n: number): Promise<StagedImageWriter> {
    const b = await this.bank(n);
    const o = this.overrides.get(n);
    if (o?.status === 'Downloading' || o?.status === 'Validating') throw new UspError(ErrorCode.CommandFailure, `a download into FirmwareImage.${n} is already in progress`);
    if (this.installer.stagedBank ? n !== this.stagedSlot() : b.active) {
      throw new UspError(
        ErrorCode.CommandFailure,
        this.installer.stagedBank
          ? `FirmwareImage.${n} is the running image; download into FirmwareImage.${this.stagedSlot()} (the staged image) and Activate() it`
          : `FirmwareImage.${n} is the running bank (${b.name}); download into another bank`,
      );
    }
    const file = join(this.opts.stagingDir, `${PARTIAL_PREFIX}${n}-${process.pid}`);
    const fh = await open(file, 'w', 0o600);
    // The staged image BootFirmwareImage named is being replaced: the next boot is the running image again.
    if (this.installer.stagedBank && this.state.bootRequested === n) this.chooseStaged(undefined);
    this.overrides.set(n, { status: 'Downloading' });
    return new StagedImageWriter(fh, file, this.opts.stagingDir, {
      validating: () => this.overrides.set(n, { status: 'Validating' }),
      install: (partial, hint) => this.install(n, partial, hint),
      // An install the device refused stays InstallationFailed (the agent reports every later-stage failure as ValidationFailed).
      fail: (status) => {
        if (this.overrides.get(n)?.status !== 'InstallationFailed') this.overrides.set(n, { status });
      },
      cancel: () => {
        if (o) this.overrides.set(n, o);
        else this.overrides.delete(n);
      },
    });
  }

  async checkBootable(n: number): Promise<void> {
    const why = await this.unbootable(n);
    if (why) throw new UspError(ErrorCode.CommandFailure, why);
  }

  /** Activate() and AutoActivate: the installer marks the bank, then the pending-boot marker is written. */
  async setBootBank(n: number): Promise<void> {
    await this.checkBootable(n);
    const b = await this.bank(n);
    const image = this.imageOf(n);
    try {
      await this.installer.activate(b, image);
    } catch (e) {
      throw new UspError(ErrorCode.CommandFailure, `${this.installer.what} refused to activate FirmwareImage.${n}: ${reason(e)}`);
    }
    const staged = this.state.staged;
    if (this.installer.stagedBank && n === this.runningSlot()) delete this.state.bootRequested;
    this.state.pending = { bank: n, name: image ? (staged?.name ?? '') : b.name, version: image ? (staged?.version ?? '') : b.version, requested: this.now().toISOString() };
    this.save();
    this.status.invalidate();
  }

  /** After the notifications: boots (OpenWrt: flashes) the bank. A failure leaves the running image and clears the marker. */
  async bootInto(n: number): Promise<void> {
    const b = await this.bank(n);
    try {
      await this.installer.boot(b, this.imageOf(n));
    } catch (e) {
      const why = `${this.installer.what} failed: ${reason(e)}`;
      this.overrides.set(n, {
        status: 'ActivationFailed',
        bootFailureLog: `${this.now()
          .toISOString()
          .replace(/\.\d+Z$/, 'Z')} ${why}`,
      });
      delete this.state.pending;
      this.save();
      throw new Error(why);
    }
  }

  /** An Activate() that missed its TimeWindows (the agent was down): ActivationFailed with `reason` as BootFailureLog. */
  activationFailed(n: number, reason: string): void {
    this.overrides.set(n, { status: 'ActivationFailed', bootFailureLog: reason });
  }

  /** The staged image file of bank `n` (stagedBank installers), undefined otherwise. */
  private imageOf(n: number): string | undefined {
    return this.installer.stagedBank && n === this.stagedSlot() ? this.state.staged?.file : undefined;
  }

  private markedUnavailable(n: number): boolean {
    return this.state.unavailable?.includes(n) ?? false;
  }

  /** stagedBank installers: the staged image is gone (flashed, or lost at a reboot): no choice of it, no Available of its own. */
  private forgetStaged(): void {
    delete this.state.bootRequested;
    markAvailable(this.state, this.stagedSlot(), true);
  }

  /** stagedBank installers: the FirmwareImage.{i} of the running image (1 until an upgrade through instance 2). */
  private runningSlot(): number {
    return this.state.runningBank === 2 ? 2 : 1;
  }

  /** stagedBank installers: the other instance, where an image is downloaded and staged. */
  private stagedSlot(): number {
    return 3 - this.runningSlot();
  }

  private async unbootable(n: number): Promise<string | undefined> {
    const b = await this.bank(n);
    const o = this.overrides.get(n);
    if (o && o.status !== 'ActivationFailed') return `FirmwareImage.${n} holds no installed image (Status ${o.status})`;
    if (!b.valid || (b.version === '' && !b.active)) return `FirmwareImage.${n} holds no installed image (Status NoImage)`;
    if (this.markedUnavailable(n)) return `FirmwareImage.${n} is not Available (a Controller set Available false)`;
    return undefined;
  }

  /** Validates the complete `.partial` file, then puts it in place (staged) or has the installer write it. */
  private async install(n: number, partial: string, hint: { fileName: string }): Promise<ImageIdentity & { name: string; version: string }> {
    let id: ImageIdentity;
    try {
      id = await this.installer.validate(partial);
    } catch (e) {
      await rm(partial, { force: true });
      throw new UspError(ErrorCode.CommandFailure, `${this.installer.what}: the image is not valid for this device: ${reason(e)}`);
    }
    const name = (id.name || hint.fileName).slice(0, MAX_TEXT);
    const version = (id.version ?? '').slice(0, MAX_TEXT);
    if (this.installer.stagedBank) {
      const file = join(this.opts.stagingDir, `firmware-bank${n}.img`);
      await rename(partial, file);
      this.state.staged = { file, name, version };
      this.save();
    } else {
      const b = await this.bank(n);
      try {
        await this.installer.install!(partial, b);
      } catch (e) {
        this.overrides.set(n, { status: 'InstallationFailed' });
        throw new UspError(ErrorCode.CommandFailure, `${this.installer.what} could not install the image into ${b.name}: ${reason(e)}`);
      } finally {
        await rm(partial, { force: true });
      }
    }
    this.overrides.delete(n);
    // TR-181: Available is true whenever a new image is installed.
    if (markAvailable(this.state, n, true)) this.save();
    this.status.invalidate();
    return { name, version };
  }

  /** Bank `n` as the installer reports it (stagedBank: the running image, or the staged file). */
  private async bank(n: number): Promise<BankReport> {
    if (!Number.isInteger(n) || n < 1 || n > this.bankCount) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${TABLE}${n}`);
    const banks = await this.reports();
    if (this.installer.stagedBank && n === this.stagedSlot()) {
      const s = this.state.staged;
      return { name: s?.name ?? '', version: s?.version ?? '', active: false, boot: this.state.pending?.bank === n, valid: s !== undefined };
    }
    const b = banks[this.installer.stagedBank ? 0 : n - 1];
    if (!b) throw new UspError(ErrorCode.InternalError, `${this.installer.what} no longer reports bank ${n}`);
    return b;
  }

  private reports(fresh = false): Promise<BankReport[]> {
    if (fresh) this.status.invalidate();
    return this.status.read().catch((e: unknown) => {
      throw new UspError(ErrorCode.InternalError, `${this.installer.what} status failed: ${reason(e)}`);
    });
  }

  private save(): void {
    if (this.stateFile) writeFileAtomicSync(this.stateFile, JSON.stringify(this.state));
  }

  /** A Controller's change: on disk first (atomically), then in memory, so a write that fails (disk full) changes neither. */
  private update(change: (s: LiveState) => void): void {
    const next = structuredClone(this.state);
    change(next);
    if (this.stateFile) writeFileAtomicSync(this.stateFile, JSON.stringify(next));
    this.state = next;
  }
}

function isFile(f: string): boolean {
  try {
    return statSync(f).isFile();
  } catch {
    return false;
  }
}
