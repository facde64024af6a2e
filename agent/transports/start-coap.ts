/**
 * LEGACY CoAP MTPs (TR-369 1.2 §"CoAP Binding", OBSOLETED in USP 1.3; TR-181 2.17 CoAPAgent:1,
 * CoAPController:1): one CoapServerMtp per enabled Device.LocalAgent.MTP.{i} with Protocol "CoAP",
 * serving MTP.{i}.CoAP Port/Path on the address of its Interfaces, and POSTing notifications to
 * the enabled controllers' Controller.{i}.MTP.{j}.CoAP Host/Port/Path.
 *
 * Off by default: it runs only when the composition root added the legacy objects
 * (agent/localagent/register-coap.ts) and a row enables it. Plain CoAP only (no DTLS in the
 * `coap` package): a row or controller with EnableEncryption true (the TR-181 default) is refused
 * with an error rather than served unencrypted; set EnableEncryption false to accept that.
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { MtpConnection } from '../../mtp/Mtp.js';
import type { CoapControllerAddress, CoapServerMtp } from '../../mtp/coap/CoapServerMtp.js';
import { COAP_PORT } from '../../mtp/coap/coap-uri.js';
import { decodeRecord, salvageRecord } from '../codec/record.js';
import { AGENT_COAP_PATH, CONTROLLER_COAP_PATH } from '../localagent/register-coap.js';
import type { StartedTransport, TransportDeps } from './TransportDeps.js';
import { followControllerRows } from './follow-controller-rows.js';

/** As for WebSocket servers: an empty Path serves /usp. */
const DEFAULT_PATH = '/usp';

/** One running CoAP MTP and the LocalAgent.MTP row it came from. */
export class StartedCoap implements StartedTransport {
  constructor(
    readonly server: CoapServerMtp,
    readonly mtpPath: string,
    private readonly unwatch: () => void,
  ) {}
  start(): Promise<void> {
    return this.server.start();
  }
  async stop(): Promise<void> {
    this.unwatch();
    await this.server.stop();
  }
  connectionFor(endpointId: string): MtpConnection | undefined {
    return this.server.connectionFor(endpointId);
  }
}

