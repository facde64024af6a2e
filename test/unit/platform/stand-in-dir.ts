/**
 * Removes the temp directory of a test's stand-in executables (fake ubus, uci, mmcli).
 *
 * A platform stopped in the middle of a reading (a test that did not wait for `ready`, a
 * baseline read of a subtree) can still start stand-ins for a few seconds, and each appends to
 * the directory's call log: a plain recursive delete then races them and fails with ENOTEMPTY.
 * Renaming the directory first ends the race: the stand-ins know it only by its old absolute
 * path, so a late one fails to start its log instead of writing into the tree being deleted.
 */
import fs from 'node:fs';

let renamed = 0;

export function removeStandInDir(dir: string): void {
  const gone = `${dir}.gone-${process.pid}-${renamed++}`;
  try {
    fs.renameSync(dir, gone);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  fs.rmSync(gone, { recursive: true, force: true, maxRetries: 3 });
}
