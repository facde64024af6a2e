/**
 * `Device.X_<VENDOR>_Profiles`: the TR-181 profiles this agent meets, as a comma-separated list
 * ("DeviceInfo:1,LocalAgent:1,..."), for Controllers that cannot run `usp-agent profiles`.
 *
 * A vendor parameter because nothing standard carries it: TR-369 advertises the data model a
 * path belongs to through GetSupportedDM's `data_model_inst_uri` and lists what is served, but
 * defines no way of naming profiles; and TR-181 2.19.1's USP model has no
 * `Device.DeviceInfo.SupportedDataModel.{i}.` (that table, whose `Features` names the features
 * of a DM Instance document, is CWMP-only). So it is served only when the agent is given a
 * vendor prefix (`--vendor-prefix`), like every vendor parameter (platform/vendor-param.ts).
 *
 * Computed when read, from the agent's own GetSupportedDM answer (agent/profiles/), and kept
 * until the supported model changes (DataModel.shape): the profiles file is read on the first
 * read of the parameter, never at start.
 */
import type { SchemaParam } from '../../datamodel/schema/types.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { OperationRunner } from '../operate/OperationRunner.js';
import { profileReportForModel } from './served-by-agent.js';

/** The parameter's definition under `vendorPrefix`, or undefined without one (then it is not served). */
export function profilesParam(vendorPrefix: string | undefined): SchemaParam | undefined {
  return vendorPrefix === undefined ? undefined : { name: `${vendorPrefix}Profiles`, access: 'readOnly', type: 'string', list: {} };
}

/** The value, recomputed only when the supported model has changed since the last read. */
export function metProfilesValue(model: DataModel, operations: OperationRunner): () => Promise<string> {
  let cached: { shape: number; value: Promise<string> } | undefined;
  return () => {
    if (cached === undefined || cached.shape !== model.shape) {
      const value = profileReportForModel(model, operations).then((r) => r.met.join(','));
      // A failed computation is not kept: the next read tries again.
      value.catch(() => {
        cached = undefined;
      });
      cached = { shape: model.shape, value };
    }
    return cached.value;
  };
}
