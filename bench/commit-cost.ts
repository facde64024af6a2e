/**
 * What one commit costs as the saved state grows (the `commitCost` key of `npm run bench`), or
 * alone:
 *
 *   npm run build && node dist/bench/commit-cost.js
 *
 * In-process: two agents started with Agent.start (silent logger, simulated platform) whose data
 * directories are on disk under the OS temp dir, so every commit really writes and fsyncs. One Add
 * of a Device.LocalAgent.Subscription row, timed three ways: the store's save alone
 * (DataStore.flush), the commit (Transaction.commit: the save, then the change feed) and the
 * whole Add handler (resolve, validate, unique keys, commit); then a Set of that row's NotifRetry
 * and its Delete, each through its handler. One agent has 10 rows in the table, the
 * other 10,000 (spread over a hundred controllers: rows are bounded per Recipient); rounds
 * alternate between them, and every row added is deleted again so the tables keep their size.
 * None of it should grow with the table: the store appends the changed row to its journal, the
 * unique-key check and the per-Recipient bound answer from the store's row indexes, and the
 * SubscriptionIndex recompiles only the changed row.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent/Agent.js';
import { ControllerDirectory } from '../agent/ControllerDirectory.js';
import type { AddReq, SetReq } from '../agent/codec/types.js';
import { handleAdd } from '../agent/handlers/handle-add.js';
import { handleDelete } from '../agent/handlers/handle-delete.js';
import { handleSet } from '../agent/handlers/handle-set.js';
import type { HandlerContext } from '../agent/handlers/HandlerContext.js';
import { MAX_SUBSCRIPTIONS_PER_RECIPIENT } from '../agent/notify/subscription-rules.js';
import { silentLogger } from '../datamodel/Logger.js';
import type { RequestContext } from '../datamodel/tree/binding.js';
import type { ModelNode } from '../datamodel/tree/ModelNode.js';
import { Transaction } from '../datamodel/tree/Transaction.js';
import { CONTROLLER_EID, benchDefaults } from './agent-config.js';
import { figure } from './figure.js';
import { freePort } from './port.js';
import { median, round } from './stats.js';
import { runAlone } from './run-alone.js';

const SMALL = 10;
const LARGE = 10_000;
const REPS = 60;
const WARMUP = 5;
const TABLE = 'Device.LocalAgent.Subscription.{i}.';
/** The value poller's pass over 10,000 subscriptions must not run inside a timed section. */
const POLL_NEVER_MS = 3_600_000;

const subscription = (id: string): Record<string, string | boolean> => ({ ID: id, Enable: true, Persistent: true, NotifType: 'ValueChange', ReferenceList: 'Device.DeviceInfo.HostName' });

interface Sample {
  saveMs: number;
  commitMs: number;
  addMs: number;
  setMs: number;
  deleteMs: number;
  journalBytesPerCommit: number;
}

/**
 * Grows the table to `rows` straight through the bindings (set-up only). Subscription rows are
 * bounded per Recipient, so Controller.1 (whose Adds are timed) owns at most SMALL of them and the
 * rest belong to extra enabled controllers, MAX_SUBSCRIPTIONS_PER_RECIPIENT each: 10,000 rows is
 * what a hundred controllers may hold.
 */
async function fill(agent: Agent, node: ModelNode, ctx: RequestContext, rows: number): Promise<void> {
  const b = agent.model.bindingOf(node)!;
  const add = b.add!;
  const own = Math.min(rows, SMALL);
  for (let i = (await b.list!([], ctx)).length; i < own; i++) await add([], subscription(`bench-fill-${i}`), ctx);
  const controllers = agent.model.requireNode('Device.LocalAgent.Controller.{i}.');
  for (let left = rows - own, k = 0; left > 0; k++) {
    const c = await agent.model.bindingOf(controllers)!.add!([], { EndpointID: `proto::bench-recipient-${k}`, Enable: true }, {});
    // Recipient names the controller row without its trailing dot, as the handlers' context does.
    const recipient: RequestContext = { controllerPath: controllers.pathOf([c]).slice(0, -1) };
    const count = Math.min(left, MAX_SUBSCRIPTIONS_PER_RECIPIENT);
    for (let i = 0; i < count; i++) await add([], subscription(`bench-fill-${k}-${i}`), recipient);
    left -= count;
  }
  await agent.store.flush();
  await agent.store.compact();
}

/**
 * Waits until the notification engines (of both agents: they share the process) have matched
 * every change so far: each works through the change feed after a commit (a Subscription change
 * updates its index), and that work would otherwise land inside the next timed section.
 */
async function settle(agents: readonly Agent[]): Promise<void> {
  for (const a of agents) await a.notifications.engine.idle();
  await new Promise((r) => setImmediate(r));
}

