/**
 * What a Controller writes on a live device's firmware (TR-181 Firmware:1): FirmwareImage.{i}.Available
 * and Device.DeviceInfo.BootFirmwareImage, over StagedFirmware (firmware-staged.ts). TR-181: "A
 * FirmwareImage instance can also be activated by setting BootFirmwareImage and causing the Agent
 * to reboot"; BootFirmwareImage must name a row whose image is installed and Available (7012
 * otherwise), and is never rewritten when that image then fails to boot.
 *
 * - A/B device behind the firmware hook: the Set runs `SCRIPT activate BANK` (the hook's boot
 *   flag is what BootFirmwareImage reads), so any reboot of the device starts that bank.
 * - OpenWrt (`sysupgrade`, one flash): the staged image is a file in RAM and only a flash
 *   installs it. Setting BootFirmwareImage to the staged row checks it again (`sysupgrade -T`)
 *   and keeps the choice in the data directory; setting it back to the running row cancels. A
 *   reboot the device makes by itself loses the staged file, and with it the choice.
 *
 * On both, Device.Reboot() (which on a live platform otherwise restarts only the agent) then
 * boots the chosen image as Activate() does (`rebootIntoBootImage`): the pending-boot marker,
 * then `sysupgrade IMAGE` or `SCRIPT reboot`; the start after it says FirmwareUpdated, or
 * ActivationFailed when the image did not come up. FactoryReset() does not boot it.
 *
 * Available false is the agent's own rule (neither sysupgrade nor the hook contract can tell the
 * boot loader): Activate() of such an image fails (7022), BootFirmwareImage cannot name it, and
 * the running image and BootFirmwareImage's cannot be made unavailable.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { invalidValue, reason } from './firmware-errors.js';
import type { StagedFirmware } from './firmware-staged.js';

const TABLE = 'Device.DeviceInfo.FirmwareImage.';
const ROW_REF = /^Device\.DeviceInfo\.FirmwareImage\.([1-9]\d{0,2})\.?$/;

/**
 * Serves FirmwareImage.{i} from `fw`. Alias is the agent's (datamodel/store/stored-alias.ts: kept
 * in its store, so it survives a restart); Available is the one parameter a Set changes here.
 */
export function registerStagedFirmwareImages(model: DataModel, fw: StagedFirmware): void {
  model.register(`${TABLE}{i}.`, new StagedFirmwareImageBinding(fw));
}

const IMAGE_PARAMS = ['Name', 'Version', 'Available', 'Status', 'BootFailureLog'] as const;
const IMAGE_WRITABLE = ['Available'] as const;

class StagedFirmwareImageBinding implements ObjectBinding {
  readonly params = IMAGE_PARAMS;
  readonly writable = IMAGE_WRITABLE;

  constructor(private readonly fw: StagedFirmware) {}

  list(): number[] {
    return this.fw.bankNumbers();
  }

  get(keys: InstanceKeys): Promise<Record<string, Value>> {
    return this.fw.row(keys[0]);
  }

  async set(keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    if (changes.Available !== undefined) await this.fw.setAvailable(keys[0], changes.Available === true);
  }
}

/** Set of Device.DeviceInfo.BootFirmwareImage: 7012 unless `ref` names a row with an installed, Available image the device accepts. */
export async function setBootFirmwareImage(fw: StagedFirmware, ref: string): Promise<void> {
  const m = ROW_REF.exec(ref);
  if (!m) throw invalidValue('BootFirmwareImage', ref === '' ? 'cannot be empty' : `${JSON.stringify(ref)} is not a ${TABLE}{i} row`);
  const n = Number(m[1]);
  const why = await fw.whyUnbootable(n);
  if (why) throw invalidValue('BootFirmwareImage', why);
  const device = fw.device;
  const { active } = await fw.activeAndBoot();
  const { bank, image } = await fw.bankAndImage(n);
  if (device.stagedBank && n === active) {
    // Back to the running image: nothing to flash at the next reboot.
    fw.chooseStaged(undefined);
    return;
  }
  try {
    // sysupgrade: `-T` on the staged file again; the hook: `activate BANK`.
    await device.activate(bank, image);
  } catch (e) {
    throw invalidValue('BootFirmwareImage', `${device.what} refused FirmwareImage.${n}: ${reason(e)}`);
  } finally {
    fw.banksChanged();
  }
  if (device.stagedBank) fw.chooseStaged(n);
}

/**
 * Device.Reboot(): when BootFirmwareImage names another image than the running one, boots it as
 * Activate() would. A flash or reboot that fails leaves the pending-boot marker: the start after
 * the agent's restart then reports that image ActivationFailed. Never rejects.
 */
export async function rebootIntoBootImage(fw: StagedFirmware, log: Logger): Promise<void> {
  let n: number;
  let target: Awaited<ReturnType<StagedFirmware['bankAndImage']>>;
  try {
    const { active, boot } = await fw.activeAndBoot();
    if (boot === 0 || boot === active) return;
    n = boot;
    const why = await fw.whyUnbootable(n);
    if (why) {
      log.warn('Reboot(): BootFirmwareImage cannot be booted; restarting on the running image', { bank: n, why });
      return;
    }
    await fw.setBootBank(n);
    target = await fw.bankAndImage(n);
  } catch (e) {
    log.error('Reboot(): the image BootFirmwareImage names could not be made ready; restarting on the running image', { error: reason(e) });
    return;
  }
  log.info('Reboot(): booting the image BootFirmwareImage names', { bank: n });
  try {
    await fw.device.boot(target.bank, target.image);
  } catch (e) {
    log.error('Reboot(): booting BootFirmwareImage failed; the next start reports it', { bank: n, error: reason(e) });
  }
}
