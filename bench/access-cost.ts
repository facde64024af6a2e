/**
 * What ControllerTrust permission checks cost (TR-369 R-SEC.1: every request is checked against
 * the controller's roles): handleGet of the whole tree for a full-access controller and for one
 * holding the Limited role (bench/limited-role.ts: subtree, search, wildcard and instance-number
 * targets), in-process on one simulated agent. The access-control integration test checks what
 * that role allows; the cost is measured here, not asserted in a test.
 *
 *   node dist/bench/access-cost.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent/Agent.js';
import { ControllerDirectory } from '../agent/ControllerDirectory.js';
import type { GetReq } from '../agent/codec/types.js';
import { handleGet } from '../agent/handlers/handle-get.js';
import type { HandlerContext } from '../agent/handlers/HandlerContext.js';
import { silentLogger } from '../datamodel/Logger.js';
import { CONTROLLER_EID, benchDefaults } from './agent-config.js';
import { figure, type Figure } from './figure.js';
import { timeCalls } from './in-process.js';
import { limitedRole } from './limited-role.js';
import { freePort } from './port.js';
import { median, round } from './stats.js';
import { runAlone } from './run-alone.js';

const LIMITED_EID = 'proto::controller-limited';
const GET_TREE: GetReq = { paramPaths: ['Device.'], maxDepth: 0 };

export interface AccessCost {
  fullAccess: { params: number; handleGet: Figure };
  limitedRole: { params: number; handleGet: Figure };
}

export async function measureAccessCost(budgetMs: number): Promise<AccessCost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-bench-access-'));
  const agent = await Agent.start({
    defaults: {
      ...benchDefaults(await freePort()),
      ...limitedRole(2),
      'Device.LocalAgent.Controller.2.EndpointID': LIMITED_EID,
      'Device.LocalAgent.Controller.2.Enable': true,
      'Device.LocalAgent.Controller.2.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.2',
    },
    dataDir,
    platform: 'simulated',
    log: silentLogger,
  });
  try {
    const directory = new ControllerDirectory(agent.model);
    // A session per call, as a request gets: the role lookup is part of the cost.
    const measure = async (eid: string, target?: { op: '<='; value: number }): Promise<{ params: number; handleGet: Figure }> => {
      const run = async (): Promise<number> => {
        const s = await directory.session(eid);
        const h: HandlerContext = { model: agent.model, operations: agent.operations, log: silentLogger, req: { controllerId: eid, controllerPath: s.path, access: s.access } };
        const r = await handleGet(h, GET_TREE);
        return r.reqPathResults[0]!.resolvedPathResults!.reduce((n, x) => n + Object.keys(x.resultParams).length, 0);
      };
      const params = await run();
      const ms = median(await timeCalls(run, budgetMs, 20, 50));
      return { params, handleGet: figure(round((ms * 1000) / params, 3), 'µs/param', target, 'session + handleGet of Device. (max_depth 0), permission checks included') };
    };
    return {
      fullAccess: await measure(CONTROLLER_EID),
      limitedRole: await measure(LIMITED_EID, { op: '<=', value: 5 }),
    };
  } finally {
    await agent.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runAlone(import.meta.url, undefined, () => measureAccessCost(1500));