async function deleteRow(agent: Agent, node: ModelNode, n: number): Promise<void> {
  const tx = new Transaction(agent.model, {});
  await tx.delete({ node, keys: [n] });
  await tx.commit();
}

/** One agent with its table at a fixed size, and what was measured on it. */
class Subject {
  readonly saves: number[] = [];
  readonly commits: number[] = [];
  readonly adds: number[] = [];
  readonly sets: number[] = [];
  readonly deletes: number[] = [];
  private bytes = 0;
  private counted = 0;

  /** Every agent in the process (settle waits for all of them). */
  everyone: readonly Agent[] = [];

  private constructor(
    readonly agent: Agent,
    readonly dataDir: string,
    private readonly node: ModelNode,
    private readonly h: HandlerContext,
    readonly tag: string,
  ) {}

  static async start(rows: number, tag: string): Promise<Subject> {
    const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-bench-commit-'));
    const agent = await Agent.start({ defaults: benchDefaults(await freePort()), dataDir, platform: 'simulated', log: silentLogger, pollIntervalMs: POLL_NEVER_MS });
    const controller = await new ControllerDirectory(agent.model).lookup(CONTROLLER_EID);
    const h: HandlerContext = { model: agent.model, operations: agent.operations, log: silentLogger, req: { controllerId: CONTROLLER_EID, controllerPath: controller?.path ?? '' } };
    const node = agent.model.requireNode(TABLE);
    await fill(agent, node, h.req, rows);
    return new Subject(agent, dataDir, node, h, tag);
  }

