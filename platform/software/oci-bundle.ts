/**
 * A Deployment Unit that holds an OCI runtime bundle (config.json and its root file system,
 * usually rootfs/) with a manifest.json for the unit's name, version and vendor: what the OCI EE
 * (crun/runc) and the OpenWrt uxc EE (procd's ujail) both take. One container, one Execution
 * Unit. A bundle asking for a terminal is refused (7225): nothing would read it.
 */
import { PackageError, type UnpackedUnit } from './ExecutionEnvironment.js';
import { freeBytes } from './disk-space.js';
import { unitFrom } from './package-manifest.js';
import { unpackTarGz } from './unpack.js';

/** Unpacks the .tar.gz `file` into `dir` and says what it holds; PackageError when it is no OCI bundle. */
export async function installOciBundle(file: string, dir: string, url: string, ee: string): Promise<UnpackedUnit> {
  const entries = await unpackTarGz(file, dir, await freeBytes(dir));
  const config = entries?.find((e) => e.kind === 'file' && e.path === 'config.json');
  if (!entries || !config) throw new PackageError(7225, `the ${ee} takes a .tar.gz holding an OCI bundle (config.json and its root file system)`);
  let spec: { process?: { terminal?: boolean; args?: unknown } };
  try {
    spec = JSON.parse(config.data.toString('utf8')) as typeof spec;
  } catch {
    throw new PackageError(7035, 'config.json of the bundle is not JSON');
  }
  if (spec.process?.terminal) throw new PackageError(7225, 'the bundle asks for a terminal (process.terminal true); containers here run without one');
  const unit = unitFrom(entries, url);
  return { ...unit, executionUnits: [{ ...unit.executionUnits[0]!, entryPoint: Array.isArray(spec.process?.args) ? spec.process.args.map(String) : undefined }] };
}
