/**
 * WebSocket server MTPs from Device.LocalAgent.MTP.{i} (Protocol "WebSocket"; TR-181
 * WebSocketAgent:1): one server per enabled row.
 */
import { WebSocketServerMtp } from '../../mtp/websocket/WebSocketServerMtp.js';
import type { StartedTransport, TransportDeps } from './TransportDeps.js';

export async function startWebSocketServers(deps: TransportDeps): Promise<StartedTransport[]> {
  const { model, log } = deps;
  const table = model.requireNode('Device.LocalAgent.MTP.{i}.');
  const ws = model.requireNode('Device.LocalAgent.MTP.{i}.WebSocket.');
  const out: StartedTransport[] = [];
  for (const n of await model.listInstances(table, [], {})) {
    const mtp = await model.readValues({ node: table, keys: [n] }, {});
    if (mtp.Enable !== true || mtp.Protocol !== 'WebSocket') continue;
    const cfg = await model.readValues({ node: ws, keys: [n] }, {});
    if (cfg.EnableEncryption === true) log.warn('WebSocket TLS is not implemented yet; serving plain WebSocket', { mtp: n });
    const server = new WebSocketServerMtp({
      port: Number(cfg.Port), path: String(cfg.Path || '/usp'), keepAliveInterval: Number(cfg.KeepAliveInterval ?? 0),
      onRecord: deps.onRecord, log: log.child('mtp-ws'),
    });
    await server.start();
    out.push(server);
  }
  return out;
}
