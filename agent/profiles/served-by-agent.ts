/**
 * What an agent in this process serves, as a Controller would be told: the GetSupportedDM
 * answer for `Device.` (parameters, commands, events, every level) through the agent's own
 * handler with the agent's full view. The profile report is judged from this, never from the
 * schema or from a list kept by hand.
 */
import { silentLogger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { GetSupportedDMReq, SupportedObjectResult } from '../codec/types.js';
import { handleGetSupportedDM } from '../handlers/handle-get-supported-dm.js';
import type { OperationRunner } from '../operate/OperationRunner.js';
import { ResponseBudget } from '../request-limits.js';
import { checkProfiles, servedModel, type ProfileReport } from './check-profiles.js';
import { loadProfiles } from './profiles-file.js';

/** The request `usp-agent profiles` sends too: everything under Device., with parameters, commands and events. */
export const PROFILES_GSDM_REQUEST: GetSupportedDMReq = {
  objPaths: ['Device.'],
  firstLevelOnly: false,
  returnCommands: true,
  returnEvents: true,
  returnParams: true,
  returnUniqueKeySets: false,
};

/**
 * The GetSupportedDM answer for Device. as the agent itself sees it. Not bounded by the Record
 * size (nothing is sent); a failure is thrown with the USP error's message.
 */
export async function supportedDevice(model: DataModel, operations: OperationRunner): Promise<SupportedObjectResult[]> {
  const resp = await handleGetSupportedDM({ model, req: {}, log: silentLogger, operations }, PROFILES_GSDM_REQUEST, new ResponseBudget(Number.MAX_SAFE_INTEGER, 'the profile report'));
  const r = resp.reqObjResults[0];
  if (r === undefined || r.errCode !== 0) throw new Error(`GetSupportedDM Device. failed: ${r?.errCode ?? '?'} ${r?.errMsg ?? ''}`);
  return r.supportedObjs ?? [];
}

/** The profiles this agent meets and misses, from what its model serves now. */
export async function profileReportForModel(model: DataModel, operations: OperationRunner): Promise<ProfileReport> {
  const file = loadProfiles();
  return checkProfiles(file.model, file.profiles, servedModel(await supportedDevice(model, operations)));
}
