/**
 * Device.Security.Certificate.{i} (TR-181 Security): the certificates the agent itself uses,
 * visible to controllers — its identity chain (leaf first) and the trust anchors from --ca — so
 * an operator can check over USP which certificate a CPE presents and which CAs it trusts.
 * Read-only; the rows are set once the TLS identity is loaded at start.
 */
import type { X509Certificate } from 'node:crypto';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { TlsIdentity } from '../../mtp/tls/TlsIdentity.js';
import { issuerOf, serialNumberOf } from './x509.js';

const PATH = 'Device.Security.Certificate.{i}.';
/** TR-181 string sizes of these parameters. */
const MAX_TEXT = 256;

export interface SecurityCertificates {
  /** Shows the identity's certificates (none when the agent runs without TLS). */
  setIdentity(id: TlsIdentity | undefined): void;
}

const PARAMS = ['Enable', 'LastModif', 'SerialNumber', 'Issuer', 'NotBefore', 'NotAfter', 'Subject', 'SubjectAlt'] as const;
const NO_ROWS: ReadonlyArray<Record<string, Value>> = [];

export function registerSecurityCertificates(model: DataModel): SecurityCertificates {
  const table = new SecurityCertificateRows();
  model.register(PATH, table);
  return table;
}

/** The table and its rows: a class, so a fleet's gateways share its methods and parameter list (issue 14). */
class SecurityCertificateRows implements ObjectBinding, SecurityCertificates {
  readonly params: readonly string[] = PARAMS;
  private rows = NO_ROWS;

  list(): number[] {
    return this.rows.map((_r, i) => i + 1);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    return { ...(this.rows[keys[0]! - 1] ?? {}) };
  }

  setIdentity(id: TlsIdentity | undefined): void {
    if (!id) {
      this.rows = NO_ROWS;
      return;
    }
    const loaded = isoSeconds(new Date());
    const seen = new Set<string>();
    this.rows = [...id.chain, ...id.trustAnchors].filter((c) => !seen.has(c.fingerprint256) && seen.add(c.fingerprint256)).map((c) => row(c, loaded));
  }
}

function row(c: X509Certificate, loaded: string): Record<string, Value> {
  return {
    Enable: true,
    LastModif: loaded,
    SerialNumber: serialNumberOf(c).slice(0, 64),
    Issuer: issuerOf(c),
    NotBefore: isoSeconds(new Date(c.validFrom)),
    NotAfter: isoSeconds(new Date(c.validTo)),
    Subject: c.subject.split('\n').filter(Boolean).reverse().join(',').slice(0, MAX_TEXT),
    SubjectAlt: (c.subjectAltName ?? '').split(', ').join(',').slice(0, MAX_TEXT),
  };
}

/** TR-106 dateTime in UTC without fractional seconds. */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
