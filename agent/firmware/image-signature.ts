/**
 * Detached signatures of firmware images, checked when the operator configured a trust store
 * (trust-store.ts). The format, chosen because it is what `openssl` makes without extra tools:
 *
 * - The signature lives beside the image: the Download() URL with ".sig" appended to its path
 *   (`https://fw.example/img.bin?x=1` → `https://fw.example/img.bin.sig?x=1`), fetched with the
 *   same Username/Password and download policy. TR-181 Download() has no argument for it.
 * - ECDSA P-256 keys: an ECDSA-with-SHA-256 signature over the image, DER encoded
 *   (`openssl dgst -sha256 -sign key.pem -out img.bin.sig img.bin`).
 * - Ed25519 keys: an Ed25519 signature over the 32-byte SHA-256 digest of the image
 *   (`openssl dgst -sha256 -binary img.bin > d; openssl pkeyutl -sign -rawin -inkey key.pem -in d -out img.bin.sig`),
 *   so the image streams through a hash instead of being held in memory.
 * - The file is the raw signature or the same bytes in base64 (text).
 *
 * An image verifies when any key of the store verifies its signature.
 */
import { createHash, createVerify, verify, type Hash, type Verify } from 'node:crypto';
import type { TrustStore } from './trust-store.js';

/** Largest signature file accepted (a DER ECDSA signature is ≤ 72 bytes; base64 and slack). */
export const MAX_SIGNATURE_BYTES = 4096;

const BASE64_RE = /^[A-Za-z0-9+/=\s]+$/;

/** Where the signature of the image at `imageUrl` is. */
export function signatureUrl(imageUrl: string): string {
  const u = new URL(imageUrl);
  u.pathname += '.sig';
  return u.href;
}

/** The signature bytes from the file's content: base64 text is decoded, anything else is raw. */
export function decodeSignature(file: Buffer): Buffer {
  const text = file.toString('latin1');
  return BASE64_RE.test(text) ? Buffer.from(text.replace(/\s+/g, ''), 'base64') : file;
}

/** Follows an image as it streams in; `verify` then says whether a trusted key signed it. */
export class ImageSignatureCheck {
  private readonly digest: Hash = createHash('sha256');
  private readonly ecdsa: Array<{ name: string; v: Verify; key: TrustStore['keys'][number]['key'] }>;

  constructor(private readonly store: TrustStore) {
    this.ecdsa = store.keys.filter((k) => k.kind === 'p256').map((k) => ({ name: k.name, v: createVerify('sha256'), key: k.key }));
  }

  update(chunk: Uint8Array): void {
    this.digest.update(chunk);
    for (const e of this.ecdsa) e.v.update(chunk);
  }

  /** The trusted key that signed the image, or undefined when none did. Call once, after the last chunk. */
  signer(signatureFile: Buffer): string | undefined {
    const sig = decodeSignature(signatureFile);
    const digest = this.digest.digest();
    for (const k of this.store.keys) {
      if (k.kind !== 'ed25519') continue;
      if (safe(() => verify(null, digest, k.key, sig))) return k.name;
    }
    for (const e of this.ecdsa) {
      if (safe(() => e.v.verify(e.key, sig))) return e.name;
    }
    return undefined;
  }
}

/** A malformed signature makes node:crypto throw: that is "does not verify", not our bug. */
function safe(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}
