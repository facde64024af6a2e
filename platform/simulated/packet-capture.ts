/**
 * Device.PacketCaptureDiagnostics() on the simulated gateway. Its interfaces are not network
 * devices of the host, so nothing real can be captured on them: the capture is synthetic, and
 * says so in its frames. It holds, per second of Duration, one ICMP echo request from a LAN
 * client (192.168.1.100) to the gateway (192.168.1.1) and its reply, on the Ethernet link of the
 * interface asked for (the MACs name no real device), at most MAX_SYNTHETIC_PAIRS pairs; the
 * capture takes Duration, as a real one would. A FilterExpression is applied for real, by
 * `tcpdump -r` over the synthetic file when tcpdump is installed; without it only an empty
 * filter is accepted. One capturer serves a whole fleet: it holds no state between captures.
 */
import { open, rm } from 'node:fs/promises';
import { findOnPath } from '../exec/CommandRunner.js';
import type { CaptureOutcome, CaptureRequest, PacketCapturer } from '../diagnostics/packet-capture.js';
import { pcapFileHeader, PcapLimiter, pcapRecord } from '../diagnostics/pcap-limiter.js';
import { runTcpdump, TCPDUMP_PACKAGE, TcpdumpCapture } from '../diagnostics/tcpdump-capture.js';

/** The most echo request/reply pairs one synthetic capture holds (a few KiB). */
export const MAX_SYNTHETIC_PAIRS = 60;
const GATEWAY = { mac: Buffer.from('020000000001', 'hex'), ip: [192, 168, 1, 1] };
const CLIENT = { mac: Buffer.from('020000000064', 'hex'), ip: [192, 168, 1, 100] };
/** The echo payload says what the frames are, for whoever opens the file. */
const PAYLOAD = Buffer.from('usp-agent simulated capture....', 'ascii');

class SimulatedCapture implements PacketCapturer {
  private readonly tcpdump = new TcpdumpCapture();

  unavailable(): string | undefined {
    return undefined;
  }

  async checkFilter(filter: string): Promise<string | undefined> {
    if (filter === '') return undefined;
    if (!findOnPath('tcpdump')) return `the simulated gateway applies a FilterExpression with tcpdump, which is not installed; install the package ${TCPDUMP_PACKAGE}`;
    return this.tcpdump.checkFilter(filter);
  }

  async capture(req: CaptureRequest): Promise<CaptureOutcome> {
    const startMs = Date.now();
    // The capture lasts Duration (a cancel ends it early, and the agent reports the cancel).
    await waitOrAbort(req.durationMs, req.signal);
    const pairs = Math.min(MAX_SYNTHETIC_PAIRS, Math.max(1, Math.floor(req.durationMs / 1000)));
    const records = [pcapFileHeader()];
    for (let i = 0; i < pairs; i++) {
      const at = startMs + i * 1000;
      records.push(pcapRecord(at, echoFrame(CLIENT, GATEWAY, 8, i)), pcapRecord(at + 1, echoFrame(GATEWAY, CLIENT, 0, i)));
    }
    const synthetic = Buffer.concat(records);
    if (req.filter === '') return { ...(await limitInto(req, synthetic)), startMs, endMs: Date.now() };
    // Filtered for real: the synthetic file through `tcpdump -r FILE -w - -- FILTER`.
    const raw = `${req.file}.synthetic`;
    try {
      await writeAll(raw, synthetic);
      const outcome = await runTcpdump(findOnPath('tcpdump') ?? 'tcpdump', ['-r', raw, '-w', '-', '--', req.filter], { ...req, durationMs: 60_000 }, false);
      return { ...outcome, startMs, endMs: Date.now() };
    } finally {
      await rm(raw, { force: true });
    }
  }
}

/** Writes `synthetic` to req.file within PacketCount and the byte bound, as a live capture would be cut. */
async function limitInto(req: CaptureRequest, synthetic: Buffer): Promise<Omit<CaptureOutcome, 'startMs' | 'endMs'>> {
  const file = await open(req.file, 'w', 0o600);
  try {
    const limiter = new PcapLimiter(file, req.limits, () => undefined);
    await new Promise<void>((resolve, reject) => limiter.end(synthetic, (e?: Error | null) => (e ? reject(e) : resolve())));
    return { status: 'Complete', detail: '', packets: limiter.packets, bytes: limiter.bytes };
  } finally {
    await file.close();
  }
}

async function writeAll(path: string, b: Buffer): Promise<void> {
  const f = await open(path, 'w', 0o600);
  try {
    await f.write(b);
  } finally {
    await f.close();
  }
}

/** An Ethernet frame of an IPv4 ICMP echo (type 8 request, 0 reply), sequence `seq`. */
function echoFrame(from: typeof CLIENT, to: typeof CLIENT, type: 0 | 8, seq: number): Buffer {
  const icmp = Buffer.alloc(8 + PAYLOAD.length);
  icmp[0] = type;
  icmp.writeUInt16BE(0x5553, 4); // identifier "US"
  icmp.writeUInt16BE(seq & 0xffff, 6);
  PAYLOAD.copy(icmp, 8);
  icmp.writeUInt16BE(checksum(icmp), 2);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + icmp.length, 2);
  ip.writeUInt16BE(seq & 0xffff, 4);
  ip[8] = 64; // TTL
  ip[9] = 1; // ICMP
  Buffer.from(from.ip).copy(ip, 12);
  Buffer.from(to.ip).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([to.mac, from.mac, Buffer.from([0x08, 0x00]), ip, icmp]);
}

/** The Internet checksum (RFC 1071). */
function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The fleet's one simulated capturer. */
export const SIMULATED_PACKET_CAPTURE: PacketCapturer = new SimulatedCapture();

/**
 * Resolves after `ms`, or at once when `signal` aborts (Cancel()). Not node:timers/promises: it
 * loads perf_hooks on first use, after the launcher has changed V8's flags (code-cache.test.ts).
 */
function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
