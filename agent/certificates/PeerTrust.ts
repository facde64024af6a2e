/**
 * What a controller's MTP certificate earns it, per connection (TR-369 "Check Cert" and
 * "Determine Role" flows, section "Authentication and Authorization"):
 * - Controller.{i}.Credential pins certificates: when it names any, a connection of that
 *   controller presenting a certificate must present one of them, else its Records are dropped.
 * - When the certificate chain reaches the CA of an enabled ControllerTrust.Credential.{i}
 *   (AllowedUses MTP-and-USP or MTP-and-broker), that row's Role becomes the controller's
 *   InheritedRole. Only the first such CA from the leaf up counts (R-SEC.25).
 * - Over MQTT the certificate is the broker's (certificateHolder 'broker'): it pins nothing, and
 *   it earns the controllers behind it a Role only when the validating Credential says
 *   MTP-and-broker (a Trusted Broker vouches for the from_id of the Records it carries).
 * - A certificate that names no Endpoint ID proves none (R-SEC.0a): the Endpoint ID the peer
 *   claimed beside it (the WebSocket `eid`) is accepted only when the controller's Credential pins
 *   that very certificate, or when a CA Credential gives it a Role and the claimed controller holds
 *   no AssignedRole (so the claim earns exactly the CA's Role, never another controller's rights).
 * InheritedRole belongs to the controller's current connection: a new connection decides it
 * afresh, and nothing of it is persisted, so a restart forgets it (R-SEC.21). Verdicts are cached
 * per certificate (one object per TLS session) until the Certificate or Credential tables change.
 */
import type { X509Certificate } from 'node:crypto';
import type { Awaitable } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import type { MtpConnection } from '../../mtp/Mtp.js';
import { certificateInstance, certificateInstances, type CertificateTable } from './CertificateTable.js';
import { pinOnFirstUse } from './pin-on-first-use.js';
import { certificateChain, issuedBy, sameCertificate } from './x509.js';
import type { Change, ChangeObserver } from '../../datamodel/tree/ChangeFeed.js';

export const CREDENTIAL_PATH = 'Device.LocalAgent.ControllerTrust.Credential.{i}.';
const CONTROLLER_PATH = 'Device.LocalAgent.Controller.{i}.';
/** AllowedUses values under which a Credential's Role applies (TR-181 ControllerTrust:1), by whose certificate it is. */
const ROLE_USES = { peer: new Set(['MTP-and-USP', 'MTP-and-broker']), broker: new Set(['MTP-and-broker']) };
/** Controllers whose current InheritedRole is remembered; the least recently seen go first. */
export const MAX_PEER_SESSIONS = 1024;

export interface PeerVerdict {
  /** Why Records on this connection are dropped (for the log); undefined when accepted. */
  refused?: string;
  /** Role references inherited from the validating Credential ("" for none). */
  inheritedRole: string;
  /** The certificate is one the controller's Credential pins. */
  pinned?: boolean;
}

/** The controller row a verdict is about, when it has one. */
export interface PeerController {
  instance: number;
  /** Controller.{i}.Credential as stored. */
  credential: string;
  /** Controller.{i}.AssignedRole as stored. */
  assignedRole: string;
}

interface CaCredential {
  ca: X509Certificate;
  role: string;
  uses: string;
}

const NO_CERTIFICATE: PeerVerdict = Object.freeze({ inheritedRole: '' });

