/**
 * The unique-key values of one instance as TR-106 strings (R-ADD.5 unique_keys, GetInstances,
 * ObjectCreation notifications): every supported key parameter the asker may read.
 */
import { PERM_R } from '../../datamodel/access/AccessView.js';
import type { RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ObjectInstance } from '../../datamodel/tree/ModelNode.js';
import type { StringMap } from '../codec/types.js';
import { formatParam, seesSecured } from './format-params.js';

export async function uniqueKeys(model: DataModel, req: RequestContext, inst: ObjectInstance): Promise<StringMap> {
  const out: StringMap = {};
  const sets = inst.node.def.uniqueKeys;
  if (!sets) return out;
  const values = await model.readValues(inst, req);
  const access = req.access ? await req.access.instance(inst) : undefined;
  for (const set of sets) {
    for (const name of set.params) {
      const syntax = inst.node.params.get(name);
      if (!syntax || (access && (access.param(name) & PERM_R) === 0)) continue;
      out[name] = formatParam(syntax, values[name], seesSecured(req.access));
    }
  }
  return out;
}
