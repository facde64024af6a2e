/**
 * Device.LocalAgent certificates and the trust they carry (TR-181 LocalAgent:1 Certificate,
 * Controllers:1, ControllerTrust:1; TP-469 9.2): the Certificate table with Delete() and
 * GetFingerprint(), LocalAgent.AddCertificate(), Controller.{i}.AddMyCertificate(), and the
 * per-connection PeerTrust that the ControllerDirectory consults for pinned credentials and
 * InheritedRole.
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { CommandInvocation, InstanceKeys } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { BoundCommand } from '../../datamodel/tree/bound-command.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { endpointIdFromCert, parseSubjectAltName, USP_EID_URN_PREFIX } from '../../mtp/tls/endpoint-id-from-cert.js';
import { CERTIFICATE_PATH, CertificateTable } from './CertificateTable.js';
import { PeerTrust } from './PeerTrust.js';
import { FINGERPRINT_ALGORITHMS, fingerprintOf, isFingerprintAlgorithm, parseCertificatePem } from './x509.js';

const CONTROLLER_PATH = 'Device.LocalAgent.Controller.{i}.';

/** Device.LocalAgent.SupportedFingerprintAlgorithms. */
export const SUPPORTED_FINGERPRINT_ALGORITHMS = FINGERPRINT_ALGORITHMS.join(',');

export interface Certificates {
  table: CertificateTable;
  peers: PeerTrust;
  /** Controller.{i}.InheritedRole, live: the roles of that controller's current connection. */
  inheritedRole(keys: InstanceKeys): Value;
}

/**
 * The PeerTrust of each model served here. The ControllerDirectory is built by the composition
 * root after registration and finds it through the model it is given.
 */
const peersByModel = new WeakMap<DataModel, PeerTrust>();

export function peerTrustOf(model: DataModel): PeerTrust | undefined {
  return peersByModel.get(model);
}

export function registerCertificates(model: DataModel, store: DataStore): Certificates {
  const table = new CertificateTable(model, store);
  const peers = new PeerTrust(model, table);
  peersByModel.set(model, peers);
  const certificates = new GatewayCertificates(model, store, table, peers);
  model.registerCommand(CERTIFICATE_PATH, 'Delete()', new BoundCommand(certificates, deleteCertificate));
  model.registerCommand(CERTIFICATE_PATH, 'GetFingerprint()', new BoundCommand(certificates, getFingerprint));
  // Adds a row only: trust needs a Credential that refers to it (TP-469 9.2).
  model.registerCommand('Device.LocalAgent.', 'AddCertificate()', new BoundCommand(certificates, addCertificate));
  model.registerCommand(CONTROLLER_PATH, 'AddMyCertificate()', new BoundCommand(certificates, addMyCertificate));
  return certificates;
}

/** One gateway's certificates: a class, so a fleet shares its methods and the commands' functions (issue 14). */
class GatewayCertificates implements Certificates {
  constructor(
    readonly model: DataModel,
    private readonly store: DataStore,
    readonly table: CertificateTable,
    readonly peers: PeerTrust,
  ) {}

  inheritedRole(keys: InstanceKeys): Value {
    return this.peers.inheritedRole(String(this.store.row(`Device.LocalAgent.Controller.${keys[0]}.`)?.EndpointID ?? ''));
  }
}

async function deleteCertificate(c: GatewayCertificates, call: CommandInvocation): Promise<Record<string, Value>> {
  await c.table.remove(call.keys[0]);
  return {};
}

async function getFingerprint(c: GatewayCertificates, call: CommandInvocation): Promise<Record<string, Value>> {
  const cert = c.table.certificate(call.keys[0]);
  if (!cert) throw new UspError(ErrorCode.CommandFailure, `${call.objectPath} holds no certificate`);
  const algorithm = String(call.input.FingerprintAlgorithm ?? '');
  if (!isFingerprintAlgorithm(algorithm)) throw new UspError(ErrorCode.InvalidCommandArgs, `FingerprintAlgorithm ${JSON.stringify(algorithm)} is not supported`);
  return { Fingerprint: fingerprintOf(cert, algorithm) };
}

async function addCertificate(c: GatewayCertificates, call: CommandInvocation): Promise<Record<string, Value>> {
  await c.table.add(parseCertificatePem(String(call.input.Certificate ?? '')), String(call.input.Alias ?? ''));
  return {};
}

/**
 * Controller.{i}.AddMyCertificate(): only the controller of that row may call it (TR-181: "MUST
 * be denied" otherwise, 7006). Adds the Certificate row and appends its reference to the row's
 * Credential in one transaction; from then on connections of this controller that present a
 * certificate must present one of its Credential certificates. A certificate naming another
 * Endpoint ID in its SAN (a USP URN, or for an fqdn:: controller its dNSNames) could never
 * identify this controller and is refused (7027).
 */
async function addMyCertificate({ model, table }: GatewayCertificates, call: CommandInvocation): Promise<Record<string, Value>> {
  const node = model.requireNode(CONTROLLER_PATH);
  const inst = { node, keys: call.keys };
  const own = node.pathOf(call.keys).replace(/\.$/, '');
  if (call.ctx.controllerId !== undefined && call.ctx.controllerPath !== own) {
    throw new UspError(ErrorCode.PermissionDenied, `${own}.AddMyCertificate() may only be used by that controller`);
  }
  const cert = parseCertificatePem(String(call.input.Certificate ?? ''));
  const eid = String((await model.readValues(inst, {})).EndpointID ?? '');
  const named = endpointIdFromCert(cert.certificate, eid);
  const claimsEid = parseSubjectAltName(cert.certificate.subjectAltName).some((n) => n.type === 'URI' && n.value.startsWith(USP_EID_URN_PREFIX)) || eid.startsWith('fqdn::');
  if (named !== undefined && named !== eid && claimsEid) {
    throw new UspError(ErrorCode.InvalidCommandArgs, `Certificate names Endpoint ID ${named}, not ${eid}`);
  }
  await table.add(cert, String(call.input.Alias ?? ''), async (tx, ref) => {
    const current = String((await model.readValues(inst, {})).Credential ?? '');
    await tx.set(inst, { Credential: current === '' ? ref : `${current},${ref}` });
  });
  return {};
}
