/**
 * Boot! ParameterMap (TR-181 Device.Boot!, Reboot:1): a JSON object of the parameters matched by
 * the recipient controller's enabled BootParameter.{i}.ParameterName patterns (wildcards and
 * search paths allowed), name → value.
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { readSubtree, type ObjectValues } from '../../datamodel/tree/read-object.js';
import { PathResolver, expandTables } from '../../datamodel/tree/resolve-path.js';
import { UspError } from '../../datamodel/UspError.js';
import { formatParam, formatParams } from '../handlers/format-params.js';

export async function bootParameterMap(model: DataModel, controllerEid: string): Promise<string> {
  const ctrl = model.requireNode('Device.LocalAgent.Controller.{i}.');
  const bp = model.requireNode('Device.LocalAgent.Controller.{i}.BootParameter.{i}.');
  const map: Record<string, string> = {};
  for (const c of await model.listInstances(ctrl, [], {})) {
    if ((await model.readValues({ node: ctrl, keys: [c] }, {})).EndpointID !== controllerEid) continue;
    for (const b of await model.listInstances(bp, [c], {})) {
      const row = await model.readValues({ node: bp, keys: [c, b] }, {});
      if (row.Enable !== true || !row.ParameterName) continue;
      await addMatches(model, String(row.ParameterName), map);
    }
  }
  return JSON.stringify(map);
}

async function addMatches(model: DataModel, pattern: string, map: Record<string, string>): Promise<void> {
  try {
    const path = parsePath(pattern);
    const matches = await new PathResolver(model, {}).resolve(path);
    if (path.kind === 'parameter') {
      for (const m of matches) {
        const values = await model.readValues(m, {});
        map[m.node.pathOf(m.keys) + path.leaf] = formatParam(m.node.params.get(path.leaf)!, values[path.leaf]);
      }
      return;
    }
    if (path.kind !== 'object') return;
    const objects: ObjectValues[] = [];
    for (const inst of await expandTables(model, matches, {})) await readSubtree(model, inst, 0, {}, objects);
    for (const o of objects) for (const [k, v] of Object.entries(formatParams(o.inst.node, o.values))) map[o.path + k] = v;
  } catch (e) {
    // A pattern that no longer matches anything contributes nothing.
    if (!(e instanceof UspError)) throw e;
  }
}
