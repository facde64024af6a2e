/**
 * A test PKI made at test time with the `openssl` CLI (P-256 keys, `openssl ca` so validity dates
 * can be set freely): a test CA, the agent's certificate, two controllers, a broker, and the bad
 * cases the agent must refuse at the TLS handshake (expired, not yet valid, foreign CA). Built once into
 * os.tmpdir() and shared by every test file of a run (and runs within a week) through a directory
 * keyed by this file's content; built in a scratch directory and renamed into place, so parallel
 * workers never see half a PKI.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_AGENT_EID = 'proto::agent-under-test';
export const TEST_CONTROLLER_1_EID = 'proto::controller-1';
export const TEST_CONTROLLER_2_EID = 'proto::controller-2';
export const TEST_FQDN_HOST = 'controller.example.com';

/** One certificate with its key: file paths (for --cert/--key) and PEM text (for TLS options). */
export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  ca: TestCert;
  foreignCa: TestCert;
  /** SAN URI urn:bbf:usp:id:proto::agent-under-test, IP 127.0.0.1, DNS localhost. */
  agent: TestCert;
  controller1: TestCert;
  controller2: TestCert;
  /** controller-1, valid 2020-01-01 .. 2021-01-01. */
  expired: TestCert;
  /** controller-1, valid from ten years after the PKI was made. */
  notYetValid: TestCert;
  /** controller-1's Endpoint ID, signed by a CA the agent does not trust. */
  foreign: TestCert;
  /** Only a dNSName SAN (controller.example.com), for fqdn:: Endpoint IDs. */
  fqdn: TestCert;
  /** No subjectAltName at all. */
  noSan: TestCert;
  /** URI SANs: a web URL, then controller-2's URN, then controller-1's: the first URN counts. */
  multiUri: TestCert;
  /** A server certificate for test brokers (Mosquitto over TLS): DNS localhost, IP 127.0.0.1. */
  broker: TestCert;
}

const REUSE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const NAMES = ['agent', 'controller1', 'controller2', 'expired', 'notYetValid', 'foreign', 'fqdn', 'noSan', 'multiUri', 'broker'] as const;

let cached: TestPki | undefined;

/** The shared test PKI, made on first use. Needs `openssl` on the PATH. */
export function testPki(): TestPki {
  if (cached) return cached;
  const self = readFileSync(fileURLToPath(import.meta.url));
  const dir = join(tmpdir(), `usp-agent-test-pki-${createHash('sha256').update(self).digest('hex').slice(0, 12)}`);
  const marker = join(dir, 'ready');
  const fresh = (): boolean => existsSync(marker) && Date.now() - statSync(marker).mtimeMs < REUSE_MAX_AGE_MS;
  if (!fresh()) {
    const scratch = mkdtempSync(`${dir}.tmp-`);
    build(scratch);
    writeFileSync(join(scratch, 'ready'), new Date().toISOString());
    if (!fresh()) rmSync(dir, { recursive: true, force: true }); // stale, from an earlier run
    try {
      renameSync(scratch, dir);
    } catch {
      rmSync(scratch, { recursive: true, force: true });
    } // another worker won
  }
  const load = (name: string): TestCert => {
    const certFile = join(dir, `${name}.pem`);
    const keyFile = join(dir, `${name}.key`);
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  };
  const pki = { dir, ca: load('ca'), foreignCa: load('foreign-ca') } as TestPki;
  for (const n of NAMES) pki[n] = load(n);
  return (cached = pki);
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** YYYYMMDDHHMMSSZ, the GeneralizedTime form `openssl ca -startdate/-enddate` takes. */
function asn1Time(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function caConfig(caDir: string): string {
  return `[ca]
default_ca = test_ca
[test_ca]
dir = ${caDir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.pem
private_key = $dir/ca.key
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[policy_any]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;
}

function makeCa(root: string, name: string, cn: string): string {
  const caDir = join(root, `${name}.d`);
  mkdirSync(join(caDir, 'newcerts'), { recursive: true });
  writeFileSync(join(caDir, 'index.txt'), '');
  writeFileSync(join(caDir, 'serial'), '1000\n');
  writeFileSync(join(caDir, 'ca.cnf'), caConfig(caDir));
  openssl(caDir, [
    'req',
    '-x509',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '3650',
    '-subj',
    `/CN=${cn}`,
    '-config',
    'ca.cnf',
    '-extensions',
    'ca_ext',
  ]);
  writeFileSync(join(root, `${name}.pem`), readFileSync(join(caDir, 'ca.pem')));
  writeFileSync(join(root, `${name}.key`), readFileSync(join(caDir, 'ca.key')));
  return caDir;
}

function makeLeaf(root: string, caDir: string, name: string, cn: string, san: string | undefined, from: Date, to: Date): void {
  const ext = [
    '[leaf]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = clientAuth, serverAuth',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
  ];
  if (san) ext.push(`subjectAltName = ${san}`);
  writeFileSync(join(root, `${name}.ext`), ext.join('\n') + '\n');
  openssl(root, [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
    '-config',
    join(caDir, 'ca.cnf'),
  ]);
  openssl(root, [
    'ca',
    '-batch',
    '-config',
    join(caDir, 'ca.cnf'),
    '-in',
    `${name}.csr`,
    '-out',
    `${name}.pem`,
    '-notext',
    '-extfile',
    `${name}.ext`,
    '-extensions',
    'leaf',
    '-startdate',
    asn1Time(from),
    '-enddate',
    asn1Time(to),
  ]);
}

function build(root: string): void {
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  // Valid ones start a day back, so a slightly lagging clock still accepts them.
  const from = new Date(now - day);
  const to = new Date(now + 365 * day);
  const urn = (eid: string) => `URI:urn:bbf:usp:id:${eid}`;
  const ca = makeCa(root, 'ca', 'USP Agent Test CA');
  const foreignCa = makeCa(root, 'foreign-ca', 'Some Other CA');
  makeLeaf(root, ca, 'agent', 'agent-under-test', `${urn(TEST_AGENT_EID)}, IP:127.0.0.1, DNS:localhost`, from, to);
  makeLeaf(root, ca, 'controller1', 'controller-1', urn(TEST_CONTROLLER_1_EID), from, to);
  makeLeaf(root, ca, 'controller2', 'controller-2', urn(TEST_CONTROLLER_2_EID), from, to);
  makeLeaf(root, ca, 'expired', 'controller-1 expired', urn(TEST_CONTROLLER_1_EID), new Date('2020-01-01T00:00:00Z'), new Date('2021-01-01T00:00:00Z'));
  makeLeaf(root, ca, 'notYetValid', 'controller-1 future', urn(TEST_CONTROLLER_1_EID), new Date(now + 3650 * day), new Date(now + 4015 * day));
  makeLeaf(root, foreignCa, 'foreign', 'controller-1 foreign', urn(TEST_CONTROLLER_1_EID), from, to);
  makeLeaf(root, ca, 'fqdn', TEST_FQDN_HOST, `DNS:${TEST_FQDN_HOST}, DNS:*.example.com`, from, to);
  makeLeaf(root, ca, 'noSan', 'no-san', undefined, from, to);
  makeLeaf(root, ca, 'multiUri', 'multi-uri', `URI:https://controller.example.com/usp, ${urn(TEST_CONTROLLER_2_EID)}, ${urn(TEST_CONTROLLER_1_EID)}`, from, to);
  makeLeaf(root, ca, 'broker', 'test-broker', 'DNS:localhost, IP:127.0.0.1', from, to);
}
