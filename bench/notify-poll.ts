/**
 * Cost of one ValuePoller pass, in-process: an agent started with Agent.start (silent logger,
 * state in memory, a one-hour poll interval so the timer never runs during the measurement),
 * stored Device.LocalAgent.Controller.{i}.BootParameter.{i} rows as a platform-independent large
 * table, and ValueChange subscriptions on `...BootParameter.*.` object paths. Times
 * `agent.notifications.poller.poll()`, which returns how many parameters it read.
 *
 * The contrast: a ~100-parameter subscription timed before and after the ~10,000-parameter
 * table exists elsewhere in the tree (the pass should not notice it), then a subscription over
 * that table itself (the pass should grow with it).
 */
import { Agent } from '../agent/Agent.js';
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';
import { silentLogger } from '../datamodel/Logger.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { ModelNode } from '../datamodel/tree/ModelNode.js';
import { readSubtree, type ObjectValues } from '../datamodel/tree/read-object.js';
import { Transaction } from '../datamodel/tree/Transaction.js';
import { benchDefaults } from './agent-config.js';
import { figure } from './figure.js';
import { freePort } from './port.js';
import { median, min, round } from './stats.js';

/** BootParameter has three parameters (Alias, Enable, ParameterName): 3,334 rows ≈ 10,000 parameters. */
const BIG_ROWS = 3334;
const SMALL_ROWS = 34;
const ROLE = 'Device.LocalAgent.ControllerTrust.Role.1';

/** Adds `rows` BootParameter rows under Controller.`controller` straight through the stored binding. */
function addBootParameters(model: DataModel, node: ModelNode, controller: number, rows: number): Promise<unknown> {
  // Set-up only: Transaction.add would check unique keys against every sibling (quadratic in rows).
  const add = model.bindingOf(node)!.add!;
  const done: unknown[] = [];
  for (let i = 1; i <= rows; i++) {
    done.push(add([controller], { Alias: `bench-bp-${i}`, Enable: true, ParameterName: `Device.DeviceInfo.X_BENCH_${controller}_${i}` }, {}));
  }
  return Promise.all(done);
}

async function subscribe(model: DataModel, id: string, referenceList: string): Promise<number> {
  const tx = new Transaction(model, { controllerPath: 'Device.LocalAgent.Controller.1' });
  const inst = await tx.add(model.requireNode('Device.LocalAgent.Subscription.{i}.'), [], { Enable: true, ID: id, NotifType: 'ValueChange', ReferenceList: referenceList });
  await tx.commit();
  return inst.keys[0]!;
}

async function disable(model: DataModel, instance: number): Promise<void> {
  const tx = new Transaction(model, {});
  await tx.set({ node: model.requireNode('Device.LocalAgent.Subscription.{i}.'), keys: [instance] }, { Enable: false });
  await tx.commit();
}

/** Parameters the whole tree holds (what a pass would read if it walked the tree). */
async function treeParams(model: DataModel): Promise<number> {
  const objects: ObjectValues[] = [];
  await readSubtree(model, { node: model.root, keys: [] }, 0, {}, objects);
  return objects.reduce((n, o) => n + o.inst.node.params.size, 0);
}

interface Passes {
  params: number;
  medianMs: number;
  minMs: number;
  passes: number;
}

/** `warmup` untimed passes (the first only takes the baseline), then `n` timed ones. */
async function timePasses(agent: Agent, warmup: number, n: number): Promise<Passes> {
  const poller = agent.notifications.poller;
  const counts = new Set<number>();
  for (let i = 0; i < warmup; i++) counts.add(await poller.poll());
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    counts.add(await poller.poll());
    times.push(performance.now() - t);
  }
  if (counts.size !== 1) throw new Error(`poll passes read different parameter counts: ${[...counts].join(', ')}`);
  return { params: [...counts][0]!, medianMs: median(times), minMs: min(times), passes: n };
}

const pass = (p: Passes, note: string): Record<string, unknown> => ({
  note,
  paramsRead: p.params,
  perPass: figure(round(p.medianMs, 3), 'ms'),
  perParam: figure(round((p.medianMs * 1000) / p.params, 3), 'µs/param'),
  minPerPass_ms: round(p.minMs, 3),
  passes: p.passes,
});

export async function measurePollingPass(progress: (s: string) => void): Promise<Record<string, unknown>> {
  const defaults: DefaultsFile = {
    ...benchDefaults(await freePort()),
    'Device.LocalAgent.Controller.2.EndpointID': 'proto::bench-poll-2',
    'Device.LocalAgent.Controller.2.Enable': true,
    'Device.LocalAgent.Controller.2.AssignedRole': ROLE,
  };
  const agent = await Agent.start({ defaults, platform: 'simulated', log: silentLogger, pollIntervalMs: 3_600_000 });
  try {
    const model = agent.model;
    const bootParameters = model.requireNode('Device.LocalAgent.Controller.{i}.BootParameter.{i}.');
    // Stored objects are never polled (their changes are reported on commit). To time the poller
    // itself on 10,000 parameters, the bench treats this table as live data, as a platform's is.
    (model.bindingOf(bootParameters) as { changesOnlyThroughAgent?: boolean }).changesOnlyThroughAgent = false;
    await addBootParameters(model, bootParameters, 2, SMALL_ROWS);
    const small = await subscribe(model, 'bench-poll-small', 'Device.LocalAgent.Controller.2.BootParameter.*.');
    progress(`polling pass: ${SMALL_ROWS * 3} subscribed parameters, small tree`);
    const treeBefore = await treeParams(model);
    const smallBefore = await timePasses(agent, 500, 101);

    await addBootParameters(model, bootParameters, 1, BIG_ROWS);
    const treeAfter = await treeParams(model);
    progress(`polling pass: ${SMALL_ROWS * 3} subscribed parameters, tree grown by ${treeAfter - treeBefore}`);
    const smallAfter = await timePasses(agent, 20, 101);

    await disable(model, small);
    await subscribe(model, 'bench-poll-big', 'Device.LocalAgent.Controller.1.BootParameter.*.');
    progress(`polling pass: ${BIG_ROWS * 3} subscribed parameters`);
    const big = await timePasses(agent, 3, 21);

    return {
      note: 'ValuePoller.poll() in-process (Agent.start, silent logger, state in memory, poll timer at 1 h so only the timed passes run); subscribed parameters are stored Device.LocalAgent.Controller.{i}.BootParameter.{i} rows (3 parameters each) referenced as ValueChange on "...BootParameter.*."; median of the timed passes after untimed warm-up passes (the first takes the baseline); nothing changes between passes, so no Notify is sent; the table is marked as live for the bench (stored objects are not polled by the agent)',
      treeParams: { beforeBigTable: treeBefore, afterBigTable: treeAfter },
      subscribed100_smallTree: pass(smallBefore, `Controller.2.BootParameter.*. (${SMALL_ROWS} rows), before the big table exists`),
      subscribed100_bigTree: pass(smallAfter, `the same subscription after Controller.1 gained ${BIG_ROWS} BootParameter rows (tree +${treeAfter - treeBefore} parameters)`),
      subscribed10k: pass(big, `Controller.1.BootParameter.*. (${BIG_ROWS} rows); the 100-parameter subscription disabled`),
      ratio10kTo100: figure(round(big.medianMs / smallAfter.medianMs, 1), 'x', undefined, `per-pass time, ${big.params} vs ${smallAfter.params} subscribed parameters in the same tree`),
    };
  } finally {
    await agent.stop();
  }
}
