/**
 * Device.DeviceInfo.DeviceImageFile.{i}. (TR-181 2.11, DeviceImage:1) and its
 * DeviceImageNumberOfEntries: pictures of the device for a Controller's UI, read-only. They come
 * from the directory the integrator names (`--device-image-dir`, the defaults file's
 * `$deviceImageDir`), else from the platform (the simulated gateway ships one); without either
 * the table is served empty. Rows are numbered per side (Location, the table's unique key) and
 * keep their number while their file is there.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { cachedSource, type CachedSource } from '../../datamodel/tree/binding-helpers.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { InstanceMap } from '../../datamodel/tree/InstanceMap.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { DeviceImageDirectory, FixedDeviceImages, type DeviceImage, type DeviceImageSource } from '../../platform/device-images.js';

export const DEVICE_IMAGE_FILE_PATH = 'Device.DeviceInfo.DeviceImageFile.{i}.';

/** How long one reading of the directory serves (a Get lists the table, then reads each row). */
const DIRECTORY_MAX_AGE_MS = 10_000;

/** Alias is left out: it is the agent's to keep (agent/baseline/agent-held.ts). */
const PARAMS: readonly string[] = ['Location', 'Image'];

const NO_IMAGES = new FixedDeviceImages([]);

/**
 * Serves the table from `dir` when given, else from the platform's own pictures, else empty.
 * `log` is the agent's: only a directory logs (as component `platform`), so only then is a child made (a fleet gateway keeps none).
 */
export function registerDeviceImages(model: DataModel, opts: { dir?: string; platform?: DeviceImageSource; log: Logger }): void {
  const source: DeviceImageSource = opts.dir !== undefined ? new DeviceImageDirectory(opts.dir, opts.log.child('platform')) : (opts.platform ?? NO_IMAGES);
  model.register(DEVICE_IMAGE_FILE_PATH, source instanceof FixedDeviceImages ? fixedImageFiles(source) : new DeviceImageFiles(source));
}

/** One binding per fixed source: every gateway of a fleet serves the simulated gateway's picture through the same object (issue 14). */
const fixedBindings = new WeakMap<FixedDeviceImages, ObjectBinding>();

function fixedImageFiles(source: FixedDeviceImages): ObjectBinding {
  let b = fixedBindings.get(source);
  if (!b) fixedBindings.set(source, (b = new FixedImageFiles(source.images)));
  return b;
}

/** Pictures that never change: numbered in their order (as a first reading numbers them), nothing kept per gateway. */
class FixedImageFiles implements ObjectBinding {
  readonly params = PARAMS;

  constructor(private readonly images: readonly DeviceImage[]) {}

  list(): number[] {
    return this.images.map((_, i) => i + 1);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const image = this.images[keys[0]! - 1];
    if (!image) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${keys[0]}`);
    return { Location: image.location, Image: image.image };
  }
}

/** The table's binding: a class, so a fleet's gateways share its methods (issue 14). */
class DeviceImageFiles implements ObjectBinding {
  readonly params = PARAMS;
  /** Made at the first read: a fleet's gateways that are never asked for pictures keep none (issue 14). */
  private instances?: InstanceMap;
  private cache?: CachedSource<readonly DeviceImage[]>;

  constructor(private readonly source: DeviceImageSource) {}

  private read(): Promise<readonly DeviceImage[]> {
    const source = this.source;
    this.cache ??= cachedSource(() => source.read(), { maxAgeMs: source instanceof DeviceImageDirectory ? DIRECTORY_MAX_AGE_MS : Infinity });
    return this.cache.read();
  }

  async list(): Promise<number[]> {
    const images = await this.read();
    return (this.instances ??= new InstanceMap()).list(images.map((i) => i.location));
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const images = await this.read();
    const side = (this.instances ??= new InstanceMap()).keyOf(keys[0]);
    const image = images.find((i) => i.location === side);
    if (!image) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${keys[0]}`);
    return { Location: image.location, Image: image.image };
  }
}
