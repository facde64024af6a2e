/**
 * Endpoint ID → Device.LocalAgent.Controller.{i} row and the controller's permissions, for the
 * request context (Subscription Recipient, access control). Cached, and rebuilt only when the
 * Controller table changes.
 *
 * A controller the agent does not know gets a row of its own (TR-369 "Determine Role"; TP-469
 * 2.9): EndpointID = its from_id, Enable = true, AssignedRole = ControllerTrust.UntrustedRole.
 * The row is made in a Transaction, so it is persisted and announced (ObjectCreation) like any
 * other; the controller then has exactly what UntrustedRole allows (nothing when it is empty).
 * Those rows are bounded, evicted and expired by UnknownControllerRows.ts.
 *
 * With a certificate on the connection (PeerTrust): Records on a connection whose certificate the
 * controller's Credential does not pin are refused, and the role the validating CA's Credential
 * gives is the controller's InheritedRole, added to AssignedRole. A controller first seen with an
 * InheritedRole gets an empty AssignedRole, not UntrustedRole ("Determine Role"). On a
 * connection accepted on first use (TOFU), the certificate is pinned to the controller's row.
 */
import type { AccessView } from '../datamodel/access/AccessView.js';
import type { Awaitable } from '../datamodel/tree/binding.js';
import type { DataModel } from '../datamodel/tree/DataModel.js';
import type { ModelNode } from '../datamodel/tree/ModelNode.js';
import { Transaction } from '../datamodel/tree/Transaction.js';
import type { MtpConnection } from '../mtp/Mtp.js';
import { AccessControl, unionRoles } from './access/AccessControl.js';
import type { ControllerPermissions } from './access/ControllerPermissions.js';
import type { PeerTrust } from './certificates/PeerTrust.js';
import { peerTrustOf } from './certificates/register-certificates.js';
import { DEFAULT_UNKNOWN_CONTROLLER_LIMITS, UnknownControllerRows, type UnknownControllerLimits } from './UnknownControllerRows.js';
import type { Change, ChangeObserver } from '../datamodel/tree/ChangeFeed.js';

export interface ControllerEntry {
  path: string;
  instance: number;
  alias: string;
  enabled: boolean;
  /** AssignedRole as stored: Role references, comma-separated. */
  assignedRole: string;
  /** Credential as stored: the Certificate references that pin the controller's certificate. */
  credential: string;
}

/** Who sent a request, as handlers need it. */
export interface ControllerSession {
  /** "Device.LocalAgent.Controller.N", or "" when no row could be made. */
  path: string;
  /** A row was created for this (unknown) controller just now. */
  created: boolean;
  /** The controller's rights for this one request. */
  access: AccessView;
  /** Why no row could be made for an unknown controller (it is served as untrusted anyway). */
  createError?: string;
  /**
   * Why the controller must not be served at all: its row is disabled (Controller.{i}.Enable) or
   * it holds ControllerTrust.BannedRole. Its Records are then dropped.
   */
  refused?: string;
  /** Why the certificate of a connection accepted on first use could not be pinned (retried on the next Record). */
  pinError?: string;
}

/**
 * Unknown controllers stop getting rows of their own once the table is this big, or once the rows
 * made for unknown endpoints reach their own bound (UnknownControllerRows.ts): anyone can send a
 * Record with a new from_id. They are then served with UntrustedRole and no row.
 */
export const MAX_CONTROLLER_ROWS = 256;
/** Endpoint IDs whose missing row was already logged (one line per refusal, not per Record). */
const MAX_ROWLESS_LOGGED = 1024;

