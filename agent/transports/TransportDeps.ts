/**
 * What a transport starter needs from the agent: the data model holding its TR-181
 * configuration (Device.LocalAgent.MTP.{i}, Controller.{i}.MTP.{i}, Device.MQTT.Client.{i}),
 * where received Records go, and the agent's identity. Each MTP kind has one starter file here
 * that turns configuration into running mtp/ objects; mtp/ itself never reads the data model.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Mtp, RecordHandler } from '../../mtp/Mtp.js';
import type { TlsIdentity } from '../../mtp/tls/TlsIdentity.js';
import type { ControllerLinks } from '../notify/NotificationDelivery.js';

export interface TransportDeps {
  model: DataModel;
  onRecord: RecordHandler;
  /** Device.LocalAgent.EndpointID. */
  endpointId: string;
  /** The agent's certificate, key and trusted CAs, for MTPs with EnableEncryption; undefined: none loaded. */
  tls?: TlsIdentity;
  log: Logger;
  /**
   * Whether an Endpoint ID is a configured controller (a Controller row not made for an unknown
   * endpoint): WebSocket servers keep slots for those. Omitted: every peer counts as configured.
   */
  isConfiguredController?: (endpointId: string) => Promise<boolean>;
  /** Every running MTP, of every kind: one WebSocket session per controller across server and clients (R-WS.4). */
  running?: () => readonly StartedTransport[];
}

/**
 * A running MTP; those that can reach a controller by Endpoint ID also carry notifications, and
 * those that dial out can be told to reconnect at once (`kick`, e.g. when the WAN comes back).
 */
export type StartedTransport = Mtp & Partial<ControllerLinks> & { kick?(): void };
