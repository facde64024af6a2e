/**
 * Persistence that survives power loss (the Device.LocalAgent persistence issue): the real
 * `usp-agent run` process is SIGKILLed at a random moment while two controllers write to it
 * concurrently, then restarted on the same data directory. Whatever the agent acknowledged must
 * be there after the restart (a Transaction commit flushes state.json before the response goes
 * out); what was in flight at the kill may or may not be; nothing else may appear.
 *
 * The kill delays and the choice of operations come from a seeded PRNG; the seed is printed and
 * KILL9_SEED=<n> (and KILL9_ITERATIONS=<n>) repeat a run. SIGKILL keeps the page cache, so this
 * checks write ordering and atomic replacement, not fsync itself.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Request, Response } from '../../agent/codec/types.js';
import { mulberry32 } from '../../bench/prng.js';
import { AGENT_EID, CONTROLLER_EID } from '../peers/agent-fixture.js';
import { AgentProcess, writeDefaultsFile } from '../peers/agent-process.js';
import { TestController, asResponse, freePort } from '../peers/TestController.js';

const SEED = process.env.KILL9_SEED ? Number(process.env.KILL9_SEED) : Date.now() % 0x7fffffff;
const ITERATIONS = Number(process.env.KILL9_ITERATIONS ?? 20);
const MAX_KILL_DELAY_MS = 300;
/** Above this many rows the writers mostly delete, so the table (and each flush) stays small. */
const SOFT_MAX_ROWS = 40;
/** Request streams per controller that Add and Delete Subscriptions (pipelined on one connection). */
const TABLE_WRITERS = 2;

const CONTROLLER2_EID = 'proto::controller-2';
const SUBSCRIPTION = 'Device.LocalAgent.Subscription.';
const EXTRA = {
  'Device.LocalAgent.Controller.2.EndpointID': CONTROLLER2_EID,
  'Device.LocalAgent.Controller.2.Enable': true,
  'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
};
const STATE_FILE = 'state.json';
const TEMP_FILE = /^\.state\.json\..*\.tmp$/;
const CORRUPT_FILE = /^state\.json\.corrupt-\d+$/;
/** Planted after the first kill: a half-written temp file of some earlier writer. */
const STALE_TEMP = '.state.json.999999.tmp';

const tmpDirs: string[] = [];
const controllers: TestController[] = [];

afterEach(async () => {
  await Promise.allSettled(controllers.splice(0).map((c) => c.close()));
  await AgentProcess.killAll();
});

afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const instanceOf = (path: string): number => Number(path.split('.').at(-2));

async function setup(): Promise<{ defaultsFile: string; dataDir: string; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-kill9-'));
  tmpDirs.push(dir);
  const port = await freePort();
  const defaultsFile = join(dir, 'defaults.json');
  writeDefaultsFile(defaultsFile, port, EXTRA);
  return { defaultsFile, dataDir: join(dir, 'data'), url: `ws://127.0.0.1:${port}/usp` };
}

/** Starts the agent and waits until it has started (listening, state restored or seeded). */
async function startAgent(defaultsFile: string, dataDir: string): Promise<{ agent: AgentProcess; started: string }> {
  const agent = AgentProcess.start(defaultsFile, dataDir);
  const i = await agent.waitForLine(/msg="agent started"/);
  return { agent, started: agent.lines[i].text };
}

/** A connected controller; `closed` resolves when the connection is gone (nothing more can arrive). */
interface Peer {
  tc: TestController;
  closed: Promise<void>;
  provisioningCode: string;
  short: string;
}

async function connect(url: string, eid: string, controllerRow: number): Promise<Peer> {
  const tc = await TestController.connect(url, eid, AGENT_EID);
  controllers.push(tc);
  tc.ws.on('error', () => undefined); // ECONNRESET at the kill: the close event follows
  const closed = new Promise<void>((r) => {
    if (tc.closed) r();
    else tc.ws.once('close', () => r());
  });
  return { tc, closed, provisioningCode: `Device.LocalAgent.Controller.${controllerRow}.ProvisioningCode`, short: `c${controllerRow}` };
}

