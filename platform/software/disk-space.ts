/** Free space for the execution environments (ExecEnv.{i}.AvailableDiskSpace, kilobytes). */
import { statfs } from 'node:fs/promises';
import { freemem } from 'node:os';

/** Bytes an unprivileged writer may still use on the file system holding `dir` (-1: unknown). */
export async function freeBytes(dir: string): Promise<number> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return -1;
  }
}

export async function hostResources(dir: string): Promise<{ availableDiskSpace: number; availableMemory: number }> {
  const free = await freeBytes(dir);
  return { availableDiskSpace: free < 0 ? -1 : Math.floor(free / 1024), availableMemory: Math.floor(freemem() / 1024) };
}
