/**
 * The Deployment Units and Execution Units of Device.SoftwareModules. (TR-181 SoftwareModules:1)
 * and their persistence: `<software dir>/units.json`, replaced atomically after every change, next
 * to one directory per DU (`du-<n>-<stamp>`) that the DU's execution environment unpacked.
 *
 * What survives a crash (kill -9, power cut): only units whose install finished are saved, and
 * an Update saves the new directory in the same write that makes it the DU's. At start, every
 * directory and partial download that units.json does not name is deleted, so an install cut
 * short leaves no unit at all (the DU is absent), and an Update cut short leaves the DU as it
 * was before. Units in the middle of an Update or Uninstall are saved as Installed.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import { writeFileAtomic } from '../../datamodel/store/atomic-write.js';
import type { ExecutionUnitSpec, ExecutionUnitState } from '../../platform/software/ExecutionEnvironment.js';
import type { AutoRestartConfig } from './auto-restart.js';

/** DeploymentUnit.{i}.Status. */
export type DuStatus = 'Installing' | 'Installed' | 'Updating' | 'Uninstalling';

export interface DuRecord {
  n: number;
  uuid: string;
  duid: string;
  alias: string;
  name: string;
  status: DuStatus;
  url: string;
  description: string;
  vendor: string;
  version: string;
  /** ExecEnv.{i} instance number. */
  ee: number;
  /** Directory name under the software directory ("" while installing). */
  dir: string;
  installed: string;
  lastUpdate: string;
  eus: number[];
}

export interface EuRecord {
  n: number;
  du: number;
  alias: string;
  euid: string;
  spec: ExecutionUnitSpec;
  /** The last SetRequestedState(): honoured again after a restart. */
  requested: 'Idle' | 'Active';
  created: string;
  /** ExecutionUnit.{i}.AutoRestart. (auto-restart.ts); absent: off. */
  autoRestart?: AutoRestartConfig;
  /**
   * AutoRestart.RetryCount and LastRestarted (ISO 8601), kept across agent restarts: TR-181 resets
   * RetryCount only by a Set, Restart() or a ResetPeriod without failure, not by a reboot.
   */
  autoRestartCounts?: { retryCount: number; lastRestarted?: string };
}

/** ExecEnv.{i} RestartReason, RestartCount ("since it was last disabled") and LastRestarted (ISO 8601). */
export interface EnvRestartRecord {
  reason: string;
  count: number;
  last?: string;
}

interface SavedFile {
  version: 1;
  nextDu: number;
  nextEu: number;
  units: DuRecord[];
  eus: EuRecord[];
  disabledEnvs: string[];
  envRestarts?: Record<string, EnvRestartRecord>;
}

/** Bounds: rows in each table (TR-181 leaves them unbounded; a router's flash does not). */
export const MAX_DEPLOYMENT_UNITS = 64;
export const UNITS_FILE = 'units.json';