/** The response, or undefined when the connection closed first (the request stays in flight). */
async function request(p: Peer, req: Request): Promise<Response | undefined> {
  const m = await Promise.race([p.tc.send(req, 10_000), p.closed.then(() => undefined)]);
  if (!m) return undefined;
  if (m.body.msgBody === 'response') return m.body.response;
  throw new Error(`${req.reqType} answered with ${JSON.stringify(m.body)}`);
}

const addReq = (id: string): Request => ({
  reqType: 'add',
  add: {
    allowPartial: false,
    createObjs: [
      {
        objPath: SUBSCRIPTION,
        paramSettings: [
          { param: 'ID', value: id, required: true },
          { param: 'Persistent', value: 'true', required: true },
          { param: 'NotifType', value: 'ValueChange', required: true },
          { param: 'ReferenceList', value: 'Device.DeviceInfo.HostName', required: true },
        ],
      },
    ],
  },
});

const setReq = (param: string, value: string): Request => {
  const dot = param.lastIndexOf('.') + 1;
  return { reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: param.slice(0, dot), paramSettings: [{ param: param.slice(dot), value, required: true }] }] } };
};

const deleteReq = (path: string): Request => ({ reqType: 'delete', delete: { allowPartial: false, objPaths: [path] } });

/** What the controllers know for certain, carried across kills and restarts. */
class Ledger {
  /** Rows that exist: ID → instance number (acknowledged Adds, and in-flight Adds found after a restart). */
  readonly rows = new Map<string, number>();
  /** IDs that must stay absent: acknowledged Deletes, and in-flight Adds not found after a restart. */
  readonly gone = new Set<string>();
  readonly addsInFlight = new Set<string>();
  readonly deletesInFlight = new Set<string>();
  /** Per ProvisioningCode: the last acknowledged value and the values sent but not answered. */
  readonly codes = new Map<string, { acked: string; inFlight: Set<string> }>();
  /** The highest instance number any controller has seen. */
  maxInstance = 0;
  readonly acked = { add: 0, set: 0, delete: 0 };
  /** In-flight requests at the kills, by what the restart showed. */
  readonly atKill = { applied: 0, notApplied: 0 };
  /** Broken promises found while writing (checked after each phase). */
  readonly violations: string[] = [];
  private seq = 0;

  next(): number {
    return ++this.seq;
  }

  code(param: string): { acked: string; inFlight: Set<string> } {
    let c = this.codes.get(param);
    if (!c) {
      c = { acked: '', inFlight: new Set() };
      this.codes.set(param, c);
    }
    return c;
  }
}

/** One writing phase, ended by the kill. */
interface Phase {
  iteration: number;
  over: boolean;
  rnd: () => number;
}

/** Sets the controller's own ProvisioningCode to increasing values, one at a time. */
async function setWriter(p: Peer, phase: Phase, ledger: Ledger): Promise<void> {
  const code = ledger.code(p.provisioningCode);
  while (!phase.over) {
    const value = `${p.short}-${phase.iteration}-${ledger.next()}`;
    code.inFlight.add(value);
    const r = await request(p, setReq(p.provisioningCode, value));
    if (!r) return;
    code.inFlight.delete(value);
    if (r.respType === 'setResp' && r.setResp.updatedObjResults[0]?.operStatus.operStatus === 'operSuccess') {
      code.acked = value;
      ledger.acked.set++;
    } else ledger.violations.push(`Set ${value} failed: ${JSON.stringify(r)}`);
  }
}

/** Adds persistent Subscriptions and now and then deletes an acknowledged one. */
async function tableWriter(p: Peer, phase: Phase, ledger: Ledger): Promise<void> {
  while (!phase.over) {
    const deletable = [...ledger.rows.keys()].filter((id) => !ledger.deletesInFlight.has(id));
    const pDelete = ledger.rows.size > SOFT_MAX_ROWS ? 0.8 : 0.15;
    const more = deletable.length > 0 && phase.rnd() < pDelete ? await deleteOne(p, deletable[Math.floor(phase.rnd() * deletable.length)], ledger) : await addOne(p, phase, ledger);
    if (!more) return;
  }
}

