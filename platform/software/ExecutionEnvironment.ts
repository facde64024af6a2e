/**
 * What an execution environment offers the agent's Device.SoftwareModules. (TR-181
 * SoftwareModules:1, TR-369 Appendix I "Software Module Management"): one small interface a
 * platform (or later a plugin) implements and registers. The agent keeps the Deployment Unit and
 * Execution Unit tables, their state machines, the downloads and the persistence; an EE only
 * unpacks a package into the directory it is given, and starts and stops what it unpacked.
 */

/** An Execution Unit as the package describes it (manifest.json `executionUnits[]`). */
export interface ExecutionUnitSpec {
  /** ExecutionUnit.{i}.Name. */
  name: string;
  /** ExecutionUnit.{i}.ExecEnvLabel: the EE's own name for it (unique within the EE). */
  label: string;
  vendor: string;
  version: string;
  description: string;
  /** ExecutionUnit.{i}.AutoStart: started when the EE starts (the agent's boot). */
  autoStart: boolean;
  /** Process and container EEs: the command, relative paths resolved in the unit's directory. */
  entryPoint?: readonly string[];
}

/** What install() found in a package: the Deployment Unit and its Execution Units. */
export interface UnpackedUnit {
  name: string;
  version: string;
  vendor: string;
  description: string;
  executionUnits: ExecutionUnitSpec[];
}

/** ExecutionUnit.{i}.Status (TR-181; Restarting is set by the agent around a restart). */
export type ExecutionUnitStatus = 'Idle' | 'Starting' | 'Active' | 'Stopping' | 'Restarting';

/** ExecutionUnit.{i}.ExecutionFaultCode. */
export type ExecutionFaultCode = 'NoFault' | 'FailureOnStart' | 'FailureOnAutoStart' | 'FailureOnStop' | 'FailureWhileActive' | 'DependencyFailure' | 'UnStartable';

/** An EU's state change, reported by the EE whenever it happens (a process may exit on its own). */
export interface ExecutionUnitState {
  status: ExecutionUnitStatus;
  fault?: { code: ExecutionFaultCode; message: string };
}

/** The installed EU the agent asks the EE to run. */
export interface ExecutionUnitHandle {
  /** A key unique in the agent (the EU's instance number), for the EE's own bookkeeping. */
  key: number;
  /** The Deployment Unit's directory (what install() unpacked). */
  dir: string;
  spec: ExecutionUnitSpec;
  /** Called on every state change, from start()/stop() and afterwards. */
  report(state: ExecutionUnitState): void;
}

/** ExecEnv.{i} resources, in TR-181 units (kilobytes; -1: unknown / not applicable). */
export interface ExecEnvResources {
  availableDiskSpace: number;
  availableMemory: number;
}

/** Per-EU usage, in TR-181 units (kilobytes; -1: unknown). */
export interface ExecutionUnitUsage {
  diskSpaceInUse: number;
  memoryInUse: number;
  /** ExecutionUnit.{i}.AssociatedProcessList would name these (Device.DeviceInfo.ProcessStatus.Process.{i}). */
  pids: number[];
}

/**
 * A package the EE cannot take. `code` is the TR-369/TR-181 fault code for DUStateChange!:
 * 7225 (Deployment Unit to Execution Environment Mismatch), 7035 (Corrupt Data),
 * 7227 (System Resources Exceeded).
 */
export class PackageError extends Error {
  override readonly name = 'PackageError';
  constructor(
    readonly code: 7225 | 7035 | 7227,
    message: string,
  ) {
    super(message);
  }
}

export interface ExecutionEnvironment {
  /** ExecEnv.{i}.Name (unique), Type, Vendor, Version. */
  readonly name: string;
  readonly type: string;
  readonly vendor: string;
  readonly version: string;
  /**
   * Unpacks the downloaded `file` into `dir` (empty, the DU's own) and says what it holds.
   * `url` names the unit when the package does not. Throws PackageError for a package it
   * cannot take.
   */
  install(file: string, dir: string, url: string): Promise<UnpackedUnit>;
  /** Starts an EU: reports Starting, then Active (or Idle with a fault). */
  start(eu: ExecutionUnitHandle): Promise<void>;
  /** Stops an EU: reports Stopping, then Idle. */
  stop(eu: ExecutionUnitHandle): Promise<void>;
  resources(dir: string): Promise<ExecEnvResources>;
  usage(eu: ExecutionUnitHandle): Promise<ExecutionUnitUsage>;
  /** Stops everything at once (agent stop); units are started again at the next start. */
  shutdown(): Promise<void>;
}
