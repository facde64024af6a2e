/**
 * GetSupportedDM (TR-369 §"The GetSupportedDM Message", R-GSP.*; DIGEST §2.8): describes only
 * what the agent serves (the schema ∩ the bindings). Accepts supported-model paths, instance
 * paths, and since USP 1.4 parameter, command and event paths (then only that item returns).
 */
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { SchemaParam } from '../../datamodel/schema/types.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';
import type {
  GetSupportedDMReq, GetSupportedDMResp, ParamValueType, RequestedObjectResult, SupportedObjectResult, SupportedParamResult,
} from '../codec/types.js';
import type { HandlerContext } from './HandlerContext.js';

/** TR-181 2.19.1 USP flavour, as published by the Broadband Forum. */
export const DATA_MODEL_INST_URI = 'urn:broadband-forum-org:tr-181-2-19-1-usp';

const VALUE_TYPE: Record<string, ParamValueType> = {
  base64: 'PARAM_BASE_64', boolean: 'PARAM_BOOLEAN', dateTime: 'PARAM_DATE_TIME', decimal: 'PARAM_DECIMAL',
  hexBinary: 'PARAM_HEX_BINARY', int: 'PARAM_INT', long: 'PARAM_LONG', string: 'PARAM_STRING',
  unsignedInt: 'PARAM_UNSIGNED_INT', unsignedLong: 'PARAM_UNSIGNED_LONG',
};

export async function handleGetSupportedDM(h: HandlerContext, req: GetSupportedDMReq): Promise<GetSupportedDMResp> {
  const reqObjResults: RequestedObjectResult[] = [];
  for (const text of req.objPaths) {
    try {
      reqObjResults.push({ reqObjPath: text, errCode: 0, errMsg: '', dataModelInstUri: DATA_MODEL_INST_URI, supportedObjs: describe(h, text, req) });
    } catch (e) {
      const u = toUspError(e);
      reqObjResults.push({ reqObjPath: text, errCode: u.code, errMsg: u.message, dataModelInstUri: '', supportedObjs: [] });
    }
  }
  return { reqObjResults };
}

function describe(h: HandlerContext, text: string, req: GetSupportedDMReq): SupportedObjectResult[] {
  // A trailing "{i}." may be left off (DIGEST §2.8), so "Device.X.Table." names the table too.
  const path = parsePath(text, { mode: 'supported' });
  let node = h.model.root;
  const invalid = (): UspError => new UspError(ErrorCode.InvalidPath, `not in the supported data model: ${text}`, { path: text });
  if (path.segments[0].kind !== 'name' || path.segments[0].name !== node.name || !node.supported) throw invalid();
  for (let i = 1; i < path.segments.length; i++) {
    const s = path.segments[i];
    if (s.kind === 'name') {
      const child = node.supportedChild(s.name);
      if (!child) throw invalid();
      node = child;
    } else if (!node.multi) {
      throw invalid();
    }
  }
  if (path.kind !== 'object') {
    const obj = header(node);
    if (path.kind === 'parameter') {
      const p = node.params.get(path.leaf);
      if (!p) throw invalid();
      obj.supportedParams = [param(node, p)];
    } else if (path.kind === 'command') {
      const c = node.commands.get(path.leaf);
      if (!c) throw invalid();
      obj.supportedCommands = [command(c.def)];
    } else {
      const ev = node.events.get(path.leaf);
      if (!ev) throw invalid();
      obj.supportedEvents = [{ eventName: ev.name, argNames: ev.args.map((a) => a.name) }];
    }
    return [obj];
  }
  const out: SupportedObjectResult[] = [full(node, req)];
  if (req.firstLevelOnly) {
    for (const c of node.children.values()) if (c.supported) out.push(header(c));
  } else {
    addDescendants(node, req, out);
  }
  return out;
}

function addDescendants(node: ModelNode, req: GetSupportedDMReq, out: SupportedObjectResult[]): void {
  for (const c of node.children.values()) {
    if (!c.supported) continue;
    out.push(full(c, req));
    addDescendants(c, req, out);
  }
}

function header(node: ModelNode): SupportedObjectResult {
  return { supportedObjPath: node.supportedPath, access: objAccess(node), isMultiInstance: node.multi, supportedParams: [], supportedCommands: [], supportedEvents: [], divergentPaths: [], uniqueKeySets: [] };
}

function full(node: ModelNode, req: GetSupportedDMReq): SupportedObjectResult {
  const o = header(node);
  if (req.returnParams) o.supportedParams = [...node.params.values()].map((p) => param(node, p));
  if (req.returnCommands) o.supportedCommands = [...node.commands.values()].map((c) => command(c.def));
  if (req.returnEvents) o.supportedEvents = [...node.events.values()].map((e) => ({ eventName: e.name, argNames: e.args.map((a) => a.name) }));
  if (req.returnUniqueKeySets && node.multi) {
    o.uniqueKeySets = (node.def.uniqueKeys ?? [])
      .filter((k) => k.params.every((p) => node.params.has(p)))
      .map((k) => ({ keyNames: [...k.params] }));
  }
  return o;
}

function objAccess(node: ModelNode): SupportedObjectResult['access'] {
  if (!node.multi || node.def.access !== 'readWrite') return 'OBJ_READ_ONLY';
  const b = node.binding;
  if (b?.add && b.delete) return 'OBJ_ADD_DELETE';
  if (b?.add) return 'OBJ_ADD_ONLY';
  if (b?.delete) return 'OBJ_DELETE_ONLY';
  return 'OBJ_READ_ONLY';
}

function param(node: ModelNode, p: SchemaParam): SupportedParamResult {
  const writable = p.access !== 'readOnly' && !node.derivedCounts.has(p.name);
  return {
    paramName: p.name,
    // R-SET / TP-469: writeOnceReadOnly is reported as read-write.
    access: writable ? 'PARAM_READ_WRITE' : 'PARAM_READ_ONLY',
    valueType: p.list ? 'PARAM_STRING' : VALUE_TYPE[p.type] ?? 'PARAM_UNKNOWN',
    valueChange: ignoresValueChange(node, p) ? 'VALUE_CHANGE_WILL_IGNORE' : 'VALUE_CHANGE_ALLOWED',
  };
}

/** Counters and clocks change all the time; ValueChange on them is ignored (DIGEST §5.2). */
function ignoresValueChange(node: ModelNode, p: SchemaParam): boolean {
  if (p.access !== 'readOnly') return false;
  return node.name === 'Stats' || p.name === 'UpTime' || p.name === 'CurrentLocalTime';
}

function command(def: { name: string; async: boolean; input: { name: string }[]; output: { name: string }[] }) {
  return {
    commandName: def.name,
    inputArgNames: def.input.map((a) => a.name),
    outputArgNames: def.output.map((a) => a.name),
    commandType: def.async ? 'CMD_ASYNC' as const : 'CMD_SYNC' as const,
  };
}
