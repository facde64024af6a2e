/**
 * Profile.{i}.Parameter.{i}.Reference and HTTP.RequestURIParameter.{i}.Reference checked at
 * Set/Add (TR-181 BulkData:1): the value must be a parameter or object path, with `*` and search
 * expressions in place of instance numbers (ParameterWildCardSupported is true). A reference
 * outside the supported model is refused; one inside it that names no instance today is accepted
 * and collects nothing until the instance exists (TR-369 Annex A: a report carries what resolves
 * when it is collected).
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { ParsedPath } from '../../datamodel/path/Path.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/**
 * Parses `text` and checks it against the supported model. Codes: 7008 (Invalid Path Syntax)
 * when it is no path at all, 7026 (Invalid Path) when it is a well-formed path the agent does
 * not serve or names a command or event: both are the path errors TR-369 defines, and a
 * controller can tell a typo from an unsupported object.
 */
export function checkReference(model: DataModel, text: string, what: string, opts: { parameterOnly?: boolean } = {}): ParsedPath {
  let path: ParsedPath;
  try {
    path = parsePath(text);
  } catch (e) {
    throw new UspError(ErrorCode.InvalidPathSyntax, `${what} ${JSON.stringify(text)} is not a valid path: ${e instanceof Error ? e.message : String(e)}`, { path: 'Reference' });
  }
  const refused = (why: string): UspError => new UspError(ErrorCode.InvalidPath, `${what} ${JSON.stringify(text)} ${why}`, { path: 'Reference' });
  if (path.kind === 'command' || path.kind === 'event') throw refused('names a command or event, not a parameter or object');
  if (opts.parameterOnly && path.kind !== 'parameter') throw refused('must name a parameter');
  const first = path.segments[0];
  if (first.kind !== 'name' || first.name !== model.root.name) throw refused('is not in the supported data model');
  let node = model.root;
  let needInstance = false;
  for (const seg of path.segments.slice(1)) {
    if (seg.kind === 'name') {
      if (needInstance) throw refused(`needs an instance number, * or a search expression after ${node.name}`);
      // Reference following (`+`) leaves the path's own subtree: the target is checked when collected.
      if (seg.ref) return path;
      const child = node.supportedChild(seg.name);
      if (!child) throw refused('is not in the supported data model');
      node = child;
      needInstance = child.multi;
      continue;
    }
    if (!needInstance) throw refused(`${node.name} is not a table`);
    needInstance = false;
  }
  // "Device.IP.Interface." (the whole table) is an object reference; a parameter needs its object.
  if (path.kind === 'parameter') {
    if (needInstance) throw refused(`needs an instance number, * or a search expression after ${node.name}`);
    if (!node.params.has(path.leaf)) throw refused('is not in the supported data model');
  }
  return path;
}
