/**
 * Signed firmware images end to end (--firmware-trust): a real agent on the simulated gateway
 * with a trust store of real keys (ECDSA P-256 made by openssl, Ed25519 by node:crypto), a real
 * WebSocket controller, images and their detached signatures (URL + ".sig") over loopback HTTP.
 * Good signatures install; a bad one, a missing one and one by a key outside the store fail
 * validation with 7022 and a TransferComplete! whose FaultString starts "signature:", and the
 * bank keeps what it had.
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/Agent.js';
import type { StringMap } from '../../agent/codec/types.js';
import { startAgent } from '../peers/agent-fixture.js';
import { asResponse, waitForNotification, type TestController } from '../peers/TestController.js';
import { simImage, startImageServer, type ImageServer } from '../unit/agent/firmware/image-server.js';

const FW = 'Device.DeviceInfo.FirmwareImage.';
const IMAGE = simImage('5.0.0', { size: 70_000 });
const OTHER = simImage('5.0.1', { size: 20_000 });

let work: string;
let agent: Agent;
let c: TestController;
let server: ImageServer;
let ed: { privateKey: KeyObject };
let stranger: { privateKey: KeyObject };
let ecKeyFile: string;

/** ECDSA P-256 with SHA-256 over the image, by openssl as a release engineer would. */
function opensslSign(image: Buffer): Buffer {
  const f = join(work, 'to-sign.img');
  writeFileSync(f, image);
  return execFileSync('openssl', ['dgst', '-sha256', '-sign', ecKeyFile, f]);
}

/** Ed25519 over the image's SHA-256 digest (image-signature.ts). */
function edSign(image: Buffer, key: KeyObject): Buffer {
  return sign(null, createHash('sha256').update(image).digest(), key);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'usp-agent-fwsig-'));
  const trust = join(work, 'trust');
  mkdirSync(trust);
  ecKeyFile = join(work, 'ec-key.pem');
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', ecKeyFile]);
  // A certificate of the ECDSA key (the store takes certificates too) and a bare Ed25519 public key.
  execFileSync('openssl', ['req', '-new', '-x509', '-key', ecKeyFile, '-subj', '/CN=release', '-days', '1', '-out', join(trust, 'release.crt')]);
  const edPair = generateKeyPairSync('ed25519');
  ed = edPair;
  writeFileSync(join(trust, 'ed.pub'), edPair.publicKey.export({ type: 'spki', format: 'pem' }));
  stranger = generateKeyPairSync('ed25519');

  server = await startImageServer();
  server.routes.set('/ec.img', { body: IMAGE });
  server.routes.set('/ec.img.sig', { body: opensslSign(IMAGE) });
  server.routes.set('/ed.img', { body: IMAGE });
  server.routes.set('/ed.img.sig', { body: Buffer.from(edSign(IMAGE, ed.privateKey).toString('base64') + '\n') });
  server.routes.set('/bad.img', { body: IMAGE });
  server.routes.set('/bad.img.sig', { body: opensslSign(OTHER) });
  server.routes.set('/unsigned.img', { body: IMAGE });
  server.routes.set('/stranger.img', { body: IMAGE });
  server.routes.set('/stranger.img.sig', { body: edSign(IMAGE, stranger.privateKey) });

  const f = await startAgent({ dataDir: join(work, 'data'), agent: { firmwareTrust: trust } });
  agent = f.agent;
  c = f.controller;
  for (const [id, notifType, ref] of [
    ['oc', 'OperationComplete', FW],
    ['tc', 'Event', 'Device.LocalAgent.TransferComplete!'],
  ]) {
    const r = asResponse(
      await c.send({
        reqType: 'add',
        add: {
          allowPartial: false,
          createObjs: [
            {
              objPath: 'Device.LocalAgent.Subscription.',
              paramSettings: Object.entries({ Enable: 'true', ID: id, NotifType: notifType, ReferenceList: ref }).map(([param, value]) => ({ param, value, required: true })),
            },
          ],
        },
      }),
    );
    if (r.respType !== 'addResp') throw new Error(r.respType);
  }
});
afterAll(async () => {
  await c?.close();
  await agent?.stop();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function download(path: string, key: string): Promise<{ oc: StringMap | { errCode: number; errMsg?: string }; tc: StringMap }> {
  const r = asResponse(await c.send({ reqType: 'operate', operate: { command: `${FW}2.Download()`, commandKey: key, sendResp: true, inputArgs: { URL: server.url(path), AutoActivate: 'false' } } }));
  if (r.respType !== 'operateResp') throw new Error(r.respType);
  const oc = await waitForNotification(c, (ns) => ns.find((n) => n.notify.notification === 'operComplete' && n.notify.operComplete.commandKey === key)?.notify, 5000);
  const tc = await waitForNotification(c, (ns) => ns.find((n) => n.notify.notification === 'event' && n.notify.event.params?.CommandKey === key)?.notify, 5000);
  if (oc.notification !== 'operComplete' || tc.notification !== 'event') throw new Error('unexpected notifications');
  const res = oc.operComplete;
  return { oc: res.operationResp === 'cmdFailure' ? res.cmdFailure : res.operationResp === 'reqOutputArgs' ? res.reqOutputArgs.outputArgs : {}, tc: tc.event.params ?? {} };
}

async function status(): Promise<Record<string, string>> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: [`${FW}2.`], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return r.getResp.reqPathResults[0].resolvedPathResults![0].resultParams;
}

describe('signed images (--firmware-trust)', () => {
  it('an image signed with the ECDSA P-256 key (by openssl, certificate in the store) installs', async () => {
    const { tc } = await download('/ec.img', 'sig-ec');
    expect(tc).toMatchObject({ FaultCode: '0', FaultString: '' });
    expect(await status()).toMatchObject({ Status: 'Available', Version: '5.0.0' });
  });

  it('an image signed with the Ed25519 key (base64 signature file) installs', async () => {
    const { tc } = await download('/ed.img', 'sig-ed');
    expect(tc).toMatchObject({ FaultCode: '0' });
  });

  it.each([
    ['a signature of another image', '/bad.img', /^signature: .* is not a valid signature of the image by a key in the trust store/],
    ['no signature file', '/unsigned.img', /^signature: the image is unsigned/],
    ['a key outside the store', '/stranger.img', /^signature: .* is not a valid signature/],
  ])('%s: ValidationFailed, 7022, the bank as before', async (_what, path, why) => {
    const key = `sig-${path}`;
    const { oc, tc } = await download(path, key);
    expect(oc).toMatchObject({ errCode: 7022 });
    expect(tc.FaultCode).toBe('7022');
    expect(tc.FaultString).toMatch(why);
    // Validation failed before install: the image that was there (5.0.0) is still the bank's.
    expect(await status()).toMatchObject({ Status: 'ValidationFailed' });
  });
});
