/**
 * What one Bulk Data report of the whole tree costs against a whole-tree Get in the same run (the
 * `bulkData` key of `npm run bench`), or alone:
 *
 *   npm run build && node dist/bench/bulkdata.js
 *
 * In-process, one agent (simulated gateway, silent logger, state in memory). Alternating rounds
 * of: the Get handler on "Device." (resolve, batch reads, TR-106 formatting), the collection of a
 * Profile whose one Parameter row references "Device." (agent/bulkdata/collect-report.ts: the
 * same resolver and readSubtree batch reads, one binding call per object), and the JSON
 * NameValuePair and CSV ParameterPerRow encodings of that collection. TR-369 Annex A reports
 * should cost about what the Get costs: the ratio says how close they are. Then 20 whole-tree
 * Profiles at a 1 s interval while Gets run back to back (measureBulkDataLoad).
 */
import { Agent } from '../agent/Agent.js';
import { collectReport } from '../agent/bulkdata/collect-report.js';
import { encodeCsv } from '../agent/bulkdata/encode-csv.js';
import { encodeJson } from '../agent/bulkdata/encode-json.js';
import type { CollectedReport } from '../agent/bulkdata/report-contract.js';
import { handleGet } from '../agent/handlers/handle-get.js';
import type { HandlerContext } from '../agent/handlers/HandlerContext.js';
import { silentLogger } from '../datamodel/Logger.js';
import { CONTROLLER_EID, benchDefaults } from './agent-config.js';
import { figure } from './figure.js';
import { freePort } from './port.js';
import { runAlone } from './run-alone.js';
import { median, round } from './stats.js';

const ROUNDS = 40;
const WARMUP = 5;

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

export async function measureBulkData(progress: (s: string) => void = () => undefined): Promise<Record<string, unknown>> {
  progress('bulk data: whole-tree report against whole-tree Get (in-process)');
  const agent = await Agent.start({ defaults: benchDefaults(await freePort()), platform: 'simulated', log: silentLogger, seed: 42 });
  try {
    const h: HandlerContext = { model: agent.model, operations: agent.operations, log: silentLogger, req: { controllerId: CONTROLLER_EID } };
    const rows = [{ name: '', reference: 'Device.', exclude: false }];
    const get: number[] = [];
    const collect: number[] = [];
    const json: number[] = [];
    const csv: number[] = [];
    let getParams = 0;
    let report: CollectedReport | undefined;
    let jsonBytes = 0;
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const g = await timed(() => handleGet(h, { paramPaths: ['Device.'], maxDepth: 0 }));
      const c = await timed(() => collectReport(agent.model, rows, {}));
      const j = await timed(() => encodeJson([c.value.report], { reportFormat: 'NameValuePair', reportTimestamp: 'Unix-Epoch' }));
      const v = await timed(() => encodeCsv([c.value.report], { fieldSeparator: ',', rowSeparator: '', escapeCharacter: '"', reportFormat: 'ParameterPerRow', rowTimestamp: 'Unix-Epoch' }));
      if (i < WARMUP) continue;
      get.push(g.ms);
      collect.push(c.ms);
      json.push(j.ms);
      csv.push(v.ms);
      getParams = g.value.reqPathResults[0].resolvedPathResults?.reduce((n, r) => n + Object.keys(r.resultParams).length, 0) ?? 0;
      report = c.value.report;
      jsonBytes = j.value.body.length;
    }
    const params = report?.entries.length ?? 0;
    const reportMs = median(collect) + median(json);
    return {
      parameters: { report: params, get: getParams },
      wholeTreeGetMs: figure(round(median(get), 2), 'ms'),
      wholeTreeCollectMs: figure(round(median(collect), 2), 'ms'),
      jsonNameValuePairEncodeMs: figure(round(median(json), 2), 'ms', undefined, `${jsonBytes} bytes`),
      csvParameterPerRowEncodeMs: figure(round(median(csv), 2), 'ms'),
      wholeTreeReportMs: figure(round(reportMs, 2), 'ms', undefined, 'collection + JSON NameValuePair encoding'),
      reportUsPerParameter: figure(round((reportMs * 1000) / Math.max(1, params), 2), 'µs'),
      getUsPerParameter: figure(round((median(get) * 1000) / Math.max(1, getParams), 2), 'µs'),
      reportToGetRatio: figure(round(reportMs / median(get), 2), 'x', { op: '<=', value: 1.5 }, 'one whole-tree JSON report against one whole-tree Get, same run'),
    };
  } finally {
    await agent.stop();
  }
}