async function addOne(p: Peer, phase: Phase, ledger: Ledger): Promise<boolean> {
  const id = `k9-${phase.iteration}-${p.short}-${ledger.next()}`;
  // Anything seen before the request was sent must be below the number it gets (R-ARC.8).
  const floor = ledger.maxInstance;
  ledger.addsInFlight.add(id);
  const r = await request(p, addReq(id));
  if (!r) return false;
  ledger.addsInFlight.delete(id);
  const st = r.respType === 'addResp' ? r.addResp.createdObjResults[0]?.operStatus : undefined;
  if (st?.operStatus !== 'operSuccess') {
    ledger.violations.push(`Add ${id} failed: ${JSON.stringify(r)}`);
    return true;
  }
  const n = instanceOf(st.operSuccess.instantiatedPath);
  if (!(n > floor)) ledger.violations.push(`Add ${id} got instance ${n}, not above ${floor} seen before it was sent`);
  ledger.rows.set(id, n);
  ledger.maxInstance = Math.max(ledger.maxInstance, n);
  ledger.acked.add++;
  return true;
}

async function deleteOne(p: Peer, id: string, ledger: Ledger): Promise<boolean> {
  const path = `${SUBSCRIPTION}${ledger.rows.get(id)!}.`;
  ledger.deletesInFlight.add(id);
  const r = await request(p, deleteReq(path));
  if (!r) return false;
  ledger.deletesInFlight.delete(id);
  const st = r.respType === 'deleteResp' ? r.deleteResp.deletedObjResults[0]?.operStatus : undefined;
  if (st?.operStatus !== 'operSuccess' || !st.operSuccess.affectedPaths?.includes(path)) {
    ledger.violations.push(`Delete ${path} (${id}) failed: ${JSON.stringify(r)}`);
    return true;
  }
  ledger.rows.delete(id);
  ledger.gone.add(id);
  ledger.acked.delete++;
  return true;
}

