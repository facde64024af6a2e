/**
 * The operator's trust store for signed firmware images (`--firmware-trust DIR`): a directory of
 * PEM files, each holding public keys ("PUBLIC KEY") and/or X.509 certificates ("CERTIFICATE",
 * whose public key is used; the certificate's own validity is not checked: the operator put it
 * there). Accepted key types: Ed25519 and ECDSA P-256; anything else stops the start, so a
 * store never silently holds a key that can verify nothing. Read once at start-up; bounded.
 * The signature format is in image-signature.ts.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** At most this many files and keys (a store is a handful of release keys). */
export const MAX_TRUST_FILES = 64;
const MAX_FILE_BYTES = 256 * 1024;
const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** One trusted key, named for logs and FaultStrings by its file (and position in it). */
export interface TrustedKey {
  name: string;
  key: KeyObject;
  kind: 'ed25519' | 'p256';
}

/** The keys a signed image may be signed with. */
export class TrustStore {
  private constructor(
    readonly dir: string,
    readonly keys: readonly TrustedKey[],
  ) {}

  /** Reads every *.pem, *.crt, *.pub file of `dir`; throws an Error naming the option, file and fix. */
  static load(dir: string): TrustStore {
    const fail = (why: string): Error => new Error(`--firmware-trust ${dir}: ${why}`);
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((n) => /\.(pem|crt|pub)$/i.test(n))
        .sort();
    } catch (e) {
      throw fail(`cannot read the directory (${e instanceof Error ? e.message : String(e)}); give a directory of PEM public keys or certificates`);
    }
    if (names.length > MAX_TRUST_FILES) throw fail(`${names.length} files, at most ${MAX_TRUST_FILES} are read`);
    const keys: TrustedKey[] = [];
    for (const n of names) {
      const file = join(dir, n);
      if (statSync(file).size > MAX_FILE_BYTES) throw fail(`${n} is over ${MAX_FILE_BYTES} bytes; it is not a key file`);
      const blocks = readFileSync(file, 'utf8').match(PEM_RE) ?? [];
      blocks.forEach((pem, i) => {
        const name = blocks.length > 1 ? `${n}#${i + 1}` : n;
        let key: KeyObject;
        try {
          key = pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
        } catch (e) {
          throw fail(`${name} is not a readable public key or certificate (${e instanceof Error ? e.message : String(e)})`);
        }
        const kind = keyKind(key);
        if (!kind)
          throw fail(
            `${name} holds a ${key.asymmetricKeyType ?? 'unknown'} key${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}; only Ed25519 and ECDSA P-256 keys verify images`,
          );
        keys.push({ name, key, kind });
      });
      if (keys.length > MAX_TRUST_FILES) throw fail(`more than ${MAX_TRUST_FILES} keys`);
    }
    if (keys.length === 0) throw fail('holds no PEM public key or certificate (*.pem, *.crt, *.pub); add the release signing key or leave the option out');
    return new TrustStore(dir, keys);
  }
}

function keyKind(key: KeyObject): TrustedKey['kind'] | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'p256';
  return undefined;
}
