/**
 * Device.DeviceInfo.VendorConfigFile.{i}.Backup() and Restore() (TR-181 DeviceInfo, USP async
 * commands; both report Device.LocalAgent.TransferComplete!, after their OperationComplete, as
 * Download() does).
 *
 * The file is the factory-defaults format (a JSON object of parameter paths to values): row 1
 * uploads the factory-defaults file itself, row 2 the saved configuration written in that
 * format, so a backup is also a file the agent could start from. Backup() PUTs it to URL (Basic
 * or Digest credentials, HTTPS checked against the bundled CAs and the agent's --ca, the
 * download policy at every hop). Restore() (row 2 only: the factory-defaults file is the
 * operator's, read-only) downloads one, bounded by MAX_CONFIG_BYTES, checks the CheckSum when
 * given, that it is such a JSON object, that every path names a parameter this agent serves with
 * a valid value and that it gives the agent its Endpoint ID; then stages it (staged-restore.ts)
 * and restarts, Boot! cause RemoteReboot: the next start applies it in one transaction, as it
 * applies factory defaults, in place of the saved configuration. A file refused at any step
 * changes nothing and fails the command with 7022 (FaultString says why); a refusal before any
 * transfer (a URL the agent will not use 7004, CheckSum without CheckSumAlgorithm 7027, FileSize
 * over the limit 7005) sends no TransferComplete!. FileSize is otherwise only a hint (TR-181
 * forbids failing because it is wrong). A file that passes every check but that a platform
 * refuses when the next start applies it leaves the previous configuration in place; the agent
 * logs why (the command had already succeeded).
 */
import { createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { CommandInvocation, InstanceKeys } from '../../datamodel/tree/binding.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { BoundCheckedCommand } from '../../datamodel/tree/bound-command.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { transferResult, uploadFile, type UploadVia } from './upload-file.js';
import { checkDefaultsEntries, type DefaultsFile } from '../defaults/apply-defaults.js';
import { stageRestore } from '../defaults/staged-restore.js';
import { fetchImage, urlProblem } from '../firmware/fetch-image.js';
import { emitTransferComplete, LOCAL_AGENT_PATH, TRANSFER_COMPLETE, type CheckSumAlgorithm, type TransferResult } from '../firmware/transfer-complete.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import type { GatewayActions } from '../builtin-commands.js';

const VENDOR_CONFIG_FILE = 'Device.DeviceInfo.VendorConfigFile.{i}.';
/** The largest configuration file Restore() takes (a gateway's is tens of KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const TRANSFER_TIMEOUT_MS = 120_000;
const IDLE_TIMEOUT_MS = 30_000;
/** After the notifications are matched, a moment for the MTPs to put them on the wire before the restart. */
const RESTART_GRACE_MS = 200;
const HASHES: Readonly<Record<string, string>> = { 'SHA-1': 'sha1', 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
/** The instance of the saved configuration (vendor-config-files.ts); 1 is the factory-defaults file. */
const SAVED_CONFIG = 2;

export interface VendorConfigTransferOptions {
  store: DataStore;
  defaults: DefaultsFile;
  /** The data directory: where a restore is staged; none (in-memory agent) refuses Restore(). */
  dataDir?: string;
  /** PEM of the agent's --ca, trusted for HTTPS file servers beside the bundled CAs. */
  caPem?: string;
  downloadPolicy?: DownloadPolicy;
  /** Restarts the agent (Device.Reboot()'s action) once the notifications are out, to apply a restored configuration. */
  actions: GatewayActions;
  log: Logger;
}

/**
 * The saved configuration in the factory-defaults format: every stored value of a parameter the
 * model defines, under its full path (instance numbers included), for every object instance the
 * agent serves now (rows of instances that are gone are left out).
 */
export async function savedConfiguration(model: DataModel, store: DataStore): Promise<DefaultsFile> {
  const out: DefaultsFile = {};
  const walk = async (node: ModelNode, keys: InstanceKeys): Promise<void> => {
    const path = node.pathOf(keys);
    for (const [param, value] of Object.entries(store.row(path) ?? {})) if (node.params.has(param)) out[`${path}${param}`] = value;
    for (const child of node.children.values()) {
      if (!child.supported) continue;
      if (!child.multi) await walk(child, keys);
      else for (const n of await model.listInstances(child, keys, {})) await walk(child, [...keys, n]);
    }
  };
  await walk(model.root, []);
  return out;
}

/** Registers Backup() and Restore() on the VendorConfigFile rows. */
export function registerVendorConfigCommands(model: DataModel, opts: VendorConfigTransferOptions): void {
  // One object per gateway; the commands' functions are the fleet's (issue 14).
  const t = new VendorConfigTransfer(model, opts);
  model.registerCommand(VENDOR_CONFIG_FILE, 'Backup()', new BoundCheckedCommand(t, runBackup, precheckBackup));
  model.registerCommand(VENDOR_CONFIG_FILE, 'Restore()', new BoundCheckedCommand(t, runRestore, precheckRestore));
  model.registerEvent(LOCAL_AGENT_PATH, TRANSFER_COMPLETE);
}

const precheckBackup = (t: VendorConfigTransfer, call: Omit<CommandInvocation, 'signal'>): Promise<void> => t.refuseUrl(String(call.input.URL ?? ''));
const runBackup = (t: VendorConfigTransfer, call: CommandInvocation): Promise<Record<string, Value>> => t.backup(call);
const runRestore = (t: VendorConfigTransfer, call: CommandInvocation): Promise<Record<string, Value>> => t.restore(call);

/**
 * An argument left out reads as the schema's default (CheckSumAlgorithm: its first value), so
 * the algorithm counts only when the Controller gave it.
 */
async function precheckRestore(t: VendorConfigTransfer, call: Omit<CommandInvocation, 'signal'>, given: ReadonlySet<string>): Promise<Record<string, Value>> {
  const input = given.has('CheckSumAlgorithm') ? call.input : { ...call.input, CheckSumAlgorithm: '' };
  await t.checkRestore({ ...call, input });
  return input;
}

/** One gateway's configuration file transfers. */
class VendorConfigTransfer {
  private readonly ca: string[] | undefined;
  private restoring = false;

  constructor(
    private readonly model: DataModel,
    private readonly opts: VendorConfigTransferOptions,
  ) {
    this.ca = opts.caPem === undefined ? undefined : [...rootCertificates, opts.caPem];
  }

  /** How an Upload() sends (upload-file.ts). */
  private get via(): UploadVia {
    return { ca: this.ca, policy: this.opts.downloadPolicy, timeoutMs: TRANSFER_TIMEOUT_MS };
  }

  async refuseUrl(url: string): Promise<void> {
    const problem = urlProblem(url) ?? (await this.opts.downloadPolicy?.check(new URL(url)));
    if (problem) throw new UspError(ErrorCode.InvalidArguments, problem);
  }

  /** Ends a transfer that failed: OperationComplete (the throw) first, then TransferComplete!. */
  private fail(r: TransferResult, code: ErrorCode, why: string): never {
    r.faultCode = code;
    r.faultString = why;
    this.opts.log.warn('configuration file transfer failed', { command: r.command, url: r.url, why });
    setImmediate(() => emitTransferComplete(this.model, r));
    throw new UspError(code, why);
  }

  async backup(call: CommandInvocation): Promise<Record<string, Value>> {
    const url = String(call.input.URL ?? '');
    await this.refuseUrl(url);
    const content = call.keys[0] === SAVED_CONFIG ? await savedConfiguration(this.model, this.opts.store) : this.opts.defaults;
    const body = Buffer.from(`${JSON.stringify(content, null, 1)}\n`);
    const r = transferResult(call, 'Backup()', 'Upload', url, 'SHA-256');
    await uploadFile(call, r, body, 'application/json', this.via, (res, code, why) => this.fail(res, code, why));
    this.opts.log.info('configuration backed up', { file: call.objectPath, host: new URL(url).host, bytes: body.length });
    setImmediate(() => emitTransferComplete(this.model, r));
    return {};
  }

  /** The refusals before any transfer (no Request row, no TransferComplete!). */
  async checkRestore(call: Omit<CommandInvocation, 'signal'>): Promise<{ dataDir: string; hashName: string | undefined }> {
    if (call.keys[0] !== SAVED_CONFIG)
      throw new UspError(ErrorCode.CommandFailure, `only VendorConfigFile.${SAVED_CONFIG} (the saved configuration) can be restored; the factory-defaults file is read-only`);
    if (this.opts.dataDir === undefined) throw new UspError(ErrorCode.CommandFailure, 'the agent runs without a data directory: there is no saved configuration to restore into');
    await this.refuseUrl(String(call.input.URL ?? ''));
    const hashName = HASHES[String(call.input.CheckSumAlgorithm ?? '')];
    if (String(call.input.CheckSum ?? '') !== '' && !hashName) throw new UspError(ErrorCode.InvalidCommandArgs, 'CheckSum needs a CheckSumAlgorithm (SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512)');
    const fileSize = Number(call.input.FileSize ?? 0);
    if (fileSize > MAX_CONFIG_BYTES) throw new UspError(ErrorCode.ResourcesExceeded, `FileSize ${fileSize} is over the ${MAX_CONFIG_BYTES} byte limit of a configuration file`);
    if (this.restoring) throw new UspError(ErrorCode.CommandFailure, 'a restore is already in progress');
    return { dataDir: this.opts.dataDir, hashName };
  }

  async restore(call: CommandInvocation): Promise<Record<string, Value>> {
    const url = String(call.input.URL ?? '');
    const { dataDir, hashName } = await this.checkRestore(call);
    const algorithm = String(call.input.CheckSumAlgorithm ?? '');
    const expected = String(call.input.CheckSum ?? '').toLowerCase();
    this.restoring = true;
    const r = transferResult(call, 'Restore()', 'Download', url, hashName ? (algorithm as CheckSumAlgorithm) : 'Unknown');
    try {
      const chunks: Buffer[] = [];
      const username = String(call.input.Username ?? '');
      try {
        await fetchImage(url, {
          ...(username === '' ? {} : { username, password: String(call.input.Password ?? '') }),
          limits: { maxBytes: MAX_CONFIG_BYTES, timeoutMs: TRANSFER_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS, maxRedirects: 5 },
          signal: call.signal,
          ca: this.ca,
          policy: this.opts.downloadPolicy,
          onData: (chunk) => {
            chunks.push(Buffer.from(chunk));
          },
        });
      } catch (e) {
        this.fail(r, call.signal.aborted ? ErrorCode.CommandCanceled : ErrorCode.CommandFailure, `download failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      r.completeTime = new Date();
      const file = Buffer.concat(chunks);
      r.checkSum = hashName ? createHash(hashName).update(file).digest('hex') : '';
      if (expected !== '' && expected !== r.checkSum) this.fail(r, ErrorCode.CommandFailure, `${algorithm} checksum mismatch: expected ${expected}, got ${r.checkSum}`);
      const config = parseConfiguration(this.model, file);
      if (typeof config === 'string') this.fail(r, ErrorCode.CommandFailure, `not a configuration this agent can apply: ${config}`);
      await stageRestore(dataDir, config as DefaultsFile);
      this.opts.log.info('configuration downloaded and checked; restarting to apply it', { file: call.objectPath, host: new URL(url).host, bytes: file.length });
    } finally {
      this.restoring = false;
    }
    // OperationComplete, then TransferComplete!, then the restart that applies the file.
    setImmediate(() => {
      emitTransferComplete(this.model, r);
      void (async () => {
        await this.opts.actions.settle();
        await new Promise((res) => setTimeout(res, RESTART_GRACE_MS));
        this.opts.actions.restart('RemoteReboot', call.commandKey);
      })();
    });
    return {};
  }
}

/** The file as a configuration, or why it is not one (format, paths, values, the agent's Endpoint ID). */
function parseConfiguration(model: DataModel, file: Buffer): DefaultsFile | string {
  let doc: unknown;
  try {
    doc = JSON.parse(file.toString('utf8'));
  } catch (e) {
    return `not JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'must be a JSON object of parameter paths to values';
  for (const [k, v] of Object.entries(doc)) if (!['string', 'number', 'boolean'].includes(typeof v)) return `${k}: value must be a string, number or boolean`;
  const config = doc as DefaultsFile;
  try {
    checkDefaultsEntries(model, config);
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^factory defaults: /, '') : String(e);
  }
  if (!config['Device.LocalAgent.EndpointID']) return 'Device.LocalAgent.EndpointID is not set (the agent could not start from it)';
  return config;
}
