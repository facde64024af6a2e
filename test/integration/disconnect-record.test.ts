/**
 * R-MTP.7/9: before the agent closes a link itself (stop, or an MTP restart after a configuration
 * change), it sends the peer a DisconnectRecord with a reason; on the WebSocket server MTP and on
 * the WebSocket client MTP (agent dials), against real ws peers.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { decodeRecord, type DecodedRecord } from '../../agent/codec/record.js';
import { AGENT_EID, CONTROLLER_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { waitUntil } from '../peers/controller-link.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function expectDisconnect(rec: DecodedRecord | undefined, to: string): void {
  expect(rec?.body.kind).toBe('disconnect');
  expect(rec).toMatchObject({ toId: to, fromId: AGENT_EID });
  if (rec?.body.kind === 'disconnect') expect(rec.body.reason).toMatch(/MTP closing/);
}

describe('DisconnectRecord before the agent closes a link (R-MTP.7)', () => {
  it('WebSocket server: the connected controller gets one as the last Record, then the close (1001)', async () => {
    const f: AgentFixture = await startAgent({ platform: 'none' });
    cleanups.push(() => f.close());
    await f.agent.stop();
    await waitUntil(() => f.controller.closed !== undefined, 3000, 'the close');
    expect(f.controller.closed?.code).toBe(1001);
    expectDisconnect(f.controller.records.at(-1), CONTROLLER_EID);
  });

  it('WebSocket client: the dialled controller gets the Connect record first and a DisconnectRecord last', async () => {
    const received: DecodedRecord[] = [];
    let closeCode: number | undefined;
    const http: Server = createServer();
    const wss = new WebSocketServer({ server: http, handleProtocols: (p) => (p.has('v1.usp') ? 'v1.usp' : false) });
    wss.on('connection', (ws) => {
      ws.on('message', (d: Buffer) => received.push(decodeRecord(new Uint8Array(d))));
      ws.on('close', (code) => {
        closeCode = code;
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    cleanups.push(async () => {
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    });
    const port = (http.address() as { port: number }).port;
    const P = 'Device.LocalAgent.Controller.1.MTP.1.';
    const f = await startAgent({
      platform: 'none',
      extra: {
        [`${P}Enable`]: true,
        [`${P}Protocol`]: 'WebSocket',
        [`${P}WebSocket.Host`]: '127.0.0.1',
        [`${P}WebSocket.Port`]: port,
        [`${P}WebSocket.Path`]: '/usp',
        [`${P}WebSocket.EnableEncryption`]: false,
      },
    });
    cleanups.push(() => f.close());
    await waitUntil(() => received.length >= 1, 3000, 'the Connect record');
    expect(received[0]?.body.kind).toBe('websocketConnect');
    await f.agent.stop();
    await waitUntil(() => closeCode !== undefined, 3000, 'the close');
    expect(closeCode).toBe(1001);
    expectDisconnect(received.at(-1), CONTROLLER_EID);
  });
});
