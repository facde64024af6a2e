/**
 * The local control socket: `<data-dir>/control.sock`, a USP UNIX domain socket server (TR-369
 * §"UNIX Domain Socket Binding", USP 1.3 framing and handshake) that every agent with a data
 * directory opens, whatever its Device.LocalAgent.MTP configuration. The `usp-agent get|set|...`
 * commands reach the agent through it as one local controller, LOCAL_CONTROLLER_EID.
 *
 * Who may connect is decided by the file system, as with ubus or obuspa's `-c`: the socket is
 * mode 0600 inside the 0700 data directory, so only the agent's own user (and root) reaches it.
 * That is why its connections hold full access. The identity is bound to this socket: a Record
 * from LOCAL_CONTROLLER_EID on any other connection is dropped (RecordProcessor's `boundIdentity`),
 * and notifications for it leave only through here (`Agent.notificationLinks`).
 *
 * The controller has a Device.LocalAgent.Controller.{i} row like any other (Subscription.Recipient
 * names it, so `usp-agent watch` can subscribe); it is made on the first Record, with the built-in
 * full-access role so its notifications pass the role check (TR-369 R-SEC.1, DIGEST §6.2).
 */
import { join } from 'node:path';
import type { Logger } from '../../datamodel/Logger.js';
import type { AccessView } from '../../datamodel/access/AccessView.js';
import { FULL_ACCESS } from '../../datamodel/access/AccessView.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import type { MtpConnection, RecordHandler } from '../../mtp/Mtp.js';
import { UdsServerMtp } from '../../mtp/uds/UdsServerMtp.js';
import { BUILTIN_ROLE } from '../access/builtin-roles.js';
import { ROLE_PATH } from '../access/load-trust.js';
import { encodeRecord, udsConnectRecord } from '../codec/record.js';
import type { ControllerLinks } from '../notify/NotificationDelivery.js';

/** The socket's file name inside the data directory. */
export const CONTROL_SOCKET_NAME = 'control.sock';
/** The Endpoint ID of the local controller (the `usp-agent` commands); reserved for this socket. */
export const LOCAL_CONTROLLER_EID = 'self::usp-agent-cli';
/** Owner only: the permission is the access check. */
export const CONTROL_SOCKET_MODE = 0o600;
/** A few shells at once (watch in one, set in another) is plenty; each costs a socket and buffers. */
const MAX_CONTROL_CONNECTIONS = 8;

/** Every right on everything, for requests that came through this socket. */
export const LOCAL_CONTROLLER_ACCESS: AccessView = {
  secured: true,
  instance: () => FULL_ACCESS,
  supported: () => FULL_ACCESS,
  visibleInstances: (_node, _keys, list) => list,
};

/** The control socket path of a data directory. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_NAME);
}

/** What the control socket needs from the composition root (agent/Agent.ts). */
export interface ControlSocketOptions {
  dataDir: string;
  model: DataModel;
  /** Device.LocalAgent.EndpointID. */
  agentEndpointId: string;
  /** Where Records go once the local controller's row exists (RecordProcessor.onRecord). */
  onRecord: RecordHandler;
  log: Logger;
}

/** `<data-dir>/control.sock`: the local controller's only way in, and its notifications' only way out. */
export class ControlSocket implements ControllerLinks {
  private readonly server: UdsServerMtp;
  /**
   * Connections whose Records came through this socket (the server hands us only its own), each
   * with the check of the controller row made before its first Record is processed: per
   * connection, so a row a remote controller deleted or changed is put back for the next command.
   */
  private readonly mine = new WeakMap<MtpConnection, Promise<void>>();

  constructor(private readonly opts: ControlSocketOptions) {
    this.server = new UdsServerMtp({
      path: controlSocketPath(opts.dataDir),
      agentEndpointId: opts.agentEndpointId,
      socketMode: CONTROL_SOCKET_MODE,
      maxConnections: MAX_CONTROL_CONNECTIONS,
      // `usp-agent watch` in one shell and `usp-agent set` in another share the identity.
      onePerPeer: false,
      connectRecord: (peer) => encodeRecord(udsConnectRecord({ toId: peer, fromId: opts.agentEndpointId })),
      onRecord: (record, conn) => this.onRecord(record, conn),
      log: opts.log,
    });
  }

  get path(): string {
    return this.server.path;
  }

  /** Binds the socket (a stale file left by a killed agent is replaced; a live one is an error). */
  async start(): Promise<void> {
    await this.server.start();
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  /** Whether `conn` came through this socket: the only links LOCAL_CONTROLLER_EID may use. */
  holds(conn: MtpConnection): boolean {
    return this.mine.has(conn);
  }

  /**
   * Notifications for the local controller (its `watch` subscriptions) go to every command
   * connected: each `watch` keeps those of its own Subscription ID, the other commands ignore Notify.
   */
  connectionFor(endpointId: string): MtpConnection | undefined {
    if (endpointId !== LOCAL_CONTROLLER_EID) return undefined;
    const conns = this.server.connectionsFor(endpointId);
    if (conns.length === 0) return undefined;
    return {
      protocol: 'UDS',
      peerEndpointId: endpointId,
      open: true,
      send: (record) => conns.map((c) => c.send(record)).some(Boolean),
      close: (code, reason) => {
        for (const c of conns) c.close(code, reason);
      },
    };
  }

  private onRecord(record: Uint8Array, conn: MtpConnection): void {
    // Only the local controller speaks here; another Endpoint ID has no row or rights of its own to use.
    if (conn.peerEndpointId !== LOCAL_CONTROLLER_EID) {
      this.opts.log.warn('control socket: record from another Endpoint ID dropped', { eid: conn.peerEndpointId ?? '', expected: LOCAL_CONTROLLER_EID });
      return;
    }
    let rowReady = this.mine.get(conn);
    if (!rowReady) {
      rowReady = ensureControllerRow(this.opts.model).catch((e: unknown) => {
        // Requests are still served (their rights come from the socket); only notifications need the row.
        this.opts.log.error('control socket: local controller row could not be made', { error: e instanceof Error ? e.message : String(e) });
      });
      this.mine.set(conn, rowReady);
    }
    void rowReady.then(() => this.opts.onRecord(record, conn));
  }
}

/**
 * Makes (or repairs) the local controller's Device.LocalAgent.Controller.{i} row: enabled, with
 * the built-in full-access role, so Subscriptions naming it are delivered.
 */
async function ensureControllerRow(model: DataModel): Promise<void> {
  const table = model.requireNode('Device.LocalAgent.Controller.{i}.');
  const role = `${ROLE_PATH.replace('{i}.', '')}${BUILTIN_ROLE}`;
  const want = { EndpointID: LOCAL_CONTROLLER_EID, Enable: true, AssignedRole: role };
  for (const n of await model.listInstances(table, [], {})) {
    const v = await model.readValues({ node: table, keys: [n] }, {});
    if (v.EndpointID !== LOCAL_CONTROLLER_EID) continue;
    if (v.Enable === true && v.AssignedRole === role) return;
    await Transaction.run(model, {}, (tx) => tx.set({ node: table, keys: [n] }, { Enable: true, AssignedRole: role }));
    return;
  }
  await Transaction.run(model, {}, async (tx) => {
    await tx.add(table, [], want);
  });
}
