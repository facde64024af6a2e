/**
 * Device.SelfTestDiagnostics() (TR-181 SelfTestDiag:1) on a real agent, through a real controller
 * over WebSocket: a Request row, then OperationComplete with Status and a Results line of
 * per-check verdicts; a store that cannot be written fails its check (a directory where the
 * probe file goes: root cannot write through that either); a plugin's check is run beside the
 * agent's own, and one that never answers fails on its deadline; one self test at a time (7005).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { STORE_PROBE } from '../../agent/diagnostics/self-test-checks.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { startOpenWrtAgent } from '../peers/openwrt-agent.js';
import { fakeOpenWrt } from '../unit/platform/openwrt/fake-openwrt.js';
import { completion, runDiagnostic, startCommand, subscribeOperationComplete } from '../peers/diagnostics-controller.js';
import { cmdFailureCode, operateOne } from '../peers/operate.js';

const CMD = 'Device.SelfTestDiagnostics()';
const pluginDir = mkdtempSync(join(tmpdir(), 'usp-selftest-plugin-'));
let f: AgentFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});
afterAll(() => rmSync(pluginDir, { recursive: true, force: true }));

/** Results as name → verdict (`ok`, `ok(detail)`, `fail(why)`), and the leading `failed=F/N`. */
function verdicts(results: string): { failed: string; checks: Map<string, string> } {
  const [head, ...rest] = results.split(';');
  const checks = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    checks.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return { failed: head, checks };
}

