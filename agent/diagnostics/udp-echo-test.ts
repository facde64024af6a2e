/**
 * The UDP echo client of Device.IP.Diagnostics.UDPEchoDiagnostics() (TR-143 §5, TR-181): sends
 * NumberOfRepetitions packets of DataBlockSize bytes to Host:Port, InterTransmissionTime apart,
 * each waiting up to Timeout for its echo (matched by TestGenSN when the packet can carry one),
 * and reports SuccessCount, FailureCount, the response times in microseconds and, with
 * EnableIndividualPacketResults, IndividualPacketResult.{i} with the Echo Plus fields of each
 * reply. Pure runner: no data model here.
 */
import dgram from 'node:dgram';
import type { Value } from '../../datamodel/value/Value.js';
import { UNKNOWN_TIME } from '../../datamodel/value/Value.js';
import { isoMicros, nowMicros, type Micros } from './micro-clock.js';
import { resolveHost, type ProtocolVersion } from './resolve-host.js';
import { echoRequest, readEchoPlus, testGenSN } from './udp-echo-packet.js';

export type UdpEchoStatus = 'Complete' | 'Error_CannotResolveHostName' | 'Error_Internal' | 'Error_Other';

export interface UdpEchoPlan {
  host: string;
  port: number;
  repetitions: number;
  timeoutMs: number;
  blockSize: number;
  interTransmissionMs: number;
  protocolVersion: ProtocolVersion;
  localAddress?: string;
  individualResults: boolean;
  signal: AbortSignal;
}

export interface UdpEchoOutcome {
  status: UdpEchoStatus;
  detail: string;
  output: Record<string, Value>;
}

interface PacketResult {
  sent: Micros;
  received?: Micros;
  reply?: Buffer;
}

/** Runs the test to its end; failures are a Status in the outcome, never a throw. */
export async function runUdpEcho(p: UdpEchoPlan): Promise<UdpEchoOutcome> {
  const target = await resolveHost(p.host, p.protocolVersion, p.localAddress);
  if ('error' in target) return { status: 'Error_CannotResolveHostName', detail: target.error, output: summary([], p.individualResults, 'Error_CannotResolveHostName', '') };
  const { address, family: addrFamily } = target;
  const socket = dgram.createSocket(addrFamily === 6 ? 'udp6' : 'udp4');
  const results: PacketResult[] = [];
  let waiting: { sn: number | undefined; resolve: () => void } | undefined;
  socket.on('message', (msg) => {
    // Only the echo of the packet in flight counts; a late echo of an earlier one is ignored.
    if (!waiting) return;
    if (waiting.sn !== undefined && testGenSN(msg) !== waiting.sn) return;
    const r = results[results.length - 1];
    r.received = nowMicros();
    r.reply = msg;
    waiting.resolve();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: p.localAddress, port: 0 }, () => {
        // Connected, so the socket knows its source address (IPAddressUsed) and takes only the server's packets.
        socket.connect(p.port, address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    });
    socket.on('error', () => undefined);
    const used = socket.address().address;
    for (let i = 0; i < p.repetitions && !p.signal.aborted; i++) {
      const sn = i + 1;
      const sent = nowMicros();
      results.push({ sent });
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const echoed = new Promise<void>((resolve) => {
        waiting = { sn: p.blockSize >= 4 ? sn : undefined, resolve };
        timer = setTimeout(resolve, p.timeoutMs);
        onAbort = resolve;
        p.signal.addEventListener('abort', onAbort, { once: true });
      });
      socket.send(echoRequest(p.blockSize, sn));
      await echoed;
      clearTimeout(timer);
      p.signal.removeEventListener('abort', onAbort!);
      waiting = undefined;
      const wait = p.interTransmissionMs * 1000 - (nowMicros() - sent);
      if (i + 1 < p.repetitions && wait > 0) await sleep(wait / 1000, p.signal);
    }
    if (p.signal.aborted) return { status: 'Error_Other', detail: 'canceled', output: summary(results, false, 'Error_Other', used) };
    return { status: 'Complete', detail: '', output: summary(results, p.individualResults, 'Complete', used) };
  } catch (e) {
    return { status: 'Error_Internal', detail: e instanceof Error ? e.message : String(e), output: summary(results, false, 'Error_Internal', '') };
  } finally {
    socket.close();
  }
}

function summary(rs: PacketResult[], individual: boolean, status: UdpEchoStatus, used: string): Record<string, Value> {
  const times = rs.filter((r) => r.received !== undefined).map((r) => r.received! - r.sent);
  const out: Record<string, Value> = {
    Status: status,
    IPAddressUsed: used,
    SuccessCount: times.length,
    FailureCount: rs.length - times.length,
    AverageResponseTime: times.length ? Math.round(times.reduce((a, b) => a + b, 0) / times.length) : 0,
    MinimumResponseTime: times.length ? Math.min(...times) : 0,
    MaximumResponseTime: times.length ? Math.max(...times) : 0,
  };
  if (individual) {
    rs.forEach((r, i) => {
      const k = `IndividualPacketResult.${i + 1}.`;
      const f = r.reply ? readEchoPlus(r.reply) : undefined;
      out[`${k}PacketSuccess`] = r.received !== undefined;
      out[`${k}PacketSendTime`] = isoMicros(r.sent);
      out[`${k}PacketReceiveTime`] = r.received === undefined ? UNKNOWN_TIME : isoMicros(r.received);
      out[`${k}TestGenSN`] = i + 1;
      out[`${k}TestRespSN`] = f?.testRespSN ?? 0;
      out[`${k}TestRespRcvTimeStamp`] = f?.testRespRcvTimeStamp ?? 0;
      out[`${k}TestRespReplyTimeStamp`] = f?.testRespReplyTimeStamp ?? 0;
      out[`${k}TestRespReplyFailureCount`] = f?.testRespReplyFailureCount ?? 0;
    });
  }
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
