/**
 * Device.PacketCaptureDiagnostics() (TR-181 2.13, PacketCaptureDiagnostics:1; async): records the
 * packets of one interface into a libpcap file (the platform's capturer: tcpdump on Linux and
 * OpenWrt, a synthetic capture on the simulated gateway), bounded by Duration, PacketCount,
 * ByteCount and the agent's own size bound, then PUTs it to FileTarget (HTTP or HTTPS, Basic or
 * Digest with Username/Password, the download policy and trusted CAs of every other transfer)
 * and reports where it went. The file is written to a temporary directory under the data
 * directory (the capturer's own where it has one: /tmp on OpenWrt) and removed once sent, whatever the outcome (TR-181: local capture files SHOULD
 * not outlive the next diagnostic).
 *
 * Invalid input is refused before the command starts (7027: an Interface that names no interface
 * table, a FilterExpression tcpdump does not compile, a FileTarget the agent will not send to,
 * pcapng, a Duration over the bound; 7022 when the capture tool is not installed, naming its
 * package; 7005 when a capture or all diagnostic slots are busy). Once started, a capture that
 * fails completes with a Status: Error_Other when the interface row is gone or has no device,
 * when the device refuses (tcpdump's message is logged), or when the upload fails;
 * Error_Internal for the agent's own faults. Cancel() ends it with 7023.
 */
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { BoundCheckedCommand } from '../../datamodel/tree/bound-command.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import { dateTimeOf, type Value } from '../../datamodel/value/Value.js';
import type { PacketCapturer } from '../../platform/diagnostics/packet-capture.js';
import { sendReportRequest } from '../bulkdata/http-request.js';
import { urlProblem } from '../firmware/fetch-image.js';
import type { DownloadPolicy } from '../transfer/download-policy.js';
import { deviceOfRow, interfaceRowOf, type InterfaceRow } from './capture-interface.js';
import type { DiagnosticSlots } from './DiagnosticSlots.js';
import type { InterfaceDevice } from './interface-input.js';
import { slotGate, type SlotGate } from './ip-diagnostics-deps.js';

export interface PacketCaptureLimits {
  /** The capture file's size at most, in bytes (ByteCount above it is cut to it). */
  maxFileBytes: number;
  /** Duration above this, in seconds, is refused (7027). */
  maxDurationS: number;
  /** The upload's deadline, ms. */
  uploadTimeoutMs: number;
}

/** 8 MiB: a useful trace on a router with 256 MB, written to the data directory's file system. */
export const DEFAULT_PACKET_CAPTURE_LIMITS: PacketCaptureLimits = { maxFileBytes: 8 * 1024 * 1024, maxDurationS: 3600, uploadTimeoutMs: 300_000 };

export interface PacketCaptureOptions {
  slots: DiagnosticSlots;
  capturer: PacketCapturer;
  /** Device.IP.Interface.{i} → device, where the platform maps it (OpenWrt); default the row's Name. */
  ipInterfaceDevice?: InterfaceDevice;
  /** Where the temporary capture file is written (its `packet-capture/`); none: the system's temporary directory. */
  dataDir?: string;
  /** PEM of the agent's --ca, trusted for HTTPS file targets beside the bundled CAs. */
  caPem?: string;
  downloadPolicy?: DownloadPolicy;
  log: Logger;
  limits?: Partial<PacketCaptureLimits>;
}

/** Registers Device.PacketCaptureDiagnostics(). */
export function registerPacketCapture(model: DataModel, opts: PacketCaptureOptions): void {
  // One state object per agent; the functions are the fleet's (nothing is built per gateway but this).
  const state: CaptureState = { model, opts, slots: slotGate(opts.slots), running: false, limits: opts.limits ? { ...DEFAULT_PACKET_CAPTURE_LIMITS, ...opts.limits } : DEFAULT_PACKET_CAPTURE_LIMITS };
  model.registerCommand('Device.', 'PacketCaptureDiagnostics()', new BoundCheckedCommand(state, runCapture, precheckCapture));
}

interface CaptureState {
  model: DataModel;
  opts: PacketCaptureOptions;
  slots: SlotGate;
  /** One capture at a time: each holds a tool, a file and an upload. */
  running: boolean;
  limits: PacketCaptureLimits;
}

/** The input, checked. */
interface CapturePlan {
  row: InterfaceRow;
  url: URL;
  durationS: number;
  packetCount: number;
  byteCount: number;
  filter: string;
}

const bad = (msg: string): UspError => new UspError(ErrorCode.InvalidCommandArgs, msg);

