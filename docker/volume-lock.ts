/**
 * One container per state volume. The agent's own lock (`usp-agent.lock`) names a pid, and a pid
 * means nothing in another container's pid namespace: to a second container on the same volume,
 * the first agent's lock looks stale (its pid 1 is the second agent itself) and is taken over, so
 * two agents would write one state.json. A Unix socket bound in the volume is visible to every
 * container of the host: while a live agent holds it, a connect succeeds; after any exit (even
 * SIGKILL or a power cut) it is refused, and the socket file is stale.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';

/** The socket's name inside the data directory. */
export const VOLUME_LOCK = '.usp-agent-container.sock';

/** Another live container's agent holds the data directory. */
export class VolumeInUseError extends Error {
  constructor(readonly dir: string) {
    super(`${dir} is in use by the agent of another container; stop that container, or give this one its own volume (-v NAME:${dir})`);
  }
}

function listen(server: Server, path: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen(path, () => resolve(undefined));
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Binds the volume's socket for the life of this process, or throws VolumeInUseError when a live
 * agent holds it. The server is unref'd: it never keeps the process alive on its own.
 */
export async function holdVolume(dir: string): Promise<Server> {
  const path = join(dir, VOLUME_LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    const server = createServer((s) => s.destroy());
    const err = await listen(server, path);
    if (!err) {
      server.unref();
      return server;
    }
    if (err.code !== 'EADDRINUSE') throw new Error(`${path}: ${err.message}; the data directory must be writable by the agent's user`);
    if (await answers(path)) throw new VolumeInUseError(dir);
    // Left by an agent that is gone: nobody accepts on it.
    if (existsSync(path)) unlinkSync(path);
  }
  throw new VolumeInUseError(dir);
}
