/**
 * The agent's dnsmasq child (dnsmasq-process.ts), with the real dnsmasq: a new configuration
 * restarts it, one dnsmasq refuses (`--test`) is not installed and the running child keeps the
 * old one, a child that exits is started again after its back-off, `stop()` ends it, and a child
 * an agent killed without its stop left behind is found by its pid file and ended. The files
 * here bind no port (`port=0`, no DHCP range), except the one meant to fail at run time.
 * Needs root and /usr/sbin/dnsmasq (`.ci/run` installs dnsmasq-base).
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../datamodel/Logger.js';
import { DnsmasqProcess, DNSMASQ_BIN } from '../../../../platform/linux/dnsmasq-process.js';

const dirs: string[] = [];
const procs: DnsmasqProcess[] = [];

afterEach(() => {
  for (const p of procs.splice(0)) p.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(): { p: DnsmasqProcess; conf: string; pidFile: string; lines: string[]; text: (tag: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'usp-dnsmasq-proc-'));
  dirs.push(dir);
  const conf = join(dir, 'dnsmasq.conf');
  const pidFile = join(dir, 'dnsmasq.pid');
  const lines: string[] = [];
  const log = createLogger('info', 'test', (_level, line) => lines.push(line));
  const p = new DnsmasqProcess({ binary: DNSMASQ_BIN, confFile: conf, pidFile, log });
  procs.push(p);
  return { p, conf, pidFile, lines, text: (tag) => `# ${tag}\nport=0\nno-resolv\nno-hosts\npid-file=${pidFile}\n` };
}

/** The pid dnsmasq wrote once it runs (`until` holds), at most 10 s. */
async function pidOf(pidFile: string, until: (pid: number) => boolean = () => true): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    let pid = 0;
    try {
      pid = Number(readFileSync(pidFile, 'utf8').trim());
    } catch {
      /* not yet */
    }
    if ((pid > 0 && until(pid)) || Date.now() > deadline) return pid;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

async function until(ok: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return ok();
}

describe('the agent-owned dnsmasq child', () => {
  it('restarts on a new file, keeps the running one when dnsmasq refuses a file, and ends with stop()', async () => {
    const { p, conf, pidFile, lines, text } = setup();
    await p.apply(text('a'));
    const first = await pidOf(pidFile);
    expect(p.status()).toBe('running');
    await p.apply(text('b'));
    const second = await pidOf(pidFile, (pid) => pid !== first);
    expect(second).not.toBe(first);
    expect(await until(() => !alive(first))).toBe(true);
    expect(readFileSync(conf, 'utf8')).toContain('# b');
    // The same text again: nothing to do.
    await p.apply(text('b'));
    expect(alive(second)).toBe(true);
    await p.apply(`${text('c')}no-such-option\n`);
    expect(readFileSync(conf, 'utf8')).toContain('# b');
    expect(alive(second)).toBe(true);
    expect(lines.some((l) => /dnsmasq refused the configuration/.test(l))).toBe(true);
    p.stop();
    expect(await until(() => !alive(second))).toBe(true);
  });

  it('a child that exits is started again after a back-off, reads failed meanwhile, and running once one starts', async () => {
    const { p, lines, text } = setup();
    // Passes --test, fails at run time while the test holds the port.
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    const port = holder.address().port;
    await p.apply(text('busy').replace('port=0', `port=${port}\nbind-interfaces\nlisten-address=127.0.0.1`));
    expect(await until(() => lines.filter((l) => /dnsmasq exited; starting it again/.test(l)).length >= 2)).toBe(true);
    expect(p.status()).toBe('failed');
    holder.close();
    expect(await until(() => p.status() === 'running')).toBe(true);
    // Nothing to run: the child ends.
    await p.apply(undefined);
    expect(p.status()).toBe('off');
  });

  it('ends a dnsmasq an earlier agent left running on the same file', async () => {
    const { p, conf, pidFile, text } = setup();
    await p.apply(text('left'));
    const pid = await pidOf(pidFile);
    // The agent was killed: its child runs on, outside any supervisor.
    const orphan = spawn(DNSMASQ_BIN, ['--keep-in-foreground', `--conf-file=${conf}`], { stdio: 'ignore' });
    p.stop();
    expect(await until(() => !alive(pid))).toBe(true);
    const left = await pidOf(pidFile, (n) => n === orphan.pid);
    expect(left).toBe(orphan.pid);
    const next = new DnsmasqProcess({ binary: DNSMASQ_BIN, confFile: conf, pidFile });
    next.endLeftover();
    expect(await until(() => !alive(left))).toBe(true);
  });
});
