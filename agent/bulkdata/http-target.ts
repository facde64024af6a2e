/**
 * Device.BulkData.Profile.{i}.HTTP. as an HttpTarget (report-contract.ts) for the HTTP channel:
 * the stored settings, and RequestURIParameter.{i} with the current values of their References
 * (TR-181: an empty Reference leaves the row out; an empty Name means the Reference is the name).
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { formatValue } from '../../datamodel/value/format-value.js';
import type { HttpTarget } from './report-contract.js';

export async function readHttpTarget(model: DataModel, store: DataStore, n: number, numberOfRetainedFailedReports: number): Promise<HttpTarget> {
  const base = `Device.BulkData.Profile.${n}.HTTP.`;
  const h = await model.readValues({ node: model.requireNode('Device.BulkData.Profile.{i}.HTTP.'), keys: [n] }, {});
  const uriParameters: Array<{ name: string; value: string }> = [];
  for (const i of store.instances(`${base}RequestURIParameter.`)) {
    const row = store.row(`${base}RequestURIParameter.${i}.`) ?? {};
    const reference = String(row.Reference ?? '');
    if (reference === '') continue;
    uriParameters.push({ name: String(row.Name ?? '') || reference, value: await currentValue(model, reference) });
  }
  return {
    url: String(h.URL ?? ''),
    username: String(h.Username ?? ''),
    password: String(h.Password ?? ''),
    method: h.Method === 'PUT' ? 'PUT' : 'POST',
    compression: h.Compression === 'GZIP' ? 'GZIP' : h.Compression === 'Deflate' ? 'Deflate' : 'None',
    useDateHeader: h.UseDateHeader !== false,
    uriParameters,
    retryEnable: h.RetryEnable === true,
    retryMinimumWaitInterval: Number(h.RetryMinimumWaitInterval ?? 5),
    retryIntervalMultiplier: Number(h.RetryIntervalMultiplier ?? 2000),
    numberOfRetainedFailedReports,
    persistAcrossReboot: h.PersistAcrossReboot === true,
  };
}

/** The TR-106 text of the parameter `reference` names now; "" when it resolves to nothing. */
async function currentValue(model: DataModel, reference: string): Promise<string> {
  try {
    const path = parsePath(reference);
    if (path.kind !== 'parameter') return '';
    const [m] = await new PathResolver(model, {}).resolve(path);
    if (!m) return '';
    const syntax = m.node.params.get(path.leaf);
    const v = (await model.readValues(m, {}))[path.leaf];
    return syntax && v !== undefined && !syntax.secured && !syntax.hidden ? formatValue(syntax, v) : '';
  } catch {
    return '';
  }
}
