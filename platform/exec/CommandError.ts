/**
 * The typed failure of an external command (ubus, uci, mmcli, ...), and how a binding turns it
 * into the UspError of the one subtree that depends on that command. The rest of the tree does
 * not share the failure: every object reads from its own source.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/**
 * Why a command failed:
 * - `missing`: the tool is not installed (spawn ENOENT/EACCES).
 * - `timeout`: it ran longer than the runner's time limit and was killed.
 * - `exit`: it exited non-zero or on a signal (e.g. `ubus call` on an absent object, exit 4).
 * - `output-limit`: it wrote more than the runner accepts and was killed.
 * - `parse`: it succeeded but its output was not the expected format (e.g. not JSON).
 */
export type CommandFailure = 'missing' | 'timeout' | 'exit' | 'output-limit' | 'parse';

export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    readonly failure: CommandFailure,
    /** The command line as a human reads it, e.g. `ubus call iwinfo info {"device":"wl0"}`. */
    readonly commandLine: string,
    message: string,
    readonly exitCode?: number,
    /** The first part of what it wrote on stderr, for the log. */
    readonly stderr = '',
  ) {
    super(`${commandLine}: ${message}`);
  }
}

/**
 * The UspError for a data source that failed: 7003 Internal Error naming the command and the
 * reason, so a Controller (and the log) sees which tool broke instead of a generic failure.
 * UspErrors pass through unchanged; anything else is our own bug and also becomes 7003.
 */
export function sourceError(e: unknown, path?: string): UspError {
  if (e instanceof UspError) return e;
  if (e instanceof CommandError) {
    const what = e.failure === 'missing' ? 'data source unavailable' : 'data source failed';
    return new UspError(ErrorCode.InternalError, `${what}: ${e.message}`, { path });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new UspError(ErrorCode.InternalError, `internal error: ${message}`, { path });
}
