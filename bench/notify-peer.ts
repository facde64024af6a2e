/**
 * The controller side of the notification bench: Records from any controller Endpoint ID, the
 * Set and subscription Add requests, and a subscriber connection that timestamps every Notify
 * Record on arrival and decodes them only afterwards, so the counting costs the same per Notify
 * however fast they come.
 */
import { encodeMsg, requestMsg } from '../agent/codec/msg.js';
import { encodeRecord, noSessionContextRecord } from '../agent/codec/record.js';
import type { NotifyReq, Request, UspMsg } from '../agent/codec/types.js';
import { AGENT_EID } from './agent-config.js';
import { BenchClient } from './client.js';
import { answerMsg } from './requests.js';

/** A no-session-context Record from controller `fromId` to the bench agent. */
export function recordFrom(fromId: string, msgId: string, request: Request): Buffer {
  return Buffer.from(encodeRecord(noSessionContextRecord({ toId: AGENT_EID, fromId }, encodeMsg(requestMsg(msgId, request)))));
}

export const setParam = (objPath: string, param: string, value: string): Request => ({
  reqType: 'set',
  set: { allowPartial: false, updateObjs: [{ objPath, paramSettings: [{ param, value, required: true }] }] },
});

export const addSubscription = (id: string, notifType: string, referenceList: string): Request => ({
  reqType: 'add',
  add: {
    allowPartial: false,
    createObjs: [
      {
        objPath: 'Device.LocalAgent.Subscription.',
        paramSettings: Object.entries({ Enable: 'true', ID: id, NotifType: notifType, ReferenceList: referenceList }).map(([param, value]) => ({ param, value, required: true })),
      },
    ],
  },
});

/** Throws unless `msg` is a SetResp or AddResp whose every object succeeded. */
export function expectSuccess(msg: UspMsg): void {
  const b = msg.body;
  const fail = (): never => {
    throw new Error(`request failed: ${JSON.stringify(b).slice(0, 400)}`);
  };
  if (b.msgBody !== 'response') fail();
  else if (b.response.respType === 'setResp') {
    if (b.response.setResp.updatedObjResults.some((r) => r.operStatus.operStatus !== 'operSuccess')) fail();
  } else if (b.response.respType === 'addResp') {
    if (b.response.addResp.createdObjResults.some((r) => r.operStatus.operStatus !== 'operSuccess')) fail();
  } else fail();
}

/** The Notify in a Record the agent sent (throws for anything else). */
export function notifyOf(record: Buffer): NotifyReq {
  const m = answerMsg(record);
  if (m.body.msgBody !== 'request' || m.body.request.reqType !== 'notify') throw new Error(`expected a Notify, got ${JSON.stringify(m.body).slice(0, 300)}`);
  return m.body.request.notify;
}

export interface Arrival {
  at: number;
  record: Buffer;
}

/** One subscribing controller: request/response by msg_id for set-up; Notifies kept raw with their arrival time. */
export class SubscriberPeer {
  readonly arrivals: Arrival[] = [];
  /** Called on each Notify's arrival (the latency run). */
  onNotify?: (at: number, record: Buffer) => void;
  private readonly pending = new Map<string, (m: UspMsg) => void>();
  private seq = 0;
  private subscription?: string;

  private constructor(
    private readonly client: BenchClient,
    readonly endpointId: string,
  ) {
    client.listen((record) => {
      const at = performance.now();
      if (this.pending.size > 0) {
        const m = answerMsg(record);
        const resolve = this.pending.get(m.header.msgId);
        if (resolve && m.body.msgBody !== 'request') {
          this.pending.delete(m.header.msgId);
          resolve(m);
          return;
        }
      }
      this.arrivals.push({ at, record });
      this.onNotify?.(at, record);
    });
  }

  static async connect(url: string, endpointId: string): Promise<SubscriberPeer> {
    return new SubscriberPeer(await BenchClient.connect(url, endpointId), endpointId);
  }

  /** Sends a request from this controller and resolves with its response Msg. */
  call(request: Request, timeoutMs = 10_000): Promise<UspMsg> {
    const msgId = `sub-${++this.seq}`;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error(`${this.endpointId}: no answer to ${msgId}`));
      }, timeoutMs);
      this.pending.set(msgId, (m) => {
        clearTimeout(t);
        resolve(m);
      });
      this.client.send(recordFrom(this.endpointId, msgId, request));
    });
  }

  /** Creates a subscription whose Recipient is this controller (one per peer). */
  async subscribe(id: string, notifType: string, referenceList: string): Promise<void> {
    const m = await this.call(addSubscription(id, notifType, referenceList));
    expectSuccess(m);
    if (m.body.msgBody === 'response' && m.body.response.respType === 'addResp') {
      const s = m.body.response.addResp.createdObjResults[0]!.operStatus;
      if (s.operStatus === 'operSuccess') this.subscription = s.operSuccess.instantiatedPath;
    }
  }

  /** Sets Enable of this peer's subscription. */
  async enableSubscription(on: boolean): Promise<void> {
    if (!this.subscription) throw new Error(`${this.endpointId} has no subscription`);
    expectSuccess(await this.call(setParam(this.subscription, 'Enable', String(on))));
  }

  /** Notifies that arrived in [from, to) (performance.now() times). */
  countBetween(from: number, to: number): number {
    let n = 0;
    for (const a of this.arrivals) if (a.at >= from && a.at < to) n++;
    return n;
  }

  /** Resolves once no Notify has arrived for `quietMs` (or after `maxMs`). */
  async settle(quietMs = 300, maxMs = 10_000): Promise<void> {
    const end = performance.now() + maxMs;
    for (;;) {
      const last = this.arrivals.at(-1)?.at ?? 0;
      const now = performance.now();
      if (now - last >= quietMs || now > end) return;
      await new Promise((r) => setTimeout(r, quietMs - (now - last)));
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
