/**
 * Whose server certificate the agent accepts when it dials a controller over wss (TR-369 "Check
 * Cert" step for the agent as TLS client): the certificate must name the URL
 * host (Node's usual check, wildcards allowed), or the host is a local name (`*.local`,
 * `*.home.arpa`, where no public CA can vouch for a name), or the certificate carries the target
 * controller's Endpoint ID in its subjectAltName. Chain and dates are checked by TLS before this.
 */
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { endpointIdFromCert } from '../tls/endpoint-id-from-cert.js';

const LOCAL_NAME = /\.(local|home\.arpa)\.?$/i;

/** A `checkServerIdentity` for tls.connect: undefined accepts, an Error refuses the handshake. */
export function controllerServerIdentity(controllerEndpointId: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const err = checkServerIdentity(host, cert);
    if (!err) return undefined;
    if (LOCAL_NAME.test(host)) return undefined;
    if (endpointIdFromCert({ subjectAltName: cert.subjectaltname }, controllerEndpointId) === controllerEndpointId) return undefined;
    return err;
  };
}
