// Mutual TLS: certificates from the Custos CA (kms, node-forge); a client without a certificate,
// or with one from another CA, is refused at the handshake; the client library connects with its
// service certificate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueClientCertificate, issueServerCertificate, writeCertificateFiles } from '../../kms/index.js';
import { createClient } from '../../pdp/client/client.js';
import { certificationDir, startReal, type Started } from './http-harness.js';

const alice = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } };

interface Pem {
  readonly certPem: string;
  readonly keyPem: string;
}

const call = (url: string, ca: string, client?: Pem): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const body = JSON.stringify(alice);
    const req = httpsRequest(
      `${url}/access/v1/evaluation`,
      { method: 'POST', ca, ...(client ? { cert: client.certPem, key: client.keyPem } : {}), headers: { 'content-type': 'application/json' }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

describe('mutual TLS', () => {
  let s: Started;
  let dir: string;
  let ca: Pem;
  let client: Pem;
  let rogueClient: Pem;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custos-pdp-tls-'));
    ca = createCertificateAuthority({ commonName: 'Custos Test CA', validDays: 30 });
    writeCertificateFiles(dir, 'ca', ca);
    writeCertificateFiles(dir, 'server', issueServerCertificate(ca, { hosts: ['127.0.0.1', 'localhost'], validDays: 30 }));
    client = issueClientCertificate(ca, { commonName: 'emr-viewer', validDays: 30 });
    const rogueCa = createCertificateAuthority({ commonName: 'Rogue CA', validDays: 30 });
    rogueClient = issueClientCertificate(rogueCa, { commonName: 'emr-viewer', validDays: 30 });
    s = await startReal(join(certificationDir, 'policies'), join(certificationDir, 'entities'), { 'server.tlsDir': dir, 'server.requireClientCert': true });
  });
  after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the sidecar serves HTTPS', () => {
    assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  test('a client with a certificate from the Custos CA gets decisions', async () => {
    const r = await call(s.url, ca.certPem, client);
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as { decision: boolean }).decision, true);
  });

  test('a client without a certificate is refused', async () => {
    await assert.rejects(call(s.url, ca.certPem), (e: NodeJS.ErrnoException) => /ECONNRESET|certificate|alert|socket hang up/i.test(`${e.code} ${e.message}`));
  });

  test('a client with a certificate from another CA is refused', async () => {
    await assert.rejects(call(s.url, ca.certPem, rogueClient), (e: NodeJS.ErrnoException) => /ECONNRESET|certificate|alert|socket hang up|unknown ca/i.test(`${e.code} ${e.message}`));
  });

  test('the client library connects over mutual TLS with its service certificate', async () => {
    const pdp = createClient({ url: s.url, tls: { ca: ca.certPem, cert: client.certPem, key: client.keyPem } });
    try {
      const decision = await pdp.evaluate(alice);
      assert.equal(decision.decision, true);
      assert.match(decision.context.policyVersion, /^sha256:/);
    } finally {
      pdp.close();
    }
  });
});
