/**
 * Device.IP.Diagnostics.DownloadDiagnostics(), UploadDiagnostics(), UDPEchoDiagnostics() and
 * UDPEchoConfig. (TR-181 2.19, TR-143): the asynchronous commands (a Request row while they run,
 * OperationComplete with their output arguments) and the UDP echo server's stored
 * configuration. A failed test is a completed command whose Status says why (TR-143); only
 * invalid input (7027) or no free diagnostic slot (7005) fail the command itself. The object
 * Device.IP.Diagnostics. and its capability parameters are registered elsewhere, with
 * TRANSFER_DIAGNOSTICS_CAPABILITIES among them.
 *
 * DSCP and EthernetPriority are accepted but not applied: Node.js sets neither the IP TOS byte
 * nor SO_PRIORITY on its sockets.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { CommandInvocation } from '../../datamodel/tree/binding.js';
import { BoundCommand } from '../../datamodel/tree/bound-command.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { interfaceAddress, interfaceCounters } from './diagnostic-interface.js';
import type { DiagnosticSlots } from './DiagnosticSlots.js';
import type { ProtocolVersion } from './resolve-host.js';
import { runTransferTest, type TransferTestLimits } from './transfer-test.js';
import { registerUdpEchoConfig } from './udp-echo-config.js';
import { runUdpEcho } from './udp-echo-test.js';

export const DIAGNOSTICS_PATH = 'Device.IP.Diagnostics.';

export interface TransferDiagnosticsLimits extends TransferTestLimits {
  /** NumberOfConnections above this is refused (7027); the *MaxConnections capabilities. */
  maxConnections: number;
  /** UDPEchoDiagnostics(): IndividualPacketResult.{i} rows at most (UDPEchoDiagnosticsMaxResults). */
  maxEchoResults: number;
  /** UDPEchoDiagnostics() whose worst case (repetitions × max(Timeout, InterTransmissionTime)) is longer is refused (7027). */
  maxEchoDurationMs: number;
  /** UDPEchoConfig server: requests answered per second at most. */
  echoRepliesPerSecond: number;
}

export const DEFAULT_TRANSFER_DIAGNOSTICS_LIMITS: TransferDiagnosticsLimits = {
  stallMs: 10_000,
  maxDurationMs: 120_000,
  maxIncrementalResults: 100,
  maxConnections: 8,
  maxEchoResults: 1000,
  maxEchoDurationMs: 600_000,
  echoRepliesPerSecond: 100,
};

/**
 * The Device.IP.Diagnostics. capability parameters these commands answer for (TR-181 2.19), for
 * the object's registration. FTP is not offered; IPLayerCapacity() (TR-471) is not implemented.
 */
export const TRANSFER_DIAGNOSTICS_CAPABILITIES: Record<string, Value> = {
  IPv4DownloadDiagnosticsSupported: true,
  IPv6DownloadDiagnosticsSupported: true,
  IPv4UploadDiagnosticsSupported: true,
  IPv6UploadDiagnosticsSupported: true,
  IPv4UDPEchoDiagnosticsSupported: true,
  IPv6UDPEchoDiagnosticsSupported: true,
  IPLayerCapacitySupported: false,
  DownloadTransports: 'HTTP',
  DownloadDiagnosticMaxConnections: DEFAULT_TRANSFER_DIAGNOSTICS_LIMITS.maxConnections,
  DownloadDiagnosticsMaxIncrementalResult: DEFAULT_TRANSFER_DIAGNOSTICS_LIMITS.maxIncrementalResults,
  UploadTransports: 'HTTP',
  UploadDiagnosticsMaxConnections: DEFAULT_TRANSFER_DIAGNOSTICS_LIMITS.maxConnections,
  UploadDiagnosticsMaxIncrementalResult: DEFAULT_TRANSFER_DIAGNOSTICS_LIMITS.maxIncrementalResults,
  UDPEchoDiagnosticsMaxResults: DEFAULT_TRANSFER_DIAGNOSTICS_LIMITS.maxEchoResults,
};

