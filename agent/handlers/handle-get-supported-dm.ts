/**
 * GetSupportedDM (TR-369 §"The GetSupportedDM Message", R-GSP.*): describes only
 * what the agent serves (the schema ∩ the bindings). Accepts supported-model paths, instance
 * paths, and since USP 1.4 parameter, command and event paths (then only that item returns).
 * Access control (R-GSP.0): objects without Obj r, parameters without Param r and commands or
 * events without CommandEvent r are absent; naming one gives 7026 like an unsupported path.
 * Rights are those of the object type: targets naming particular instances do not apply.
 */
import { FULL_ACCESS, PERM_R, type InstanceAccess } from '../../datamodel/access/AccessView.js';
import type { Awaitable } from '../../datamodel/tree/binding.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { SchemaParam } from '../../datamodel/schema/types.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';
import type { GetSupportedDMReq, GetSupportedDMResp, ParamValueType, RequestedObjectResult, SupportedObjectResult, SupportedParamResult } from '../codec/types.js';
import type { HandlerContext } from './HandlerContext.js';
import { DEFAULT_MAX_RESPONSE_SIZE, ResponseBudget, yieldToEventLoop } from '../request-limits.js';
import { ignoresValueChange } from './value-change-policy.js';

/** TR-181 2.19.1 USP flavour, as published by the Broadband Forum. */
export const DATA_MODEL_INST_URI = 'urn:broadband-forum-org:tr-181-2-19-1-usp';

const VALUE_TYPE: Record<string, ParamValueType> = {
  base64: 'PARAM_BASE_64',
  boolean: 'PARAM_BOOLEAN',
  dateTime: 'PARAM_DATE_TIME',
  decimal: 'PARAM_DECIMAL',
  hexBinary: 'PARAM_HEX_BINARY',
  int: 'PARAM_INT',
  long: 'PARAM_LONG',
  string: 'PARAM_STRING',
  unsignedInt: 'PARAM_UNSIGNED_INT',
  unsignedLong: 'PARAM_UNSIGNED_LONG',
};

/**
 * Bounded like Get (request-limits.ts): one requested path at a time with a yield to the event
 * loop in between, and Error 7005 as soon as the response would not fit in a Record.
 */
export async function handleGetSupportedDM(h: HandlerContext, req: GetSupportedDMReq, budget = new ResponseBudget(DEFAULT_MAX_RESPONSE_SIZE, 'the GetSupportedDMResp')): Promise<GetSupportedDMResp> {
  const reqObjResults: RequestedObjectResult[] = [];
  for (const [i, text] of req.objPaths.entries()) {
    if (i > 0) await yieldToEventLoop();
    let r: RequestedObjectResult;
    try {
      r = { reqObjPath: text, errCode: 0, errMsg: '', dataModelInstUri: DATA_MODEL_INST_URI, supportedObjs: await describe(h, text, req) };
    } catch (e) {
      const u = toUspError(e);
      r = { reqObjPath: text, errCode: u.code, errMsg: u.message, dataModelInstUri: '', supportedObjs: [] };
    }
    budget.addValue(r);
    reqObjResults.push(r);
  }
  return { reqObjResults };
}

async function describe(h: HandlerContext, text: string, req: GetSupportedDMReq): Promise<SupportedObjectResult[]> {
  // A trailing "{i}." may be left off (TR-369 GetSupportedDM), so "Device.X.Table." names the table too.
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
  const rights = (n: ModelNode): Awaitable<InstanceAccess> => (h.req.access ? h.req.access.supported(n, []) : FULL_ACCESS);
  const acc = await rights(node);
  if ((acc.obj & PERM_R) === 0) throw invalid();
  if (path.kind !== 'object') {
    const obj = header(h.model, node);
    if (path.kind === 'parameter') {
      const p = node.params.get(path.leaf);
      if (!p || (acc.param(path.leaf) & PERM_R) === 0) throw invalid();
      obj.supportedParams = [param(node, p)];
    } else if (path.kind === 'command') {
      const c = node.commands.get(path.leaf);
      if (!c || (acc.command(path.leaf) & PERM_R) === 0) throw invalid();
      obj.supportedCommands = [command(c.def)];
    } else {
      const ev = node.events.get(path.leaf);
      if (!ev || (acc.event(path.leaf) & PERM_R) === 0) throw invalid();
      obj.supportedEvents = [{ eventName: ev.name, argNames: ev.args.map((a) => a.name) }];
    }
    return [obj];
  }
  const out: SupportedObjectResult[] = [full(h.model, node, req, acc)];
  if (req.firstLevelOnly) {
    for (const c of node.children.values()) if (c.supported && ((await rights(c)).obj & PERM_R) !== 0) out.push(header(h.model, c));
  } else {
    await addDescendants(h.model, node, req, rights, out);
  }
  return out;
}

