/**
 * A multicast DNS browser for DNS-SD (RFC 6762, RFC 6763 section 9), on node:dgram: one IPv4
 * socket on port 5353 that joins 224.0.0.251 on each interface it is given, asks for
 * `_services._dns-sd._udp.local` PTR and each service type's PTR, follows up on what the answers
 * leave out (SRV, TXT, the target's A), and keeps what it hears in DiscoveredServices.
 *
 * Rates (RFC 6762 5.2): the browse query goes out 20-120 ms after start, then after 1 s, and
 * each interval doubles up to one hour; a record is asked for again at 80 % and 90 % of its TTL.
 * New services announce themselves (RFC 6762 8.3), so a long interval misses nothing.
 *
 * Only responses from port 5353 whose source address is on one of the interfaces' subnets are
 * read: a socket bound to the port also receives packets of groups joined on other interfaces
 * (by another mDNS daemon of the host), and those are not the interfaces asked for.
 */
import dgram from 'node:dgram';
import type { Logger } from '../../datamodel/Logger.js';
import { decodeMessage, encodeQuery, labelsOf, MAX_MDNS_PACKET, nameKey, RecordType, type Question } from './dns-message.js';
import { DiscoveredServices, type Refresh } from './discovered-services.js';

export const MDNS_GROUP = '224.0.0.251';
export const MDNS_PORT = 5353;
const SERVICES = labelsOf('_services._dns-sd._udp.local');
const FIRST_QUERY_MS = [20, 120] as const;
const MAX_INTERVAL_MS = 3_600_000;
/** Follow-up questions wait this long, so the rest of a burst of answers can fill them in. */
const FOLLOW_UP_MS = 100;
/** At most this many follow-up questions wait; more are dropped (the periodic browse asks again). */
const MAX_PENDING = 64;
/** Questions per query packet: ~40 bytes each stays well inside one Ethernet frame. */
const QUESTIONS_PER_PACKET = 30;

/** One interface to browse on: its IPv4 address and netmask. */
export interface MdnsInterface {
  name: string;
  address: string;
  netmask: string;
}

export interface MdnsBrowserOptions {
  now: () => number;
  log?: Logger;
  /** Randomness for the first query's delay (tests pass a fixed one). */
  random?: () => number;
}

export type BrowserStatus = 'Disabled' | 'Enabled' | 'Error';

export class MdnsBrowser {
  readonly services = new DiscoveredServices();
  private socket: dgram.Socket | undefined;
  private interfaces: readonly MdnsInterface[] = [];
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 1000;
  private nextBrowseAt = 0;
  private readonly pending = new Map<string, Question>();
  private pendingAt: number | undefined;
  private sending: Promise<void> = Promise.resolve();
  private state: BrowserStatus = 'Disabled';

  constructor(private readonly opts: MdnsBrowserOptions) {}

  get status(): BrowserStatus {
    return this.state;
  }

  /** Whether a socket is open (Enable false closes it). */
  get listening(): boolean {
    return this.socket !== undefined;
  }

  /** Browses on `interfaces` (replacing any earlier set); resolves once the socket is bound. */
  async start(interfaces: readonly MdnsInterface[]): Promise<void> {
    this.stop();
    this.interfaces = interfaces;
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(MDNS_PORT, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      this.fail('mDNS socket could not be bound', e);
      return;
    }
    if (this.socket !== socket) return;
    socket.on('error', (e) => this.fail('mDNS socket failed', e));
    socket.setMulticastTTL(255);
    socket.setMulticastLoopback(false);
    let joined = 0;
    for (const i of interfaces) {
      try {
        socket.addMembership(MDNS_GROUP, i.address);
        joined++;
      } catch (e) {
        this.opts.log?.warn('mDNS group not joined on an interface', { interface: i.name, address: i.address, error: String(e) });
      }
    }
    if (joined === 0) {
      this.fail('mDNS browsing on no interface', new Error(interfaces.length === 0 ? 'no IPv4 interface to browse on' : 'the group could be joined on none'));
      return;
    }
    this.state = 'Enabled';
    this.intervalMs = 1000;
    const random = this.opts.random ?? Math.random;
    this.nextBrowseAt = this.opts.now() + FIRST_QUERY_MS[0] + random() * (FIRST_QUERY_MS[1] - FIRST_QUERY_MS[0]);
    this.schedule();
  }

