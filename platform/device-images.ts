/**
 * Pictures of the device for a Controller's UI (TR-181 2.11 Device.DeviceInfo.DeviceImageFile.{i}.,
 * DeviceImage:1): one per side, `Location` Front, Back, Left, Right, Top or Bottom (the table's
 * unique key, so six at most), `Image` the PNG, JPEG or GIF file in base64.
 *
 * An integrator names a directory (`--device-image-dir`, `$deviceImageDir`); its files are named
 * for the side they show, `front.png`, `back.jpg`, `top.gif` (any case; other files are
 * ignored). A directory that does not exist serves no rows, silently: the pictures are optional.
 * A file that cannot be read, is larger than MAX_DEVICE_IMAGE_BYTES or is no PNG, JPEG or GIF is
 * left out and logged once (per file and reason), not at every read.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../datamodel/Logger.js';

/** TR-181 DeviceImageFile.{i}.Location, in the order rows are numbered. */
export const DEVICE_IMAGE_LOCATIONS = ['Front', 'Back', 'Left', 'Right', 'Top', 'Bottom'] as const;
export type DeviceImageLocation = (typeof DEVICE_IMAGE_LOCATIONS)[number];

/**
 * The largest picture served, in bytes: six of them in base64 (~525 KB) keep a whole-tree Get
 * below the 1 MiB Record limit. A device picture for a UI needs far less.
 */
export const MAX_DEVICE_IMAGE_BYTES = 64 * 1024;

/** One row: a side and its picture, base64 (TR-106 base64). */
export interface DeviceImage {
  readonly location: DeviceImageLocation;
  readonly image: string;
}

/** Where a platform's pictures come from: read on each (cached) listing of the table. */
export interface DeviceImageSource {
  read(): Promise<readonly DeviceImage[]>;
}

/** Pictures that never change (the simulated gateway's own). */
export class FixedDeviceImages implements DeviceImageSource {
  constructor(readonly images: readonly DeviceImage[]) {}

  read(): Promise<readonly DeviceImage[]> {
    return Promise.resolve(this.images);
  }
}

const FILE_RE = /^(front|back|left|right|top|bottom)\.(png|jpe?g|gif)$/i;
/** Distinct problems logged once; more are not remembered (and so not logged again either). */
const MAX_LOGGED = 64;

/** The pictures in a directory, one per side. */
export class DeviceImageDirectory implements DeviceImageSource {
  private readonly logged = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {}

  async read(): Promise<DeviceImage[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.once(`dir:${code}`, 'device image directory unreadable; no DeviceImageFile rows', { dir: this.dir, error: messageOf(e) });
      return [];
    }
    const bySide = new Map<DeviceImageLocation, string>();
    for (const name of names.sort()) {
      const m = FILE_RE.exec(name);
      if (!m) continue;
      const side = (m[1][0].toUpperCase() + m[1].slice(1).toLowerCase()) as DeviceImageLocation;
      const first = bySide.get(side);
      if (first === undefined) bySide.set(side, name);
      else this.once(`dup:${name}`, 'two device images for one side; the first is served', { served: join(this.dir, first), ignored: join(this.dir, name) });
    }
    const out: DeviceImage[] = [];
    for (const side of DEVICE_IMAGE_LOCATIONS) {
      const name = bySide.get(side);
      if (name === undefined) continue;
      const image = await this.readImage(join(this.dir, name));
      if (image !== undefined) out.push({ location: side, image });
    }
    return out;
  }

  /** The file in base64, or undefined (logged once) when it cannot be served. */
  private async readImage(file: string): Promise<string | undefined> {
    let bytes: Buffer;
    try {
      const fh = await open(file, 'r');
      try {
        // One byte more than allowed tells an oversized file without reading all of it.
        const buf = Buffer.alloc(MAX_DEVICE_IMAGE_BYTES + 1);
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        bytes = buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch (e) {
      this.once(`${file}:${(e as NodeJS.ErrnoException).code ?? 'error'}`, 'device image unreadable; its row is left out', { file, error: messageOf(e) });
      return undefined;
    }
    if (bytes.length > MAX_DEVICE_IMAGE_BYTES) {
      this.once(`${file}:size`, 'device image too large; its row is left out', { file, maxBytes: MAX_DEVICE_IMAGE_BYTES });
      return undefined;
    }
    if (!isPicture(bytes)) {
      this.once(`${file}:format`, 'device image is no PNG, JPEG or GIF; its row is left out', { file });
      return undefined;
    }
    return bytes.toString('base64');
  }

  private once(key: string, msg: string, fields: Record<string, string | number>): void {
    if (this.logged.has(key) || this.logged.size >= MAX_LOGGED) return;
    this.logged.add(key);
    this.log.warn(msg, fields);
  }
}

/** TR-181 Image: "in PNG, JPEG or GIF format", told by the file's signature. */
export function isPicture(b: Uint8Array): boolean {
  const starts = (sig: readonly number[]): boolean => sig.every((v, i) => b[i] === v);
  return starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) || starts([0xff, 0xd8, 0xff]) || starts([0x47, 0x49, 0x46, 0x38]);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
