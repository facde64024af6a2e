/**
 * A controller's WebSocket server for a fleet of agents that dial it (the WebSocket client MTP,
 * Device.LocalAgent.Controller.{i}.MTP.{i}.WebSocket): one `ws` server on loopback speaking
 * `v1.usp`, which tells the gateways apart by the Endpoint ID each names in its `eid` query
 * parameter (TR-369 R-WS.10b), sends requests down that gateway's own connection, matches the
 * answers by msg_id and keeps every Event notification (fleet-inbox.ts). `stop()` then
 * `listen()` again is a controller that went away and came back on the same port.
 * Used by bench/fleet.ts (`--mtp websocket`) and test/integration/fleet-websocket.test.ts.
 */
import { createServer, type Server } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeRecord } from '../agent/codec/record.js';
import type { Request, UspMsg } from '../agent/codec/types.js';
import { FleetInbox, type FleetEvent } from './fleet-inbox.js';
import { freePort } from './port.js';

/** The largest Record taken from a gateway, as the agent's own default (1 MiB). */
const MAX_RECORD_BYTES = 1024 * 1024;

export class FleetWsController {
  private readonly inbox: FleetInbox;
  /** Agent Endpoint ID → its open connection (the newest, when it dialled again). */
  private readonly links = new Map<string, WebSocket>();
  /** Agent Endpoint ID → how many WebSocketConnectRecords it sent (one per connection, R-MTP.6). */
  readonly connects = new Map<string, number>();
  private http?: Server;
  private wss?: WebSocketServer;

  private constructor(
    readonly endpointId: string,
    readonly port: number,
  ) {
    this.inbox = new FleetInbox(endpointId);
  }

  /** Listens on `port` of 127.0.0.1 (0: a free one); the gateways dial ws://127.0.0.1:<port>/usp. */
  static async listen(endpointId: string, port = 0): Promise<FleetWsController> {
    const c = new FleetWsController(endpointId, port === 0 ? await freePort() : port);
    await c.listen();
    return c;
  }

  /** Listens again on the same port (after stop()). */
  async listen(): Promise<void> {
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_RECORD_BYTES,
      perMessageDeflate: false,
      handleProtocols: (offered) => (offered.has('v1.usp') ? 'v1.usp' : false),
    });
    const http = createServer((_req, res) => {
      res.writeHead(426).end();
    });
    http.on('upgrade', (req, socket, head) => {
      const eid = new URL(req.url ?? '/', 'ws://controller').searchParams.get('eid');
      if (!eid) {
        // R-WS.10b: an agent names itself; without a name the connection could not be routed to.
        socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.accept(eid, ws));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.port, '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    });
    this.http = http;
    this.wss = wss;
  }

  private accept(eid: string, ws: WebSocket): void {
    this.links.set(eid, ws);
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      let rec;
      try {
        rec = decodeRecord(new Uint8Array(data));
      } catch {
        return;
      }
      // A Record must come from the Endpoint ID its connection named (as the agent's own server checks).
      if (rec.fromId !== eid) return;
      if (rec.body.kind === 'websocketConnect') this.connects.set(eid, (this.connects.get(eid) ?? 0) + 1);
      this.inbox.onRecord(rec);
    });
    ws.on('close', () => {
      if (this.links.get(eid) === ws) this.links.delete(eid);
      this.inbox.changed();
    });
    ws.on('error', () => undefined);
  }

  /** Agent Endpoint ID → the Event notifications it sent, oldest first. */
  get events(): Map<string, FleetEvent[]> {
    return this.inbox.events;
  }

  /** Gateways connected now. */
  get connected(): number {
    return this.links.size;
  }

  /** Sends `request` down the connection of the agent `agentEid`; resolves with its answer (Response or Error). */
  request(agentEid: string, request: Request, timeoutMs = 10_000): Promise<UspMsg> {
    return this.inbox.request(
      agentEid,
      request,
      (record) => {
        const ws = this.links.get(agentEid);
        if (!ws || ws.readyState !== WebSocket.OPEN) throw new Error(`${agentEid} is not connected`);
        ws.send(record, { binary: true });
      },
      timeoutMs,
    );
  }

  /** Resolves once `done()` holds, checked after each Record and each closed connection; rejects after `timeoutMs`. */
  waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return this.inbox.waitFor(done, timeoutMs, what);
  }

  /** How many agents sent the event `name`. */
  agentsThatSent(name: string): number {
    return this.inbox.agentsThatSent(name);
  }

  /** The controller goes away: every gateway's connection is dropped (no close handshake) and the port closed. */
  async stop(): Promise<void> {
    const { http, wss } = this;
    this.http = undefined;
    this.wss = undefined;
    for (const ws of wss?.clients ?? []) ws.terminate();
    this.links.clear();
    if (wss) await new Promise<void>((r) => wss.close(() => r()));
    if (http)
      await new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      });
  }
}
