/**
 * UNIX domain socket MTPs from TR-181 (UDSAgent:1, UDSController:1; TR-369 §"UNIX Domain Socket
 * Binding", USP 1.3): every Device.UnixDomainSockets.UnixDomainSocket.{i} row named by the
 * UDS.UnixDomainSocketRef of an enabled Device.LocalAgent.MTP.{i} (Protocol "UDS"), or of an
 * enabled Controller.{i}.MTP.{j} (Protocol "UDS") of an enabled controller, runs once: Mode
 * "Listen" as a server, "Connect" as a client dialling the socket. A Connect socket named by a
 * controller's row reaches that controller (the TR-369 Broker/USP Service set-up names the same
 * socket from both tables). Each link sends a UDSConnectRecord after its handshake (R-MTP.6).
 */
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Logger } from '../../datamodel/Logger.js';
import { UdsClientMtp } from '../../mtp/uds/UdsClientMtp.js';
import { UdsServerMtp } from '../../mtp/uds/UdsServerMtp.js';
import { encodeRecord, udsConnectRecord } from '../codec/record.js';
import type { StartedTransport, TransportDeps } from './TransportDeps.js';

/** Who names one socket row: MTP rows (for logs) and the controllers expected behind it. */
interface SocketUse {
  rows: string[];
  controllers: string[];
}

export async function startUds(deps: TransportDeps): Promise<StartedTransport[]> {
  const { model, endpointId } = deps;
  const log = deps.log.child('mtp-uds');
  const sockets = model.requireNode('Device.UnixDomainSockets.UnixDomainSocket.{i}.');
  const connectRecord = (peer: string): Uint8Array => encodeRecord(udsConnectRecord({ toId: peer, fromId: endpointId }));
  const out: StartedTransport[] = [];
  for (const [n, use] of await socketsInUse(model, endpointId, log)) {
    const name = `Device.UnixDomainSockets.UnixDomainSocket.${n}.`;
    const row = await model.readValues({ node: sockets, keys: [n] }, {});
    const path = String(row.Path ?? '');
    if (!path) {
      log.error('UDS MTP skipped: the socket row has no Path', { socket: name, mtp: use.rows.join(',') });
      continue;
    }
    try {
      if (row.Mode === 'Listen') {
        const server = new UdsServerMtp({ path, agentEndpointId: endpointId, connectRecord, onRecord: deps.onRecord, log });
        await server.start();
        out.push(server);
      } else if (row.Mode === 'Connect') {
        const client = new UdsClientMtp({
          path,
          agentEndpointId: endpointId,
          expectedPeers: use.controllers,
          connectRecord,
          onRecord: deps.onRecord,
          log,
          name,
        });
        await client.start();
        out.push(client);
      } else {
        log.error('UDS MTP skipped: the socket row has no Mode (Listen or Connect)', { socket: name });
      }
    } catch (e) {
      // A bad row (a path in use, a directory we may not write) must not stop the other MTPs.
      log.error('UDS MTP not started', { socket: name, path, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/** Socket instance numbers named by enabled UDS MTP rows, in first-named order. */
async function socketsInUse(model: DataModel, endpointId: string, log: Logger): Promise<Map<number, SocketUse>> {
  const sockets = model.requireNode('Device.UnixDomainSockets.UnixDomainSocket.{i}.');
  const used = new Map<number, SocketUse>();
  const note = async (mtpPath: string, ref: unknown, controller?: string): Promise<void> => {
    const n = socketInstanceOf(String(ref ?? ''));
    if (n === undefined || !(await model.exists({ node: sockets, keys: [n] }, {}))) {
      log.error('UDS MTP skipped: UDS.UnixDomainSocketRef names no Device.UnixDomainSockets.UnixDomainSocket row', { mtp: mtpPath, reference: String(ref ?? '') });
      return;
    }
    let use = used.get(n);
    if (!use) {
      use = { rows: [], controllers: [] };
      used.set(n, use);
    }
    use.rows.push(mtpPath);
    if (controller !== undefined && !use.controllers.includes(controller)) use.controllers.push(controller);
  };

  const agentMtps = model.requireNode('Device.LocalAgent.MTP.{i}.');
  const agentUds = model.requireNode('Device.LocalAgent.MTP.{i}.UDS.');
  for (const i of await model.listInstances(agentMtps, [], {})) {
    const mtp = await model.readValues({ node: agentMtps, keys: [i] }, {});
    if (mtp.Enable !== true || mtp.Protocol !== 'UDS') continue;
    const cfg = await model.readValues({ node: agentUds, keys: [i] }, {});
    await note(`Device.LocalAgent.MTP.${i}.`, cfg.UnixDomainSocketRef);
  }

  const controllers = model.requireNode('Device.LocalAgent.Controller.{i}.');
  const ctrlMtps = model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.');
  const ctrlUds = model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.UDS.');
  for (const c of await model.listInstances(controllers, [], {})) {
    const ctrl = await model.readValues({ node: controllers, keys: [c] }, {});
    const eid = String(ctrl.EndpointID ?? '');
    if (ctrl.Enable !== true || !eid) continue;
    for (const j of await model.listInstances(ctrlMtps, [c], {})) {
      const row = await model.readValues({ node: ctrlMtps, keys: [c, j] }, {});
      if (row.Enable !== true || row.Protocol !== 'UDS') continue;
      const mtpPath = `Device.LocalAgent.Controller.${c}.MTP.${j}.`;
      // R-ARC.2: endpoints sharing an Endpoint ID must not talk to each other.
      if (eid === endpointId) {
        log.warn("controller has the agent's own Endpoint ID; not using its UDS MTP", { mtp: mtpPath });
        continue;
      }
      const cfg = await model.readValues({ node: ctrlUds, keys: [c, j] }, {});
      await note(mtpPath, cfg.UnixDomainSocketRef, eid);
    }
  }
  return used;
}

/** "Device.UnixDomainSockets.UnixDomainSocket.2" (references are stored with instance numbers) → 2. */
function socketInstanceOf(reference: string): number | undefined {
  const m = /^Device\.UnixDomainSockets\.UnixDomainSocket\.(\d+)\.?$/.exec(reference.trim());
  return m ? Number(m[1]) : undefined;
}
