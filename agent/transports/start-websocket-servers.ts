/**
 * WebSocket server MTPs from Device.LocalAgent.MTP.{i} (Protocol "WebSocket"; TR-181
 * WebSocketAgent:1): one server per enabled row. EnableEncryption (default true) serves wss with
 * the agent's TLS identity and always requires a controller certificate (R-MTP.1); only
 * EnableEncryption=false serves plain ws, which R-MTP.0 allows inside a LAN only. Each server
 * listens on the addresses of the IP interfaces its Interfaces names (listen-addresses.ts).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import { validityAt } from '../../mtp/tls/TlsIdentity.js';
import { tofuPolicyOf } from '../certificates/tofu-policy.js';
import { encodeRecord, mtpClosingRecord } from '../codec/record.js';
import { WebSocketServerMtp, type WebSocketServerTls } from '../../mtp/websocket/WebSocketServerMtp.js';
import { listenAddresses } from './listen-addresses.js';
import { dialledSession } from './one-websocket-session.js';
import { warnIfFullAccessOverPlain } from './plain-websocket-warning.js';
import type { StartedTransport, TransportDeps } from './TransportDeps.js';
import { listenError } from './listen-error.js';

interface ServerRow {
  instance: number;
  cfg: Record<string, Value>;
}

/** The enabled WebSocket server rows with their WebSocket.* configuration. */
async function enabledServerRows(model: DataModel): Promise<ServerRow[]> {
  const table = model.requireNode('Device.LocalAgent.MTP.{i}.');
  const ws = model.requireNode('Device.LocalAgent.MTP.{i}.WebSocket.');
  const rows: ServerRow[] = [];
  for (const n of await model.listInstances(table, [], {})) {
    const mtp = await model.readValues({ node: table, keys: [n] }, {});
    if (mtp.Enable !== true || mtp.Protocol !== 'WebSocket') continue;
    rows.push({ instance: n, cfg: await model.readValues({ node: ws, keys: [n] }, {}) });
  }
  return rows;
}

/** Whether some enabled WebSocket server wants TLS: the agent then needs a certificate. */
export async function webSocketServersNeedTls(model: DataModel): Promise<boolean> {
  return (await enabledServerRows(model)).some((r) => r.cfg.EnableEncryption !== false);
}

export async function startWebSocketServers(deps: TransportDeps): Promise<StartedTransport[]> {
  const { log } = deps;
  const out: StartedTransport[] = [];
  for (const { instance: n, cfg } of await enabledServerRows(deps.model)) {
    let tls: WebSocketServerTls | undefined;
    if (cfg.EnableEncryption !== false) {
      tls = await serverTls(deps, n);
      if (!tls) continue;
    }
    try {
      const setting = `Device.LocalAgent.MTP.${n}.WebSocket.Interfaces`;
      const hosts = await listenAddresses(deps.model, String(cfg.Interfaces ?? ''), setting);
      if (hosts && hosts.length === 0) {
        log.error('WebSocket MTP not started: the interfaces Interfaces names have no IP address now', { mtp: n, setting, interfaces: String(cfg.Interfaces) });
        continue;
      }
      const server = new WebSocketServerMtp({
        port: Number(cfg.Port),
        path: String(cfg.Path || '/usp'),
        keepAliveInterval: Number(cfg.KeepAliveInterval ?? 0),
        hosts,
        tls,
        onRecord: deps.onRecord,
        log: log.child('mtp-ws'),
        // Called on deps: TransportDeps may be an object whose methods need it as `this`.
        reserve: deps.isConfiguredController && { holds: (eid: string) => deps.isConfiguredController!(eid) },
        otherSession: deps.running && ((eid) => dialledSession(deps.running!(), eid)),
        disconnectRecord: (peer) => encodeRecord(mtpClosingRecord({ toId: peer, fromId: deps.endpointId })),
      });
      await server.start();
      out.push(server);
      if (!tls) await warnIfFullAccessOverPlain(deps.model, log, n, server.addresses);
    } catch (e) {
      // A port in use fails the whole call (the agent's start, or a restart that logs it); what
      // this call already started must not keep listening unreferenced.
      await Promise.allSettled(out.map((m) => m.stop()));
      throw listenError(e, n, 'WebSocket', cfg.Port);
    }
  }
  return out;
}

/** wss settings for MTP row `n`, or undefined (logged) when TLS cannot be served safely. */
async function serverTls(deps: TransportDeps, n: number): Promise<WebSocketServerTls | undefined> {
  const { tls: id, log } = deps;
  if (!id) {
    log.error('WebSocket MTP not started: EnableEncryption is true but the agent has no certificate', { mtp: n });
    return undefined;
  }
  if (!id.caPem) {
    // R-MTP.1: the agent always requires a controller certificate; without a CA none can verify.
    log.error('WebSocket MTP not started: EnableEncryption is true but no CA was given (--ca) to verify controller certificates', { mtp: n });
    return undefined;
  }
  if (id.endpointId !== deps.endpointId) {
    log.warn('the agent certificate does not carry the agent Endpoint ID in its SAN (R-SEC.10)', { mtp: n, certificate: id.endpointId ?? '', endpointId: deps.endpointId });
  }
  const validity = validityAt(id.certificate, new Date());
  if (validity !== 'valid') log.warn('the agent certificate is out of date; controllers will refuse it', { mtp: n, validity, notAfter: id.certificate.validTo });
  // TOFU needs the server to verify client certificates itself: decided when the MTP starts (a
  // change of TOFUAllowed restarts it, mtp-kinds.ts), while each handshake still asks whether
  // TOFU is allowed now (tofu-handshake.ts).
  const tofu = await tofuPolicyOf(deps.model);
  return { cert: id.certPem, key: id.keyPem, ca: id.caPem, requireClientCert: true, ...(tofu.allowed() ? { tofu } : {}) };
}