export class PeerTrust implements ChangeObserver {
  private generation = 0;
  private readonly byCertificate = new WeakMap<X509Certificate, { generation: number; pinned: string; verdict: PeerVerdict }>();
  /** Per controller: the certificate of its current connection and what it inherited. */
  private get sessions(): Map<string, { cert: X509Certificate | undefined; inheritedRole: string }> {
    return (this.sessionsOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private sessionsOf?: Map<string, { cert: X509Certificate | undefined; inheritedRole: string }>;
  private get pinning(): Map<number, Promise<void>> {
    return (this.pinningOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private pinningOf?: Map<number, Promise<void>>;
  private readonly credentialNode: ModelNode;
  private readonly controllerNode: ModelNode;

  constructor(
    private readonly model: DataModel,
    private readonly certificates: CertificateTable,
  ) {
    this.credentialNode = model.requireNode(CREDENTIAL_PATH);
    this.controllerNode = model.requireNode(CONTROLLER_PATH);
    model.changes.observe(this);
  }

  /** The change feed's observer method (ChangeFeed.observe: no closure per gateway). */
  modelChanged(c: Change): void {
    if (c.inst.node === this.certificates.node || c.inst.node === this.credentialNode) this.generation++;
  }

  /**
   * Pins the certificate of a connection accepted on first use to Controller.{instance}
   * (pin-on-first-use.ts); one pinning per controller at a time, so Records arriving together
   * store the certificate once.
   */
  pinOnFirstUse(instance: number, cert: X509Certificate): Promise<void> {
    let p = this.pinning.get(instance);
    if (!p) {
      p = pinOnFirstUse(this.model, this.certificates, instance, cert).finally(() => this.pinning.delete(instance));
      this.pinning.set(instance, p);
    }
    return p;
  }

  /**
   * Deletes the Certificate rows `credential` (a deleted controller's Credential) names that no
   * Controller.{i}.Credential or ControllerTrust.Credential.{i} refers to any more: the pins of a
   * controller made on first use must not outlive it and fill the table (MAX_CERTIFICATES).
   */
  async dropOrphanPins(credential: string): Promise<void> {
    const pins = certificateInstances(credential).filter((n) => this.certificates.instances().includes(n));
    if (pins.length === 0) return;
    const used = new Set<number>();
    for (const [node, param] of [
      [this.controllerNode, 'Credential'],
      [this.credentialNode, 'Credential'],
    ] as const) {
      for (const k of await this.model.listInstances(node, [], {})) {
        for (const n of certificateInstances(String((await this.model.readValues({ node, keys: [k] }, {}))[param] ?? ''))) used.add(n);
      }
    }
    for (const n of pins) if (!used.has(n)) await this.certificates.remove(n);
  }

  /** Controller.{i}.InheritedRole of the controller with this Endpoint ID, for its current connection. */
  inheritedRole(endpointId: string): string {
    return this.sessions.get(endpointId)?.inheritedRole ?? '';
  }

  /**
   * The verdict on `conn` for a Record from `endpointId` (whose row, if any, is `controller`).
   * An accepted connection becomes the controller's current one: its InheritedRole is published,
   * and a change of it is announced as a value change of Controller.{i}.InheritedRole. A cached
   * verdict is returned as a plain value: this runs for every request.
   */
  verdict(endpointId: string, conn: MtpConnection, controller?: PeerController): Awaitable<PeerVerdict> {
    const cert = conn.peerCertificate;
    if (!cert) return this.accept(endpointId, cert, NO_CERTIFICATE, controller);
    const broker = conn.certificateHolder === 'broker';
    // A broker's certificate is never the controller's own, so the controller's pins do not apply to it.
    const pinned = broker ? '' : (controller?.credential ?? '');
    const claimed = !broker && conn.identity === 'claimed';
    const cached = this.byCertificate.get(cert);
    if (cached && cached.generation === this.generation && cached.pinned === pinned) {
      return this.accept(endpointId, cert, claimed ? claimVerdict(endpointId, cached.verdict, controller) : cached.verdict, controller);
    }
    const generation = this.generation;
    return this.evaluate(cert, pinned, broker ? 'broker' : 'peer').then((verdict) => {
      if (generation === this.generation) this.byCertificate.set(cert, { generation, pinned, verdict });
      return this.accept(endpointId, cert, claimed ? claimVerdict(endpointId, verdict, controller) : verdict, controller);
    });
  }

  private accept(endpointId: string, cert: X509Certificate | undefined, verdict: PeerVerdict, controller?: PeerController): PeerVerdict {
    if (!verdict.refused) this.publish(endpointId, cert, verdict.inheritedRole, controller?.instance);
    return verdict;
  }

  private async evaluate(cert: X509Certificate, pinned: string, holder: 'peer' | 'broker'): Promise<PeerVerdict> {
    const pins = certificateInstances(pinned).filter((n) => this.certificates.certificate(n) !== undefined);
    if (pins.length > 0 && !pins.some((n) => this.certificates.enabled(n) && sameCertificate(this.certificates.certificate(n)!, cert))) {
      return { refused: `certificate ${cert.fingerprint256} is not one Controller.{i}.Credential names (${pinned})`, inheritedRole: '' };
    }
    return { inheritedRole: await this.inherit(cert, holder), pinned: pins.length > 0 };
  }

  /** Role of the first CA in the chain (from the leaf up) that an enabled Credential names. */
  private async inherit(cert: X509Certificate, holder: 'peer' | 'broker'): Promise<string> {
    const cas = await this.caCredentials();
    if (cas.length === 0) return '';
    for (const c of certificateChain(cert)) {
      const match = cas.find((x) => issuedBy(c, x.ca));
      if (match) return ROLE_USES[holder].has(match.uses) ? match.role : '';
    }
    return '';
  }

  private async caCredentials(): Promise<CaCredential[]> {
    const out: CaCredential[] = [];
    const node = this.credentialNode;
    for (const k of await this.model.listInstances(node, [], {})) {
      const v = await this.model.readValues({ node, keys: [k] }, {});
      if (v.Enable !== true) continue;
      const n = certificateInstance(String(v.Credential ?? ''));
      const ca = n === undefined || !this.certificates.enabled(n) ? undefined : this.certificates.certificate(n);
      if (ca) out.push({ ca, role: String(v.Role ?? ''), uses: String(v.AllowedUses ?? '') });
    }
    return out;
  }

  private publish(endpointId: string, cert: X509Certificate | undefined, inheritedRole: string, instance: number | undefined): void {
    const prev = this.sessions.get(endpointId);
    if (prev && prev.cert === cert && prev.inheritedRole === inheritedRole) return;
    this.sessions.delete(endpointId);
    this.sessions.set(endpointId, { cert, inheritedRole });
    if (this.sessions.size > MAX_PEER_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    if ((prev?.inheritedRole ?? '') === inheritedRole || instance === undefined) return;
    const inst = { node: this.controllerNode, keys: [instance] };
    this.model.changes.emit({ kind: 'value', inst, path: this.controllerNode.pathOf(inst.keys), param: 'InheritedRole', value: inheritedRole });
  }
}

/**
 * The verdict on a certificate that names no Endpoint ID, for the Endpoint ID claimed beside it
 * (DIGEST §6.3: from_id must equal the certificate's Endpoint ID, or the certificate must match the
 * controller's stored Credential). A CA's Role is the one other thing such a certificate earns, and
 * only for a controller whose row grants nothing of its own: otherwise anyone holding a certificate
 * from that CA could speak as that controller.
 */
function claimVerdict(endpointId: string, verdict: PeerVerdict, controller: PeerController | undefined): PeerVerdict {
  if (verdict.refused || verdict.pinned) return verdict;
  if (verdict.inheritedRole !== '' && (controller?.assignedRole ?? '') === '') return verdict;
  const why =
    verdict.inheritedRole === ''
      ? "the certificate names no Endpoint ID, is not pinned by the controller's Credential and no CA Credential gives it a Role"
      : `the certificate names no Endpoint ID and is not pinned by the Credential of ${endpointId}, which holds an AssignedRole`;
  return { refused: why, inheritedRole: '' };
}