export interface TransferDiagnosticsOptions {
  slots: DiagnosticSlots;
  /** The agent's persistent store: UDPEchoConfig. is configuration. */
  store: DataStore;
  log: Logger;
  /** Tests shorten these; the capabilities above describe the defaults. */
  limits?: Partial<TransferDiagnosticsLimits>;
}

/** Started after the stored configuration is loaded; stopped with the agent. */
export interface TransferDiagnostics {
  /** Starts the UDP echo server if UDPEchoConfig.Enable is stored true. */
  start(): Promise<void>;
  stop(): void;
}

export function registerTransferDiagnostics(model: DataModel, opts: TransferDiagnosticsOptions): TransferDiagnostics {
  const limits = { ...DEFAULT_TRANSFER_DIAGNOSTICS_LIMITS, ...opts.limits };
  const log = opts.log;
  // One state object per gateway; the commands' functions are the fleet's (issue 14).
  const d: TransferDeps = { model, slots: opts.slots, limits, log };
  model.registerCommand(DIAGNOSTICS_PATH, 'DownloadDiagnostics()', new BoundCommand(d, runDownload));
  model.registerCommand(DIAGNOSTICS_PATH, 'UploadDiagnostics()', new BoundCommand(d, runUpload));
  model.registerCommand(DIAGNOSTICS_PATH, 'UDPEchoDiagnostics()', new BoundCommand(d, runUdpEchoTest));
  return registerUdpEchoConfig(model, opts.store, { log, maxRepliesPerSecond: limits.echoRepliesPerSecond });
}

/** What the transfer diagnostics of one gateway run with. */
interface TransferDeps {
  model: DataModel;
  slots: DiagnosticSlots;
  limits: TransferDiagnosticsLimits;
  log: Logger;
}

const runDownload = (d: TransferDeps, call: CommandInvocation): Promise<Record<string, Value>> => withSlot(d, 'DownloadDiagnostics()', () => transfer(d.model, call, 'download', d.limits, d.log));
const runUpload = (d: TransferDeps, call: CommandInvocation): Promise<Record<string, Value>> => withSlot(d, 'UploadDiagnostics()', () => transfer(d.model, call, 'upload', d.limits, d.log));
const runUdpEchoTest = (d: TransferDeps, call: CommandInvocation): Promise<Record<string, Value>> => withSlot(d, 'UDPEchoDiagnostics()', () => udpEcho(d.model, call, d.limits, d.log));

/** Runs `run` holding one diagnostic slot (7005 when none is free); a failure of the agent's own completes with Error_Internal. */
async function withSlot(d: TransferDeps, what: string, run: () => Promise<Record<string, Value>>): Promise<Record<string, Value>> {
  const release = d.slots.tryAcquire();
  if (!release) throw new UspError(ErrorCode.ResourcesExceeded, `${what}: ${d.slots.max} diagnostics are running already`);
  try {
    return await run();
  } catch (e) {
    if (e instanceof UspError) throw e;
    // Our own fault, not the network's: the test completes with TR-143 Error_Internal.
    d.log.error(`${what} failed inside the agent`, { error: e instanceof Error ? e.message : String(e) });
    return { Status: 'Error_Internal' };
  } finally {
    release();
  }
}

const bad = (msg: string): UspError => new UspError(ErrorCode.InvalidCommandArgs, msg);

/** DSCP and EthernetPriority cannot be set from Node.js: say so where an operator will look. */
function noteUnappliedMarking(call: CommandInvocation, log: Logger): void {
  const dscp = Number(call.input.DSCP ?? 0);
  const priority = Number(call.input.EthernetPriority ?? 0);
  if (dscp !== 0 || priority !== 0) log.info('DSCP and EthernetPriority are not applied (Node.js cannot mark its sockets)', { DSCP: dscp, EthernetPriority: priority });
}
const protocolVersionOf = (v: Value | undefined): ProtocolVersion => (v === 'IPv4' || v === 'IPv6' ? v : 'Any');

