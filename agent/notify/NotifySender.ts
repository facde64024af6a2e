/**
 * Sends Notify messages to a controller over whichever MTP currently links it to the agent
 * (DIGEST §2.7, §8: the agent chooses the MTP for notifications). Retries with NotifRetry and
 * queuing while a controller is offline come with the subscriptions issue; here a Notify for an
 * unreachable controller is logged and dropped.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { MtpConnection } from '../../mtp/Mtp.js';
import { encodeMsg, requestMsg } from '../codec/msg.js';
import { encodeRecord, noSessionContextRecord } from '../codec/record.js';
import type { NotifyReq } from '../codec/types.js';

/** Anything that can reach a controller by Endpoint ID (an MTP server, an MQTT client, ...). */
export interface ControllerLinks {
  connectionFor(endpointId: string): MtpConnection | undefined;
}

export class NotifySender {
  private seq = 0;

  constructor(
    private readonly links: () => readonly ControllerLinks[],
    private readonly endpointId: () => string,
    private readonly log: Logger,
  ) {}

  /** True when the Notify left on a live connection. */
  send(toEndpointId: string, notify: NotifyReq): boolean {
    const conn = this.links().map((l) => l.connectionFor(toEndpointId)).find((c) => c?.open);
    if (!conn) {
      this.log.warn('notification dropped: controller not connected', { to: toEndpointId, kind: notify.notification });
      return false;
    }
    // No "@" in the msg_id: some controllers (usp-js) route Notifies by splitting on it.
    const msgId = `notify-${Date.now().toString(36)}-${++this.seq}`;
    const record = encodeRecord(noSessionContextRecord({ toId: toEndpointId, fromId: this.endpointId() }, encodeMsg(requestMsg(msgId, { reqType: 'notify', notify }))));
    return conn.send(record);
  }
}