export async function startCoap(deps: TransportDeps): Promise<StartedTransport[]> {
  const { model } = deps;
  const agentCoap = model.node(AGENT_COAP_PATH);
  // The legacy objects are not served: CoAP is off (the default).
  if (!agentCoap || !model.bindingOf(agentCoap) || !model.bindingAt(CONTROLLER_COAP_PATH)) return [];
  const log = deps.log.child('mtp-coap');
  const table = model.requireNode('Device.LocalAgent.MTP.{i}.');
  const out: StartedTransport[] = [];
  for (const n of await model.listInstances(table, [], {})) {
    const mtp = await model.readValues({ node: table, keys: [n] }, {});
    if (mtp.Enable !== true || mtp.Protocol !== 'CoAP') continue;
    const mtpPath = `Device.LocalAgent.MTP.${n}.`;
    const cfg = await model.readValues({ node: agentCoap, keys: [n] }, {});
    if (cfg.EnableEncryption !== false) {
      log.error('CoAP MTP not started: EnableEncryption is true but this agent has no DTLS; set CoAP.EnableEncryption false to serve plain CoAP on a trusted LAN', { mtp: mtpPath });
      continue;
    }
    // The coap package is loaded only when a CoAP MTP is enabled.
    const { CoapServerMtp } = await import('../../mtp/coap/CoapServerMtp.js');
    const server = new CoapServerMtp({
      port: Number(cfg.Port ?? COAP_PORT),
      path: String(cfg.Path || DEFAULT_PATH),
      bindAddress: await interfaceAddress(model, String(cfg.Interfaces ?? ''), log, mtpPath),
      controllers: await controllerAddresses(model, deps.endpointId, log),
      checkRecord: (bytes) => {
        try {
          decodeRecord(bytes);
          return undefined;
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      },
      recordSender: (bytes) => salvageRecord(bytes).fromId,
      onRecord: deps.onRecord,
      log,
    });
    try {
      await server.start();
    } catch (e) {
      // A port in use or an address not on this host must not stop the other MTPs.
      log.error('CoAP MTP not started', { mtp: mtpPath, port: Number(cfg.Port ?? COAP_PORT), error: e instanceof Error ? e.message : String(e) });
      continue;
    }
    out.push(new StartedCoap(server, mtpPath, watchControllers(model, deps.endpointId, server, log)));
  }
  return out;
}

/**
 * The enabled controllers' enabled CoAP MTP rows (Controller.{i}.MTP.{j}.CoAP). Rows that ask for
 * encryption (EnableEncryption, default true) are left out with an error: no DTLS here.
 */
async function controllerAddresses(model: DataModel, endpointId: string, log: Logger): Promise<CoapControllerAddress[]> {
  const ctrl = model.requireNode('Device.LocalAgent.Controller.{i}.');
  const cmtp = model.requireNode('Device.LocalAgent.Controller.{i}.MTP.{i}.');
  const ccoap = model.requireNode(CONTROLLER_COAP_PATH);
  const out: CoapControllerAddress[] = [];
  for (const i of await model.listInstances(ctrl, [], {})) {
    const c = await model.readValues({ node: ctrl, keys: [i] }, {});
    const eid = String(c.EndpointID ?? '');
    if (c.Enable !== true || !eid || eid === endpointId) continue;
    for (const j of await model.listInstances(cmtp, [i], {})) {
      const m = await model.readValues({ node: cmtp, keys: [i, j] }, {});
      if (m.Enable !== true || m.Protocol !== 'CoAP') continue;
      const row = `Device.LocalAgent.Controller.${i}.MTP.${j}.`;
      const q = await model.readValues({ node: ccoap, keys: [i, j] }, {});
      if (!q.Host) {
        log.warn('controller CoAP MTP has no Host; not using it', { mtp: row });
        continue;
      }
      if (q.EnableEncryption !== false) {
        log.error('controller CoAP MTP not used: EnableEncryption is true but this agent has no DTLS', { mtp: row });
        continue;
      }
      out.push({ endpointId: eid, address: { secure: false, host: String(q.Host), port: Number(q.Port || COAP_PORT), path: String(q.Path ?? '') } });
    }
  }
  return out;
}

/** Keeps the MTP's controller addresses in step with Controller.{i}.MTP.{j}(.CoAP) edits. */
function watchControllers(model: DataModel, endpointId: string, server: CoapServerMtp, log: Logger): () => void {
  const watched = new Set(['Device.LocalAgent.Controller.{i}.', 'Device.LocalAgent.Controller.{i}.MTP.{i}.', CONTROLLER_COAP_PATH]);
  return followControllerRows(
    model,
    watched,
    () => controllerAddresses(model, endpointId, log),
    (list) => server.setControllers(list),
    log,
    'controller CoAP addresses',
  );
}

/**
 * The IPv4 address to bind for MTP.{i}.CoAP.Interfaces: the first enabled IPv4Address of the first
 * Device.IP.Interface row named; undefined (every address) when empty or not resolvable.
 */
async function interfaceAddress(model: DataModel, interfaces: string, log: Logger, mtpPath: string): Promise<string | undefined> {
  const first = interfaces
    .split(',')
    .map((s) => s.trim())
    .find((s) => s !== '');
  if (first === undefined) return undefined;
  const m = /^Device\.IP\.Interface\.(\d+)\.?$/.exec(first);
  const addrs = model.node('Device.IP.Interface.{i}.IPv4Address.{i}.');
  if (m && addrs && model.bindingOf(addrs)) {
    const ifIndex = Number(m[1]);
    try {
      for (const k of await model.listInstances(addrs, [ifIndex], {})) {
        const v = await model.readValues({ node: addrs, keys: [ifIndex, k] }, {});
        if (v.Enable !== false && v.IPAddress) return String(v.IPAddress);
      }
    } catch (e) {
      log.warn('CoAP.Interfaces could not be read; listening on every address', { mtp: mtpPath, interface: first, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }
  log.warn('CoAP.Interfaces names no interface with an IPv4 address; listening on every address', { mtp: mtpPath, interface: first });
  return undefined;
}
