/**
 * What a fleet's controller keeps of the Records its gateways send, whatever the MTP
 * (fleet-controller.ts over MQTT, fleet-ws-controller.ts over WebSocket): every Event
 * notification (Boot!, Periodic!) by the sending agent's Endpoint ID, and the answers to its own
 * requests, matched by msg_id.
 */
import { decodeMsg, encodeMsg, requestMsg } from '../agent/codec/msg.js';
import { encodeRecord, noSessionContextRecord, type DecodedRecord } from '../agent/codec/record.js';
import type { Request, UspMsg } from '../agent/codec/types.js';

/** Event notifications kept per agent (Boot!, Periodic!): a bound, as on every table. */
const MAX_EVENTS_PER_AGENT = 64;

export interface FleetEvent {
  eventName: string;
  objPath: string;
  params: Record<string, string>;
  at: number;
}

export class FleetInbox {
  /** Agent Endpoint ID → the Event notifications it sent, oldest first. */
  readonly events = new Map<string, FleetEvent[]>();
  /** Event name → the agents that sent it at least once. */
  private readonly senders = new Map<string, Set<string>>();
  private readonly pending = new Map<string, (m: UspMsg) => void>();
  private readonly waiters = new Set<() => void>();
  private nextId = 0;

  constructor(readonly endpointId: string) {}

  /** Takes one Record from a gateway: an Event notification is kept, an answer goes to its request. */
  onRecord(rec: DecodedRecord): void {
    if (rec.body.kind !== 'noSessionContext') {
      this.changed();
      return;
    }
    const msg = decodeMsg(rec.body.payload);
    const body = msg.body;
    if (body.msgBody === 'request' && body.request.reqType === 'notify' && body.request.notify.notification === 'event') {
      const e = body.request.notify.event;
      const list = this.events.get(rec.fromId) ?? [];
      if (list.length >= MAX_EVENTS_PER_AGENT) list.shift();
      list.push({ eventName: e.eventName, objPath: e.objPath, params: { ...e.params }, at: Date.now() });
      this.events.set(rec.fromId, list);
      let who = this.senders.get(e.eventName);
      if (!who) this.senders.set(e.eventName, (who = new Set()));
      who.add(rec.fromId);
      this.changed();
      return;
    }
    const answer = this.pending.get(msg.header.msgId);
    if (answer) {
      this.pending.delete(msg.header.msgId);
      answer(msg);
    }
  }

  /** Re-checks every waitFor() condition (after anything a condition may read has changed). */
  changed(): void {
    for (const w of this.waiters) w();
  }

  /**
   * Sends `request` to the agent `agentEid` through `send` (the Record's bytes); resolves with its
   * answer (Response or Error), rejects after `timeoutMs`.
   */
  request(agentEid: string, request: Request, send: (record: Uint8Array) => void, timeoutMs: number): Promise<UspMsg> {
    const msgId = `fleet-${++this.nextId}`;
    const record = encodeRecord(noSessionContextRecord({ toId: agentEid, fromId: this.endpointId }, encodeMsg(requestMsg(msgId, request))));
    return new Promise<UspMsg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new Error(`no answer from ${agentEid} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(msgId, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      try {
        send(record);
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(msgId);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Resolves once `done()` holds, checked after each Record that may change it; rejects after `timeoutMs`. */
  async waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (done()) {
          finish();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${what}: not seen within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** How many agents sent the event `name`. */
  agentsThatSent(name: string): number {
    return this.senders.get(name)?.size ?? 0;
  }
}
