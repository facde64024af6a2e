/**
 * WebSocket client MTPs from Device.LocalAgent.Controller.{i}.MTP.{j} (Protocol "WebSocket";
 * TR-181 WebSocketController:1, TR-369 R-WS.5): one client per enabled MTP row of an enabled
 * controller, dialling Host:Port/Path (wss when EnableEncryption), pinging every
 * KeepAliveInterval and reconnecting with SessionRetryMinimumWaitInterval /
 * SessionRetryIntervalMultiplier. Each client is named after its row
 * (`Device.LocalAgent.Controller.{i}.MTP.{j}.`) so CurrentRetryCount can be served from it.
 */
import { webSocketUrl } from '../../mtp/websocket/client-handshake.js';
import { WebSocketClientMtp } from '../../mtp/websocket/WebSocketClientMtp.js';
import { encodeRecord, mtpClosingRecord, websocketConnectRecord } from '../codec/record.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { closeInboundSessions } from './one-websocket-session.js';
import type { StartedTransport, TransportDeps } from './TransportDeps.js';

export async function startWebSocketClients(deps: TransportDeps): Promise<StartedTransport[]> {
  const { model, log, endpointId } = deps;
  const controllers = model.requireNode('Device.LocalAgent.Controller.{i}.');
  const mtps = model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.');
  const wsConfig = model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.');
  const out: StartedTransport[] = [];
  for (const c of await model.listInstances(controllers, [], {})) {
    const ctrl = await model.readValues({ node: controllers, keys: [c] }, {});
    const controllerEid = String(ctrl.EndpointID ?? '');
    if (ctrl.Enable !== true || !controllerEid) continue;
    for (const j of await model.listInstances(mtps, [c], {})) {
      const row = await model.readValues({ node: mtps, keys: [c, j] }, {});
      if (row.Enable !== true || row.Protocol !== 'WebSocket') continue;
      const name = `Device.LocalAgent.Controller.${c}.MTP.${j}.`;
      // R-ARC.2: endpoints sharing an Endpoint ID must not talk to each other.
      if (controllerEid === endpointId) {
        log.warn("controller has the agent's own Endpoint ID; not dialling it", { mtp: name });
        continue;
      }
      const cfg = await model.readValues({ node: wsConfig, keys: [c, j] }, {});
      const host = String(cfg.Host ?? '');
      if (!host) {
        log.warn('controller WebSocket MTP has no Host; not dialling it', { mtp: name });
        continue;
      }
      const connectRecord = encodeRecord(websocketConnectRecord({ toId: controllerEid, fromId: endpointId }));
      const disconnect = encodeRecord(mtpClosingRecord({ toId: controllerEid, fromId: endpointId }));
      try {
        const client = new WebSocketClientMtp({
          url: webSocketUrl({ host, port: Number(cfg.Port ?? 0), path: String(cfg.Path ?? ''), encrypt: cfg.EnableEncryption !== false }),
          agentEndpointId: endpointId,
          controllerEndpointId: controllerEid,
          keepAliveInterval: Number(cfg.KeepAliveInterval ?? 0),
          retryMinimumWaitInterval: Number(cfg.SessionRetryMinimumWaitInterval ?? 5),
          retryIntervalMultiplier: Number(cfg.SessionRetryIntervalMultiplier ?? 2000),
          connectRecord: () => connectRecord,
          disconnectRecord: () => disconnect,
          // The agent presents its identity; the controller's certificate must chain to --ca.
          tls: deps.tls && { cert: deps.tls.certPem, key: deps.tls.keyPem, ca: deps.tls.caPem },
          onRecord: deps.onRecord,
          onOpen: deps.running && (() => closeInboundSessions(deps.running!(), controllerEid)),
          log: log.child('mtp-ws-client'),
          name,
        });
        await client.start();
        out.push(client);
      } catch (e) {
        // A bad row (e.g. a Host that makes no URL) must not stop the other MTPs.
        log.error('controller WebSocket MTP not started', { mtp: name, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return out;
}

/** Whether any enabled controller WebSocket MTP row dials with TLS (EnableEncryption defaults to true). */
export async function webSocketClientsNeedTls(model: DataModel): Promise<boolean> {
  const controllers = model.requireNode('Device.LocalAgent.Controller.{i}.');
  const mtps = model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.');
  const wsConfig = model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket.');
  for (const c of await model.listInstances(controllers, [], {})) {
    if ((await model.readValues({ node: controllers, keys: [c] }, {})).Enable !== true) continue;
    for (const m of await model.listInstances(mtps, [c], {})) {
      const row = await model.readValues({ node: mtps, keys: [c, m] }, {});
      if (row.Enable !== true || row.Protocol !== 'WebSocket') continue;
      if ((await model.readValues({ node: wsConfig, keys: [c, m] }, {})).EnableEncryption !== false) return true;
    }
  }
  return false;
}
