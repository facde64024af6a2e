/**
 * Device.LocalAgent.Certificate.{i} (TR-181 LocalAgent:1): the certificates the agent knows, kept
 * in its DataStore with each one's PEM stored alongside the row (the schema has no parameter for
 * it, so it is never served). The table is readOnly for controllers: rows come from
 * AddCertificate()/AddMyCertificate() and go with Certificate.{i}.Delete(), which also removes
 * the references to the row (Controller.{i}.Credential, ControllerTrust.Credential.{i}.Credential).
 * A row alone grants nothing (TP-469 9.2); trust comes from those references.
 */
import type { X509Certificate } from 'node:crypto';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { InstanceKeys, ObjectBinding, RequestContext } from '../../datamodel/tree/binding.js';
import type { Change } from '../../datamodel/tree/ChangeFeed.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ModelNode } from '../../datamodel/tree/ModelNode.js';
import { Transaction } from '../../datamodel/tree/Transaction.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { parseCertificatePem, type ParsedCertificate } from './x509.js';

export const CERTIFICATE_PATH = 'Device.LocalAgent.Certificate.{i}.';
const TABLE_PATH = 'Device.LocalAgent.Certificate.';
const PARAMS = ['Alias', 'Enable', 'SerialNumber', 'Issuer'] as const;
/** Row key of the PEM text; not a TR-181 parameter, so the binding never serves it. */
const PEM_KEY = '#PEM';
/** Rows at most; AddCertificate() beyond it fails with 7005. */
export const MAX_CERTIFICATES = 256;

/** The places that refer to Certificate rows: [object, parameter, is a list]. */
const REFERRERS: ReadonlyArray<readonly [string, string, boolean]> = [
  ['Device.LocalAgent.Controller.{i}.', 'Credential', true],
  ['Device.LocalAgent.ControllerTrust.Credential.{i}.', 'Credential', false],
];

const REF_RE = /^Device\.LocalAgent\.Certificate\.(\d+)\.?$/;

/** "Device.LocalAgent.Certificate.3" (as references to rows are written). */
export function certificateRef(n: number): string {
  return `${TABLE_PATH}${n}`;
}

/** A Certificate reference → its instance number; undefined for anything else. */
export function certificateInstance(ref: string): number | undefined {
  const m = REF_RE.exec(ref.trim());
  return m ? Number(m[1]) : undefined;
}

/** The instance numbers a reference list (Controller.{i}.Credential) names. */
export function certificateInstances(list: string): number[] {
  return list
    .split(',')
    .map(certificateInstance)
    .filter((n): n is number => n !== undefined);
}

export class CertificateTable {
  readonly node: ModelNode;
  private readonly binding: ObjectBinding;
  /** Parsed certificates by instance, while the stored PEM is the same. */
  private get parsed(): Map<number, { pem: string; cert: X509Certificate }> {
    return (this.parsedOf ??= new Map());
  }
  /** Made at first use: most gateways of a fleet never touch it, and an empty Map costs ~180 bytes. */
  private parsedOf?: Map<number, { pem: string; cert: X509Certificate }>;

  constructor(
    private readonly model: DataModel,
    private readonly store: DataStore,
  ) {
    this.binding = new CertificateRows(store, this);
    this.node = model.register(CERTIFICATE_PATH, this.binding);
  }

  instances(): number[] {
    return this.store.instances(TABLE_PATH);
  }

  enabled(n: number): boolean {
    return this.store.row(rowPath(n))?.Enable === true;
  }

  /** The row's certificate; undefined when the row does not exist or holds no PEM. */
  certificate(n: number): X509Certificate | undefined {
    const pem = this.store.row(rowPath(n))?.[PEM_KEY];
    if (typeof pem !== 'string') return undefined;
    const hit = this.parsed.get(n);
    if (hit?.pem === pem) return hit.cert;
    try {
      const cert = parseCertificatePem(pem).certificate;
      this.parsed.set(n, { pem, cert });
      return cert;
    } catch {
      return undefined; // a hand-edited state file: the row stays, unusable for trust
    }
  }

