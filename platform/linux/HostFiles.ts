/**
 * Reading the kernel's text interfaces under a configurable root, so tests can point the
 * platform at a fake /sys, /proc and /etc built from recorded fixtures. Files that are absent or
 * refuse to be read (sysfs answers EINVAL for `speed` of a link that is down) read as undefined:
 * an unknown value, never an error.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface HostRoots {
  /** Where sysfs is mounted (default "/sys"). */
  sysRoot?: string;
  /** Where procfs is mounted (default "/proc"). */
  procRoot?: string;
  /** Where /etc is (default "/etc"; os-release lives there). */
  etcRoot?: string;
}

export class HostFiles {
  readonly sysRoot: string;
  readonly procRoot: string;
  readonly etcRoot: string;

  constructor(roots: HostRoots = {}) {
    this.sysRoot = roots.sysRoot ?? '/sys';
    this.procRoot = roots.procRoot ?? '/proc';
    this.etcRoot = roots.etcRoot ?? '/etc';
  }

  sys(...parts: string[]): string {
    return path.join(this.sysRoot, ...parts);
  }
  proc(...parts: string[]): string {
    return path.join(this.procRoot, ...parts);
  }
  etc(...parts: string[]): string {
    return path.join(this.etcRoot, ...parts);
  }

  /** Whole file, or undefined when it cannot be read. */
  async read(file: string): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Synchronous read, for identity files read once at registration. */
  readSync(file: string): string | undefined {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** A one-value sysfs attribute, trimmed; undefined when absent, unreadable or empty. */
  async attr(file: string): Promise<string | undefined> {
    const s = (await this.read(file))?.trim();
    return s === undefined || s === '' ? undefined : s;
  }

  attrSync(file: string): string | undefined {
    const s = this.readSync(file)?.trim();
    return s === undefined || s === '' ? undefined : s;
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await fs.promises.readdir(dir);
    } catch {
      return [];
    }
  }

  listSync(dir: string): string[] {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  }

  async exists(file: string): Promise<boolean> {
    try {
      await fs.promises.access(file);
      return true;
    } catch {
      return false;
    }
  }
}