export class SoftwareUnits {
  get units(): Map<number, DuRecord> {
    return (this.unitsOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private unitsOf?: Map<number, DuRecord>;
  get eus(): Map<number, EuRecord> {
    return (this.eusOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private eusOf?: Map<number, EuRecord>;
  /** Live EU state, as the EEs report it (Idle until started). */
  get euState(): Map<number, ExecutionUnitState> {
    return (this.euStateOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private euStateOf?: Map<number, ExecutionUnitState>;
  /** Names of ExecEnv rows a controller disabled (ExecEnv.{i}.Enable false). */
  get disabledEnvs(): Set<string> {
    return (this.disabledEnvsOf ??= new Set());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Set costs ~180 bytes. */
  private disabledEnvsOf?: Set<string>;
  /** Restart counters per ExecEnv name (bounded by the platform's EEs). */
  get envRestarts(): Map<string, EnvRestartRecord> {
    return (this.envRestartsOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private envRestartsOf?: Map<string, EnvRestartRecord>;
  private nextDu = 1;
  private nextEu = 1;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly persist: boolean,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Reads units.json and deletes what it does not name (interrupted installs and updates). */
  load(): void {
    if (this.persist) {
      let saved: SavedFile | undefined;
      const file = join(this.dir, UNITS_FILE);
      try {
        saved = JSON.parse(readFileSync(file, 'utf8')) as SavedFile;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          // Kept aside for a look; the units it named cannot be trusted and go with the sweep below.
          const movedTo = `${file}.corrupt-${Date.now()}`;
          renameSync(file, movedTo);
          this.log.error('software units file unreadable; starting with no units', { file, movedTo, why: e instanceof Error ? e.message : String(e) });
        }
      }
      if (saved) {
        this.nextDu = saved.nextDu;
        this.nextEu = saved.nextEu;
        for (const u of saved.units) this.units.set(u.n, { ...u, status: 'Installed' });
        for (const e of saved.eus) this.eus.set(e.n, e);
        for (const d of saved.disabledEnvs ?? []) this.disabledEnvs.add(d);
        for (const [name, r] of Object.entries(saved.envRestarts ?? {})) this.envRestarts.set(name, r);
      }
    }
    const kept = new Set([...this.units.values()].map((u) => u.dir));
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith(UNITS_FILE) || kept.has(name)) continue;
      rmSync(join(this.dir, name), { recursive: true, force: true });
      this.log.warn('software: removed what an interrupted install or update left', { path: join(this.dir, name) });
    }
    for (const e of this.eus.values()) this.euState.set(e.n, { status: 'Idle' });
  }

  /** A new DU row (Status Installing, not saved until the install completes). */
  newUnit(fields: Omit<DuRecord, 'n' | 'alias' | 'duid' | 'status' | 'dir' | 'eus' | 'name' | 'description' | 'vendor' | 'version' | 'installed' | 'lastUpdate'>): DuRecord {
    const n = this.nextDu++;
    const u: DuRecord = {
      n,
      alias: `cpe-du-${n}`,
      duid: String(n),
      status: 'Installing',
      dir: '',
      eus: [],
      name: '',
      description: '',
      vendor: '',
      version: '',
      installed: '',
      lastUpdate: '',
      ...fields,
    };
    this.units.set(n, u);
    return u;
  }

  newEu(du: number, spec: ExecutionUnitSpec, created: string): EuRecord {
    const n = this.nextEu++;
    const e: EuRecord = { n, du, alias: `cpe-eu-${n}`, euid: randomUUID(), spec, requested: 'Idle', created };
    this.eus.set(n, e);
    this.euState.set(n, { status: 'Idle' });
    return e;
  }

  /** A fresh directory name for a DU's files. */
  newDirName(du: number): string {
    return `du-${du}-${Date.now().toString(36)}`;
  }

  /** A partial download's path (deleted at the next start when left behind). */
  partFile(du: number): string {
    return join(this.dir, `download-${du}-${Date.now().toString(36)}.part`);
  }

  dirOf(u: DuRecord): string {
    return join(this.dir, u.dir);
  }

  /** Saves the finished units; resolves when units.json is on disk. Writes are serialised. */
  save(): Promise<void> {
    if (!this.persist) return Promise.resolve();
    const file: SavedFile = {
      version: 1,
      nextDu: this.nextDu,
      nextEu: this.nextEu,
      units: [...this.units.values()].filter((u) => u.status !== 'Installing').map((u) => ({ ...u, status: 'Installed' })),
      eus: [...this.eus.values()].filter((e) => this.units.get(e.du)?.status !== 'Installing'),
      disabledEnvs: [...this.disabledEnvs],
      envRestarts: Object.fromEntries(this.envRestarts),
    };
    const text = JSON.stringify(file);
    this.saving = this.saving.catch(() => undefined).then(() => writeFileAtomic(join(this.dir, UNITS_FILE), text));
    return this.saving;
  }
}