/** Subscription IDs → instance numbers, and the values of `params`, in one Get. */
async function readBack(p: Peer, params: string[]): Promise<{ rows: Map<string, number>; duplicates: string[]; values: Map<string, string> }> {
  const r = asResponse(await p.tc.send({ reqType: 'get', get: { paramPaths: [`${SUBSCRIPTION}*.ID`, ...params], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(`expected GetResp, got ${JSON.stringify(r)}`);
  const [subs, ...rest] = r.getResp.reqPathResults;
  if (subs.errCode) throw new Error(`${subs.requestedPath}: ${subs.errCode} ${subs.errMsg ?? ''}`);
  const rows = new Map<string, number>();
  const duplicates: string[] = [];
  for (const x of subs.resolvedPathResults ?? []) {
    if (rows.has(x.resultParams.ID)) duplicates.push(x.resultParams.ID);
    rows.set(x.resultParams.ID, instanceOf(x.resolvedPath));
  }
  const values = new Map<string, string>();
  for (const x of rest) {
    if (x.errCode) throw new Error(`${x.requestedPath}: ${x.errCode} ${x.errMsg ?? ''}`);
    values.set(x.requestedPath, x.resolvedPathResults![0].resultParams[x.requestedPath.slice(x.requestedPath.lastIndexOf('.') + 1)]);
  }
  return { rows, duplicates, values };
}

/**
 * Compares what the restarted agent serves with the ledger, then settles the in-flight requests
 * of the last phase by what was found. Returns the broken promises.
 */
async function verifyAndSettle(p: Peer, ledger: Ledger): Promise<string[]> {
  const seen = await readBack(p, [...ledger.codes.keys()]);
  const problems = seen.duplicates.map((id) => `ID ${id} appears twice`);
  for (const [id, n] of ledger.rows) {
    const got = seen.rows.get(id);
    if (got === undefined && !ledger.deletesInFlight.has(id)) problems.push(`acknowledged Add ${id} (instance ${n}) is missing`);
    if (got !== undefined && got !== n) problems.push(`${id} moved from instance ${n} to ${got}`);
  }
  for (const id of ledger.gone) if (seen.rows.has(id)) problems.push(`${id} is back (acknowledged Delete, or lost at an earlier kill)`);
  for (const [id, n] of seen.rows) {
    if (!ledger.rows.has(id) && !ledger.addsInFlight.has(id) && !ledger.gone.has(id)) problems.push(`unknown row ${SUBSCRIPTION}${n}. ID=${id}`);
  }
  for (const [param, c] of ledger.codes) {
    const v = seen.values.get(param) ?? '';
    if (v !== c.acked && !c.inFlight.has(v)) problems.push(`${param} is ${JSON.stringify(v)}; acknowledged ${JSON.stringify(c.acked)}, in flight ${JSON.stringify([...c.inFlight])}`);
    if (c.inFlight.size > 0) ledger.atKill[c.inFlight.has(v) ? 'applied' : 'notApplied']++;
    c.acked = v;
    c.inFlight.clear();
  }
  for (const id of ledger.addsInFlight) {
    const n = seen.rows.get(id);
    if (n === undefined) {
      ledger.gone.add(id);
      ledger.atKill.notApplied++;
    } else {
      ledger.rows.set(id, n);
      ledger.atKill.applied++;
    }
  }
  for (const id of ledger.deletesInFlight) {
    if (seen.rows.has(id)) {
      ledger.atKill.notApplied++;
      continue;
    }
    ledger.rows.delete(id);
    ledger.gone.add(id);
    ledger.atKill.applied++;
  }
  ledger.addsInFlight.clear();
  ledger.deletesInFlight.clear();
  for (const n of seen.rows.values()) ledger.maxInstance = Math.max(ledger.maxInstance, n);
  return problems;
}

/** state.json after a kill: there, parseable, ours. Returns the temp files in the data dir (the agent ignores them). */
function checkStateFile(dataDir: string, when: string): string[] {
  const file = join(dataDir, STATE_FILE);
  expect(existsSync(file), `${file} exists ${when}`).toBe(true);
  const text = readFileSync(file, 'utf8');
  let doc: { format?: unknown; rows?: unknown; tables?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (e) {
    throw new Error(`${file} is not JSON ${when} (${text.length} bytes): ${String(e)}`);
  }
  expect(doc.format, when).toBe(1);
  expect(typeof doc.rows, when).toBe('object');
  expect(typeof doc.tables, when).toBe('object');
  return readdirSync(dataDir).filter((f) => TEMP_FILE.test(f));
}

/** `p`, or a clear failure after `ms` instead of a hung test. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('usp-agent run: SIGKILL during concurrent writes', () => {
  it('loses no acknowledged Add, Set or Delete, and never reuses an instance number', async () => {
    const t0 = Date.now();
    const rnd = mulberry32(SEED);
    console.log(`kill9: seed=${SEED} iterations=${ITERATIONS} (repeat with KILL9_SEED=${SEED})`);
    const s = await setup();
    const ledger = new Ledger();
    let kills = 0;
    const tempFiles = new Set<string>();

    for (let iteration = 0; iteration <= ITERATIONS; iteration++) {
      const { agent, started } = await startAgent(s.defaultsFile, s.dataDir);
      // Every start but the first finds its own state: never moved aside, never re-seeded.
      expect(started).toContain(iteration === 0 ? 'restored=false' : 'restored=true');
      expect(agent.count(/factory defaults applied/)).toBe(iteration === 0 ? 1 : 0);
      const peers = [await connect(s.url, CONTROLLER_EID, 1), await connect(s.url, CONTROLLER2_EID, 2)];
      for (const p of peers) ledger.code(p.provisioningCode);
      if (iteration > 0) expect(await verifyAndSettle(peers[0], ledger), `after kill ${iteration} (seed ${SEED})`).toEqual([]);
      if (iteration === ITERATIONS) {
        // The last restart: one more Add must get a number above everything seen, then a clean stop.
        const phase: Phase = { iteration, over: false, rnd };
        expect(await addOne(peers[1], phase, ledger)).toBe(true);
        expect(ledger.violations).toEqual([]);
        expect((await agent.terminate()).code).toBe(0);
        break;
      }

      const phase: Phase = { iteration, over: false, rnd };
      const writers = peers.flatMap((p) => [setWriter(p, phase, ledger), ...Array.from({ length: TABLE_WRITERS }, () => tableWriter(p, phase, ledger))]);
      await sleep(Math.floor(rnd() * (MAX_KILL_DELAY_MS + 1)));
      expect((await agent.kill9()).signal).toBe('SIGKILL');
      kills++;
      // Responses the agent wrote before it died still arrive, and count as acknowledged.
      await within(Promise.all(peers.map((p) => p.closed)), 3000, 'controller connections closed after the kill');
      phase.over = true;
      await within(Promise.all(writers), 3000, 'writers stopped after the kill');
      expect(ledger.violations, `while writing, iteration ${iteration} (seed ${SEED})`).toEqual([]);

      for (const f of checkStateFile(s.dataDir, `after kill ${kills} (seed ${SEED})`)) if (f !== STALE_TEMP) tempFiles.add(f);
      expect(readdirSync(s.dataDir).filter((f) => CORRUPT_FILE.test(f))).toEqual([]);
      // A stale temp file from some earlier writer (another pid) must not confuse the next start.
      if (iteration === 0) writeFileSync(join(s.dataDir, STALE_TEMP), '{"format":1,"rows":{"Device.LocalAgent.":{"Endpoi');
      await Promise.allSettled(controllers.splice(0).map((c) => c.close()));
    }

    const seconds = (Date.now() - t0) / 1000;
    const total = ledger.acked.add + ledger.acked.set + ledger.acked.delete;
    console.log(
      `kill9: seed=${SEED} iterations=${ITERATIONS} kills=${kills} acknowledged=${total} ` +
        `(add=${ledger.acked.add} set=${ledger.acked.set} delete=${ledger.acked.delete}) ` +
        `in flight at kill: applied=${ledger.atKill.applied} not applied=${ledger.atKill.notApplied} ` +
        `rows=${ledger.rows.size} max instance=${ledger.maxInstance} temp files left behind=${tempFiles.size} time=${seconds.toFixed(1)} s`,
    );
    expect(kills).toBe(ITERATIONS);
    expect(total).toBeGreaterThan(0);
  }, 90_000);
});

describe('usp-agent run: torn state file', () => {
  it('state.json cut in half by another tool is moved aside; the agent starts from the factory defaults', async () => {
    const s = await setup();
    let { agent } = await startAgent(s.defaultsFile, s.dataDir);
    let c = await connect(s.url, CONTROLLER_EID, 1);
    const add = await request(c, addReq('before-the-tear'));
    expect(add?.respType).toBe('addResp');
    expect((await request(c, setReq(c.provisioningCode, 'before-the-tear')))?.respType).toBe('setResp');
    expect((await agent.terminate()).code).toBe(0);

    const file = join(s.dataDir, STATE_FILE);
    const whole = readFileSync(file);
    const torn = whole.subarray(0, Math.floor(whole.length / 2));
    writeFileSync(file, torn);

    let started: string;
    ({ agent, started } = await startAgent(s.defaultsFile, s.dataDir));
    expect(started).toContain('restored=false');
    expect(agent.stderr()).toMatch(/msg="state file unreadable; starting from factory defaults"/);
    expect(agent.count(/msg="factory defaults applied"/)).toBe(1);
    const aside = readdirSync(s.dataDir).filter((f) => CORRUPT_FILE.test(f));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(s.dataDir, aside[0]))).toEqual(torn);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 1 });

    c = await connect(s.url, CONTROLLER_EID, 1);
    const seen = await readBack(c, [c.provisioningCode, 'Device.LocalAgent.EndpointID']);
    expect([...seen.rows]).toEqual([]);
    expect(seen.values.get(c.provisioningCode)).toBe('');
    expect(seen.values.get('Device.LocalAgent.EndpointID')).toBe(AGENT_EID);
    expect((await agent.terminate()).code).toBe(0);
  }, 20_000);
});
