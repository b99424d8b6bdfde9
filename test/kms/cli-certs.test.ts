import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCertificateInfo } from '../../kms/index.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const custos = (args: string[], cwd: string) => {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

test('custos certs init|server|client writes the mutual-TLS files, keys with mode 0600', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'custos-cli-certs-'));
  const out = join(cwd, 'tls');
  assert.equal(custos(['certs', 'init', '--out', out], cwd).code, 0);
  const server = custos(['--json', 'certs', 'server', '--out', out, '--host', '127.0.0.1', '--host', 'custos.local'], cwd);
  assert.equal(server.code, 0, server.stderr);
  assert.match((JSON.parse(server.stdout) as { notAfter: string }).notAfter, /^\d{4}-/);
  assert.equal(custos(['certs', 'client', 'billing', '--out', out], cwd).code, 0);
  for (const name of ['ca-key.pem', 'server-key.pem', 'client-billing-key.pem']) assert.equal(statSync(join(out, name)).mode & 0o777, 0o600);
  const info = readCertificateInfo(readFileSync(join(out, 'server.pem'), 'utf8'));
  assert.deepEqual([...info.subjectAltNames].sort(), ['DNS:custos.local', 'IP:127.0.0.1']);
  assert.equal(readCertificateInfo(readFileSync(join(out, 'client-billing.pem'), 'utf8')).commonName, 'billing');
  const again = custos(['certs', 'init', '--out', out], cwd);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /ERR_KMS_FILE_EXISTS/);
  const badName = custos(['certs', 'client', '../evil', '--out', out], cwd);
  assert.equal(badName.code, 1);
  assert.match(badName.stderr, /ERR_KMS_INVALID_ARGUMENT/);
});