describe('SelfTestDiagnostics() on the simulated gateway', () => {
  it('completes with every check passing: store, data model, memory, disk, firmware, the WebSocket MTP', async () => {
    f = await startAgent();
    await subscribeOperationComplete(f.controller, 'selftest', 'Device.');
    const { result, key } = await startCommand(f.controller, CMD, {});
    if (result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(result));
    expect(result.reqObjPath).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
    const done = await completion(f.controller, key);
    if (!('output' in done)) throw new Error(JSON.stringify(done));
    expect(done.output.Status).toBe('Complete');
    const { failed, checks } = verdicts(done.output.Results);
    expect(done.output.Results.length).toBeLessThanOrEqual(1024);
    expect(failed).toBe(`failed=0/${checks.size}`);
    expect(checks.get('store')).toBe('ok');
    expect(checks.get('datamodel')).toBe('ok');
    expect(checks.get('memory')).toMatch(/^ok\(\d+ MiB free\)$/);
    expect(checks.get('disk')).toMatch(/^ok\(\d+ MiB free\)$/);
    expect(checks.get('firmware')).toMatch(/^ok\(2 images\)$/);
    expect(checks.get(`mtp.ws:${f.port}`)).toMatch(/^ok\(\d+ address(es)?\)$/);
    // The probe file is gone again.
    expect(existsSync(join(f.dataDir, STORE_PROBE))).toBe(false);
  });

  it('reports a store it cannot write as a failed check, the others still passing', async () => {
    f = await startAgent();
    await subscribeOperationComplete(f.controller, 'selftest', 'Device.');
    // A directory where the probe's temporary file goes: opening it for writing fails even for root.
    mkdirSync(join(f.dataDir, `${STORE_PROBE}.tmp`, 'in-the-way'), { recursive: true });
    try {
      const o = await runDiagnostic(f.controller, CMD, {});
      expect(o.Status).toBe('Complete');
      const { failed, checks } = verdicts(o.Results);
      expect(failed).toBe(`failed=1/${checks.size}`);
      // Failures come first, so a Results cut at 1024 characters keeps them.
      expect(o.Results.split(';')[1]).toMatch(/^store=fail\(EISDIR/);
      expect(checks.get('store')).toMatch(/^fail\(EISDIR: .*\.selftest-probe\.tmp/);
      expect(checks.get('datamodel')).toBe('ok');
    } finally {
      rmSync(join(f.dataDir, `${STORE_PROBE}.tmp`), { recursive: true, force: true });
    }
    // Once the way is clear the store passes again.
    expect(verdicts((await runDiagnostic(f.controller, CMD, {})).Results).checks.get('store')).toBe('ok');
  });

  it("runs a plugin's checks, fails one that never answers on its deadline, refuses a second self test while one runs, and cancels", async () => {
    const file = join(pluginDir, 'checks.mjs');
    writeFileSync(
      file,
      `export default { name: 'checks', register(api) {
        api.addSelfTestCheck({ name: 'fan', run: async () => '1200 rpm' });
        api.addSelfTestCheck({ name: 'sensor', run: async () => { throw new Error('i2c bus 1: no answer; reseat the board'); } });
        api.addSelfTestCheck({ name: 'slow', run: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) });
      } };`,
    );
    f = await startAgent({ agent: { plugins: [file], selfTest: { checkTimeoutMs: 1500 } } });
    await subscribeOperationComplete(f.controller, 'selftest', 'Device.');
    const first = await startCommand(f.controller, CMD, {});
    if (first.result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(first.result));
    // The first is waiting on `slow`: a second is refused at once.
    expect(cmdFailureCode(await operateOne(f.controller, CMD, {}))).toBe(7005);
    const done = await completion(f.controller, first.key);
    if (!('output' in done)) throw new Error(JSON.stringify(done));
    expect(done.output.Status).toBe('Complete');
    const { failed, checks } = verdicts(done.output.Results);
    expect(failed).toBe(`failed=2/${checks.size}`);
    expect(checks.get('fan')).toBe('ok(1200 rpm)');
    // The reason's own `;` cannot split the Results line.
    expect(checks.get('sensor')).toBe('fail(i2c bus 1: no answer, reseat the board)');
    expect(checks.get('slow')).toBe('fail(no answer in 1500 ms)');
    expect(checks.get('store')).toBe('ok');
    // Cancel() while `slow` holds it up: 7023, and the next self test may run.
    const second = await startCommand(f.controller, CMD, {});
    if (second.result.operationResp !== 'reqObjPath') throw new Error(JSON.stringify(second.result));
    await operateOne(f.controller, `${second.result.reqObjPath}Cancel()`, {}, '');
    expect(await completion(f.controller, second.key)).toMatchObject({ errCode: 7023 });
    expect(verdicts((await runDiagnostic(f.controller, CMD, {})).Results).checks.get('fan')).toBe('ok(1200 rpm)');
  });
});

describe("SelfTestDiagnostics() checks the live platform's sources", () => {
  it('on OpenWrt: one uncached `ubus call system board` and `uci -q show system`; ubus failing is reported', async () => {
    const fake = fakeOpenWrt();
    f = await startOpenWrtAgent(fake);
    await subscribeOperationComplete(f.controller, 'selftest', 'Device.');
    fake.clearLog();
    const ok = verdicts((await runDiagnostic(f.controller, CMD, {})).Results);
    expect(ok.checks.get('ubus')).toBe('ok');
    expect(ok.checks.get('uci')).toBe('ok');
    expect(fake.invocations()).toEqual(
      expect.arrayContaining([
        ['ubus', 'call', 'system', 'board'],
        ['uci', '-q', 'show', 'system'],
      ]),
    );
    // ubus answering no more for `system board` (rpcd gone): the check says what the command said.
    fake.respond('system board', { exit: 4, stderr: 'Command failed: Not found' });
    const o = await runDiagnostic(f.controller, CMD, {});
    expect(o.Status).toBe('Complete');
    const broken = verdicts(o.Results);
    expect(broken.checks.get('ubus')).toMatch(/^fail\(.*exit 4: Command failed: Not found/);
    expect(broken.checks.get('uci')).toBe('ok');
  });

  it('on Linux: /proc and /sys read', async () => {
    f = await startAgent({ platform: 'linux' });
    await subscribeOperationComplete(f.controller, 'selftest', 'Device.');
    const o = await runDiagnostic(f.controller, CMD, {});
    expect(o.Status).toBe('Complete');
    const { checks } = verdicts(o.Results);
    expect(checks.get('proc')).toBe('ok');
    expect(checks.get('sys')).toMatch(/^ok\(\d+ entries\)$/);
    // Generic Linux has no firmware backend without --firmware-hook: no firmware check.
    expect(checks.has('firmware')).toBe(false);
  });
});
