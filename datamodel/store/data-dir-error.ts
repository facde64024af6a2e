/**
 * What goes wrong with a data directory, in words an operator can act on: which place refused,
 * why, and what to do instead (an errno alone, such as ENOENT from a read-only mount, says none
 * of that).
 */
/** Mode of the data directory: the agent's user only (the state holds secrets). */
export const DATA_DIR_MODE = 0o700;
/** Mode of every file the agent writes there. */
export const DATA_FILE_MODE = 0o600;

/** A data directory the agent cannot use: `problem` says what is wrong, `fix` what to do. */
export class DataDirError extends Error {
  constructor(
    readonly dir: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`data directory ${dir}: ${problem}; ${fix}`);
  }
}

const WRITABLE_ELSEWHERE = 'give a directory on writable, persistent storage (e.g. /etc/usp-agent or /var/lib/usp-agent)';

/**
 * Turns an errno from creating or writing in the data directory into what the operator needs:
 * which place refused, why in words, and what to do.
 */
export function explain(abs: string, e: unknown, where: string): DataDirError {
  const code = errnoOf(e);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new DataDirError(
        abs,
        `permission denied in ${where} for the agent's user (uid ${process.getuid?.() ?? '?'})`,
        `create the directory and make it owned by that user (chown, chmod 700), or ${WRITABLE_ELSEWHERE}`,
      );
    case 'EROFS':
      return new DataDirError(abs, `${where} is on a read-only filesystem`, WRITABLE_ELSEWHERE);
    case 'ENOENT':
      // The parent exists (we checked) yet refuses a new entry: a virtual filesystem such as
      // /proc, or a read-only mount under which Node reports ENOENT.
      return new DataDirError(abs, `${where} does not allow creating files or directories (a virtual or read-only filesystem?)`, WRITABLE_ELSEWHERE);
    case 'ENOTDIR':
      return new DataDirError(abs, `a part of the path ${where} is not a directory`, 'fix the path');
    case 'ENOSPC':
    case 'EDQUOT':
      return new DataDirError(abs, `no space left on the filesystem of ${where}`, 'free some space, or give a directory on another filesystem');
    default:
      return new DataDirError(abs, `cannot use ${where}: ${e instanceof Error ? e.message : String(e)}`, WRITABLE_ELSEWHERE);
  }
}

/** The errno name (`EACCES`, `EROFS`, ...) of a Node file-system error, if it has one. */
export function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