/** The checked input; `compileFilter`: ask the capturer about the filter (the precheck has, when the command runs). */
async function plan(s: CaptureState, input: Record<string, Value>, compileFilter: boolean): Promise<CapturePlan> {
  const why = s.opts.capturer.unavailable();
  if (why) throw new UspError(ErrorCode.CommandFailure, why);
  if (input.Format === 'pcapng') throw bad('Format pcapng is not supported: the capture is written in libpcap format');
  const durationS = Number(input.Duration ?? 0);
  if (!(durationS >= 1)) throw bad('Duration must be at least 1 second');
  if (durationS > s.limits.maxDurationS) throw bad(`Duration ${durationS} s is over the ${s.limits.maxDurationS} s a capture may take`);
  const target = String(input.FileTarget ?? '');
  if (target === '') throw bad('FileTarget is required: the http:// or https:// URL the capture file is sent to');
  const problem = urlProblem(target) ?? (await s.opts.downloadPolicy?.check(new URL(target)));
  if (problem) throw bad(`FileTarget: ${problem}`);
  const row = interfaceRowOf(s.model, String(input.Interface ?? ''));
  const filter = String(input.FilterExpression ?? '');
  if (/[\0\r\n]/.test(filter)) throw bad('FilterExpression: control characters are not allowed');
  const refused = compileFilter ? await s.opts.capturer.checkFilter(filter) : undefined;
  if (refused) throw bad(`FilterExpression ${JSON.stringify(filter)} is not a valid pcap filter: ${refused}`);
  return { row, url: new URL(target), durationS, packetCount: Number(input.PacketCount ?? 0), byteCount: Number(input.ByteCount ?? 0), filter };
}

function busy(): UspError {
  return new UspError(ErrorCode.ResourcesExceeded, 'a packet capture is already running; ask again when it has completed');
}

async function precheckCapture(s: CaptureState, call: Omit<CommandInvocation, 'signal'>): Promise<void> {
  if (s.running) throw busy();
  s.slots.check();
  await plan(s, call.input, true);
}

async function runCapture(s: CaptureState, call: CommandInvocation): Promise<Record<string, Value>> {
  if (s.running) throw busy();
  const p = await plan(s, call.input, false);
  const release = s.slots.acquire();
  s.running = true;
  const dir = s.opts.capturer.tempDir ?? join(s.opts.dataDir ?? tmpdir(), 'packet-capture');
  // A directory of its own per capture: a fleet's gateways (and agents sharing /tmp) may capture at once.
  let own: string | undefined;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await removeStale(dir, s.limits);
    own = await mkdtemp(join(dir, 'capture-'));
    return await captureAndSend(s, call, p, join(own, 'capture.pcap'));
  } catch (e) {
    if (call.signal.aborted || e instanceof UspError) throw e;
    s.opts.log.error('packet capture failed inside the agent', { error: e instanceof Error ? e.message : String(e) });
    return { Status: 'Error_Internal' };
  } finally {
    s.running = false;
    release();
    if (own) await rm(own, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Removes what captures left when an agent stopped in the middle of one: anything older than the longest capture and upload. */
async function removeStale(dir: string, limits: PacketCaptureLimits): Promise<void> {
  const before = Date.now() - limits.maxDurationS * 1000 - limits.uploadTimeoutMs - 60_000;
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const st = await stat(path).catch(() => undefined);
    if (st && st.mtimeMs < before) await rm(path, { recursive: true, force: true });
  }
}

async function captureAndSend(s: CaptureState, call: CommandInvocation, p: CapturePlan, file: string): Promise<Record<string, Value>> {
  const log = s.opts.log;
  const device = await deviceOfRow(s.model, p.row, s.opts.ipInterfaceDevice);
  if (device === undefined) {
    log.info('packet capture: the interface has no network device', { interface: p.row.ref });
    return { Status: 'Error_Other' };
  }
  const maxBytes = p.byteCount > 0 ? Math.min(p.byteCount, s.limits.maxFileBytes) : s.limits.maxFileBytes;
  const outcome = await s.opts.capturer.capture({
    device,
    durationMs: p.durationS * 1000,
    limits: { maxBytes, maxPackets: p.packetCount },
    filter: p.filter,
    file,
    signal: call.signal,
  });
  call.signal.throwIfAborted();
  if (outcome.status !== 'Complete') {
    log.info('packet capture failed', { interface: p.row.ref, device, status: outcome.status, detail: outcome.detail });
    return { Status: outcome.status };
  }
  const username = String(call.input.Username ?? '');
  const sent = await sendReportRequest({
    url: p.url,
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.tcpdump.pcap' },
    body: { file, length: outcome.bytes },
    credentials: username === '' ? undefined : { username, password: String(call.input.Password ?? '') },
    ca: s.opts.caPem === undefined ? undefined : [...rootCertificates, s.opts.caPem],
    policy: s.opts.downloadPolicy,
    timeoutMs: s.limits.uploadTimeoutMs,
    signal: call.signal,
  });
  call.signal.throwIfAborted();
  if (!sent.ok) {
    log.info('packet capture upload failed', { target: p.url.host, why: sent.reason });
    return { Status: 'Error_Other' };
  }
  log.info('packet capture sent', { interface: p.row.ref, device, packets: outcome.packets, bytes: outcome.bytes, target: p.url.host });
  return {
    Status: 'Complete',
    'PacketCaptureResult.1.FileLocation': p.url.href,
    'PacketCaptureResult.1.StartTime': dateTimeOf(outcome.startMs),
    'PacketCaptureResult.1.EndTime': dateTimeOf(outcome.endMs),
    'PacketCaptureResult.1.Count': outcome.packets,
  };
}
