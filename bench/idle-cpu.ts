/**
 * Idle CPU of the simulated gateway: the agent process (`--platform simulated`, the bench
 * defaults: one plain WebSocket server, one controller configured, none connected) left alone
 * for a while, its utime+stime read from /proc/<pid>/stat before and after. A bare Node process
 * that only listens idles alongside it over the same window, as the floor.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { figure } from './figure.js';
import { spawnAgent, spawnListening, type RunningProcess } from './spawn-agent.js';
import { freePort } from './port.js';
import { round } from './stats.js';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of `pid`, in clock ticks (fields 14 and 15; the command name may hold spaces). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return Number(fields[11]) + Number(fields[12]);
}

export async function measureIdleCpu(progress: (s: string) => void, idleMs = 10_000, settleMs = 1000): Promise<Record<string, unknown>> {
  const hz = clockTicks();
  progress(`idle CPU: agent (--platform simulated) and a bare node process, ${idleMs / 1000} s with no controller`);
  let agent: RunningProcess | undefined;
  let bare: RunningProcess | undefined;
  try {
    agent = await spawnAgent();
    const port = await freePort();
    bare = await spawnListening(['-e', `require('http').createServer().listen(${port})`], port, 'bare node');
    // Past start-up: the factory defaults are saved and the start-up garbage collected.
    await new Promise((r) => setTimeout(r, settleMs));
    const a0 = cpuTicks(agent.pid);
    const b0 = cpuTicks(bare.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, idleMs));
    const a1 = cpuTicks(agent.pid);
    const b1 = cpuTicks(bare.pid);
    const seconds = (performance.now() - t0) / 1000;
    const pct = (ticks: number): number => round((ticks / hz / seconds) * 100, 3);
    return {
      note: `utime+stime from /proc/<pid>/stat over ${round(seconds, 1)} s of idling, starting ${settleMs} ms after the WebSocket port first accepted a connection; the agent runs the simulated gateway (station churn timer, ValueChange polling every 5 s) with no controller connected; resolution ${round(100 / hz / seconds, 3)} % (one clock tick of ${1000 / hz} ms over the window)`,
      agent: figure(pct(a1 - a0), '% of one core'),
      bareNode: figure(pct(b1 - b0), '% of one core', undefined, 'node -e "require(\'http\').createServer().listen(port)" over the same window'),
      agentCpuMs: round(((a1 - a0) / hz) * 1000, 0),
      bareNodeCpuMs: round(((b1 - b0) / hz) * 1000, 0),
    };
  } finally {
    await bare?.stop();
    await agent?.stop();
  }
}
