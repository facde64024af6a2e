/**
 * Device.X_<VENDOR>_Profiles (agent/profiles/profiles-param.ts): served only with a vendor
 * prefix, listed by GetSupportedDM, read by a Controller over WebSocket as the profiles the
 * agent's own GetSupportedDM answer meets. The profiles file is read when the parameter is,
 * never by the start (start-up time and memory are measured: bench/).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GetSupportedDMResp, Response } from '../../agent/codec/types.js';
import { checkProfiles, servedModel } from '../../agent/profiles/check-profiles.js';
import { loadProfiles, profilesLoaded } from '../../agent/profiles/profiles-file.js';
import { PROFILES_GSDM_REQUEST } from '../../agent/profiles/served-by-agent.js';
import { startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { asResponse } from '../peers/TestController.js';

const PREFIX = 'X_EXAMPLE-COM_';
let f: AgentFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function gsdmDevice(fx: AgentFixture): Promise<GetSupportedDMResp> {
  const r: Response = asResponse(await fx.controller.send({ reqType: 'getSupportedDm', getSupportedDm: PROFILES_GSDM_REQUEST }));
  if (r.respType !== 'getSupportedDmResp') throw new Error(r.respType);
  return r.getSupportedDmResp;
}

async function getParams(fx: AgentFixture, path: string): Promise<Record<string, string>> {
  const r = asResponse(await fx.controller.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 1 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const p = r.getResp.reqPathResults[0]!;
  if (p.errCode !== 0) throw new Error(`${p.errCode} ${p.errMsg}`);
  return p.resolvedPathResults![0]!.resultParams;
}

describe('Device.X_<VENDOR>_Profiles', () => {
  it('is not served without a vendor prefix, and nothing the agent does reads the profiles file', async () => {
    f = await startAgent();
    const device = (await gsdmDevice(f)).reqObjResults[0]!.supportedObjs!.find((o) => o.supportedObjPath === 'Device.')!;
    expect(device.supportedParams!.map((p) => p.paramName).filter((n) => n.startsWith('X_'))).toEqual([]);
    expect(Object.keys(await getParams(f, 'Device.')).filter((n) => n.startsWith('X_'))).toEqual([]);
    expect(profilesLoaded()).toBe(false);
  });

  it(`with --vendor-prefix ${PREFIX}: listed by GetSupportedDM, read once asked, equal to the report from GetSupportedDM`, async () => {
    f = await startAgent({ vendorPrefix: PREFIX });
    // The start did not read the file: only a read of the parameter does.
    expect(profilesLoaded()).toBe(false);
    const gsdm = await gsdmDevice(f);
    const device = gsdm.reqObjResults[0]!.supportedObjs!.find((o) => o.supportedObjPath === 'Device.')!;
    expect(device.supportedParams).toContainEqual({ paramName: `${PREFIX}Profiles`, access: 'PARAM_READ_ONLY', valueType: 'PARAM_STRING', valueChange: 'VALUE_CHANGE_ALLOWED' });
    expect(profilesLoaded()).toBe(false);

    const value = (await getParams(f, `Device.${PREFIX}Profiles`))[`${PREFIX}Profiles`]!;
    expect(profilesLoaded()).toBe(true);
    const file = loadProfiles();
    const expected = checkProfiles(file.model, file.profiles, servedModel(gsdm.reqObjResults[0]!.supportedObjs!)).met;
    expect(expected.length).toBeGreaterThan(0);
    expect(value.split(',')).toEqual(expected);
    expect(value.split(',')).toContain('LocalAgent:1');
  });
});
