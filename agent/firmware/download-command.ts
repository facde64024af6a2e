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
 *
 * With a trust store (--firmware-trust), the image must carry a detached signature by one of its
 * keys (image-signature.ts: URL + ".sig"); a missing, unreadable or untrusted signature fails
 * validation with 7022 before the image reaches its bank. TR-369 defines no code of its own for
 * a file that fails authentication (CWMP had 9019; TR-181 says TransferComplete!.FaultCode is
 * "as defined in TR-369", whose cmd_failure codes are 7002-7008, 7016, 7022, 7023 and vendor
 * ones), so it is 7022 Command failure, as every other validation failure, with a FaultString
 * that starts "signature:".
 */
import { createHash } from 'node:crypto';
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { FirmwareDeps } from './FirmwareDeps.js';
import { fetchImage, TransferError, urlProblem } from './fetch-image.js';
import { ImageSignatureCheck, MAX_SIGNATURE_BYTES, signatureUrl } from './image-signature.js';
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

  const writer = await d.backend.beginDownload(bank);
  const result: TransferResult = {
    command: `${call.objectPath}Download()`,
    commandKey: call.commandKey,
    requestor: call.ctx.controllerId ?? '',
    transferType: 'Download',
    affected: call.objectPath,
    url,
    startTime: d.now(),
    faultCode: 0,
    faultString: '',
    checkSumAlgorithm: hashName ? (algorithm as CheckSumAlgorithm) : 'Unknown',
    checkSum: '',
  };
  // From here on the transfer ends with a TransferComplete!, even across a restart (transfer-journal.ts).
  d.journal.begin(result);
  const report = (): void => {
    emitTransferComplete(d.model, result);
    d.journal.end(result);
  };
  const hash = hashName ? createHash(hashName) : undefined;
  const signature = d.trust ? new ImageSignatureCheck(d.trust) : undefined;
  const host = new URL(url).host;
  const credentials = { username: String(call.input.Username ?? ''), password: String(call.input.Password ?? '') };
  d.log.info('firmware download started', { image: call.objectPath, host });
  let stage: 'download' | 'validate' = 'download';
  try {
    if (fileSize > 0) await writer.expect?.(fileSize);
    const got = await fetchImage(url, {
      ...credentials,
      limits: d.limits,
      signal: call.signal,
      ca: d.ca,
      policy: d.downloadPolicy,
      onLength: (bytes) => writer.expect?.(bytes),
      onData: (chunk) => {
        hash?.update(chunk);
        signature?.update(chunk);
        return writer.write(chunk);
      },
    });
    stage = 'validate';
    result.completeTime = d.now();
    writer.validating();
    result.checkSum = hash?.digest('hex') ?? '';
    if (fileSize > 0 && got.bytes !== fileSize) d.log.info('FileSize hint differs from the file', { image: call.objectPath, fileSize, bytes: got.bytes });
    if (expected !== '' && expected !== result.checkSum) throw new UspError(ErrorCode.CommandFailure, `${algorithm} checksum mismatch: expected ${expected}, got ${result.checkSum}`);
    if (signature) {
      const signer = signature.signer(await fetchSignature(d, url, credentials, call.signal));
      if (!signer) throw new UspError(ErrorCode.CommandFailure, `signature: ${signatureUrl(url)} is not a valid signature of the image by a key in the trust store`);
      d.log.info('firmware image signature verified', { image: call.objectPath, key: signer });
    }
    if (call.signal.aborted) throw call.signal.reason;
    const info = await writer.install({ fileName: fileNameOf(got.finalUrl) });
    d.log.info('firmware image installed', { image: call.objectPath, name: info.name, version: info.version, bytes: got.bytes });
  } catch (e) {
    const canceled = call.signal.aborted;
    const reason = canceled ? 'download canceled' : e instanceof Error ? e.message : String(e);
    if (canceled) writer.cancel();
    else writer.fail(stage === 'download' ? 'DownloadFailed' : 'ValidationFailed', reason);
    result.faultCode = canceled ? ErrorCode.CommandCanceled : e instanceof UspError ? e.code : ErrorCode.CommandFailure;
    result.faultString = reason;
    d.log.warn('firmware download failed', { image: call.objectPath, host, stage, reason });
    d.afterCompletion(report);
    throw new UspError(result.faultCode, reason);
  }
  const activate = call.input.AutoActivate === true;
  if (activate) {
    try {
      await d.backend.setBootBank(bank);
    } catch (e) {
      // The image is in its bank and reported as transferred; only the activation failed.
      d.afterCompletion(report);
      throw e;
    }
  }
  // OperationComplete first, then TransferComplete! (TR-369 Appendix I, firmware management), then the reboot.
  d.afterCompletion(() => {
    report();
    if (activate) d.reboot(call.commandKey, bank);
  });
  return {};
}

/** The image's detached signature (image-signature.ts), small and bounded; a 404 means the image is unsigned. */
async function fetchSignature(d: FirmwareDeps, url: string, credentials: { username: string; password: string }, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const where = signatureUrl(url);
  try {
    await fetchImage(where, {
      ...credentials,
      signal,
      ca: d.ca,
      policy: d.downloadPolicy,
      limits: { ...d.limits, maxBytes: MAX_SIGNATURE_BYTES },
      onData: (chunk) => {
        chunks.push(Buffer.from(chunk));
      },
    });
  } catch (e) {
    if (signal.aborted) throw e;
    const why = e instanceof Error ? e.message : String(e);
    if (e instanceof TransferError && /^HTTP 404\b/.test(why))
      throw new UspError(ErrorCode.CommandFailure, `signature: the image is unsigned (no ${where}) and this device only accepts signed images`);
    throw new UspError(ErrorCode.CommandFailure, `signature: ${where} could not be fetched (${why})`);
  }
  return Buffer.concat(chunks);
}

/** The last path segment of a URL, decoded: the image's Name when its header gives none. */
export function fileNameOf(url: string): string {
  const seg = new URL(url).pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}
