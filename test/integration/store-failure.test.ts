/**
 * A change whose save fails is not made: the agent answers 7003, and the live model and the
 * disk keep the value saved before (the persistence requirement of the LocalAgent issue: the
 * response, the model and state on disk agree). Real agent, real WebSocket, our TestController.
 *
 * The data directory is made unusable by putting a file where it was: tests run as root, for
 * whom a read-only mode does not stop a write.
 */
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSavedState } from '../../datamodel/store/SavedImage.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { asError, asResponse } from '../peers/TestController.js';

const CTRL = 'Device.LocalAgent.Controller.1.';
const SUBSCRIPTION = 'Device.LocalAgent.Subscription.';

let root: string;
let dataDir: string;
let f: AgentFixture;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'usp-agent-store-failure-'));
  dataDir = join(root, 'data');
  f = await startAgent({ dataDir });
});
afterAll(async () => {
  await f.close();
  rmSync(root, { recursive: true, force: true });
});

async function set(param: string, value: string) {
  return f.controller.send({ reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: CTRL, paramSettings: [{ param, value, required: true }] }] } });
}

async function value(path: string): Promise<string | undefined> {
  const r = asResponse(await f.controller.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const name = path.slice(path.lastIndexOf('.') + 1);
  return r.getResp.reqPathResults[0].resolvedPathResults?.[0]?.resultParams[name];
}

/** Puts a file where the data directory was; the returned function puts the directory back. */
function breakDataDir(): () => void {
  renameSync(dataDir, `${dataDir}.away`);
  writeFileSync(dataDir, 'not a directory');
  return () => {
    rmSync(dataDir);
    renameSync(`${dataDir}.away`, dataDir);
  };
}

describe('a change whose save fails', () => {
  it('is answered 7003 and is not in the model; the next change saves only itself', async () => {
    expect(asResponse(await set('ProvisioningCode', 'saved')).respType).toBe('setResp');
    const subsBefore = await value(`Device.LocalAgent.SubscriptionNumberOfEntries`);

    const repair = breakDataDir();
    try {
      const e = asError(await set('ProvisioningCode', 'never-saved'));
      expect(e.errCode).toBe(7003);
      expect(await value(`${CTRL}ProvisioningCode`)).toBe('saved');

      const add = await f.controller.send({
        reqType: 'add',
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: SUBSCRIPTION,
              paramSettings: [
                { param: 'ID', value: 'never-saved', required: true },
                { param: 'NotifType', value: 'ValueChange', required: true },
                { param: 'ReferenceList', value: 'Device.DeviceInfo.HostName', required: true },
              ],
            },
          ],
        },
      });
      expect(asError(add).errCode).toBe(7003);
      expect(await value(`Device.LocalAgent.SubscriptionNumberOfEntries`)).toBe(subsBefore);
    } finally {
      repair();
    }

    expect(asResponse(await set('PeriodicNotifInterval', '77')).respType).toBe('setResp');
    expect(await value(`${CTRL}ProvisioningCode`)).toBe('saved');
    const saved = readSavedState(dataDir)!;
    expect(saved.rows[CTRL]).toMatchObject({ ProvisioningCode: 'saved', PeriodicNotifInterval: 77 });
    expect(Object.values(saved.rows).some((r) => r.ID === 'never-saved')).toBe(false);
  });

  it('at stop, what is saved is compacted into state.json alone, without the failed changes', async () => {
    await f.agent.stop();
    const state = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as { rows: Record<string, Record<string, unknown>> };
    expect(state.rows[CTRL]).toMatchObject({ ProvisioningCode: 'saved', PeriodicNotifInterval: 77 });
    expect(readdirSync(dataDir)).not.toContain('state.journal');
  });
});
