/**
 * The UDP echo server of Device.IP.Diagnostics.UDPEchoConfig. (TR-143 §5 and Appendix A, TR-181):
 * answers each echo request from SourceIPAddress (any source when empty) on UDPPort, filling in
 * the Echo Plus fields when EchoPlusEnabled, and keeps the object's counters. So that it cannot
 * be used to reflect a flood at someone, replies are never larger than the request (an echo)
 * and are rate-limited: past `maxRepliesPerSecond` a request is counted but not answered (the
 * Echo Plus TestRespReplyFailureCount says how many were not).
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { nowMicros, type Micros } from './micro-clock.js';
import { writeEchoPlus } from './udp-echo-packet.js';

/** The UDP header, counted in BytesReceived/BytesResponded as TR-181 asks. */
const UDP_HEADER = 8;
export const DEFAULT_MAX_REPLIES_PER_SECOND = 100;

export interface UdpEchoServerConfig {
  /** Addresses to listen on (the Interface's, or loopback). */
  addresses: readonly string[];
  port: number;
  /** Only requests from this address are answered; empty: any. */
  sourceIPAddress: string;
  echoPlus: boolean;
  maxRepliesPerSecond?: number;
}

/** The UDPEchoConfig. statistics (unsignedInt counters wrap at 2^32). */
export interface UdpEchoCounters {
  packetsReceived: number;
  packetsResponded: number;
  bytesReceived: number;
  bytesResponded: number;
  firstReceived?: Micros;
  lastReceived?: Micros;
}

export const emptyCounters = (): UdpEchoCounters => ({ packetsReceived: 0, packetsResponded: 0, bytesReceived: 0, bytesResponded: 0 });

export class UdpEchoServer {
  private readonly sockets: dgram.Socket[] = [];
  private tokens: number;
  private refilledAt = Date.now();
  private replyFailures = 0;
  private readonly rate: number;

  constructor(
    private readonly cfg: UdpEchoServerConfig,
    readonly counters: UdpEchoCounters,
  ) {
    this.rate = cfg.maxRepliesPerSecond ?? DEFAULT_MAX_REPLIES_PER_SECOND;
    this.tokens = this.rate;
  }

  /** Binds every address; rejects (having closed what it opened) if one cannot be bound. */
  async start(): Promise<void> {
    try {
      for (const address of this.cfg.addresses) {
        const s = dgram.createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
        this.sockets.push(s);
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.bind(this.cfg.port, address, () => {
            s.off('error', reject);
            resolve();
          });
        });
        s.on('error', () => undefined);
        s.on('message', (msg, rinfo) => this.onRequest(s, msg, rinfo));
      }
    } catch (e) {
      this.stop();
      throw e;
    }
  }

  stop(): void {
    for (const s of this.sockets.splice(0)) {
      try {
        s.close();
      } catch {
        /* already closed */
      }
    }
  }

  private onRequest(s: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const from = rinfo.address.replace(/^::ffff:/i, '');
    if (this.cfg.sourceIPAddress !== '' && from !== this.cfg.sourceIPAddress) return;
    const received = nowMicros();
    const c = this.counters;
    c.packetsReceived = (c.packetsReceived + 1) >>> 0;
    c.bytesReceived = (c.bytesReceived + msg.length + UDP_HEADER) >>> 0;
    c.firstReceived ??= received;
    c.lastReceived = received;
    if (!this.takeToken()) {
      this.replyFailures++;
      return;
    }
    const reply = this.cfg.echoPlus
      ? writeEchoPlus(msg, {
          testRespSN: c.packetsResponded + 1,
          testRespRcvTimeStamp: received % 2 ** 32,
          testRespReplyTimeStamp: nowMicros() % 2 ** 32,
          testRespReplyFailureCount: this.replyFailures,
        })
      : msg;
    s.send(reply, rinfo.port, rinfo.address, (err) => {
      if (err) {
        this.replyFailures++;
        return;
      }
      c.packetsResponded = (c.packetsResponded + 1) >>> 0;
      c.bytesResponded = (c.bytesResponded + reply.length + UDP_HEADER) >>> 0;
    });
  }

  private takeToken(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
