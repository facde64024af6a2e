import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeSignature, signatureUrl } from '../../../../agent/firmware/image-signature.js';
import { TrustStore } from '../../../../agent/firmware/trust-store.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const pem = (k: ReturnType<typeof generateKeyPairSync>['publicKey']): string => String(k.export({ type: 'spki', format: 'pem' }));

describe('TrustStore.load (--firmware-trust)', () => {
  it('reads Ed25519 and P-256 keys, several in one file', () => {
    dir = mkdtempSync(join(tmpdir(), 'trust-'));
    writeFileSync(join(dir, 'keys.pem'), pem(generateKeyPairSync('ed25519').publicKey) + pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey));
    writeFileSync(join(dir, 'README'), 'not a key file: ignored');
    expect(TrustStore.load(dir).keys.map((k) => [k.name, k.kind])).toEqual([
      ['keys.pem#1', 'ed25519'],
      ['keys.pem#2', 'p256'],
    ]);
  });

  it('stops the start naming the option and the fix: empty, unreadable, a key type that verifies nothing', () => {
    dir = mkdtempSync(join(tmpdir(), 'trust-'));
    expect(() => TrustStore.load(dir)).toThrow(/^--firmware-trust .*holds no PEM public key/);
    expect(() => TrustStore.load(join(dir, 'absent'))).toThrow(/^--firmware-trust .*cannot read the directory/);
    writeFileSync(join(dir, 'rsa.pem'), pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey));
    expect(() => TrustStore.load(dir)).toThrow(/rsa\.pem holds a rsa key; only Ed25519 and ECDSA P-256/);
  });
});

describe('signature file', () => {
  it('is the image URL with ".sig" on its path', () => {
    expect(signatureUrl('https://fw.example/a/img.bin?x=1')).toBe('https://fw.example/a/img.bin.sig?x=1');
  });
  it('may be raw or base64', () => {
    const raw = Buffer.from([0x30, 0x45, 0x02, 0x21, 0xff]);
    expect(decodeSignature(raw)).toEqual(raw);
    expect(decodeSignature(Buffer.from(`${raw.toString('base64')}\n`))).toEqual(raw);
  });
});
