/**
 * One WebSocket session per controller across the agent's server and client MTPs (TR-369 R-WS.4:
 * only one WebSocket session between any two endpoints; TP-469 7.2 accepts closing the first or
 * refusing the second). When the agent's own connection to a controller (WebSocket client MTP,
 * Controller.{i}.MTP.{j}) is up, that one is kept and the controller's connection to the agent's
 * server is refused (409), or closed when the agent's connection opens after it. Why this one:
 * - it is the session the operator configured for that controller, carrying its back-off state
 *   (CurrentRetryCount) and its notifications' route;
 * - its peer is who the agent chose to dial, its server certificate checked for that host or
 *   Endpoint ID, while an inbound connection on plain WebSocket is only the peer's word;
 * - the client MTP dials again after any close (R-WS.19), so dropping its session instead would
 *   only start a loop of reconnections, whereas a refused inbound controller keeps the session it has.
 */
import { WebSocketClientMtp } from '../../mtp/websocket/WebSocketClientMtp.js';
import { WebSocketServerMtp } from '../../mtp/websocket/WebSocketServerMtp.js';
import type { StartedTransport } from './TransportDeps.js';

/** Why the server must refuse `endpointId` (the agent's own session to it is up), or undefined. */
export function dialledSession(running: readonly StartedTransport[], endpointId: string): string | undefined {
  const dialled = running.some((m) => m instanceof WebSocketClientMtp && m.connectionFor(endpointId) !== undefined);
  return dialled ? "the agent's own WebSocket connection to this controller is up; only one session is kept (R-WS.4)" : undefined;
}

/** The agent's connection to `endpointId` opened: its connection to the agent's servers goes. */
export function closeInboundSessions(running: readonly StartedTransport[], endpointId: string): void {
  for (const m of running) if (m instanceof WebSocketServerMtp) m.disconnect(endpointId, "replaced by the agent's own connection (R-WS.4)");
}
