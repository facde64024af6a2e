/**
 * FirmwareImage.{i}.Download() (TR-181 Firmware:1, TR-369 Appendix I; async): fetch the image over
 * HTTP(S) into the bank, verify it, report OperationComplete and then
 * Device.LocalAgent.TransferComplete!, and with AutoActivate boot into it (Boot! then says
 * FirmwareUpdated).
 *
 * Refusals before any transfer starts fail the command without a TransferComplete!: a URL with
 * userinfo or a scheme other than http/https, or whose host the download policy refuses
 * (loopback, link-local, the device's own addresses: transfer/download-policy.ts) (7004), a CheckSum without CheckSumAlgorithm (7027),
 * a FileSize over the size limit (7005), a bank that is already downloading (7022). Everything
 * after the transfer starts ends with a TransferComplete!: FaultCode 0, 7022 (download or
 * validation failed; FaultString says why) or 7023 (Request.{i}.Cancel(); the bank is put back as
 * it was). FileSize is only a hint: TR-181 forbids failing because it is wrong; a short read
 * against the server's Content-Length does fail.
 */
import { createHash } from 'node:crypto';
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { FirmwareDeps } from './FirmwareDeps.js';
import { fetchImage, urlProblem } from './fetch-image.js';
import { emitTransferComplete, type CheckSumAlgorithm, type TransferResult } from './transfer-complete.js';

/** The brief's choice for a URL Download() refuses (TR-369 7004 Invalid arguments). */
export const INVALID_URL_CODE = ErrorCode.InvalidArguments;

const HASHES: Readonly<Record<string, string>> = { 'SHA-1': 'sha1', 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export async function runDownload(d: FirmwareDeps, call: CommandInvocation): Promise<Record<string, Value>> {
  const bank = call.keys[call.keys.length - 1];
  const url = String(call.input.URL ?? '');
  const problem = urlProblem(url);
  if (problem) throw new UspError(INVALID_URL_CODE, problem);
  const refused = await d.downloadPolicy?.check(new URL(url));
  if (refused) throw new UspError(INVALID_URL_CODE, refused);
  const algorithm = String(call.input.CheckSumAlgorithm ?? '');
  const expected = String(call.input.CheckSum ?? '').toLowerCase();
  const hashName = HASHES[algorithm];
  if (expected !== '' && !hashName) throw new UspError(ErrorCode.InvalidCommandArgs, 'CheckSum needs a CheckSumAlgorithm (SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512)');
  const fileSize = Number(call.input.FileSize ?? 0);
  if (fileSize > d.limits.maxBytes) throw new UspError(ErrorCode.ResourcesExceeded, `FileSize ${fileSize} is over the ${d.limits.maxBytes} byte limit`);

  const writer = d.backend.beginDownload(bank);
  const result: TransferResult = {
    command: `${call.objectPath}Download()`, commandKey: call.commandKey, requestor: call.ctx.controllerId ?? '',
    transferType: 'Download', affected: call.objectPath, url, startTime: d.now(),
    faultCode: 0, faultString: '', checkSumAlgorithm: hashName ? algorithm as CheckSumAlgorithm : 'Unknown', checkSum: '',
  };
  const hash = hashName ? createHash(hashName) : undefined;
  const host = new URL(url).host;
  d.log.info('firmware download started', { image: call.objectPath, host });
  let stage: 'download' | 'validate' = 'download';
  try {
    const got = await fetchImage(url, {
      username: String(call.input.Username ?? ''), password: String(call.input.Password ?? ''),
      limits: d.limits, signal: call.signal, ca: d.ca, policy: d.downloadPolicy,
      onData: (chunk) => { hash?.update(chunk); return writer.write(chunk); },
    });
    stage = 'validate';
    result.completeTime = d.now();
    writer.validating();
    result.checkSum = hash?.digest('hex') ?? '';
    if (fileSize > 0 && got.bytes !== fileSize) d.log.info('FileSize hint differs from the file', { image: call.objectPath, fileSize, bytes: got.bytes });
    if (expected !== '' && expected !== result.checkSum) throw new UspError(ErrorCode.CommandFailure, `${algorithm} checksum mismatch: expected ${expected}, got ${result.checkSum}`);
    if (call.signal.aborted) throw call.signal.reason;
    const info = await writer.install({ fileName: fileNameOf(got.finalUrl) });
    d.log.info('firmware image installed', { image: call.objectPath, name: info.name, version: info.version, bytes: got.bytes });
  } catch (e) {
    const canceled = call.signal.aborted;
    const reason = canceled ? 'download canceled' : e instanceof Error ? e.message : String(e);
    if (canceled) writer.cancel();
    else writer.fail(stage === 'download' ? 'DownloadFailed' : 'ValidationFailed', reason);
    result.faultCode = canceled ? ErrorCode.CommandCanceled : ErrorCode.CommandFailure;
    result.faultString = reason;
    d.log.warn('firmware download failed', { image: call.objectPath, host, stage, reason });
    d.afterCompletion(() => emitTransferComplete(d.model, result));
    throw new UspError(result.faultCode, reason);
  }
  const activate = call.input.AutoActivate === true;
  if (activate) d.backend.setBootBank(bank);
  // OperationComplete first, then TransferComplete! (TR-369 Appendix I, firmware management), then the reboot.
  d.afterCompletion(() => {
    emitTransferComplete(d.model, result);
    if (activate) d.reboot(call.commandKey);
  });
  return {};
}

/** The last path segment of a URL, decoded: the image's Name when its header gives none. */
export function fileNameOf(url: string): string {
  const seg = new URL(url).pathname.split('/').pop() ?? '';
  try { return decodeURIComponent(seg); } catch { return seg; }
}
