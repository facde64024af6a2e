/**
 * The firmware hook of a generic Linux device (`--firmware-hook SCRIPT`): the agent's
 * FirmwareInstaller for A/B devices whose update tool (RAUC, SWUpdate, Mender) the agent does
 * not know. The contract, documented for integrators in docs/firmware-hook.md:
 *
 *   SCRIPT status            one line per bank, in bank order (FirmwareImage.1, .2, …):
 *                            `name=<n> version=<v> active=<0|1> boot=<0|1> valid=<0|1>`
 *                            (space-separated key=value, values without spaces; unknown keys ignored)
 *   SCRIPT validate IMAGE    exit 0: the image fits this device; may print `name=<n> version=<v>`
 *   SCRIPT install IMAGE BANK  write the (validated) image into bank BANK (its `name`)
 *   SCRIPT activate BANK     make BANK the next boot's, without rebooting (Activate(), a Set of BootFirmwareImage)
 *   SCRIPT reboot            reboot the device (the agent calls it once its notifications are out)
 *
 * Exit codes: 0 done; 1 refused (invalid image, failed write; the first line of stderr says why
 * and becomes the FaultString); 2 not supported (only for `reboot`: the agent then restarts
 * itself and leaves the reboot to the device); anything else is a failure like 1.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { CommandError } from '../exec/CommandError.js';
import { CommandRunner } from '../exec/CommandRunner.js';
import { type BankReport, type FirmwareInstaller, type ImageIdentity, InstallerRefusal } from './firmware-installer.js';

/** `status` and `validate` answer quickly; `install` writes a partition (RAUC: minutes). */
const QUICK_MS = 60_000;
const INSTALL_MS = 30 * 60_000;
export const HOOK_UNSUPPORTED_EXIT = 2;

export class FirmwareHook implements FirmwareInstaller {
  readonly stagedBank = false;
  readonly what: string;
  private readonly runner: CommandRunner;

  constructor(
    private readonly script: string,
    log: Logger,
  ) {
    this.what = `firmware hook ${script}`;
    this.runner = new CommandRunner({ log, timeoutMs: QUICK_MS });
  }

  async status(): Promise<BankReport[]> {
    const out = await this.call(['status']);
    return parseHookStatus(out);
  }

  async validate(image: string): Promise<ImageIdentity> {
    const fields = parseFields(firstLine(await this.call(['validate', image])));
    return { name: fields.name, version: fields.version };
  }

  async install(image: string, bank: BankReport): Promise<void> {
    await this.call(['install', image, bank.name], INSTALL_MS);
  }

  async activate(bank: BankReport): Promise<void> {
    await this.call(['activate', bank.name]);
  }

  async boot(): Promise<void> {
    try {
      await this.runner.run(this.script, ['reboot'], { timeoutMs: QUICK_MS });
    } catch (e) {
      // The hook leaves the reboot to the device: the agent's own restart is all there is.
      if (e instanceof CommandError && e.exitCode === HOOK_UNSUPPORTED_EXIT) return;
      throw refusal(e);
    }
  }

  private async call(args: string[], timeoutMs = QUICK_MS): Promise<string> {
    try {
      return await this.runner.run(this.script, args, { timeoutMs });
    } catch (e) {
      throw refusal(e);
    }
  }
}

/** Parses `SCRIPT status`; throws on a line without a name (a broken hook must not become banks). */
export function parseHookStatus(out: string): BankReport[] {
  const banks: BankReport[] = [];
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    const f = parseFields(line);
    if (!f.name) throw new Error(`status line without name=: ${JSON.stringify(line.slice(0, 120))}`);
    banks.push({ name: f.name, version: f.version ?? '', active: f.active === '1', boot: f.boot === '1', valid: f.valid === '1' });
  }
  return banks;
}

function parseFields(line: string): Record<string, string> {
  const f: Record<string, string> = {};
  for (const tok of line.trim().split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) f[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  return f;
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '') ?? '';
}

/** The hook's own words (first stderr line) when it refused; the runner's message otherwise. */
function refusal(e: unknown): InstallerRefusal {
  if (e instanceof CommandError && e.failure === 'exit' && e.stderr.trim() !== '') return new InstallerRefusal(`${firstLine(e.stderr).trim()} (exit ${e.exitCode ?? '?'})`);
  return new InstallerRefusal(e instanceof Error ? e.message : String(e));
}
