/**
 * Device.DeviceInfo.VendorLogFile.{i}. (TR-181 DeviceInfo, VendorLogFiles:1) and its Upload()
 * (USP async command; Device.LocalAgent.TransferComplete! after its OperationComplete, as
 * VendorConfigFile.{i}.Backup() does): one row per log source, the integrator's files
 * (`--vendor-log-file`) first, then the platform's own (OpenWrt logread, the simulated syslog).
 *
 * Upload() PUTs the log's newest MAX_LOG_UPLOAD_BYTES to URL with the same HTTP client, credentials
 * (Basic or Digest), CA trust and download policy as Backup(). A URL the agent will not use is
 * 7004 before anything starts; a log that cannot be read or a transfer that fails is 7022, with
 * TransferComplete! carrying the reason.
 */
import { rootCertificates } from 'node:tls';
import type { Logger } from '../../datamodel/Logger.js';
import type { CommandInvocation, InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import { BoundCheckedCommand } from '../../datamodel/tree/bound-command.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { FileLogSource, type VendorLogSource } from '../../platform/vendor-log-file.js';
import { transferResult, uploadFile, type UploadVia } from './upload-file.js';
import { urlProblem } from '../firmware/fetch-image.js';
import { emitTransferComplete, LOCAL_AGENT_PATH, TRANSFER_COMPLETE, type TransferResult } from '../firmware/transfer-complete.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';

const VENDOR_LOG_FILE = 'Device.DeviceInfo.VendorLogFile.{i}.';
const TRANSFER_TIMEOUT_MS = 120_000;
/** Alias is the agent's ("cpe-N"): the rows are the device's, fixed at start, not a Controller's to name. */
const PARAMS = ['Alias', 'Name', 'MaximumSize', 'Persistent'] as const;
const NONE: readonly string[] = [];

export interface VendorLogFilesOptions {
  /** The rows' sources in row order (none: an empty table). */
  sources: readonly VendorLogSource[];
  /** PEM of the agent's --ca, trusted for HTTPS servers beside the bundled CAs. */
  caPem?: string;
  downloadPolicy?: DownloadPolicy;
  log: Logger;
}

/** Registers the VendorLogFile table and Upload(); sources with a Name already taken are left out (Name is a unique key). */
export function registerVendorLogFiles(model: DataModel, opts: VendorLogFilesOptions): void {
  const seen = new Set<string>();
  const unique = new Set(opts.sources.map((s) => s.name)).size === opts.sources.length;
  const sources = unique
    ? opts.sources
    : opts.sources.filter((s) => {
        if (seen.has(s.name)) {
          opts.log.warn('two vendor log files have one Name; the second is not served', { name: s.name });
          return false;
        }
        seen.add(s.name);
        return true;
      });
  const table = new VendorLogFiles(model, sources, opts);
  model.register(VENDOR_LOG_FILE, table);
  model.registerCommand(VENDOR_LOG_FILE, 'Upload()', new BoundCheckedCommand(table, runUpload, precheckUpload));
  model.registerEvent(LOCAL_AGENT_PATH, TRANSFER_COMPLETE);
}

/** The rows: the integrator's files (`--vendor-log-file`) first, then the platform's logs. */
export function vendorLogSources(files: readonly string[] = [], platform: readonly VendorLogSource[] = []): readonly VendorLogSource[] {
  // The platform's list as it is when there are no files: a fleet's gateways share it.
  return files.length === 0 ? platform : [...files.map((f) => new FileLogSource(f)), ...platform];
}

const precheckUpload = (t: VendorLogFiles, call: Omit<CommandInvocation, 'signal'>): Promise<void> => t.refuseUrl(String(call.input.URL ?? ''));
const runUpload = (t: VendorLogFiles, call: CommandInvocation): Promise<Record<string, Value>> => t.upload(call);

/** The table's binding: a class, so a fleet's gateways share its methods and parameter list. */
class VendorLogFiles implements ObjectBinding {
  readonly params: readonly string[] = PARAMS;
  readonly writable = NONE;
  private readonly ca: string[] | undefined;

  constructor(
    private readonly model: DataModel,
    private readonly sources: readonly VendorLogSource[],
    private readonly opts: VendorLogFilesOptions,
  ) {
    this.ca = opts.caPem === undefined ? undefined : [...rootCertificates, opts.caPem];
  }

  /** How an Upload() sends (upload-file.ts). */
  private get via(): UploadVia {
    return { ca: this.ca, policy: this.opts.downloadPolicy, timeoutMs: TRANSFER_TIMEOUT_MS };
  }

  list(): number[] {
    return this.sources.map((_s, i) => i + 1);
  }

  private source(keys: InstanceKeys): VendorLogSource {
    const s = this.sources[keys[0] - 1];
    if (!s) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such instance: ${keys[0]}`);
    return s;
  }

  async get(keys: InstanceKeys): Promise<Record<string, Value>> {
    const s = this.source(keys);
    const [size, persistent] = await Promise.all([s.maximumSize(), s.persistent()]);
    return { Alias: `cpe-${keys[0]}`, Name: s.name, MaximumSize: size, Persistent: persistent };
  }

  async refuseUrl(url: string): Promise<void> {
    const problem = urlProblem(url) ?? (await this.opts.downloadPolicy?.check(new URL(url)));
    if (problem) throw new UspError(ErrorCode.InvalidArguments, problem);
  }

  async upload(call: CommandInvocation): Promise<Record<string, Value>> {
    const url = String(call.input.URL ?? '');
    await this.refuseUrl(url);
    const source = this.source(call.keys);
    const r = transferResult(call, 'Upload()', 'Upload', url, 'SHA-256');
    let body: Buffer;
    try {
      body = await source.read();
    } catch (e) {
      this.fail(r, ErrorCode.CommandFailure, e instanceof Error ? e.message : String(e));
    }
    await uploadFile(call, r, body, 'text/plain; charset=utf-8', this.via, (res, code, why) => this.fail(res, code, why));
    this.opts.log.info('vendor log uploaded', { file: source.name, host: new URL(url).host, bytes: body.length });
    setImmediate(() => emitTransferComplete(this.model, r));
    return {};
  }

  /** Ends a transfer that failed: OperationComplete (the throw) first, then TransferComplete!. */
  private fail(r: TransferResult, code: ErrorCode, why: string): never {
    r.faultCode = code;
    r.faultString = why;
    this.opts.log.warn('vendor log upload failed', { command: r.command, url: r.url, why });
    setImmediate(() => emitTransferComplete(this.model, r));
    throw new UspError(code, why);
  }
}
