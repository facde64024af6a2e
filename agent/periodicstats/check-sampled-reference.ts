/**
 * Parameter.{i}.Reference checked at Set/Add (TR-181: "the parameter being monitored", a weak
 * reference to one parameter): one concrete parameter path (no wildcard, search or object path)
 * that exists now and that the Controller making the change may read. What it may not read is
 * refused exactly like what does not exist (7026), so the answer tells it nothing its Get would
 * not; an unparsable path is 7008.
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { ParsedPath } from '../../datamodel/path/Path.js';
import type { RequestContext } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import { ErrorCode } from '../../datamodel/UspError.js';
import { mayRead } from './read-sampled.js';
import { invalid } from './sampleset-rules.js';

export async function checkSampledReference(model: DataModel, text: string, ctx: RequestContext): Promise<void> {
  if (text === '') return;
  let path: ParsedPath;
  try {
    path = parsePath(text);
  } catch (e) {
    throw invalid('Reference', `Reference ${JSON.stringify(text)} is not a valid path: ${e instanceof Error ? e.message : String(e)}`, ErrorCode.InvalidPathSyntax);
  }
  const refused = (why: string) => invalid('Reference', `Reference ${JSON.stringify(text)} ${why}`, ErrorCode.InvalidPath);
  if (path.kind !== 'parameter') throw refused('must name one parameter (not an object, command or event)');
  if (path.isSearch) throw refused('must name one parameter: no wildcard, search expression or reference following');
  let matches;
  try {
    matches = await new PathResolver(model, ctx).resolve(path);
  } catch {
    throw refused('names no parameter this Controller can read');
  }
  const m = matches.length === 1 && !matches[0].table ? matches[0] : undefined;
  if (!m || !m.node.params.has(path.leaf) || !(await mayRead(ctx, m, path.leaf))) throw refused('names no parameter this Controller can read');
}
