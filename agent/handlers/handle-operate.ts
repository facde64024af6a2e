/**
 * Operate (TR-369 §"The Operate Message", R-OPR.*). A failed command is never a USP
 * Error: it is a cmd_failure in the OperateResp (USP 1.4). Missing mandatory input → 7027 and
 * the command does not run; unknown input is ignored; missing optional input gets its default.
 * send_resp=false → no OperateResp at all. Access control: a command needs CommandEvent x on
 * it, else its result is a cmd_failure 7006 (USP 1.4; TP-469 2.18) and it does not run.
 */
import { PERM_X } from '../../datamodel/access/AccessView.js';
import { parsePath } from '../../datamodel/path/parse-path.js';
import { PathResolver } from '../../datamodel/tree/resolve-path.js';
import type { SchemaArgument } from '../../datamodel/schema/types.js';
import { ALIAS_DATA_TYPE } from '../../datamodel/value/alias.js';
import { parseValue } from '../../datamodel/value/parse-value.js';
import { defaultValue } from '../../datamodel/value/default-value.js';
import { formatValue } from '../../datamodel/value/format-value.js';
import type { Value } from '../../datamodel/value/Value.js';
import { ErrorCode, UspError, toUspError } from '../../datamodel/UspError.js';
import type { OperateReq, OperateResp, OperationResult, StringMap } from '../codec/types.js';
import type { HandlerContext } from './HandlerContext.js';

/** Resolves to undefined when send_resp is false (nothing is sent back). */
export async function handleOperate(h: HandlerContext, req: OperateReq): Promise<OperateResp | undefined> {
  const path = parsePath(req.command);
  if (path.kind !== 'command') throw new UspError(ErrorCode.InvalidPath, `Operate needs a command path: ${req.command}`);
  const matches = await new PathResolver(h.model, h.req).resolve(path);
  if (matches.length === 0 && !path.isSearch) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such object: ${req.command}`);
  const operationResults: OperationResult[] = [];
  for (const m of matches) {
    const cmd = m.node.commands.get(path.leaf)!;
    const binding = h.model.commandBinding(m.node, path.leaf)!;
    const inst = { node: m.node, keys: m.keys };
    const executedCommand = m.node.pathOf(m.keys) + path.leaf;
    try {
      if (h.req.access && ((await h.req.access.instance(inst)).command(path.leaf) & PERM_X) === 0) {
        throw new UspError(ErrorCode.PermissionDenied, `${executedCommand}: permission denied (Operate needs CommandEvent x)`);
      }
      const parsed = commandInput(cmd.def.input, req.inputArgs);
      const checked = await binding.precheck?.(
        { keys: inst.keys, objectPath: inst.node.pathOf(inst.keys), input: parsed, commandKey: req.commandKey, ctx: h.req },
        new Set(Object.keys(req.inputArgs)),
      );
      const input = checked ?? parsed;
      if (cmd.def.async) {
        const reqObjPath = h.operations.startAsync(binding, inst, path.leaf, input, req.commandKey, h.req);
        operationResults.push({ executedCommand, operationResp: 'reqObjPath', reqObjPath });
      } else {
        const output = await h.operations.runSync(binding, inst, input, req.commandKey, h.req);
        operationResults.push({ executedCommand, operationResp: 'reqOutputArgs', reqOutputArgs: { outputArgs: formatOutput(cmd.def.output, output) } });
      }
    } catch (e) {
      const u = toUspError(e);
      const code = u.code === ErrorCode.InternalError ? ErrorCode.CommandFailure : u.code;
      if (u.code === ErrorCode.InternalError && !u.logged) h.log.error('command failed', { command: executedCommand, error: u.message });
      operationResults.push({ executedCommand, operationResp: 'cmdFailure', cmdFailure: { errCode: code, errMsg: u.message } });
    }
  }
  return req.sendResp ? { operationResults } : undefined;
}

/** Input args checked against the schema (R-OPR.5/6/7); only top-level arguments are typed here. */
function commandInput(args: readonly SchemaArgument[], given: StringMap): Record<string, Value> {
  const input: Record<string, Value> = {};
  for (const a of args) {
    // Argument tables ("TimeWindow.{i}.Start"): mandatory only within each instance given, which
    // the command checks (e.g. Activate()); no instance name can be looked up here.
    if (a.name.includes('{i}')) continue;
    // An optional Alias argument given empty is not given: the new row gets a generated Alias
    // (AddCertificate(), AddMyCertificate()); any other value follows the Alias rule (7027).
    const raw = a.dataType === ALIAS_DATA_TYPE && !a.mandatory && given[a.name] === '' ? undefined : given[a.name];
    if (raw === undefined) {
      // An argument of an argument object ("AutoRestart.Enable" of InstallDU()) is mandatory only
      // when that object is given at all: TR-181 marks it mandatory within its object.
      const dot = a.name.lastIndexOf('.');
      const objectGiven = dot < 0 || Object.keys(given).some((k) => k.startsWith(a.name.slice(0, dot + 1)));
      if (a.mandatory && objectGiven) throw new UspError(ErrorCode.InvalidCommandArgs, `missing mandatory input argument ${a.name}`);
      if (!a.name.includes('{i}')) input[a.name] = defaultValue(a);
      continue;
    }
    try {
      input[a.name] = parseValue(a, raw);
    } catch (e) {
      throw new UspError(ErrorCode.InvalidCommandArgs, `input argument ${a.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // Argument tables ("Result.{i}.Name") pass through as given, for the command to interpret.
  for (const [k, v] of Object.entries(given)) if (!(k in input) && /\.\d+\./.test(k)) input[k] = v;
  return input;
}

function formatOutput(args: readonly SchemaArgument[], output: Record<string, Value>): StringMap {
  const out: StringMap = {};
  const byName = new Map(args.map((a) => [a.name, a]));
  for (const [k, v] of Object.entries(output)) {
    const a = byName.get(k) ?? byName.get(k.replace(/\.\d+\./g, '.{i}.'));
    out[k] = a ? formatValue(a, v) : String(v);
  }
  return out;
}