const LOAD_PROFILES = 20;
const LOAD_MS = 5000;

/**
 * 20 Profiles of the whole tree at a 1 s interval (MinReportingInterval shortened to 1 s), JSON
 * over USPEventNotif, for 5 s while a whole-tree Get runs back to back: the reports the agent
 * delivers per second (counted on the change feed) and what the Gets cost meanwhile.
 */
export async function measureBulkDataLoad(progress: (s: string) => void = () => undefined): Promise<Record<string, unknown>> {
  progress(`bulk data: ${LOAD_PROFILES} whole-tree Profiles at 1 s while serving Gets (in-process)`);
  const defaults = benchDefaults(await freePort());
  defaults['Device.BulkData.Enable'] = true;
  for (let i = 1; i <= LOAD_PROFILES; i++) {
    const p = `Device.BulkData.Profile.${i}.`;
    Object.assign(defaults, { [`${p}Enable`]: true, [`${p}Protocol`]: 'USPEventNotif', [`${p}EncodingType`]: 'JSON', [`${p}ReportingInterval`]: 1, [`${p}Parameter.1.Reference`]: 'Device.' });
  }
  const agent = await Agent.start({ defaults, platform: 'simulated', log: silentLogger, seed: 42, bulkData: { minReportingInterval: 1 } });
  try {
    // When each Push! left, to count them over whole intervals (bounded: 20 a second for a few seconds).
    const pushedAt: number[] = [];
    const unsubscribe = agent.model.changes.subscribe((c) => {
      if (c.kind === 'event' && c.event === 'Push!' && pushedAt.length < 100_000) pushedAt.push(performance.now());
    });
    const h: HandlerContext = { model: agent.model, operations: agent.operations, log: silentLogger, req: { controllerId: CONTROLLER_EID } };
    const gets: number[] = [];
    // All Profiles fall due together every second. The window starts half an interval after the
    // first report of a round and spans whole intervals, so it holds whole rounds only: counting
    // from the first Push! on counted that round's other 19 as if they were in the next second.
    while (pushedAt.length === 0) await new Promise((r) => setTimeout(r, 5));
    const start = pushedAt[0] + 500;
    const end = start + LOAD_MS;
    while (performance.now() < end) {
      const g = await timed(() => handleGet(h, { paramPaths: ['Device.'], maxDepth: 0 }));
      if (performance.now() >= start) gets.push(g.ms);
      // Let the timers in: a Get loop of pure microtasks would starve them.
      await new Promise((r) => setImmediate(r));
    }
    const seconds = LOAD_MS / 1000;
    unsubscribe();
    const reports = pushedAt.filter((t) => t >= start && t < end).length;
    return {
      profiles: LOAD_PROFILES,
      reportsPerSecond: figure(
        round(reports / seconds, 1),
        '/s',
        { op: '>=', value: LOAD_PROFILES * 0.9 },
        `${LOAD_PROFILES} Profiles due every second (at most ${LOAD_PROFILES}/s); Push! events over ${seconds} whole intervals`,
      ),
      wholeTreeGetsPerSecond: figure(round(gets.length / seconds, 0), '/s'),
      wholeTreeGetMedianMs: figure(round(median(gets), 2), 'ms', undefined, 'while the reports run'),
    };
  } finally {
    await agent.stop();
  }
}

runAlone(import.meta.url, 'bulkData', async (progress) => ({ ...(await measureBulkData(progress)), underLoad: await measureBulkDataLoad(progress) }));
