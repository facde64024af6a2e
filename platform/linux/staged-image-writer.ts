/**
 * One firmware image on its way to a live device's staging directory (firmware-staged.ts): the
 * bytes go to a `.partial` file, a free-space check (statfs) runs before the first byte, and a
 * full disk is a clear fault (7005). Only `install` hands the complete file on for validation.
 */
import { rm, statfs, type FileHandle } from 'node:fs/promises';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/** Left free beyond the image: a full /tmp on a router is RAM the rest of the system lacks. */
export const FREE_SPACE_MARGIN = 1024 * 1024;

/** An image on its way to the staging directory: bytes go to a `.partial` file; disk full is a clear fault. */
export class StagedImageWriter {
  private written = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly file: string,
    private readonly stagingDir: string,
    private readonly bank: {
      validating(): void;
      install(partial: string, hint: { fileName: string }): Promise<{ name: string; version: string }>;
      fail(status: 'DownloadFailed' | 'ValidationFailed'): void;
      cancel(): void;
    },
  ) {}

  /** Refuses (7005) an image that would not fit in the staging directory with the margin left free. */
  async expect(bytes: number): Promise<void> {
    const s = await statfs(this.stagingDir);
    const free = Number(s.bavail) * Number(s.bsize) + this.written;
    if (bytes + FREE_SPACE_MARGIN > free) {
      throw new UspError(ErrorCode.ResourcesExceeded, `the image (${bytes} bytes) does not fit in ${this.stagingDir}: ${free} bytes free, ${FREE_SPACE_MARGIN} kept free`);
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    try {
      await this.fh.write(chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC') throw new UspError(ErrorCode.ResourcesExceeded, `${this.stagingDir} is full after ${this.written} bytes of the image`);
      throw e;
    }
    this.written += chunk.length;
  }

  validating(): void {
    this.bank.validating();
  }

  async install(hint: { fileName: string }): Promise<{ name: string; version: string }> {
    await this.fh.sync();
    await this.fh.close();
    if (this.written === 0) throw new UspError(ErrorCode.CommandFailure, 'the image is empty');
    return this.bank.install(this.file, hint);
  }

  fail(status: 'DownloadFailed' | 'ValidationFailed', _reason: string): void {
    this.bank.fail(status);
    this.discard();
  }

  cancel(): void {
    this.bank.cancel();
    this.discard();
  }

  private discard(): void {
    void this.fh
      .close()
      .catch(() => undefined)
      .finally(() => rm(this.file, { force: true }));
  }
}
