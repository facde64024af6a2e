/**
 * Baseline peer for the TLS handshake: a bare Node TLS server in its own process with the
 * agent's certificate and the same TLS settings as the agent's wss server (TLS 1.2+, client
 * certificate required and verified against the CA); it reads and drops whatever arrives.
 *
 *   node dist/bench/tls-bare.js PORT CERT_PEM KEY_PEM CA_PEM
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';

const [port, cert, key, ca] = process.argv.slice(2);
if (!port || !cert || !key || !ca) {
  process.stderr.write('usage: tls-bare PORT CERT_PEM KEY_PEM CA_PEM\n');
  process.exit(2);
}
const server = createServer(
  {
    cert: readFileSync(cert),
    key: readFileSync(key),
    ca: readFileSync(ca),
    minVersion: 'TLSv1.2',
    requestCert: true,
    rejectUnauthorized: true,
  },
  (socket) => {
    socket.on('error', () => undefined);
    socket.resume();
  },
);
server.on('tlsClientError', () => undefined);
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
