/**
 * What a platform gives Device.PacketCaptureDiagnostics() (TR-181 2.13, PacketCaptureDiagnostics:1):
 * a capturer that records the packets of one network device into a libpcap file under the
 * bounds the agent sets. Linux and OpenWrt run tcpdump (tcpdump-capture.ts); the simulated
 * gateway, which has no network devices of its own, writes a synthetic capture.
 */
import type { PcapLimits } from './pcap-limiter.js';

/** One capture, as the agent asks for it. */
export interface CaptureRequest {
  /** The network device (the kernel's name, e.g. `eth0`, `br-lan`), or the simulated interface's Name. */
  device: string;
  /** Duration, in ms: the capture stops then at the latest. */
  durationMs: number;
  limits: PcapLimits;
  /** FilterExpression: a pcap filter, already accepted by checkFilter; '' for every packet. */
  filter: string;
  /** The temporary file to write (created; the agent removes it). */
  file: string;
  /** Request.{i}.Cancel(): ends the capture at once. */
  signal: AbortSignal;
}

/** The Status values a capture itself can end with (TR-181 PacketCaptureDiagnostics() Status). */
export type CaptureStatus = 'Complete' | 'Error_Internal' | 'Error_Other';

export interface CaptureOutcome {
  status: CaptureStatus;
  /** Why, when status is not Complete (for the log). */
  detail: string;
  /** Records written to the file (PacketCaptureResult.{i}.Count). */
  packets: number;
  bytes: number;
  /** When the capture started and ended (ms since the epoch; StartTime, EndTime). */
  startMs: number;
  endMs: number;
}

export interface PacketCapturer {
  /**
   * Where the temporary capture file goes instead of the data directory: OpenWrt's is on flash
   * (the overlay, small and worn by writes), so there it is RAM (/tmp).
   */
  readonly tempDir?: string;
  /** Why no capture can run here (the tool is missing: naming the package), or undefined. */
  unavailable(): string | undefined;
  /** Why `filter` is refused (the capture tool's own message), or undefined when it is a valid pcap filter. */
  checkFilter(filter: string): Promise<string | undefined>;
  capture(req: CaptureRequest): Promise<CaptureOutcome>;
}

/** A network device name the tools may be given: no option-like or path-like names. */
export const DEVICE_NAME = /^[A-Za-z0-9_][\w.:@-]{0,31}$/;
