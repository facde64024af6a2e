/**
 * Client certificates for fleet gateways, issued by the test CA (test-pki.ts) with the `openssl`
 * CLI: `<name>.pem` and `<name>.key` in `dir`, CN `<name>` (what Mosquitto's
 * `use_identity_as_username` makes the MQTT username) and the gateway's Endpoint ID in the SAN.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestPki } from './test-pki.js';

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Issues one P-256 client certificate, valid from now for 30 days; returns the file paths. */
export function issueGatewayCert(pki: TestPki, dir: string, name: string, endpointId: string): { certFile: string; keyFile: string } {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    ['[leaf]', 'basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = clientAuth', `subjectAltName = URI:urn:bbf:usp:id:${endpointId}`].join('\n') +
      '\n',
  );
  openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    pki.ca.certFile,
    '-CAkey',
    pki.ca.keyFile,
    '-set_serial',
    `0x${Buffer.from(name).toString('hex')}`,
    '-days',
    '30',
    '-extfile',
    ext,
    '-extensions',
    'leaf',
    '-out',
    `${name}.pem`,
  ]);
  return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
}
