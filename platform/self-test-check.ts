/**
 * One check of Device.SelfTestDiagnostics() (TR-181 2.12 SelfTestDiag:1; what it tests is
 * vendor-specific): a platform declares one per source it binds (ubus and UCI on OpenWrt, /proc
 * and /sys on Linux, mmcli beside either), a plugin may add its own. Each makes one cheap read of
 * its source; the agent runs them with a deadline and reports `name=ok` or `name=fail(why)`.
 */
import { promises as fs } from 'node:fs';
import type { CommandRunner } from './exec/CommandRunner.js';

/** What a check's name may be: it becomes `name=` in the Results text. */
export const SELF_TEST_CHECK_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,31}$/;

export interface SelfTestCheck {
  /** Short, unique within the run (`ubus`, `proc`, `mmcli`): see SELF_TEST_CHECK_NAME_RE. */
  readonly name: string;
  /**
   * Resolves when the source answers (a string: a short detail worth reporting), rejects with why
   * it does not. Must stop what it started when `signal` aborts (deadline or Cancel()).
   */
  run(signal: AbortSignal): Promise<string | void>;
}

/** A file the platform reads (/proc/meminfo): one read, which must hold `expect`. */
export class FileCheck implements SelfTestCheck {
  constructor(
    readonly name: string,
    private readonly file: string,
    private readonly expect: string,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const text = await fs.readFile(this.file, { encoding: 'utf8', signal });
    if (!text.includes(this.expect)) throw new Error(`${this.file} holds no ${this.expect}`);
  }
}

/** A directory the platform lists (/sys/class/net): one listing, which must not be empty. */
export class DirectoryCheck implements SelfTestCheck {
  constructor(
    readonly name: string,
    private readonly dir: string,
  ) {}

  async run(): Promise<string> {
    const entries = await fs.readdir(this.dir);
    if (entries.length === 0) throw new Error(`${this.dir} is empty`);
    return `${entries.length} entries`;
  }
}

/** A command the platform calls (`ubus call system board`): it must exit 0. */
export class CommandCheck implements SelfTestCheck {
  constructor(
    readonly name: string,
    private readonly runner: CommandRunner,
    private readonly cmd: string,
    private readonly args: readonly string[],
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    // Uncached: a cached answer would say the source answered once, not that it answers now.
    await this.runner.run(this.cmd, this.args, { signal, timeoutMs: 5000 });
  }
}

/** A source read through a function of the platform's own (ModemManager's modem list). */
export class ReadCheck implements SelfTestCheck {
  constructor(
    readonly name: string,
    private readonly read: () => Promise<string | void>,
  ) {}

  run(): Promise<string | void> {
    return this.read();
  }
}