  async stop(): Promise<void> {
    await this.agent.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** One save and one commit, each deleted again untimed, then one Add, Set and Delete; `keep` false for warm-up. */
  async round(i: number, keep: boolean): Promise<void> {
    const { agent, node, h, tag } = this;
    // The store's save alone: a row added through the binding, then flushed (what a commit's hook does).
    const n = await agent.model.bindingOf(node)!.add!([], subscription(`bench-${tag}-s${i}`), h.req);
    await settle(this.everyone);
    const s0 = performance.now();
    await agent.store.flush();
    const s1 = performance.now();
    if (keep) this.saves.push(s1 - s0);
    await deleteRow(agent, node, n);

    // The commit: a Transaction doing what handle-add does, committed under the clock.
    const tx = new Transaction(agent.model, h.req);
    const inst = await tx.add(node, [], subscription(`bench-${tag}-c${i}`));
    await settle(this.everyone);
    const before = this.journalSize();
    const t0 = performance.now();
    await tx.commit();
    const t1 = performance.now();
    const grown = this.journalSize() - before;
    if (keep) {
      this.commits.push(t1 - t0);
      // A compaction in the background can empty the journal; such a sample says nothing of the line.
      if (grown > 0) {
        this.bytes += grown;
        this.counted++;
      }
    }
    await deleteRow(agent, node, inst.keys[0]!);

    // The whole Add request, handler included.
    await settle(this.everyone);
    const req: AddReq = {
      allowPartial: false,
      createObjs: [
        { objPath: 'Device.LocalAgent.Subscription.', paramSettings: Object.entries(subscription(`bench-${tag}-a${i}`)).map(([param, value]) => ({ param, value: String(value), required: true })) },
      ],
    };
    const a0 = performance.now();
    const r = await handleAdd(h, req);
    const a1 = performance.now();
    if (!('resp' in r)) throw new Error(`Add failed: ${JSON.stringify(r.error)}`);
    const st = r.resp.createdObjResults[0]!.operStatus;
    if (st.operStatus !== 'operSuccess') throw new Error(`Add failed: ${JSON.stringify(st)}`);
    if (keep) this.adds.push(a1 - a0);
    const added = st.operSuccess.instantiatedPath;

    // A Set of that row (its key parameters ID and Alias cannot change after creation), handler included.
    await settle(this.everyone);
    const set: SetReq = { allowPartial: false, updateObjs: [{ objPath: added, paramSettings: [{ param: 'NotifRetry', value: 'true', required: true }] }] };
    const u0 = performance.now();
    const sr = await handleSet(h, set);
    const u1 = performance.now();
    if (!('resp' in sr) || sr.resp.updatedObjResults[0]?.operStatus.operStatus !== 'operSuccess') throw new Error(`Set failed: ${JSON.stringify(sr)}`);
    if (keep) this.sets.push(u1 - u0);

    // And its Delete, handler included.
    await settle(this.everyone);
    const d0 = performance.now();
    const dr = await handleDelete(h, { allowPartial: false, objPaths: [added] });
    const d1 = performance.now();
    if (!('resp' in dr) || dr.resp.deletedObjResults[0]?.operStatus.operStatus !== 'operSuccess') throw new Error(`Delete failed: ${JSON.stringify(dr)}`);
    if (keep) this.deletes.push(d1 - d0);
  }

  sample(): Sample {
    return {
      saveMs: median(this.saves),
      commitMs: median(this.commits),
      addMs: median(this.adds),
      setMs: median(this.sets),
      deleteMs: median(this.deletes),
      journalBytesPerCommit: this.counted > 0 ? Math.round(this.bytes / this.counted) : 0,
    };
  }

  private journalSize(): number {
    const journal = this.agent.store.journalFile!;
    return existsSync(journal) ? statSync(journal).size : 0;
  }
}

export async function measureCommitCost(progress: (s: string) => void): Promise<Record<string, unknown>> {
  progress(`commit cost: two agents, ${SMALL} and ${LARGE} Subscription rows`);
  const subjects: Subject[] = [];
  try {
    subjects.push(await Subject.start(SMALL, 'small'), await Subject.start(LARGE, 'large'));
    const [smallAgent, largeAgent] = subjects;
    for (const s of subjects) s.everyone = subjects.map((x) => x.agent);
    // Alternating, and each round in the other order, so disk contention on a shared machine and
    // the garbage collector's pauses (mostly the 10,000-row agent's garbage) fall on both alike.
    progress(`commit cost: ${WARMUP} + ${REPS} rounds, alternating`);
    for (let i = 0; i < WARMUP + REPS; i++) {
      for (const s of i % 2 === 0 ? subjects : [...subjects].reverse()) await s.round(i, i >= WARMUP);
    }
    const small = smallAgent.sample();
    const large = largeAgent.sample();
    const stateBytes = statSync(largeAgent.agent.store.file!).size;
    return {
      note: `in-process: two agents (${SMALL} and ${LARGE} Device.LocalAgent.Subscription rows), data directories on disk under the OS temp dir (each save fsyncs); ${REPS} rounds after ${WARMUP} warm-up, alternating between them (each round in the other order); per round and agent one row saved and one committed (each deleted again untimed), one Added, Set and Deleted through the handlers; medians. save = DataStore.flush of one row added through the binding; commit = Transaction.commit (the save, then the change feed; the notification engine's matching, e.g. the SubscriptionIndex update, runs after it and is not timed); add = the whole Add handler (resolve, validate, per-Recipient bound and unique-key check from the store's row indexes, commit); set = the whole Set handler of NotifRetry; delete = the whole Delete handler`,
      saveAt10Rows: figure(round(small.saveMs, 3), 'ms', undefined, 'DataStore.flush of one added row (journal append + fsync)'),
      saveAt10000Rows: figure(round(large.saveMs, 3), 'ms'),
      saveRatio10000To10: figure(
        round(large.saveMs / small.saveMs, 2),
        'x',
        undefined,
        'about 1 when a save costs what it changed, not the size of the saved state (fsync latency on a shared disk makes it noisy)',
      ),
      commitAt10Rows: figure(round(small.commitMs, 3), 'ms', undefined, 'Transaction.commit: the save, then the change feed'),
      commitAt10000Rows: figure(round(large.commitMs, 3), 'ms'),
      commitRatio10000To10: figure(round(large.commitMs / small.commitMs, 2), 'x'),
      addAt10Rows: figure(round(small.addMs, 3), 'ms'),
      addAt10000Rows: figure(round(large.addMs, 3), 'ms'),
      addRatio10000To10: figure(round(large.addMs / small.addMs, 2), 'x', { op: '<=', value: 3 }, 'the whole Add should cost about what it costs at 10 rows'),
      setAt10Rows: figure(round(small.setMs, 3), 'ms', undefined, 'the whole Set handler (NotifRetry of the row just added)'),
      setAt10000Rows: figure(round(large.setMs, 3), 'ms'),
      setRatio10000To10: figure(round(large.setMs / small.setMs, 2), 'x', { op: '<=', value: 3 }),
      deleteAt10Rows: figure(round(small.deleteMs, 3), 'ms', undefined, 'the whole Delete handler'),
      deleteAt10000Rows: figure(round(large.deleteMs, 3), 'ms'),
      deleteRatio10000To10: figure(round(large.deleteMs / small.deleteMs, 2), 'x', { op: '<=', value: 3 }),
      journalBytesPerCommit: { at10Rows: small.journalBytesPerCommit, at10000Rows: large.journalBytesPerCommit },
      stateJsonBytesAt10000Rows: stateBytes,
    };
  } finally {
    for (const s of subjects) await s.stop();
  }
}

runAlone(import.meta.url, 'commitCost', measureCommitCost);
