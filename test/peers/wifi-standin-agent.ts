/**
 * What the Linux Wi-Fi tests share: agent processes on the Linux platform with one recorded
 * fixture's stand-in `iw` and `hostapd_cli` first on PATH (test/fixtures/linux/<fixture>/bin),
 * each with a real Controller over WebSocket; the agent's other Linux sources off, so a Wi-Fi
 * test never touches the host. Creating one registers the clean-up in the calling test file:
 * Controllers closed and agents killed after each test, the work directory removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { AGENT_EID, CONTROLLER_EID } from './agent-fixture.js';
import { AgentProcess, REPO, writeDefaultsFile } from './agent-process.js';
import { TestController } from './TestController.js';

/** The agent's other Linux sources stay off: these tests are about Wi-Fi and must not touch the host. */
export const QUIET_LINUX = ['--dnsmasq', 'off', '--nat', 'off', '--access-control', 'off', '--packet-counters', 'off', '--time', 'off'];

export interface StandinAgent {
  p: AgentProcess;
  c: TestController;
}

export interface StandinStart {
  /** The agent's data directory (a restart with the same one keeps its rows). */
  data: string;
  port: number;
  /** Arguments after QUIET_LINUX. */
  args: readonly string[];
  /** More environment (the stand-ins' log and state files). */
  env: Record<string, string>;
  /** A defaults file written already; otherwise one is written for `port` in the work directory. */
  defaults?: string;
  logLevel?: 'debug';
}

export class WifiStandinAgents {
  /** A fresh directory for the test's files, removed after the file's tests. */
  readonly work: string;
  private readonly bin: string;
  private readonly controllers: TestController[] = [];

  constructor(fixture: string, workPrefix: string) {
    this.bin = join(REPO, 'test/fixtures/linux', fixture, 'bin');
    this.work = mkdtempSync(join(tmpdir(), workPrefix));
    afterEach(async () => {
      for (const c of this.controllers.splice(0)) await c.close();
      await AgentProcess.killAll();
    });
    afterAll(() => rmSync(this.work, { recursive: true, force: true }));
  }

  /** Starts an agent (the defaults seed it at first start only: a restart keeps `port`) and connects its Controller. */
  async start(o: StandinStart): Promise<StandinAgent> {
    let defaults = o.defaults;
    if (defaults === undefined) {
      defaults = join(this.work, `defaults-${o.port}.json`);
      writeDefaultsFile(defaults, o.port);
    }
    const p = AgentProcess.start(defaults, o.data, {
      platform: 'linux',
      ...(o.logLevel ? { logLevel: o.logLevel } : {}),
      args: [...QUIET_LINUX, ...o.args],
      env: { PATH: `${this.bin}:${process.env.PATH}`, ...o.env },
    });
    await p.waitForLine(/websocket server listening/, { timeoutMs: 20_000 });
    const c = await TestController.connect(`ws://127.0.0.1:${o.port}/usp`, CONTROLLER_EID, AGENT_EID);
    this.controllers.push(c);
    return { p, c };
  }
}
