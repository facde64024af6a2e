/**
 * usp-js over the USP WebSocket binding: a peer adapter for interop tests.
 *
 * `usp-js` (npm, BSD-3-Clause, by IOPSYS) is an independent USP Controller
 * library with its own encoder/decoder (protobufjs 6 + its own JSON copies of
 * the USP 1.0–1.4 protos). Its default `connect()` is MQTT only: `protocol:
 * "ws"` means MQTT-over-WebSocket (async-mqtt), which cannot talk to the
 * agent's USP WebSocket server MTP.
 *
 * The library exposes one public extension point for this: `build({
 * connectClient, decodeID, loadProtobuf })` (README section "Making a new
 * connect function", type `BuildConnectionFn` in usp-js/node/types.d.ts). It
 * returns a `connect(options, events)` that is identical to the default one
 * except for the transport. This adapter uses only that hook:
 *
 *  - connectClient (REPLACED): instead of an MQTT client it returns a small
 *    `ConnectionClient` shim over a real `ws` WebSocket client connected to
 *    `ws://host:port/path?eid=<controller EID>` with subprotocol `v1.usp`.
 *    `publish(topic, record)` sends the usp-js-encoded Record as ONE binary
 *    frame (topic ignored); `subscribe`/`unsubscribe` are no-ops (there are no
 *    topics on this MTP); every binary frame received is handed to usp-js's
 *    "message" listeners as `(topic "", Buffer)`; `end()` closes the socket.
 *  - decodeID (trivial): only used by usp-js's MQTT "obuspa/EndpointID"
 *    discovery of the agent EID. We always pass `toId`, so it is never used.
 *  - loadProtobuf (NOT replaced): usp-js's own `loadProtobuf` from
 *    `usp-js/node/configurations/mqtt`, which its README says to reuse when no
 *    alteration is needed. So the Records on the wire are usp-js's own
 *    encoding, which is the point of an independent peer.
 *
 * Filtering of incoming frames (why): usp-js assumes every inbound Record
 * carries a USP Msg. A WebSocketConnectRecord (no payload) makes it log `{}`
 * to the console and report a parse error; a DisconnectRecord makes it
 * `throw` from inside the socket's event listener; an undecodable frame also
 * throws there. The adapter therefore decodes the Record envelope (with
 * usp-js's own Record type) and forwards only `no_session_context` /
 * `session_context` Records. Everything else is kept in `nonMsgRecords` and
 * reported via `onNonMsgRecord`. Text frames (the binding requires binary)
 * are dropped and reported as errors. Exceptions thrown by usp-js while
 * digesting a frame are caught and reported rather than crashing the process.
 *
 * Frames that arrive before `connectUspJs()` has resolved (e.g. a Boot!
 * Notify sent as soon as the connection is up) are queued and delivered on
 * the next macrotask after it resolves, so `device.on(...)` registered right
 * after the `await` still sees them.
 *
 * No usp-js file is patched; this works from a fresh `npm ci`.
 */
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import { build } from 'usp-js';
import { loadProtobuf } from 'usp-js/node/configurations/mqtt.js';
import type { ConnectClientFn, ConnectionClient, USP, URLConnectionOptions } from 'usp-js/node/types.js';

/** The usp-js device API object (what usp-js's `connect()` resolves to). */
export type UspJsDevice = USP;

/** USP WebSocket binding subprotocol. */
export const USP_WS_SUBPROTOCOL = 'v1.usp';

export interface UspJsWsOptions {
  /** Agent WebSocket server URL, e.g. `ws://127.0.0.1:8080/usp`. `eid` is added to its query. */
  url: string;
  /** Sent as `?eid=` and as `from_id` of every Record usp-js encodes. */
  controllerEndpointId: string;
  /** Used as `to_id` of every Record usp-js encodes. Must not contain "+" (see below). */
  agentEndpointId: string;
  /** WebSocket open timeout (also usp-js's `connectTimeout`). Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Extra `ws` client options (TLS, headers...). `protocol`s are fixed to `v1.usp`. */
  wsOptions?: ClientOptions;
  /** usp-js `onError` events plus adapter-level errors (bad frames, usp-js throws). */
  onError?: (err: unknown) => void;
  /** Called for each received Record that carries no USP Msg (WebSocketConnect, Disconnect, ...). */
  onNonMsgRecord?: (rec: NonMsgRecord) => void;
  /** Raw tap on every binary frame, both directions, before any filtering. */
  onFrame?: (direction: 'in' | 'out', frame: Buffer) => void;
}

export interface NonMsgRecord {
  /** protobufjs oneof name of `record_type`, e.g. "websocketConnect", "disconnect". */
  kind: string;
  version: string;
  toId: string;
  fromId: string;
  /** The decoded Record as a plain object (usp-js's protobufjs, longs/enums as strings). */
  record: Record<string, unknown>;
}

export interface UspJsWsConnection {
  /** Connected usp-js device API (get, set, add, del, operate, subscribe, on, ...). */
  device: UspJsDevice;
  /** The underlying WebSocket (for asserting protocol, closing abruptly, etc.). */
  ws: WebSocket;
  /** Records received that were not forwarded to usp-js because they carry no Msg. */
  nonMsgRecords: NonMsgRecord[];
  /** Everything that was passed to `onError`, in order. */
  errors: unknown[];
  /** Close the WebSocket (normal closure) and wait for it to be closed. Idempotent. */
  close(): Promise<void>;
}

type Listener = (...args: unknown[]) => void;

