/**
 * Exit codes of the `usp-agent` data-model commands, and the error that carries one. Scripts rely
 * on them: 0 success; 1 the agent answered with a USP error (TR-369 error code and message on
 * stderr); 2 a usage error found before anything was sent (bad option, unknown path, value of the
 * wrong type); 3 no agent answering on the data directory.
 */
export const EXIT_OK = 0;
/** The agent answered with a USP Error message or a per-path failure (TR-369 error code on stderr). */
export const EXIT_USP_ERROR = 1;
/** Refused before sending: bad options, a path the schema does not know, a value of the wrong type. */
export const EXIT_USAGE = 2;
/** No agent answering on the data directory's control socket. */
export const EXIT_UNREACHABLE = 3;

/** A failure of the command itself (not of the agent's answer): its message goes to stderr as is. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Prints `e` and sets the exit code: a CliError's own code, anything else is a bug of ours (exit 1). */
export function reportCliFailure(e: unknown): void {
  if (e instanceof CliError) {
    process.stderr.write(`usp-agent: ${e.message}\n`);
    process.exitCode = e.exitCode;
    return;
  }
  process.stderr.write(`usp-agent: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = EXIT_USP_ERROR;
}
