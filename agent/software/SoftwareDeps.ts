/** What the SoftwareModules commands and tables share. */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ExecutionEnvironment } from '../../platform/software/ExecutionEnvironment.js';
import type { FetchLimits, FetchOptions } from '../firmware/fetch-image.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import type { SoftwareUnits } from './SoftwareUnits.js';

export const DU_PATH = 'Device.SoftwareModules.DeploymentUnit.';
export const EU_PATH = 'Device.SoftwareModules.ExecutionUnit.';
export const EE_PATH = 'Device.SoftwareModules.ExecEnv.';

export interface SoftwareDeps {
  model: DataModel;
  units: SoftwareUnits;
  /** ExecEnv.{i}: envs[i - 1]. */
  envs: readonly ExecutionEnvironment[];
  log: Logger;
  limits: FetchLimits;
  ca?: FetchOptions['ca'];
  downloadPolicy?: DownloadPolicy;
  now(): Date;
  /** Runs `fn` after the command's OperationComplete is queued (see FirmwareDeps.afterCompletion). */
  afterCompletion(fn: () => void): void;
}

/** "Device.SoftwareModules.DeploymentUnit.3" (a reference value: no trailing dot). */
export const duRef = (n: number): string => `${DU_PATH}${n}`;
export const euRef = (n: number): string => `${EU_PATH}${n}`;
export const eeRef = (n: number): string => `${EE_PATH}${n}`;
