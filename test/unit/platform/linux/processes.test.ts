import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { HostFiles } from '../../../../platform/linux/HostFiles.js';
import { parseProcessStat } from '../../../../platform/linux/proc-parsers.js';
import { MAX_PROCESSES, processValues, registerProcessTable } from '../../../../platform/linux/processes.js';
import { fixture, PROCESS_FIXTURES } from './fake-host.js';

const schema = Schema.load();
const TABLE = 'Device.DeviceInfo.ProcessStatus.Process.{i}.';

/** Process.{i} over a procfs at `procRoot`, on a clock the test moves. */
function table(procRoot: string, cacheMs = 1000) {
  let now = 0;
  const model = new DataModel(schema);
  registerProcessTable(model, new HostFiles({ procRoot }), () => now, cacheMs);
  const b = model.bindingAt(TABLE)!;
  const rows = async () => {
    const out = new Map<number, Record<string, unknown>>();
    for (const n of await b.list!([], {})) out.set(n, await b.get([n], {}));
    return out;
  };
  return {
    rows,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('linux platform: Device.DeviceInfo.ProcessStatus.Process.{i} from procfs', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const fakeProc = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'usp-proc-'));
    dirs.push(d);
    return d;
  };
  const writeProcess = (root: string, pid: number, stat: string, status = ''): void => {
    fs.mkdirSync(path.join(root, String(pid)), { recursive: true });
    fs.writeFileSync(path.join(root, String(pid), 'stat'), stat);
    fs.writeFileSync(path.join(root, String(pid), 'status'), status);
  };

  it('maps each recorded process: name with spaces and parentheses, every state, nice and real-time priority, CPU time, VmRSS', () => {
    const values = Object.fromEntries(
      PROCESS_FIXTURES.map((name) => {
        const stat = parseProcessStat(fixture(`proc-pid/${name}-stat.txt`));
        if (!stat) throw new Error(`${name}: not parsed`);
        return [name, processValues(stat, fixture(`proc-pid/${name}-status.txt`))];
      }),
    );
    // A kernel thread has no memory of its own (no VmRSS line).
    expect(values.kthreadd).toEqual({ PID: 2, Command: 'kthreadd', Size: 0, Priority: 20, CPUTime: 0, State: 'Sleeping' });
    // comm "ntp (sync) d": the name ends at the last ")".
    expect(values.weird).toEqual({ PID: 1731, Command: 'ntp (sync) d', Size: 1808, Priority: 20, CPUTime: 0, State: 'Sleeping' });
    expect(values.stopped).toMatchObject({ PID: 1732, State: 'Stopped', Size: 1764 });
    expect(values.zombie).toMatchObject({ PID: 1801, Command: 'python3', State: 'Zombie', Size: 0 });
    expect(values.running).toMatchObject({ PID: 1864, Command: 'cat', State: 'Running' });
    // nice 5: kernel priority 25; 67 user + 0 system ticks at USER_HZ 100 = 670 ms.
    expect(values.busy).toEqual({ PID: 2123, Command: 'python3', Size: 13496, Priority: 25, CPUTime: 670, State: 'Running' });
    // SCHED_FIFO 50: kernel priority -51, before every normal task: TR-181's highest, 0.
    expect(values.rt).toMatchObject({ PID: 2125, Priority: 0, State: 'Sleeping' });
    expect(parseProcessStat('garbage')).toBeUndefined();
    expect(parseProcessStat('12 (x) ')).toBeUndefined();
  });

  it('keeps an instance per process, gives a reused PID a new one, and refreshes only after cacheMs', async () => {
    const root = fakeProc();
    const busy = fixture('proc-pid/busy-stat.txt');
    writeProcess(root, 2123, busy, fixture('proc-pid/busy-status.txt'));
    writeProcess(root, 2, fixture('proc-pid/kthreadd-stat.txt'), fixture('proc-pid/kthreadd-status.txt'));
    fs.mkdirSync(path.join(root, 'net')); // not a process
    const t = table(root);
    expect([...(await t.rows()).entries()].map(([n, v]) => [n, v.PID])).toEqual([
      [1, 2],
      [2, 2123],
    ]);
    // PID 2123 ends and the kernel hands it to another program (a later start time).
    writeProcess(root, 2123, busy.replace(' 1829739 ', ' 1900000 ').replace('(python3)', '(dropbear)'));
    expect((await t.rows()).get(2)?.Command).toBe('python3'); // the snapshot is still fresh
    t.advance(1000);
    expect([...(await t.rows()).entries()].map(([n, v]) => [n, v.PID, v.Command])).toEqual([
      [1, 2, 'kthreadd'],
      [3, 2123, 'dropbear'],
    ]);
  });

  it(`lists at most ${MAX_PROCESSES} processes, the lowest PIDs`, async () => {
    const root = fakeProc();
    const stat = fixture('proc-pid/weird-stat.txt');
    for (let pid = 1; pid <= MAX_PROCESSES + 20; pid++) writeProcess(root, pid, stat.replace(/^\d+/, String(pid)));
    const rows = await table(root).rows();
    expect(rows.size).toBe(MAX_PROCESSES);
    expect(Math.max(...[...rows.values()].map((v) => Number(v.PID)))).toBe(MAX_PROCESSES);
  });

  it("reads this machine's /proc: every row typed and in range, CPU time counted", async () => {
    const rows = [...(await table('/proc').rows()).values()];
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.length).toBeLessThanOrEqual(MAX_PROCESSES);
    for (const v of rows) {
      expect(['Running', 'Sleeping', 'Stopped', 'Idle', 'Uninterruptible', 'Zombie']).toContain(v.State);
      expect(Number(v.Priority)).toBeGreaterThanOrEqual(0);
      expect(Number(v.Priority)).toBeLessThanOrEqual(99);
      expect(String(v.Command).length).toBeGreaterThan(0);
    }
    expect(rows.reduce((sum, v) => sum + Number(v.CPUTime), 0)).toBeGreaterThan(0);
    // This test's own process, when among the lowest PIDs listed, has memory of its own.
    const self = rows.find((v) => v.PID === process.pid);
    if (self) expect(Number(self.Size)).toBeGreaterThan(0);
  });
});