export class ControllerDirectory implements ChangeObserver {
  private cache?: Map<string, ControllerEntry>;
  /** Bumped on every change, so a build that raced with one is not kept. */
  private generation = 0;
  private readonly table: ModelNode;
  readonly access: AccessControl;
  private get creating(): Map<string, Promise<ControllerEntry | undefined>> {
    return (this.creatingOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private creatingOf?: Map<string, Promise<ControllerEntry | undefined>>;
  /** Certificate-based trust, when the model serves Device.LocalAgent.Certificate. */
  private readonly peers?: PeerTrust;

  readonly unknownRows: UnknownControllerRows;
  private get rowless(): Set<string> {
    return (this.rowlessOf ??= new Set());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Set costs ~180 bytes. */
  private rowlessOf?: Set<string>;

  constructor(
    private readonly model: DataModel,
    limits: Partial<UnknownControllerLimits> = {},
  ) {
    this.table = model.requireNode('Device.LocalAgent.Controller.{i}.');
    this.peers = peerTrustOf(model);
    const peers = this.peers;
    this.unknownRows = new UnknownControllerRows(model, this.table, { ...DEFAULT_UNKNOWN_CONTROLLER_LIMITS, ...limits }, peers && ((c) => peers.dropOrphanPins(c)));
    this.access = new AccessControl(model);
    model.changes.observe(this);
  }

  /** The change feed's observer method (ChangeFeed.observe: no closure per gateway). */
  modelChanged(c: Change): void {
    if (c.inst.node === this.table) this.forget();
  }

  /** Call after changes made outside transactions (factory defaults, state load). */
  invalidate(): void {
    this.forget();
    this.access.invalidate();
  }

  private forget(): void {
    this.generation++;
    this.cache = undefined;
  }

  async lookup(endpointId: string): Promise<ControllerEntry | undefined> {
    return (await this.entries()).get(endpointId);
  }

  /** Every row with an EndpointID, by Endpoint ID (cached). */
  private async entries(): Promise<Map<string, ControllerEntry>> {
    let cache = this.cache;
    if (!cache) {
      const generation = this.generation;
      cache = await this.build();
      if (generation === this.generation) this.cache = cache;
    }
    return cache;
  }

  /**
   * Why Records from `endpointId` on `conn` must be dropped (its certificate is not one the
   * controller's Credential pins), or undefined when they may be processed.
   */
  async refusal(endpointId: string, conn: MtpConnection): Promise<string | undefined> {
    if (!conn.peerCertificate) return undefined;
    if (!this.peers) return conn.identity === 'claimed' ? 'the certificate names no Endpoint ID and no ControllerTrust can vouch for the one claimed' : undefined;
    return (await this.peers.verdict(endpointId, conn, await this.lookup(endpointId))).refused;
  }

  /**
   * The controller's row (made if it has none) and its rights for one request: AssignedRole ∪
   * the InheritedRole of `conn` (the connection the request came on).
   */
  session(endpointId: string, conn?: MtpConnection): Awaitable<ControllerSession> {
    // The usual request: a known controller, its row and rights already computed. Answered
    // without an async hop (each costs a microtask turn per request); otherwise the full path.
    const entry = this.cache?.get(endpointId);
    if (!entry || this.needsPin(entry, conn)) return this.sessionOfAnyone(endpointId, conn);
    const inherited = this.inheritedRole(endpointId, conn, entry);
    return typeof inherited === 'string' ? this.knownSession(endpointId, entry, inherited) : inherited.then((i) => this.knownSession(endpointId, entry, i));
  }

  /** The session of a controller that has a row needing no pin: session() from its InheritedRole on. */
  private knownSession(endpointId: string, entry: ControllerEntry, inherited: string): Awaitable<ControllerSession> {
    this.unknownRows.seen(endpointId);
    const roles = unionRoles(entry.assignedRole, inherited);
    const perms = this.access.cachedPermissions(roles);
    return perms ? sessionOf(entry, perms) : this.access.permissionsFor(roles).then((p) => sessionOf(entry, p));
  }

  /** Whether a Record on `conn` makes the agent pin the connection's certificate to the row (TOFU). */
  private needsPin(entry: ControllerEntry, conn: MtpConnection | undefined): boolean {
    return entry.credential === '' && conn?.trustedOnFirstUse === true && conn.peerCertificate !== undefined && this.peers !== undefined;
  }

  /** session() for any controller: made a row if it has none, its certificate pinned if need be. */
  private async sessionOfAnyone(endpointId: string, conn?: MtpConnection): Promise<ControllerSession> {
    let entry = await this.lookup(endpointId);
    const pending = this.inheritedRole(endpointId, conn, entry);
    const inherited = typeof pending === 'string' ? pending : await pending;
    let created = false;
    let createError: string | undefined;
    if (!entry) {
      try {
        entry = await this.createUnknown(endpointId, inherited);
        created = entry !== undefined;
        if (!entry) createError = this.rowlessOnce(endpointId);
      } catch (e) {
        createError = e instanceof Error ? e.message : String(e);
      }
    } else {
      this.unknownRows.seen(endpointId);
    }
    let pinError: string | undefined;
    if (entry && this.needsPin(entry, conn)) {
      await this.peers!.pinOnFirstUse(entry.instance, conn!.peerCertificate!).catch((e: unknown) => {
        pinError = e instanceof Error ? e.message : String(e);
      });
    }
    const roles = entry ? unionRoles(entry.assignedRole, inherited) : inherited || (await this.access.untrustedRole());
    const perms = await this.access.permissionsFor(roles);
    return { path: entry?.path ?? '', created, access: perms.view(), createError, refused: refusal(entry, perms), pinError };
  }

  /** InheritedRole for a request on `conn` (the controller's last connection's without one). */
  private inheritedRole(endpointId: string, conn: MtpConnection | undefined, entry: ControllerEntry | undefined): Awaitable<string> {
    if (!this.peers) return '';
    if (!conn) return this.peers.inheritedRole(endpointId);
    const v = this.peers.verdict(endpointId, conn, entry);
    return v instanceof Promise ? v.then((x) => x.inheritedRole) : v.inheritedRole;
  }

  /** One creation per Endpoint ID at a time: two Records arriving together make one row. */
  private createUnknown(endpointId: string, inheritedRole: string): Promise<ControllerEntry | undefined> {
    let p = this.creating.get(endpointId);
    if (!p) {
      p = this.addRow(endpointId, inheritedRole).finally(() => this.creating.delete(endpointId));
      this.creating.set(endpointId, p);
    }
    return p;
  }

  private async addRow(endpointId: string, inheritedRole: string): Promise<ControllerEntry | undefined> {
    const existing = await this.lookup(endpointId);
    if (existing) return existing;
    if (!(await this.unknownRows.makeRoom(await this.autoRows()))) return undefined;
    if ((await this.model.listInstances(this.table, [], {})).length >= MAX_CONTROLLER_ROWS) return undefined;
    const tx = new Transaction(this.model, {});
    try {
      const assigned = inheritedRole ? '' : await this.access.untrustedRole();
      await tx.add(this.table, [], { Alias: this.unknownRows.newAlias(), EndpointID: endpointId, Enable: true, AssignedRole: assigned });
      await tx.commit();
    } catch (e) {
      await tx.rollback();
      throw e;
    }
    this.forget();
    this.rowless.delete(endpointId);
    this.unknownRows.created(endpointId);
    return this.lookup(endpointId);
  }

  /** The rows made for unknown endpoints that still grant nothing of their own, by Endpoint ID. */
  private async autoRows(): Promise<Map<string, ControllerEntry>> {
    const untrusted = await this.access.untrustedRole();
    return new Map([...(await this.entries())].filter(([, e]) => this.unknownRows.isAuto(e, untrusted)));
  }

  /**
   * Whether `endpointId` is a configured controller: it has a Controller row that was not made for
   * an unknown endpoint (WebSocket server slots are kept for those, start-websocket-servers.ts).
   */
  async isConfigured(endpointId: string): Promise<boolean> {
    const e = await this.lookup(endpointId);
    return e !== undefined && !this.unknownRows.isAuto(e, await this.access.untrustedRole());
  }

  /** Deletes the rows made for unknown endpoints that were idle too long (UnknownControllerRows.ts). */
  async expireUnknown(): Promise<string[]> {
    return this.unknownRows.deleteExpired(await this.autoRows());
  }

  /** Why `endpointId` got no row, the first time only (later Records are not logged again). */
  private rowlessOnce(endpointId: string): string | undefined {
    if (this.rowless.has(endpointId)) return undefined;
    if (this.rowless.size >= MAX_ROWLESS_LOGGED) this.rowless.delete(this.rowless.values().next().value!);
    this.rowless.add(endpointId);
    return `no room for another Controller row (${this.unknownRows.limits.maxRows} made for unknown endpoints, ${MAX_CONTROLLER_ROWS} in all)`;
  }

  private async build(): Promise<Map<string, ControllerEntry>> {
    const map = new Map<string, ControllerEntry>();
    for (const n of await this.model.listInstances(this.table, [], {})) {
      const v = await this.model.readValues({ node: this.table, keys: [n] }, {});
      const eid = String(v.EndpointID ?? '');
      if (eid) {
        map.set(eid, {
          path: `Device.LocalAgent.Controller.${n}`,
          instance: n,
          alias: String(v.Alias ?? ''),
          enabled: v.Enable === true,
          assignedRole: String(v.AssignedRole ?? ''),
          credential: String(v.Credential ?? ''),
        });
      }
    }
    return map;
  }
}

/** Why a controller is not served at all (see ControllerSession.refused), or undefined. */
function refusal(entry: ControllerEntry | undefined, perms: ControllerPermissions): string | undefined {
  if (entry && !entry.enabled) return 'Controller.{i}.Enable is false';
  return perms.banned ? 'the controller holds ControllerTrust.BannedRole' : undefined;
}

/** The session of a controller with a row (nothing created or pinned for this request). */
function sessionOf(entry: ControllerEntry, perms: ControllerPermissions): ControllerSession {
  return { path: entry.path, created: false, access: perms.view(), createError: undefined, refused: refusal(entry, perms), pinError: undefined };
}
