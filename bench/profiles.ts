/**
 * What the profile report costs (agent/profiles/): reading tr181-profiles.json (first read in
 * this process, and again), and judging all 241 profiles against a served model, both the
 * simulated gateway's (what `usp-agent profiles` and X_<VENDOR>_Profiles compute) and one
 * serving every object of the schema (809, every parameter writable, every table add/delete,
 * every command and event): the worst case, where every requirement is looked up and met.
 * Building the served model (GetSupportedDM Device. in-process) is measured too.
 *
 *   node dist/bench/profiles.js
 */
import { fileURLToPath } from 'node:url';
import type { SupportedObjectResult } from '../agent/codec/types.js';
import { checkProfiles, servedModel } from '../agent/profiles/check-profiles.js';
import { offlineModel } from '../agent/profiles/offline-agent.js';
import { loadProfiles } from '../agent/profiles/profiles-file.js';
import { supportedDevice } from '../agent/profiles/served-by-agent.js';
import { Agent } from '../agent/Agent.js';
import { silentLogger } from '../datamodel/Logger.js';
import { Schema } from '../datamodel/schema/Schema.js';
import { figure, type Figure } from './figure.js';
import { timeCalls } from './in-process.js';
import { median, round } from './stats.js';

/** The report must answer well under a second (issue 13), building the model aside. */
const CHECK_BUDGET_MS = 1000;

export interface ProfilesCost {
  profiles: number;
  firstLoad: Figure;
  checkSimulated: Figure;
  checkWholeSchema: Figure;
  gsdmDevice: Figure;
  metSimulated: number;
  metWholeSchema: number;
}

/** Every object of the schema served with every right: GetSupportedDM of an agent that binds everything. */
function wholeSchemaServed(): SupportedObjectResult[] {
  return Schema.load()
    .objects()
    .map((o) => ({
      supportedObjPath: o.path,
      access: o.multi ? ('OBJ_ADD_DELETE' as const) : ('OBJ_READ_ONLY' as const),
      isMultiInstance: o.multi,
      supportedParams: o.params.map((p) => ({ paramName: p.name, access: 'PARAM_READ_WRITE' as const, valueType: 'PARAM_STRING' as const, valueChange: 'VALUE_CHANGE_ALLOWED' as const })),
      supportedCommands: o.commands.map((c) => ({ commandName: c.name, inputArgNames: c.input.map((a) => a.name), outputArgNames: c.output.map((a) => a.name), commandType: 'CMD_SYNC' as const })),
      supportedEvents: o.events.map((e) => ({ eventName: e.name, argNames: e.args.map((a) => a.name) })),
    }));
}

export async function measureProfiles(budgetMs = 1000): Promise<ProfilesCost> {
  const t = performance.now();
  const file = loadProfiles();
  const firstLoadMs = performance.now() - t;
  const simulated = (await offlineModel('simulated', (o) => Agent.start(o))).served;
  const whole = wholeSchemaServed();
  const sim = await timeCalls(() => checkProfiles(file.model, file.profiles, servedModel(simulated)), budgetMs);
  const all = await timeCalls(() => checkProfiles(file.model, file.profiles, servedModel(whole)), budgetMs);
  const agent = await Agent.start({ defaults: { 'Device.LocalAgent.EndpointID': 'proto::bench-profiles' }, platform: 'simulated', log: silentLogger, seed: 1 });
  const gsdm = await timeCalls(() => supportedDevice(agent.model, agent.operations), budgetMs);
  await agent.stop();
  return {
    profiles: file.profiles.length,
    firstLoad: figure(round(firstLoadMs, 2), 'ms', undefined, 'read and parse datamodel/schema/tr181-profiles.json, first time in this process'),
    checkSimulated: figure(
      round(median(sim), 3),
      'ms',
      { op: '<=', value: CHECK_BUDGET_MS },
      `judge all profiles against the simulated gateway's GetSupportedDM answer (${simulated.length} objects; index + check), median`,
    ),
    checkWholeSchema: figure(
      round(median(all), 3),
      'ms',
      { op: '<=', value: CHECK_BUDGET_MS },
      `judge all profiles against a model serving all ${whole.length} schema objects with every right (every requirement met), median`,
    ),
    gsdmDevice: figure(round(median(gsdm), 3), 'ms', undefined, 'GetSupportedDM Device. (params, commands, events) in-process on the simulated gateway, median'),
    metSimulated: checkProfiles(file.model, file.profiles, servedModel(simulated)).met.length,
    metWholeSchema: checkProfiles(file.model, file.profiles, servedModel(whole)).met.length,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await measureProfiles(), null, 2)}\n`);
}