async function transfer(model: DataModel, call: CommandInvocation, direction: 'download' | 'upload', limits: TransferDiagnosticsLimits, log: Logger): Promise<Record<string, Value>> {
  const urlArg = direction === 'download' ? 'DownloadURL' : 'UploadURL';
  const raw = String(call.input[urlArg] ?? '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad(`input argument ${urlArg}: not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:') throw bad(`input argument ${urlArg}: only http:// URLs are supported (${direction === 'download' ? 'Download' : 'Upload'}Transports is HTTP)`);
  if (url.username !== '' || url.password !== '') throw bad(`input argument ${urlArg}: TR-181 forbids HTTP authentication in the test URL`);
  const connections = Number(call.input.NumberOfConnections ?? 0) || 1;
  if (connections > limits.maxConnections) throw bad(`input argument NumberOfConnections: at most ${limits.maxConnections}`);
  const protocolVersion = protocolVersionOf(call.input.ProtocolVersion);
  const ref = String(call.input.Interface ?? '');
  const localAddress = await interfaceAddress(model, ref, protocolVersion);
  noteUnappliedMarking(call, log);
  const outcome = await runTransferTest({
    direction,
    url,
    protocolVersion,
    localAddress,
    connections,
    perConnectionResults: call.input.EnablePerConnectionResults === true,
    uploadBytes: Number(call.input.TestFileLength ?? 0),
    durationS: Number(call.input.TimeBasedTestDuration ?? 0),
    intervalS: Number(call.input.TimeBasedTestMeasurementInterval ?? 0),
    offsetS: Number(call.input.TimeBasedTestMeasurementOffset ?? 0),
    limits,
    signal: call.signal,
    interfaceCounters: ref === '' ? undefined : interfaceCounters(model, ref),
  });
  if (outcome.status !== 'Complete') log.info(`${direction} diagnostic failed`, { status: outcome.status, detail: outcome.detail, host: url.host });
  return outcome.output;
}

async function udpEcho(model: DataModel, call: CommandInvocation, limits: TransferDiagnosticsLimits, log: Logger): Promise<Record<string, Value>> {
  const repetitions = Number(call.input.NumberOfRepetitions ?? 0) || 1;
  const timeoutMs = Number(call.input.Timeout ?? 0);
  const interTransmissionMs = Number(call.input.InterTransmissionTime ?? 0) || 1000;
  const individual = call.input.EnableIndividualPacketResults === true;
  const host = String(call.input.Host ?? '');
  if (host === '') throw bad('input argument Host: empty');
  if (individual && repetitions > limits.maxEchoResults)
    throw bad(`input argument NumberOfRepetitions: at most ${limits.maxEchoResults} with EnableIndividualPacketResults (UDPEchoDiagnosticsMaxResults)`);
  const worst = repetitions * Math.max(timeoutMs, interTransmissionMs);
  if (worst > limits.maxEchoDurationMs) throw bad(`NumberOfRepetitions × max(Timeout, InterTransmissionTime) is ${worst} ms, over the ${limits.maxEchoDurationMs} ms a test may take`);
  const protocolVersion = protocolVersionOf(call.input.ProtocolVersion);
  noteUnappliedMarking(call, log);
  const outcome = await runUdpEcho({
    host,
    port: Number(call.input.Port ?? 7),
    repetitions,
    timeoutMs,
    interTransmissionMs,
    blockSize: Number(call.input.DataBlockSize ?? 0) || 24,
    protocolVersion,
    localAddress: await interfaceAddress(model, String(call.input.Interface ?? ''), protocolVersion),
    individualResults: individual,
    signal: call.signal,
  });
  if (outcome.status !== 'Complete') log.info('UDP echo diagnostic failed', { status: outcome.status, detail: outcome.detail, host });
  return outcome.output;
}
