/**
 * Baseline peer for the pipelined Get: a bare `ws` server in its own process that answers the n-th
 * binary message of a connection with the n-th (cyclically) of a list of pre-recorded response
 * Records. The bench records those from the agent itself, so the echo sends byte-identical GetResp
 * Records for the identical request Records, and the same client can match them by msg_id.
 *
 *   node dist/bench/ws-echo.js PORT RESPONSES_FILE
 *
 * Server options match the agent's WebSocket MTP: no compression, v1.usp subprotocol, 1 MiB limit.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { readResponses } from './echo-responses.js';

const [port, file] = process.argv.slice(2);
if (!port || !file) {
  process.stderr.write('usage: ws-echo PORT RESPONSES_FILE\n');
  process.exit(2);
}
const responses = readResponses(file);

const http = createServer((_req, res) => {
  res.writeHead(426).end();
});
const wss = new WebSocketServer({
  server: http,
  maxPayload: 1024 * 1024,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('v1.usp') ? 'v1.usp' : false),
});
wss.on('connection', (ws) => {
  let n = 0;
  ws.on('message', (_data, isBinary) => {
    if (isBinary) ws.send(responses[n++ % responses.length]!, { binary: true });
  });
});
http.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
