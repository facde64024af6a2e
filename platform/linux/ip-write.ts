/**
 * The Linux platform's one write path: iproute2 commands (`ip link set`, `ip addr add`, ...) run
 * as argv lists through the shared CommandRunner (no shell, a time limit, bounded output), each
 * one a change a Set, Add or Delete makes while its transaction runs (TR-369 R-SET.2a, R-ADD.2a:
 * applied at once, undone by the transaction when a later change fails).
 *
 * Only interfaces the agent is told to manage are written (`--manage-interfaces`): by default
 * none, so an agent started on a developer's laptop reads the host's network but never changes it.
 *
 * A failed command becomes the UspError that names why, from what `ip` printed (the kernel's
 * reason), and its stderr goes to the log.
 */
import type { Logger } from '../../datamodel/Logger.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { CommandError } from '../exec/CommandError.js';
import type { CommandRunner } from '../exec/CommandRunner.js';

/** The interfaces the agent may reconfigure: names, or every interface (`*`). */
export class ManagedInterfaces {
  private readonly names: ReadonlySet<string>;
  private readonly all: boolean;

  /** `spec`: the `--manage-interfaces` names (`*` for all); undefined or empty manages none. */
  constructor(spec: readonly string[] = []) {
    this.all = spec.includes('*');
    this.names = new Set(spec.filter((n) => n !== '*'));
  }

  has(name: string): boolean {
    return this.all || this.names.has(name);
  }

  /** Whether any interface may be written (else the platform is read-only). */
  get any(): boolean {
    return this.all || this.names.size > 0;
  }
}

/** Runs `ip` to change the host's network configuration, for managed interfaces only. */
export class IpWriter {
  constructor(
    private readonly runner: CommandRunner,
    readonly managed: ManagedInterfaces,
    private readonly log?: Logger,
  ) {}

  /** 7002 unless `name` is a managed interface: the agent leaves the others as they are. */
  requireManaged(name: string, path?: string): void {
    if (this.managed.has(name)) return;
    throw new UspError(ErrorCode.RequestDenied, `network interface ${name} is not managed by this agent (start it with --manage-interfaces ${name} to let controllers change it)`, { path });
  }

  /**
   * Runs `ip ARGS...`; rejects with the UspError for its failure. Every cached `ip` read is
   * forgotten afterwards (also after a failure, which may have changed part of the state), so the
   * next Get shows what the kernel now holds.
   */
  async run(args: readonly string[], path?: string): Promise<void> {
    try {
      await this.runner.run('ip', args);
      this.log?.info('network configuration changed', { command: ['ip', ...args].join(' ') });
    } catch (e) {
      const err = ipWriteError(e, path);
      this.log?.warn('ip command failed', { command: ['ip', ...args].join(' '), code: err.code, stderr: e instanceof CommandError ? e.stderr.trim() : undefined });
      throw err;
    } finally {
      this.runner.invalidate('ip ');
    }
  }
}

/** Kernel reasons as `ip` prints them, to the TR-369 error a controller can act on. */
const REASONS: ReadonlyArray<readonly [RegExp, ErrorCode]> = [
  [/Cannot find device|No such device|Address not found|No such process/i, ErrorCode.ObjectDoesNotExist],
  [/already assigned|File exists/i, ErrorCode.DuplicateUniqueKey],
  [/Operation not permitted|Permission denied/i, ErrorCode.RequestDenied],
  [/greater than|less than|out of range|Invalid argument|invalid (prefix|address|mtu)/i, ErrorCode.InvalidValue],
];

/**
 * The UspError for a failed `ip` write: the tool missing or hanging is 7003; an exit names the
 * kernel's reason (7016 the device or address is gone, 7025 already there, 7002 not permitted,
 * 7012 a value the device refuses, else 7002), with `ip`'s own message.
 */
export function ipWriteError(e: unknown, path?: string): UspError {
  if (e instanceof UspError) return e;
  if (!(e instanceof CommandError) || e.failure !== 'exit') {
    return new UspError(ErrorCode.InternalError, `network configuration failed: ${e instanceof Error ? e.message : String(e)}`, { path });
  }
  const said = e.stderr.trim() || e.message;
  const code = REASONS.find(([re]) => re.test(said))?.[1] ?? ErrorCode.RequestDenied;
  return new UspError(code, `${e.commandLine}: ${said.split('\n')[0]}`, { path });
}