  /**
   * Adds a row for `cert` in one transaction, with `also` run in the same transaction (e.g.
   * AddMyCertificate() adding the reference). A row with the same SerialNumber+Issuer or Alias
   * fails it with 7025, naming the existing row.
   */
  async add(cert: ParsedCertificate, alias: string, also?: (tx: Transaction, ref: string) => Promise<void>): Promise<number> {
    if (this.instances().length >= MAX_CERTIFICATES) {
      throw new UspError(ErrorCode.ResourcesExceeded, `${TABLE_PATH} is full (${MAX_CERTIFICATES} entries)`);
    }
    return Transaction.run(this.model, {}, async (tx) => {
      const values: Record<string, Value> = { Enable: true, SerialNumber: cert.serialNumber, Issuer: cert.issuer, [PEM_KEY]: cert.pem };
      if (alias !== '') values.Alias = alias;
      const inst = await tx.add(this.node, [], values);
      const n = inst.keys[0];
      await also?.(tx, certificateRef(n));
      return n;
    });
  }

  /**
   * Certificate.{i}.Delete(): removes the row and every reference to it. Not a Transaction,
   * which refuses deletes in a readOnly table and would check ControllerTrust.Credential's unique
   * key on the emptied references; it follows the same steps: write lock, apply, persist, announce.
   */
  async remove(n: number): Promise<void> {
    const ref = certificateRef(n);
    const changes: Change[] = [];
    const release = await this.model.writeLock.acquire();
    try {
      if (!this.instances().includes(n)) throw new UspError(ErrorCode.ObjectDoesNotExist, `${ref} does not exist`);
      for (const [path, param, isList] of REFERRERS) {
        const node = this.model.node(path);
        const b = node && this.model.bindingOf(node);
        if (!node || !b?.list || !b.set) continue;
        for (const k of await b.list([], {})) {
          const current = String((await b.get([k], {}))[param] ?? '');
          const kept = isList
            ? current
                .split(',')
                .filter((r) => r.trim() !== '' && certificateInstance(r) !== n)
                .join(',')
            : certificateInstance(current) === n
              ? ''
              : current;
          if (kept === current) continue;
          await b.set([k], { [param]: kept }, {});
          changes.push({ kind: 'value', inst: { node, keys: [k] }, path: node.pathOf([k]), param, value: kept });
        }
      }
      await this.binding.delete!([n], {});
      changes.push({ kind: 'deleted', inst: { node: this.node, keys: [n] }, path: this.node.pathOf([n]) });
      // A failed save puts the stored rows back (still under the lock) and answers 7003.
      await this.model.runCommitHooks().catch((e: unknown) => {
        this.model.revertFailedCommit();
        this.parsed.clear();
        throw new UspError(ErrorCode.InternalError, `the change could not be saved, so it was not made: ${e instanceof Error ? e.message : String(e)}`);
      });
    } finally {
      release();
    }
    for (const c of changes) this.model.changes.emit(c);
  }

  /** The row is gone: its parsed certificate goes too. */
  forget(n: number): void {
    this.parsedOf?.delete(n);
  }
}

/**
 * The binding of Certificate.{i}: a class, so a fleet's gateways share its methods (issue 14);
 * rows live in the gateway's DataStore.
 */
class CertificateRows implements ObjectBinding {
  readonly params: readonly string[] = PARAMS;
  readonly changesOnlyThroughAgent = true;
  readonly stored = true;

  constructor(
    private readonly store: DataStore,
    private readonly table: CertificateTable,
  ) {}

  list(): number[] {
    return this.store.instances(TABLE_PATH);
  }

  get(keys: InstanceKeys): Record<string, Value> {
    const row = this.store.row(rowPath(own(keys))) ?? {};
    return { Alias: row.Alias ?? '', Enable: row.Enable ?? false, SerialNumber: row.SerialNumber ?? '', Issuer: row.Issuer ?? '' };
  }

  set(keys: InstanceKeys, changes: Record<string, Value>): void {
    const path = rowPath(own(keys));
    this.store.setRow(path, { ...(this.store.row(path) ?? {}), ...changes });
  }

  add(_parentKeys: InstanceKeys, params: Record<string, Value>, _ctx: RequestContext, requested?: number): number {
    const n = this.store.allocate(TABLE_PATH, requested);
    this.store.setRow(rowPath(n), { ...params });
    return n;
  }

  delete(keys: InstanceKeys): void {
    const n = own(keys);
    this.store.remove(rowPath(n), TABLE_PATH, n);
    this.table.forget(n);
  }

  snapshot(keys: InstanceKeys): unknown {
    return this.store.snapshotSubtree(rowPath(own(keys)));
  }

  restore(keys: InstanceKeys, snap: unknown): void {
    this.store.restoreSubtree(TABLE_PATH, own(keys), snap as ReturnType<DataStore['snapshotSubtree']>);
  }
}

function rowPath(n: number): string {
  return `${TABLE_PATH}${n}.`;
}
function own(keys: InstanceKeys): number {
  return keys[keys.length - 1];
}
