/**
 * Delivers Notify messages to controllers (TR-369 §"Notifications"):
 * - over whichever MTP currently reaches the controller (the agent chooses; §8);
 * - queued while the controller is unreachable, at most MAX_QUEUED per controller (the oldest is
 *   dropped and logged), and sent when it is back;
 * - with NotifRetry: sent with send_resp=true and resent by the TR-369 back-off (the controller's
 *   USPNotifRetryMinimumWaitInterval / IntervalMultiplier) until the NotifyResp arrives or
 *   NotifExpiration passes; OnBoardRequest never expires (R-NOT.6a).
 * The retry count and queues live in memory: after a restart they start afresh (R-NOT.4).
 */
import { sharedInterval } from '../../datamodel/shared-interval.js';
import type { Logger } from '../../datamodel/Logger.js';
import type { MtpConnection } from '../../mtp/Mtp.js';
import { retryWaitMs } from '../../mtp/retry-backoff.js';
import { encodeMsg, requestMsg } from '../codec/msg.js';
import { encodeRecord, noSessionContextRecord } from '../codec/record.js';
import type { NotifyReq } from '../codec/types.js';

/** Anything that can reach a controller by Endpoint ID (an MTP server, an MQTT client, ...). */
export interface ControllerLinks {
  connectionFor(endpointId: string): MtpConnection | undefined;
}

/** Where notifications go and whom they are from: the agent's links to controllers now, and its Endpoint ID. */
export interface NotificationRoute {
  links(): readonly ControllerLinks[];
  endpointId(): string;
}

/** Per-controller bound on notifications waiting for delivery or acknowledgement. */
export const MAX_QUEUED = 1000;
/** How often queued and unacknowledged notifications are looked at. */
const TICK_MS = 250;

export interface DeliveryOptions {
  /** NotifRetry (and OnBoardRequest): keep resending until a NotifyResp arrives. */
  retry: boolean;
  /** Seconds after the first attempt after which retries stop; 0 = never. */
  expirationS?: number;
  /** Back-off: USPNotifRetryMinimumWaitInterval (s) and USPNotifRetryIntervalMultiplier. */
  retryMinWaitS?: number;
  retryMultiplier?: number;
  /** Called once when the NotifyResp arrives (OnBoardingRestartTime starts then). */
  onAcked?: () => void;
}

interface Pending {
  msgId: string;
  record: Uint8Array;
  opts: DeliveryOptions;
  /** 0 until the first send. */
  firstSentAt: number;
  attempts: number;
  nextAt: number;
}

export class NotificationDelivery {
  private seq = 0;
  private get queues(): Map<string, Pending[]> {
    return (this.queuesOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private queuesOf?: Map<string, Pending[]>;
  private stopTimer?: () => void;
  private started = false;

  constructor(
    private readonly route: NotificationRoute,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.started = true;
    this.syncTick();
  }
  stop(): void {
    this.started = false;
    this.syncTick();
  }

  /**
   * The tick runs only while something is queued: in a fleet of 10,000 gateways an idle tick
   * per agent every 250 ms was most of the process's idle CPU (issue 14).
   */
  private syncTick(): void {
    const wanted = this.started && this.queues.size > 0;
    if (wanted && !this.stopTimer) this.stopTimer = sharedInterval(TICK_MS, () => this.tick());
    else if (!wanted && this.stopTimer) {
      this.stopTimer();
      this.stopTimer = undefined;
    }
  }

  /** Queues a Notify for `to` and sends it at once when the controller is reachable. */
  send(to: string, notify: NotifyReq, opts: DeliveryOptions = { retry: false }): void {
    // No "@" in the msg_id: some controllers (usp-js) route Notifies by splitting on it.
    const msgId = `notify-${this.now().toString(36)}-${++this.seq}`;
    const body: NotifyReq = { ...notify, sendResp: opts.retry };
    const record = encodeRecord(noSessionContextRecord({ toId: to, fromId: this.route.endpointId() }, encodeMsg(requestMsg(msgId, { reqType: 'notify', notify: body }))));
    let q = this.queues.get(to);
    if (!q) {
      q = [];
      this.queues.set(to, q);
    }
    if (q.length >= MAX_QUEUED) {
      const dropped = q.shift()!;
      this.log.warn('notification queue full; oldest dropped', { to, msgId: dropped.msgId });
    }
    q.push({ msgId, record, opts, firstSentAt: 0, attempts: 0, nextAt: 0 });
    this.flush(to);
    this.syncTick();
  }

  /** A NotifyResp from `from` acknowledges the Notify with that msg_id. */
  ack(from: string, msgId: string): void {
    const q = this.queues.get(from);
    const i = q?.findIndex((p) => p.msgId === msgId) ?? -1;
    if (!q || i < 0) return;
    const [acked] = q.splice(i, 1);
    if (q.length === 0) {
      this.queues.delete(from);
      this.syncTick();
    }
    acked.opts.onAcked?.();
  }

  /** Notifications waiting for `to` (queued or unacknowledged). */
  pendingFor(to: string): number {
    return this.queues.get(to)?.length ?? 0;
  }

  /** Sends whatever is due for `to` if a link is up (also called when the controller talks to us). */
  flush(to: string): void {
    const q = this.queues.get(to);
    if (!q || q.length === 0) return;
    const conn = this.route
      .links()
      .map((l) => l.connectionFor(to))
      .find((c) => c?.open);
    if (!conn) return;
    const t = this.now();
    for (let i = 0; i < q.length; i++) {
      const p = q[i];
      if (p.attempts > 0 && p.opts.retry && p.opts.expirationS && t - p.firstSentAt > p.opts.expirationS * 1000) {
        this.log.warn('notification expired unacknowledged', { to, msgId: p.msgId, attempts: p.attempts });
        q.splice(i--, 1);
        continue;
      }
      if (p.nextAt > t) continue;
      if (!conn.send(p.record)) return;
      p.attempts++;
      if (p.firstSentAt === 0) p.firstSentAt = t;
      if (!p.opts.retry) {
        q.splice(i--, 1);
        continue;
      }
      p.nextAt = t + retryWaitMs(p.attempts, p.opts.retryMinWaitS ?? 5, p.opts.retryMultiplier ?? 2000);
    }
    // An emptied queue goes: the tick then has nothing to look at (a fleet runs thousands of them).
    if (q.length === 0) {
      this.queues.delete(to);
      this.syncTick();
    }
  }

  private tick(): void {
    for (const to of this.queues.keys()) this.flush(to);
  }
}
