/**
 * The readable form of an agent's answer: aligned `Path  Value` rows on stdout, and one line per
 * failure (TR-369 error code first, then the message and the path) for stderr. Per-path failures
 * are data in USP responses (R-GET.0 and the like); any one of them makes the command exit 1.
 */
import type { NotifyReq, Response, StringMap } from '../codec/types.js';
import type { Answer } from './control-client.js';

/** An answer as the CLI prints it: `Path  Value` rows for stdout, failure lines for stderr. */
export interface Rendered {
  rows: Array<[string, string]>;
  errors: string[];
}

/** Aligns two columns: the path padded to the widest, two spaces, the value. */
export function alignRows(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = rows.reduce((w, [p]) => Math.max(w, p.length), 0);
  return rows.map(([p, v]) => (v === '' ? p : `${p.padEnd(width)}  ${v}`)).join('\n');
}

/** `7026 Invalid path (Device.Nope.)`: the code scripts match on, the agent's words, the path. */
export function errorLine(code: number, message: string | undefined, path?: string): string {
  const msg = message ? ` ${message}` : '';
  return `${code}${msg}${path ? ` (${path})` : ''}`;
}

const prefixed = (base: string, map: StringMap | undefined): Array<[string, string]> => Object.entries(map ?? {}).map(([k, v]) => [`${base}${k}`, v]);

/** Rows and failures of any answer to the requests the CLI sends. */
export function renderAnswer(answer: Answer): Rendered {
  if (answer.kind === 'error') {
    const e = answer.error;
    return { rows: [], errors: [errorLine(e.errCode, e.errMsg), ...(e.paramErrs ?? []).map((p) => errorLine(p.errCode, p.errMsg, p.paramPath))] };
  }
  return renderResponse(answer.response);
}

function renderResponse(r: Response): Rendered {
  const rows: Array<[string, string]> = [];
  const errors: string[] = [];
  switch (r.respType) {
    case 'getResp':
      for (const p of r.getResp.reqPathResults) {
        if (p.errCode) errors.push(errorLine(p.errCode, p.errMsg, p.requestedPath));
        for (const res of p.resolvedPathResults ?? []) rows.push(...prefixed(res.resolvedPath, res.resultParams));
      }
      break;
    case 'setResp':
      for (const o of r.setResp.updatedObjResults) {
        const s = o.operStatus;
        if (s.operStatus === 'operFailure') {
          errors.push(errorLine(s.operFailure.errCode, s.operFailure.errMsg, o.requestedPath));
          for (const f of s.operFailure.updatedInstFailures ?? []) for (const p of f.paramErrs ?? []) errors.push(errorLine(p.errCode, p.errMsg, `${f.affectedPath}${p.param}`));
          continue;
        }
        for (const u of s.operSuccess.updatedInstResults ?? []) {
          rows.push(...prefixed(u.affectedPath, u.updatedParams));
          for (const p of u.paramErrs ?? []) errors.push(errorLine(p.errCode, p.errMsg, `${u.affectedPath}${p.param}`));
        }
      }
      break;
    case 'addResp':
      for (const o of r.addResp.createdObjResults) {
        const s = o.operStatus;
        if (s.operStatus === 'operFailure') {
          errors.push(errorLine(s.operFailure.errCode, s.operFailure.errMsg, o.requestedPath));
          continue;
        }
        rows.push([s.operSuccess.instantiatedPath, '']);
        rows.push(...prefixed(s.operSuccess.instantiatedPath, s.operSuccess.uniqueKeys));
        for (const p of s.operSuccess.paramErrs ?? []) errors.push(errorLine(p.errCode, p.errMsg, `${s.operSuccess.instantiatedPath}${p.param}`));
      }
      break;
    case 'deleteResp':
      for (const o of r.deleteResp.deletedObjResults) {
        const s = o.operStatus;
        if (s.operStatus === 'operFailure') {
          errors.push(errorLine(s.operFailure.errCode, s.operFailure.errMsg, o.requestedPath));
          continue;
        }
        for (const p of s.operSuccess.affectedPaths ?? []) rows.push([p, '']);
        for (const u of s.operSuccess.unaffectedPathErrs ?? []) errors.push(errorLine(u.errCode, u.errMsg, u.unaffectedPath));
      }
      break;
    case 'operateResp':
      for (const o of r.operateResp.operationResults) {
        if (o.operationResp === 'cmdFailure') errors.push(errorLine(o.cmdFailure.errCode, o.cmdFailure.errMsg, o.executedCommand));
        // An asynchronous command: its Request row follows the run (Device.LocalAgent.Request.{i}).
        else if (o.operationResp === 'reqObjPath') rows.push([o.executedCommand, `started: ${o.reqObjPath}`]);
        else {
          const out = Object.entries(o.reqOutputArgs.outputArgs);
          if (out.length === 0) rows.push([o.executedCommand, 'done']);
          for (const [k, v] of out) rows.push([`${o.executedCommand}.${k}`, v]);
        }
      }
      break;
    case 'getInstancesResp':
      for (const p of r.getInstancesResp.reqPathResults) {
        if (p.errCode) errors.push(errorLine(p.errCode, p.errMsg, p.requestedPath));
        for (const i of p.currInsts ?? []) {
          const keys = Object.entries(i.uniqueKeys ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(' ');
          rows.push([i.instantiatedObjPath, keys]);
        }
      }
      break;
    case 'getSupportedDmResp':
      for (const p of r.getSupportedDmResp.reqObjResults) {
        if (p.errCode) errors.push(errorLine(p.errCode, p.errMsg, p.reqObjPath));
        for (const o of p.supportedObjs ?? []) {
          rows.push([o.supportedObjPath, `${o.access}${o.isMultiInstance ? ' multi-instance' : ''}`]);
          for (const sp of o.supportedParams ?? []) rows.push([`${o.supportedObjPath}${sp.paramName}`, `${sp.access} ${sp.valueType}`]);
          for (const c of o.supportedCommands ?? [])
            rows.push([`${o.supportedObjPath}${c.commandName}`, `${c.commandType} in: ${(c.inputArgNames ?? []).join(',') || '-'} out: ${(c.outputArgNames ?? []).join(',') || '-'}`]);
          for (const e of o.supportedEvents ?? []) rows.push([`${o.supportedObjPath}${e.eventName}`, `event args: ${(e.argNames ?? []).join(',') || '-'}`]);
        }
      }
      break;
    default:
      rows.push([r.respType, JSON.stringify(r)]);
  }
  return { rows, errors };
}

/** One line per notification for `watch`: kind, path, then what it carries. */
export function notificationLine(n: NotifyReq): string {
  switch (n.notification) {
    case 'valueChange':
      return `ValueChange  ${n.valueChange.paramPath}  ${n.valueChange.paramValue}`;
    case 'objCreation': {
      const keys = Object.entries(n.objCreation.uniqueKeys ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return `ObjectCreation  ${n.objCreation.objPath}${keys ? `  ${keys}` : ''}`;
    }
    case 'objDeletion':
      return `ObjectDeletion  ${n.objDeletion.objPath}`;
    case 'event': {
      const args = Object.entries(n.event.params ?? {})
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ');
      return `Event  ${n.event.objPath}${n.event.eventName}${args ? `  ${args}` : ''}`;
    }
    case 'operComplete':
      return `OperationComplete  ${n.operComplete.objPath}${n.operComplete.commandName}`;
    case 'onBoardReq':
      return `OnBoardRequest  ${n.onBoardReq.serialNumber}`;
  }
}
