/**
 * A small PKI for the TLS figures, made at bench time with the `openssl` CLI in a temp dir
 * (P-256 keys, as test/peers/test-pki.ts makes its own): a CA, the agent's certificate (SAN
 * URI urn:bbf:usp:id:<agent EID>, IP 127.0.0.1, DNS localhost) and one controller's
 * (urn:bbf:usp:id:<controller EID>), valid for two days from now.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** File paths (for --cert/--key/--ca) and PEM text (for TLS options). */
export interface PemPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface BenchPki {
  dir: string;
  ca: PemPair;
  agent: PemPair;
  controller: PemPair;
  cleanup(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeBenchPki(agentEid: string, controllerEid: string): BenchPki {
  const dir = mkdtempSync(join(tmpdir(), 'usp-bench-pki-'));
  const ossl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const leaf = (name: string, san: string): PemPair => {
    writeFileSync(
      join(dir, `${name}.ext`),
      ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth,clientAuth', `subjectAltName=${san}`, ''].join('\n'),
    );
    ossl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
    return load(name);
  };
  const load = (name: string): PemPair => {
    const certFile = join(dir, `${name}.pem`);
    const keyFile = join(dir, `${name}.key`);
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  };
  try {
    ossl(
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=usp-bench-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    return {
      dir,
      ca: load('ca'),
      agent: leaf('agent', `URI:urn:bbf:usp:id:${agentEid}, IP:127.0.0.1, DNS:localhost`),
      controller: leaf('controller', `URI:urn:bbf:usp:id:${controllerEid}`),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
