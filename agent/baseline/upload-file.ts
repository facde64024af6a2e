/**
 * The HTTP(S) PUT behind the file Upload() commands of Device.DeviceInfo (VendorConfigFile
 * Backup(), VendorLogFile Upload()): TR-181 gives both the same URL, Username and Password
 * arguments and the same TransferComplete! report, so they send the same way: Basic or Digest
 * credentials when a Username is given, HTTPS checked against the bundled CAs and the agent's
 * --ca, the download policy's address checks, one deadline, the Controller's cancel.
 */
import { createHash } from 'node:crypto';
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode } from '../../datamodel/UspError.js';
import { sendReportRequest } from '../bulkdata/http-request.js';
import type { CheckSumAlgorithm, TransferResult } from '../firmware/transfer-complete.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';

/** The TransferComplete! record of a file transfer command `name` ("Upload()") of the call's object, started now. */
export function transferResult(call: CommandInvocation, name: string, type: 'Upload' | 'Download', url: string, algorithm: CheckSumAlgorithm): TransferResult {
  return {
    command: `${call.objectPath}${name}`,
    commandKey: call.commandKey,
    requestor: call.ctx.controllerId ?? '',
    transferType: type,
    affected: call.objectPath,
    url,
    startTime: new Date(),
    faultCode: 0,
    faultString: '',
    checkSumAlgorithm: algorithm,
    checkSum: '',
  };
}

export interface UploadVia {
  /** The CAs HTTPS servers are checked against; undefined: Node's bundled ones. */
  ca: string[] | undefined;
  policy: DownloadPolicy | undefined;
  timeoutMs: number;
}

/**
 * PUTs `body` to the call's URL. On success fills `r`'s completeTime and SHA-256 checkSum; on
 * failure calls `fail` (which ends the command: 7022, or 7023 when the Controller cancelled).
 */
export async function uploadFile(
  call: CommandInvocation,
  r: TransferResult,
  body: Buffer,
  contentType: string,
  via: UploadVia,
  fail: (r: TransferResult, code: ErrorCode, why: string) => never,
): Promise<void> {
  const username = String(call.input.Username ?? '');
  const sent = await sendReportRequest({
    url: new URL(r.url),
    method: 'PUT',
    headers: { 'content-type': contentType },
    body,
    credentials: username === '' ? undefined : { username, password: String(call.input.Password ?? '') },
    ca: via.ca,
    policy: via.policy,
    timeoutMs: via.timeoutMs,
    signal: call.signal,
  });
  if (!sent.ok) fail(r, call.signal.aborted ? ErrorCode.CommandCanceled : ErrorCode.CommandFailure, `upload failed: ${sent.reason}`);
  r.completeTime = new Date();
  r.checkSum = createHash('sha256').update(body).digest('hex');
}
