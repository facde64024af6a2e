/**
 * One USP request → its response Msg (or an Error Msg, or nothing). The only place that maps
 * request types to handler files; handlers never build envelopes.
 */
import { ErrorCode, toUspError } from '../datamodel/UspError.js';
import { errorMsg, responseMsg } from './codec/msg.js';
import type { ErrorBody, Request, UspMsg } from './codec/types.js';
import { handleAdd } from './handlers/handle-add.js';
import { handleDelete } from './handlers/handle-delete.js';
import { handleGet } from './handlers/handle-get.js';
import { handleGetInstances } from './handlers/handle-get-instances.js';
import { handleGetSupportedDM } from './handlers/handle-get-supported-dm.js';
import { handleGetSupportedProtocol } from './handlers/handle-get-supported-protocol.js';
import { handleOperate } from './handlers/handle-operate.js';
import { handleSet } from './handlers/handle-set.js';
import type { HandlerContext } from './handlers/HandlerContext.js';
import { tooManyPaths } from './request-limits.js';

/**
 * Requests naming more than MAX_PATHS_PER_REQUEST paths are refused whole with Error 7005 before
 * any path is resolved (request-limits.ts), so their size bounds the agent's work.
 */
export async function dispatchRequest(h: HandlerContext, msgId: string, req: Request): Promise<UspMsg | undefined> {
  try {
    const tooMany = tooManyPaths(req);
    if (tooMany) throw tooMany;
    switch (req.reqType) {
      case 'get':
        return responseMsg(msgId, { respType: 'getResp', getResp: await handleGet(h, req.get) });
      case 'set': {
        const r = await handleSet(h, req.set);
        return 'error' in r ? fromErrorBody(msgId, r.error) : responseMsg(msgId, { respType: 'setResp', setResp: r.resp });
      }
      case 'add': {
        const r = await handleAdd(h, req.add);
        return 'error' in r ? fromErrorBody(msgId, r.error) : responseMsg(msgId, { respType: 'addResp', addResp: r.resp });
      }
      case 'delete': {
        const r = await handleDelete(h, req.delete);
        return 'error' in r ? fromErrorBody(msgId, r.error) : responseMsg(msgId, { respType: 'deleteResp', deleteResp: r.resp });
      }
      case 'operate': {
        try {
          const resp = await handleOperate(h, req.operate);
          return resp && responseMsg(msgId, { respType: 'operateResp', operateResp: resp });
        } catch (e) {
          // R-OPR.4: with send_resp=false nothing goes back, not even an Error for a bad path.
          if (!req.operate.sendResp) {
            h.log.info('operate failed (send_resp=false, not answered)', { msgId, error: String(e) });
            return undefined;
          }
          throw e;
        }
      }
      case 'getSupportedDm':
        return responseMsg(msgId, { respType: 'getSupportedDmResp', getSupportedDmResp: await handleGetSupportedDM(h, req.getSupportedDm) });
      case 'getInstances':
        return responseMsg(msgId, { respType: 'getInstancesResp', getInstancesResp: await handleGetInstances(h, req.getInstances) });
      case 'getSupportedProtocol':
        return responseMsg(msgId, { respType: 'getSupportedProtocolResp', getSupportedProtocolResp: handleGetSupportedProtocol(req.getSupportedProtocol) });
      default:
        // Notify, Register and Deregister are sent *by* agents; a controller sending them is not understood here.
        return errorMsg(msgId, ErrorCode.MessageNotSupported, `${req.reqType} is not a request an agent accepts`);
    }
  } catch (e) {
    const u = toUspError(e);
    if (u.code === ErrorCode.InternalError) h.log.error('request failed', { msgId, error: u.message });
    return errorMsg(msgId, u.code, u.message, u.path ? [{ paramPath: u.path, errCode: u.code, errMsg: u.message }] : undefined);
  }
}

function fromErrorBody(msgId: string, e: ErrorBody): UspMsg {
  return errorMsg(msgId, e.errCode, e.errMsg, e.paramErrs);
}
