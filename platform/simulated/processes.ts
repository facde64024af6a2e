/**
 * Device.DeviceInfo.ProcessStatus.Process.{i}. of the simulated gateway (TR-181 ProcessStatus:1):
 * the daemons of an OpenWrt-based 5G FWA gateway, with their CPU time growing with the clock at
 * each one's own, gently varying rate (together about the CPUUsage load.ts reports), resident
 * memory that breathes a little, and the agent itself Running (it is answering the Get).
 */
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { growth, Prng, wave } from './random.js';
import { nth, type SimContext } from './SimContext.js';

interface Daemon {
  command: string;
  /** Resident memory, KiB (0: a kernel thread). */
  rssKiB: number;
  /** Kernel priority, 20 + nice (TR-181 0 is the highest). */
  priority: number;
  /** Mean CPU time it uses, ms per second. */
  cpuMsPerS: number;
  /** Sleeping, or busy now and then ('bursty': Running while its load peaks), or always Running. */
  kind: 'sleeps' | 'bursty' | 'running' | 'idle';
}

/** The gateway's processes in PID order, as `ps` on such a device shows them. */
const DAEMONS: readonly Daemon[] = [
  { command: 'procd', rssKiB: 1_460, priority: 20, cpuMsPerS: 0.4, kind: 'sleeps' },
  { command: 'kthreadd', rssKiB: 0, priority: 20, cpuMsPerS: 0, kind: 'sleeps' },
  { command: 'ksoftirqd/0', rssKiB: 0, priority: 20, cpuMsPerS: 28, kind: 'bursty' },
  { command: 'ksoftirqd/1', rssKiB: 0, priority: 20, cpuMsPerS: 22, kind: 'bursty' },
  { command: 'kworker/u4:2', rssKiB: 0, priority: 20, cpuMsPerS: 3, kind: 'idle' },
  { command: 'ubusd', rssKiB: 1_120, priority: 20, cpuMsPerS: 0.8, kind: 'sleeps' },
  { command: 'logd', rssKiB: 1_240, priority: 20, cpuMsPerS: 0.3, kind: 'sleeps' },
  { command: 'rpcd', rssKiB: 3_080, priority: 20, cpuMsPerS: 0.5, kind: 'sleeps' },
  { command: 'netifd', rssKiB: 3_920, priority: 20, cpuMsPerS: 6, kind: 'sleeps' },
  { command: 'odhcpd', rssKiB: 1_610, priority: 20, cpuMsPerS: 0.4, kind: 'sleeps' },
  { command: 'ModemManager', rssKiB: 6_850, priority: 20, cpuMsPerS: 12, kind: 'bursty' },
  { command: 'hostapd', rssKiB: 5_240, priority: 20, cpuMsPerS: 25, kind: 'bursty' },
  { command: 'dnsmasq', rssKiB: 2_180, priority: 20, cpuMsPerS: 3, kind: 'sleeps' },
  { command: 'dropbear', rssKiB: 920, priority: 20, cpuMsPerS: 0.05, kind: 'sleeps' },
  { command: 'uhttpd', rssKiB: 1_730, priority: 20, cpuMsPerS: 0.3, kind: 'sleeps' },
  { command: 'ntpd', rssKiB: 810, priority: 20, cpuMsPerS: 0.05, kind: 'sleeps' },
  { command: 'crond', rssKiB: 700, priority: 20, cpuMsPerS: 0.02, kind: 'sleeps' },
  // The agent runs with nice 5 (usp-agent's procd service), so daemons that carry traffic come first.
  { command: 'usp-agent', rssKiB: 54_300, priority: 25, cpuMsPerS: 20, kind: 'running' },
];

/** Milliseconds of CPU each process had used at boot (start-up work), before the clock runs. */
const BOOT_CPU_MS = 40;

const PROCESS_PARAMS = ['PID', 'Command', 'Size', 'Priority', 'CPUTime', 'State'] as const;
const INSTANCES = DAEMONS.map((_, i) => i + 1);

/** Process.{i}: a class over the gateway's PIDs, its methods one copy for a whole fleet (issue 14). */
class ProcessBinding implements ObjectBinding {
  readonly params = PROCESS_PARAMS;
  /** PIDs as a boot leaves them: kernel threads low, daemons after, gaps where short-lived helpers ran. */
  private readonly pids: readonly number[];

  constructor(private readonly ctx: SimContext) {
    const rnd = new Prng(ctx.seed, 'pids');
    let pid = 0;
    this.pids = DAEMONS.map((d, i) => (pid = i < 2 ? i + 1 : pid + (d.rssKiB === 0 ? rnd.int(1, 12) : rnd.int(30, 400))));
  }

  list(): number[] {
    return INSTANCES;
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const { seed } = this.ctx;
    const d = nth(DAEMONS, keys[0]);
    const i = keys[0]! - 1;
    const t = this.ctx.elapsed();
    const label = `proc.${d.command}`;
    const values: Record<string, Value> = {
      PID: this.pids[i]!,
      Command: d.command,
      Size: d.rssKiB === 0 ? 0 : Math.round(d.rssKiB * (1 + 0.03 * wave(seed, label, t, [120, 3600]))),
      Priority: d.priority,
      CPUTime: Math.floor(BOOT_CPU_MS + growth(seed, label, t, d.cpuMsPerS)),
      State: state(d, wave(seed, `${label}.busy`, t, [3, 11])),
    };
    return values;
  }
}

/** Serves the Process.{i} table (ProcessNumberOfEntries follows from it). */
export function registerProcesses(ctx: SimContext): void {
  ctx.model.register('Device.DeviceInfo.ProcessStatus.Process.{i}.', new ProcessBinding(ctx));
}

function state(d: Daemon, busy: number): string {
  switch (d.kind) {
    case 'running':
      return 'Running';
    case 'idle':
      return 'Idle';
    case 'bursty':
      return busy > 0.6 ? 'Running' : 'Sleeping';
    default:
      return 'Sleeping';
  }
}
