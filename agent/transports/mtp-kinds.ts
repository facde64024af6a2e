/**
 * The MTP kinds the agent runs, in start order, each with its starter (one file per kind in this
 * directory) and the TR-181 objects that configure it. A committed change to one of those objects
 * makes reconfigure-mtps.ts restart that kind: its running MTPs stop and the same starter starts
 * them again from the current configuration, so start and restart share one code path.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { startCoap } from './start-coap.js';
import { followedLive } from './mqtt-client-row.js';
import { startMqtt, StartedMqtt } from './start-mqtt.js';
import { startUds } from './start-uds.js';
import { startWebSocketClients } from './start-websocket-clients.js';
import { startWebSocketServers } from './start-websocket-servers.js';
import type { StartedTransport, TransportDeps } from './TransportDeps.js';

/** Device.LocalAgent.MTP.{i}.Protocol / Controller.{i}.MTP.{j}.Protocol values. */
export type MtpProtocol = 'WebSocket' | 'MQTT' | 'UDS' | 'CoAP';

/**
 * One configuring object. `params` lists the parameters that matter (default: every readWrite
 * one, so the agent's own readOnly status writes never restart anything). `protocolOf` names the
 * MTP row whose Protocol must be the kind's for a change to concern it: the LocalAgent.MTP.{i}
 * row (`agentRow`), the Controller.{i}.MTP.{j} row (`controllerRow`), or any MTP row of the
 * controller (`controllerRows`); absent: every change concerns the kind.
 */
export interface ConfigSource {
  readonly path: string;
  readonly params?: readonly string[];
  readonly protocolOf?: 'agentRow' | 'controllerRow' | 'controllerRows';
}

export interface MtpKind {
  /** For logs. */
  readonly name: string;
  readonly protocol: MtpProtocol;
  readonly start: (deps: TransportDeps) => Promise<StartedTransport[]>;
  readonly sources: readonly ConfigSource[];
  /**
   * True when the running MTPs already use this value: the agent's own write-back of what it
   * learned (the broker-assigned ClientID, R-MQTT.9) must not restart the MTP that learned it;
   * nor must a Will* change, which the row's running MTP keeps for its next CONNECT (TR-181).
   */
  readonly inEffect?: (path: string, param: string, value: Value, running: readonly StartedTransport[]) => boolean;
}

const AGENT_ROW: ConfigSource = { path: 'Device.LocalAgent.MTP.{i}.', params: ['Enable', 'Protocol'], protocolOf: 'agentRow' };
const CONTROLLER: ConfigSource = { path: 'Device.LocalAgent.Controller.{i}.', params: ['Enable', 'EndpointID'], protocolOf: 'controllerRows' };
const CONTROLLER_ROW: ConfigSource = { path: 'Device.LocalAgent.Controller.{i}.MTP.{i}.', params: ['Enable', 'Protocol'], protocolOf: 'controllerRow' };

/** TOFUAllowed decides how a wss server verifies client certificates (start-websocket-servers.ts). */
export const WEBSOCKET_SERVERS: MtpKind = {
  name: 'WebSocket server',
  protocol: 'WebSocket',
  start: startWebSocketServers,
  sources: [AGENT_ROW, { path: 'Device.LocalAgent.MTP.{i}.WebSocket.', protocolOf: 'agentRow' }, { path: 'Device.LocalAgent.ControllerTrust.', params: ['TOFUAllowed'] }],
};

export const WEBSOCKET_CLIENTS: MtpKind = {
  name: 'WebSocket client',
  protocol: 'WebSocket',
  start: startWebSocketClients,
  sources: [CONTROLLER, CONTROLLER_ROW, { path: 'Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.', protocolOf: 'controllerRow' }],
};

/**
 * Controller.{i}.MTP.{j}.MQTT topics and Device.MQTT.Client.{i}.Subscription.{j} rows are not
 * here: a running MQTT MTP follows them live (start-mqtt.ts), the latter by SUBSCRIBE and
 * UNSUBSCRIBE on its session (TP-469 11.9).
 */
export const MQTT: MtpKind = {
  name: 'MQTT',
  protocol: 'MQTT',
  start: startMqtt,
  sources: [AGENT_ROW, { path: 'Device.LocalAgent.MTP.{i}.MQTT.', protocolOf: 'agentRow' }, { path: 'Device.MQTT.Client.{i}.' }],
  inEffect: (path, param, value, running) =>
    (param === 'ClientID' || followedLive(param)) && running.some((m) => m instanceof StartedMqtt && m.clientRow === path && (param !== 'ClientID' || m.client.clientId === value)),
};

export const UDS: MtpKind = {
  name: 'UDS',
  protocol: 'UDS',
  start: startUds,
  sources: [
    AGENT_ROW,
    { path: 'Device.LocalAgent.MTP.{i}.UDS.', protocolOf: 'agentRow' },
    CONTROLLER,
    CONTROLLER_ROW,
    { path: 'Device.LocalAgent.Controller.{i}.MTP.{i}.UDS.', protocolOf: 'controllerRow' },
    { path: 'Device.UnixDomainSockets.UnixDomainSocket.{i}.' },
  ],
};

/** Legacy CoAP (off unless the composition root serves its objects); controllers' rows are followed live. */
export const COAP: MtpKind = {
  name: 'CoAP',
  protocol: 'CoAP',
  start: startCoap,
  sources: [AGENT_ROW, { path: 'Device.LocalAgent.MTP.{i}.CoAP.', protocolOf: 'agentRow' }],
};

/** In start order (restarts of several kinds follow it too). */
export const MTP_KINDS: readonly MtpKind[] = [WEBSOCKET_SERVERS, WEBSOCKET_CLIENTS, MQTT, UDS, COAP];