/** A controller's rights on an object type (no instance numbers); everything for the agent itself. */
type Rights = (node: ModelNode) => Awaitable<InstanceAccess>;

async function addDescendants(model: DataModel, node: ModelNode, req: GetSupportedDMReq, rights: Rights, out: SupportedObjectResult[]): Promise<void> {
  for (const c of node.children.values()) {
    if (!c.supported) continue;
    const acc = await rights(c);
    // An object the controller may not see is left out; objects below it are judged on their own.
    if ((acc.obj & PERM_R) !== 0) out.push(full(model, c, req, acc));
    await addDescendants(model, c, req, rights, out);
  }
}

function header(model: DataModel, node: ModelNode): SupportedObjectResult {
  return {
    supportedObjPath: node.supportedPath,
    access: objAccess(model, node),
    isMultiInstance: node.multi,
    supportedParams: [],
    supportedCommands: [],
    supportedEvents: [],
    divergentPaths: [],
    uniqueKeySets: [],
  };
}

function full(model: DataModel, node: ModelNode, req: GetSupportedDMReq, acc: InstanceAccess): SupportedObjectResult {
  const o = header(model, node);
  const readable = (bits: number): boolean => (bits & PERM_R) !== 0;
  if (req.returnParams) o.supportedParams = [...node.params.values()].filter((p) => readable(acc.param(p.name))).map((p) => param(node, p));
  if (req.returnCommands) o.supportedCommands = [...node.commands].filter(([name]) => readable(acc.command(name))).map(([, c]) => command(c.def));
  if (req.returnEvents) o.supportedEvents = [...node.events].filter(([name]) => readable(acc.event(name))).map(([, e]) => ({ eventName: e.name, argNames: e.args.map((a) => a.name) }));
  if (req.returnUniqueKeySets && node.multi) {
    o.uniqueKeySets = (node.def.uniqueKeys ?? []).filter((k) => k.params.every((p) => node.params.has(p))).map((k) => ({ keyNames: [...k.params] }));
  }
  return o;
}

function objAccess(model: DataModel, node: ModelNode): SupportedObjectResult['access'] {
  if (!node.multi || node.def.access !== 'readWrite') return 'OBJ_READ_ONLY';
  // Without reading the binding, which would build a fleet gateway's deferred area (issue 14).
  const rows = model.rowOps(node);
  if (rows.add && rows.delete) return 'OBJ_ADD_DELETE';
  if (rows.add) return 'OBJ_ADD_ONLY';
  if (rows.delete) return 'OBJ_DELETE_ONLY';
  return 'OBJ_READ_ONLY';
}

function param(node: ModelNode, p: SchemaParam): SupportedParamResult {
  const writable = p.access !== 'readOnly' && !node.derivedCounts.has(p.name) && !node.fixedParams.has(p.name);
  return {
    paramName: p.name,
    // R-SET / TP-469: writeOnceReadOnly is reported as read-write.
    access: writable ? 'PARAM_READ_WRITE' : 'PARAM_READ_ONLY',
    valueType: p.list ? 'PARAM_STRING' : (VALUE_TYPE[p.type] ?? 'PARAM_UNKNOWN'),
    valueChange: ignoresValueChange(node, p.name) ? 'VALUE_CHANGE_WILL_IGNORE' : 'VALUE_CHANGE_ALLOWED',
  };
}

function command(def: { name: string; async: boolean; input: { name: string }[]; output: { name: string }[] }) {
  return {
    commandName: def.name,
    inputArgNames: def.input.map((a) => a.name),
    outputArgNames: def.output.map((a) => a.name),
    commandType: def.async ? ('CMD_ASYNC' as const) : ('CMD_SYNC' as const),
  };
}
