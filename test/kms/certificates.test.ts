import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { mkdtempSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  issueServerCertificate,
  issueClientCertificate,
  readCertificateInfo,
  writeCertificateFiles,
  readCertificateAuthority,
  type CertificateAndKey,
} from '../../kms/index.js';
import { manualClock } from '../../lib/clock.js';

const ca = createCertificateAuthority({ commonName: 'Custos Test CA', validDays: 30 });
const server = issueServerCertificate(ca, { hosts: ['127.0.0.1', 'localhost'], validDays: 10 });
const client = issueClientCertificate(ca, { commonName: 'appointment-service', validDays: 10 });

interface Outcome {
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

const withMutualTlsServer = async (run: (port: number) => Promise<void>): Promise<void> => {
  const srv = createServer({ cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.end(`hello ${peer.subject?.CN ?? '?'}`);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  try {
    await run((srv.address() as AddressInfo).port);
  } finally {
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
};

const call = (port: number, identity: CertificateAndKey | undefined, trust: string = ca.certPem): Promise<Outcome> =>
  new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', ca: trust, ...(identity ? { cert: identity.certPem, key: identity.keyPem } : {}) },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });

test('a node:https server requiring client certificates accepts a client certificate from its CA', async () => {
  await withMutualTlsServer(async (port) => {
    const outcome = await call(port, client);
    assert.equal(outcome.status, 200);
    assert.equal(outcome.body, 'hello appointment-service');
  });
});

test('a client certificate from another CA is refused, and so is a client without a certificate', async () => {
  const otherCa = createCertificateAuthority({ commonName: 'Rogue CA', validDays: 30 });
  const rogue = issueClientCertificate(otherCa, { commonName: 'appointment-service', validDays: 10 });
  await withMutualTlsServer(async (port) => {
    const withRogue = await call(port, rogue);
    assert.equal(withRogue.status, undefined);
    assert.ok(withRogue.error);
    const without = await call(port, undefined);
    assert.equal(without.status, undefined);
    assert.ok(without.error);
  });
});

test('a client that trusts another CA refuses the server', async () => {
  const otherCa = createCertificateAuthority({ commonName: 'Other CA', validDays: 30 });
  await withMutualTlsServer(async (port) => {
    const outcome = await call(port, client, otherCa.certPem);
    assert.equal(outcome.status, undefined);
    assert.match(outcome.error ?? '', /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});

test('readCertificateInfo reports subject, SANs, CA flag and expiry from the injected clock', () => {
  const clock = manualClock(Date.parse('2030-01-01T00:00:00Z'));
  const dated = issueServerCertificate(ca, { hosts: ['127.0.0.1', 'localhost'], validDays: 90, clock });
  const info = readCertificateInfo(dated.certPem);
  assert.equal(info.commonName, '127.0.0.1');
  assert.deepEqual([...info.subjectAltNames].sort(), ['DNS:localhost', 'IP:127.0.0.1']);
  assert.equal(info.isCa, false);
  assert.equal(info.notAfter, '2030-04-01T00:00:00.000Z');
  assert.equal(readCertificateInfo(ca.certPem).isCa, true);
  assert.match(readCertificateInfo(ca.certPem).issuer, /CN=Custos Test CA/);
});

test('bad input gets coded errors without echoing values', () => {
  assert.throws(() => readCertificateInfo('not a certificate'), { code: 'ERR_KMS_CERT_INVALID' });
  assert.throws(() => issueServerCertificate(ca, { hosts: [], validDays: 1 }), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  assert.throws(() => issueClientCertificate(ca, { commonName: 'x', validDays: 0 }), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  assert.throws(() => issueClientCertificate({ certPem: 'junk', keyPem: 'junk' }, { commonName: 'x', validDays: 1 }), {
    code: 'ERR_KMS_CERT_INVALID',
  });
});

test('certificate files: keys are written with mode 0600 and never overwritten without consent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-certs-'));
  const written = writeCertificateFiles(dir, 'ca', ca);
  assert.equal(statSync(written.keyFile).mode & 0o777, 0o600);
  assert.equal(readFileSync(written.certFile, 'utf8'), ca.certPem);
  assert.throws(() => writeCertificateFiles(dir, 'ca', ca), { code: 'ERR_KMS_FILE_EXISTS' });
  assert.deepEqual(readCertificateAuthority(dir), ca);
  assert.throws(() => readCertificateAuthority(join(dir, 'missing')), { code: 'ERR_KMS_CERT_INVALID' });
});
