/**
 * The agent's own TLS material is visible over USP (issue "Transports and identity"):
 * Device.Security.Certificate.{i} lists the identity certificate given with --cert and the CAs
 * from --ca, with the values openssl/node:crypto read from the same files.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Agent } from '../../agent/Agent.js';
import { handleGet } from '../../agent/handlers/handle-get.js';
import { silentLogger } from '../../datamodel/Logger.js';
import { testDefaults, testSchema } from '../peers/agent-fixture.js';
import { freePort } from '../peers/TestController.js';
import { testPki } from '../peers/test-pki.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

it('lists the identity certificate and the trust anchors with serial, issuer, subject, SAN and validity', async () => {
  const pki = testPki();
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-seccert-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const agent = await Agent.start({
    defaults: testDefaults(await freePort(), { 'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': true }),
    dataDir: dir,
    platform: 'none',
    log: silentLogger,
    schema: testSchema(),
    tls: { cert: pki.agent.certFile, key: pki.agent.keyFile, ca: pki.ca.certFile },
  });
  cleanup.push(() => agent.stop());
  const r = await handleGet({ model: agent.model, req: {}, log: silentLogger, operations: agent.operations }, { paramPaths: ['Device.Security.'], maxDepth: 0 });
  const objs = r.reqPathResults[0].resolvedPathResults!;
  expect(objs.find((o) => o.resolvedPath === 'Device.Security.')?.resultParams.CertificateNumberOfEntries).toBe('2');
  const leaf = new X509Certificate(readFileSync(pki.agent.certFile));
  const ca = new X509Certificate(readFileSync(pki.ca.certFile));
  const one = objs.find((o) => o.resolvedPath === 'Device.Security.Certificate.1.')!.resultParams;
  const two = objs.find((o) => o.resolvedPath === 'Device.Security.Certificate.2.')!.resultParams;
  expect(one.SerialNumber).toBe(leaf.serialNumber.toUpperCase());
  expect(one.SubjectAlt).toContain('URI:urn:bbf:usp:id:proto::agent-under-test');
  expect(one.NotAfter).toBe(new Date(leaf.validTo).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  expect(one.Issuer).toBe(two.Subject);
  expect(two.SerialNumber).toBe(ca.serialNumber.toUpperCase());
  expect(one.Enable).toBe('true');
});
