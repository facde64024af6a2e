/**
 * A real Mosquitto broker for the MQTT figures, as test/peers/mosquitto.ts starts it (copied: the
 * bench does not compile test/): Debian's /usr/sbin/mosquitto on a free loopback port, anonymous
 * access, no persistence, and `set_tcp_nodelay true` (without it every small PUBLISH waits
 * ~40 ms on Nagle + delayed ACK).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitAsError, stopChild, track } from './children.js';
import { freePort, waitForPort } from './port.js';

export const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

export interface Broker {
  port: number;
  version: string;
  pid: number;
  stop(): Promise<void>;
}

/** `extraConfig`: more mosquitto.conf lines (the fleet bench adds `max_connections -1`). */
export async function startMosquitto(extraConfig: readonly string[] = []): Promise<Broker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'usp-bench-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'set_tcp_nodelay true',
      'persistence false',
      // Run as root (CI containers) without switching to the "mosquitto" user.
      'user root',
      'allow_anonymous true',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      ...extraConfig,
      '',
    ].join('\n'),
  );
  const version = /version\s+(\S+)/.exec(spawnSync(MOSQUITTO_BIN, ['-h'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 'unknown';
  const child = track(spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] }));
  const died = exitAsError(child, 'mosquitto');
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    await Promise.race([waitForPort(port, 10, 5000), died]);
  } catch (e) {
    await stopChild(child, 'SIGKILL');
    cleanup();
    throw e;
  }
  died.catch(() => undefined);
  return {
    port,
    version,
    pid: child.pid!,
    async stop() {
      await stopChild(child);
      cleanup();
    },
  };
}
