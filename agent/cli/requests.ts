/**
 * The data-model commands (`get`, `set`, `add`, `delete`, `operate`, `instances`, `supported`):
 * each builds one USP request (TR-369 §"Messages"), sends it through the control socket as the
 * local controller, prints the answer (readable rows, or the decoded response as JSON with
 * `--json`) and sets the exit code (cli-error.ts).
 */
import { Schema } from '../../datamodel/schema/Schema.js';
import { parseValue } from '../../datamodel/value/parse-value.js';
import { ErrorCode } from '../../datamodel/UspError.js';
import type { Request, UpdateObject } from '../codec/types.js';
import { CliError, EXIT_OK, EXIT_USAGE, EXIT_USP_ERROR } from './cli-error.js';
import { ControlClient, type Answer } from './control-client.js';
import { alignRows, renderAnswer } from './format-response.js';
import { syntaxSummary } from './schema-describe.js';
import { hintFor, supportedPathOf } from './schema-paths.js';

/** Options every data-model command takes. */
export interface ConnectionArgs {
  dataDir: string;
  json: boolean;
  timeout: number;
}

/** One `Name=value` argument, split at the first `=` outside a search expression `[...]`. */
export function splitAssignment(text: string): { name: string; value: string } {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (ch === '=' && depth === 0) return { name: text.slice(0, i), value: text.slice(i + 1) };
  }
  throw new CliError(EXIT_USAGE, `${JSON.stringify(text)}: expected NAME=VALUE`);
}

/** Loaded once, only when a check or a hint needs it. */
let schema: Schema | undefined;
const committedSchema = (): Schema => (schema ??= Schema.load());

/**
 * Refuses, before anything is sent, a value the committed schema says is not of the parameter's
 * type or outside its facets (TR-106 types; the agent would answer 7011/7012 the same way).
 * Parameters the schema does not know (vendor ones) are left for the agent to judge.
 */
function checkValue(paramPath: string, value: string): void {
  const supported = supportedPathOf(paramPath);
  const cut = supported.lastIndexOf('.') + 1;
  const p = committedSchema().getParam(supported.slice(0, cut), supported.slice(cut));
  if (!p) return;
  try {
    parseValue(p, value);
  } catch (e) {
    throw new CliError(EXIT_USAGE, `${paramPath}: ${e instanceof Error ? e.message : String(e)}; expected ${syntaxSummary(p)} (see \`usp-agent schema ${paramPath}\`)`);
  }
}

/** `set A.B.C=1 A.B.D=x A.E.F=2` → one UpdateObject per object path, in the order given. */
export function setRequest(assignments: readonly string[], allowPartial: boolean): Request {
  const byObject = new Map<string, UpdateObject>();
  for (const text of assignments) {
    const { name, value } = splitAssignment(text);
    const cut = name.lastIndexOf('.') + 1;
    if (cut === 0 || cut === name.length) throw new CliError(EXIT_USAGE, `${JSON.stringify(name)}: give a parameter path such as Device.LocalAgent.MTP.1.Enable`);
    checkValue(name, value);
    const objPath = name.slice(0, cut);
    let o = byObject.get(objPath);
    if (!o) {
      o = { objPath, paramSettings: [] };
      byObject.set(objPath, o);
    }
    o.paramSettings.push({ param: name.slice(cut), value, required: true });
  }
  return { reqType: 'set', set: { allowPartial, updateObjs: [...byObject.values()] } };
}

/** `add OBJ. [Name=value...]`: every setting required, as a controller creating a row expects. */
export function addRequest(objPath: string, settings: readonly string[]): Request {
  const paramSettings = settings.map((s) => {
    const { name, value } = splitAssignment(s);
    checkValue(`${objPath.endsWith('.') ? objPath : `${objPath}.`}{i}.${name}`, value);
    return { param: name, value, required: true };
  });
  return { reqType: 'add', add: { allowPartial: false, createObjs: [{ objPath, paramSettings }] } };
}

/** `operate CMD() [Arg=value...]`: send_resp true, so a synchronous command's output comes back. */
export function operateRequest(command: string, args: readonly string[], commandKey: string): Extract<Request, { reqType: 'operate' }> {
  const inputArgs = Object.fromEntries(
    args.map((a) => {
      const { name, value } = splitAssignment(a);
      return [name, value];
    }),
  );
  return { reqType: 'operate', operate: { command, commandKey, sendResp: true, inputArgs } };
}

/** Sends one request and prints its answer; the exit code says how it went. */
export async function runRequest(args: ConnectionArgs, request: Request): Promise<void> {
  const client = await ControlClient.connect(args.dataDir);
  let answer: Answer;
  try {
    answer = await client.request(request, args.timeout * 1000);
  } finally {
    client.close();
  }
  const { rows, errors } = renderAnswer(answer);
  if (args.json) process.stdout.write(`${JSON.stringify(answer.kind === 'response' ? answer.response : { error: answer.error }, null, 2)}\n`);
  else if (rows.length > 0) process.stdout.write(`${alignRows(rows)}\n`);
  for (const line of errors) process.stderr.write(`${withHint(line)}\n`);
  process.exitCode = errors.length > 0 ? EXIT_USP_ERROR : EXIT_OK;
}

/** A 7026 (invalid path) line gains the nearest names the schema knows at the unknown segment. */
function withHint(line: string): string {
  const m = new RegExp(`^${ErrorCode.InvalidPath}\\b.*\\(([^()]*(?:\\(\\))?)\\)$`).exec(line);
  if (!m) return line;
  try {
    return line + hintFor(committedSchema(), supportedPathOf(m[1]!));
  } catch {
    return line;
  }
}