  /** Closes the socket and forgets what was heard (TR-181 leaves the table to the implementation). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.socket?.close();
    this.socket = undefined;
    this.pending.clear();
    this.pendingAt = undefined;
    this.services.clear();
    this.state = 'Disabled';
  }

  private fail(what: string, e: unknown): void {
    this.opts.log?.warn(what, { error: e instanceof Error ? e.message : String(e) });
    this.stop();
    this.state = 'Error';
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    // RFC 6762 6: multicast responses come from port 5353; anything else is a legacy unicast exchange.
    if (rinfo.port !== MDNS_PORT || msg.length > MAX_MDNS_PACKET) return;
    if (!this.interfaces.some((i) => sameSubnet(rinfo.address, i))) return;
    try {
      const m = decodeMessage(msg);
      if (!m || !m.isResponse) return;
      this.ask(this.services.take(m.records, this.opts.now()));
    } catch (e) {
      // A packet from the LAN must never stop the agent: a fault of ours drops that packet only.
      this.opts.log?.warn('mDNS response dropped', { from: rinfo.address, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Queues questions to go out together shortly. */
  private ask(questions: readonly Refresh[]): void {
    for (const q of questions) {
      if (this.pending.size >= MAX_PENDING) break;
      this.pending.set(`${q.type}|${nameKey(q.name)}`, q);
    }
    if (this.pending.size > 0 && this.pendingAt === undefined) {
      this.pendingAt = this.opts.now() + FOLLOW_UP_MS;
      this.schedule();
    }
  }

  private schedule(): void {
    if (!this.socket) return;
    if (this.timer) clearTimeout(this.timer);
    const due = Math.min(this.nextBrowseAt, this.pendingAt ?? Infinity, this.services.nextDue() ?? Infinity);
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - this.opts.now()));
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.socket) return;
    const now = this.opts.now();
    const questions: Question[] = [];
    if (now >= this.nextBrowseAt) {
      questions.push({ name: SERVICES, type: RecordType.PTR });
      for (const t of this.services.serviceTypes(now)) questions.push({ name: t, type: RecordType.PTR });
      this.nextBrowseAt = now + this.intervalMs;
      this.intervalMs = Math.min(this.intervalMs * 2, MAX_INTERVAL_MS);
    }
    if (this.pendingAt !== undefined && now >= this.pendingAt) {
      questions.push(...this.pending.values());
      this.pending.clear();
      this.pendingAt = undefined;
    }
    questions.push(...this.services.refreshesDue(now));
    this.send(dedupe(questions));
    this.schedule();
  }

  /** Sends the questions on every interface, one send at a time (each picks its interface first). */
  private send(questions: readonly Question[]): void {
    const socket = this.socket;
    if (!socket || questions.length === 0) return;
    const packets: Buffer[] = [];
    for (let i = 0; i < questions.length; i += QUESTIONS_PER_PACKET) packets.push(encodeQuery(questions.slice(i, i + QUESTIONS_PER_PACKET)));
    for (const i of this.interfaces) {
      for (const p of packets) {
        this.sending = this.sending.then(
          () =>
            new Promise<void>((resolve) => {
              if (this.socket !== socket) return resolve();
              try {
                socket.setMulticastInterface(i.address);
                socket.send(p, MDNS_PORT, MDNS_GROUP, (e) => {
                  if (e) this.opts.log?.debug('mDNS query not sent', { interface: i.name, error: e.message });
                  resolve();
                });
              } catch (e) {
                this.opts.log?.debug('mDNS query not sent', { interface: i.name, error: String(e) });
                resolve();
              }
            }),
        );
      }
    }
  }
}

function dedupe(questions: readonly Question[]): Question[] {
  const seen = new Map<string, Question>();
  for (const q of questions) seen.set(`${q.type}|${nameKey(q.name)}`, q);
  return [...seen.values()];
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const b = Number(p);
    if (!/^\d{1,3}$/.test(p) || b > 255) return undefined;
    n = n * 256 + b;
  }
  return n;
}

/** Whether `address` is on `i`'s subnet. */
export function sameSubnet(address: string, i: MdnsInterface): boolean {
  const a = ipv4(address);
  const b = ipv4(i.address);
  const m = ipv4(i.netmask);
  if (a === undefined || b === undefined || m === undefined) return false;
  // Bitwise on 32-bit values: >>> 0 keeps them unsigned.
  return (a & m) >>> 0 === (b & m) >>> 0;
}