const MSG_RECORD_KINDS = new Set(['noSessionContext', 'sessionContext']);

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function withEid(url: string, eid: string): string {
  const u = new URL(url);
  u.searchParams.set('eid', eid);
  return u.toString();
}

/**
 * Connect a usp-js controller to the agent's USP WebSocket server.
 * Resolves once the WebSocket is open (subprotocol `v1.usp` negotiated) and
 * usp-js is ready; no USP message is exchanged during connect.
 */
export async function connectUspJs(opts: UspJsWsOptions): Promise<UspJsWsConnection> {
  const { controllerEndpointId, agentEndpointId } = opts;
  if (agentEndpointId.includes('+')) {
    // usp-js rewrites "+" in toId to "%2B" (an MQTT-topic fix-up), which would
    // silently address Records to the wrong Endpoint ID.
    throw new Error(`usp-js cannot address agent EID containing '+': ${agentEndpointId}`);
  }
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  const errors: unknown[] = [];
  const nonMsgRecords: NonMsgRecord[] = [];
  const reportError = (err: unknown): void => {
    errors.push(err);
    opts.onError?.(err);
  };

  // usp-js's own Record type, used only to peek at the record_type oneof.
  const recordType = (await loadProtobuf('1.4')).rootRecord.lookupType('usp_record.Record');

  let ws: WebSocket | undefined;
  const listeners = new Map<string, Listener[]>();
  const emit = (event: string, ...args: unknown[]): void => {
    for (const fn of listeners.get(event) ?? []) {
      try {
        fn(...args);
      } catch (err) {
        reportError(err);
      }
    }
  };

  let paused = true;
  const queue: Buffer[] = [];

  const deliver = (frame: Buffer): void => {
    let rec: Record<string, unknown> & { recordType?: string };
    try {
      rec = recordType.decode(frame);
    } catch (err) {
      reportError(new Error(`undecodable USP Record frame (${frame.length} bytes): ${String(err)}`));
      return;
    }
    const kind = rec.recordType ?? 'none';
    if (MSG_RECORD_KINDS.has(kind)) {
      emit('message', '', frame);
      return;
    }
    const info: NonMsgRecord = {
      kind,
      version: String(rec['version'] ?? ''),
      toId: String(rec['toId'] ?? ''),
      fromId: String(rec['fromId'] ?? ''),
      record: recordType.toObject(rec, { longs: String, enums: String, bytes: String }),
    };
    nonMsgRecords.push(info);
    opts.onNonMsgRecord?.(info);
  };

  const onWsMessage = (data: RawData, isBinary: boolean): void => {
    const frame = toBuffer(data);
    opts.onFrame?.('in', frame);
    if (!isBinary) {
      reportError(new Error(`text frame received; USP WebSocket binding requires binary frames`));
      return;
    }
    if (paused) queue.push(frame);
    else deliver(frame);
  };

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (closed) return closed;
    const sock = ws;
    closed = new Promise<void>((resolve) => {
      if (!sock || sock.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => sock.terminate(), 2000);
      sock.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (sock.readyState === WebSocket.CONNECTING) sock.terminate();
      else if (sock.readyState === WebSocket.OPEN) sock.close(1000);
    });
    return closed;
  };

  const client: ConnectionClient = {
    on: (key, fn) => {
      const list = listeners.get(key) ?? [];
      list.push(fn as Listener);
      listeners.set(key, list);
    },
    subscribe: () => undefined,
    unsubscribe: () => undefined,
    publish: (_topic, msg: Uint8Array) => {
      const frame = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength);
      opts.onFrame?.('out', frame);
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        reportError(new Error('usp-js tried to send a Record while the WebSocket is not open'));
        return;
      }
      ws.send(frame, { binary: true });
    },
    // usp-js's `disconnect()` returns this; its typings promise a Promise<void>.
    end: close as () => void,
  };

  const connectClient: ConnectClientFn = () =>
    new Promise<ConnectionClient>((resolve, reject) => {
      const sock = new WebSocket(withEid(opts.url, controllerEndpointId), [USP_WS_SUBPROTOCOL], {
        ...opts.wsOptions,
        handshakeTimeout: opts.wsOptions?.handshakeTimeout ?? connectTimeoutMs,
      });
      ws = sock;
      const onOpenError = (err: Error): void => reject(err);
      sock.once('error', onOpenError);
      sock.once('open', () => {
        sock.off('error', onOpenError);
        if (sock.protocol !== USP_WS_SUBPROTOCOL) {
          sock.terminate();
          reject(new Error(`server selected subprotocol '${sock.protocol}', expected '${USP_WS_SUBPROTOCOL}'`));
          return;
        }
        sock.on('message', onWsMessage);
        sock.on('error', (err) => emit('error', err));
        sock.on('close', () => emit('close'));
        resolve(client);
      });
    });

  const connect = build({
    connectClient,
    decodeID: (data: unknown) => String(data),
    loadProtobuf,
  });

  const connectOptions: URLConnectionOptions = {
    url: opts.url,
    username: '',
    password: '',
    toId: agentEndpointId,
    fromId: controllerEndpointId,
    connectTimeout: connectTimeoutMs,
  };

  let device: USP;
  try {
    device = await connect(connectOptions, { onError: reportError });
  } catch (err) {
    // usp-js rejects with a plain string on its own connect timeout.
    await close();
    throw err instanceof Error ? err : new Error(`usp-js connect failed: ${String(err)}`);
  }

  setImmediate(() => {
    paused = false;
    for (const frame of queue.splice(0)) deliver(frame);
  });

  return { device, ws: ws as WebSocket, nonMsgRecords, errors, close };
}
