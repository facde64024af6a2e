/**
 * The OCI container execution environment (Device.SoftwareModules.ExecEnv.{i} "OCI EE"): a
 * Deployment Unit is a .tar.gz holding an OCI runtime bundle (config.json and its root file
 * system, usually rootfs/) with a manifest.json for the unit's name, version and vendor; its one
 * Execution Unit is the container, run in the foreground by `crun` or `runc` (`<runtime> run
 * --bundle <DU dir> usp-eu-<n>`) and supervised like a process (logs in
 * `<DU dir>/.usp-logs/<name>.log`). A bundle asking for a terminal is refused (7225): nothing
 * would read it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionUnitHandle, UnpackedUnit } from '../software/ExecutionEnvironment.js';
import { installOciBundle } from '../software/oci-bundle.js';
import { SupervisedProcessEnv } from '../software/SupervisedProcessEnv.js';

const SEARCH_PATH = ['/usr/bin', '/usr/sbin', '/bin', '/sbin', '/usr/local/bin', '/usr/local/sbin'];

/**
 * The OCI runtime to use: crun (Debian's and OpenWrt's) when present, except on a host with
 * hybrid cgroups (v1 controllers plus a cgroup2 "unified" mount), where crun 1.8 refuses to run
 * ("cgroups in hybrid mode not supported") and runc does; undefined when neither is installed.
 */
export function findOciRuntime(exists: (p: string) => boolean = existsSync): string | undefined {
  const find = (name: string): string | undefined => SEARCH_PATH.map((d) => join(d, name)).find(exists);
  const crun = find('crun');
  const runc = find('runc');
  const hybrid = exists('/sys/fs/cgroup/unified') && exists('/sys/fs/cgroup/memory');
  return hybrid && runc ? runc : (crun ?? runc);
}

export class OciExecutionEnv extends SupervisedProcessEnv {
  readonly name = 'OCI EE';
  readonly type = 'OCI container';
  readonly vendor = 'usp-agent';
  readonly version: string;

  constructor(private readonly runtime: string) {
    super();
    this.version = runtime.split('/').pop() ?? runtime;
  }

  install(file: string, dir: string, url: string): Promise<UnpackedUnit> {
    return installOciBundle(file, dir, url, this.name);
  }

  async start(eu: ExecutionUnitHandle): Promise<void> {
    // A container left by an agent that was killed would make `run` fail with "already exists".
    await new Promise<void>((resolve) => {
      execFile(this.runtime, ['delete', '--force', containerId(eu)], () => resolve());
    });
    return this.procs.start(eu, { command: this.runtime, args: ['run', '--bundle', eu.dir, containerId(eu)], cwd: eu.dir });
  }
}

function containerId(eu: ExecutionUnitHandle): string {
  return `usp-eu-${eu.key}`;
}
