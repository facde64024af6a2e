/**
 * Start-up and resident memory: spawns a process N times, measures spawn → first accepted TCP
 * connection on its port (polled every 2 ms), then reads its VmRSS one second later.
 */
import { freePort } from './port.js';
import { rssKiB, type Rss } from './proc.js';
import { prepareAgent, spawnListening } from './spawn-agent.js';

export interface StartSample {
  startMs: number;
  rss: Rss;
}

export interface Launcher {
  what: string;
  prepare(): Promise<{ port: number; args: string[]; cleanup(): void }>;
}

/** The agent as `npm start` runs it, each time with a fresh data directory (factory defaults applied). */
export const agentLauncher: Launcher = { what: 'agent', prepare: () => prepareAgent() };

/** A bare Node process that only listens: the floor for start-up and memory. */
export const bareNodeLauncher: Launcher = {
  what: 'bare node',
  async prepare() {
    const port = await freePort();
    return { port, args: ['-e', `require('http').createServer().listen(${port})`], cleanup: () => undefined };
  },
};

export async function measureStarts(launcher: Launcher, runs: number, rssDelayMs = 1000): Promise<StartSample[]> {
  const samples: StartSample[] = [];
  for (let i = 0; i < runs; i++) {
    const l = await launcher.prepare();
    const p = await spawnListening(l.args, l.port, launcher.what, l.cleanup);
    try {
      await new Promise((r) => setTimeout(r, rssDelayMs));
      samples.push({ startMs: p.listeningAt - p.spawnedAt, rss: rssKiB(p.pid) });
    } finally {
      await p.stop();
    }
  }
  return samples;
}
