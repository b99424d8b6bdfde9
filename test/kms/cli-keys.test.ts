import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const rootKey = randomBytes(32).toString('base64');

const setup = () => {
  const cwd = mkdtempSync(join(tmpdir(), 'custos-cli-keys-'));
  const custos = (args: string[], options: { env?: Record<string, string>; input?: string | Buffer } = {}) => {
    const run = spawnSync(process.execPath, [bin, '--lang', 'en', ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', CUSTOS_ROOT_KEY: rootKey, ...options.env },
      input: options.input,
    });
    return { code: run.status, stdout: run.stdout.toString('utf8'), raw: run.stdout, stderr: run.stderr.toString('utf8') };
  };
  return { cwd, custos };
};

test('keys init, create, rotate, list and status (rotation age, data keys, certificates)', () => {
  const { cwd, custos } = setup();
  const init = custos(['keys', 'init']);
  assert.equal(init.code, 0, init.stderr);
  assert.equal(statSync(join(cwd, 'custos-data', 'keystore.db')).mode & 0o777, 0o600);
  assert.match(init.stdout, /records-kek/);
  assert.equal(custos(['keys', 'create', 'phone-index', '--algorithm', 'hmac-sm3', '--purpose', 'blind-index']).code, 0);
  const rotated = custos(['--json', 'keys', 'rotate', 'records-kek']);
  assert.equal((JSON.parse(rotated.stdout) as { version: number }).version, 2);
  const list = custos(['--json', 'keys', 'list']);
  assert.deepEqual((JSON.parse(list.stdout) as { id: string }[]).map((k) => k.id), ['phone-index', 'records-kek']);
  assert.equal(custos(['certs', 'init', '--out', join(cwd, 'tls')]).code, 0);
  const status = custos(['--json', 'keys', 'status', '--certs', join(cwd, 'tls')]);
  assert.equal(status.code, 0, status.stderr);
  const parsed = JSON.parse(status.stdout) as { keys: { id: string; isOverdue: boolean }[]; certificates: { file: string; daysLeft: number }[]; rotationDays: number };
  assert.equal(parsed.rotationDays, 365);
  assert.ok(parsed.keys.every((k) => !k.isOverdue));
  assert.equal(parsed.certificates[0]?.file, 'ca.pem');
  assert.ok(parsed.certificates[0]!.daysLeft > 3000);
  const bad = custos(['keys', 'create', 'x', '--algorithm', 'hmac-sm3', '--purpose', 'wrap']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /ERR_KMS_INVALID_ARGUMENT/);
});

test('encrypt and decrypt a file through the Encryption SDK; the context must match', () => {
  const { cwd, custos } = setup();
  custos(['keys', 'init']);
  const plain = Buffer.concat([Buffer.from('检验报告 '), randomBytes(2000)]);
  writeFileSync(join(cwd, 'report.bin'), plain);
  const enc = custos(['encrypt', '--in', 'report.bin', '--out', 'report.enc', '--context', 'purpose=lab-report', '--context', 'tenant=t-1']);
  assert.equal(enc.code, 0, enc.stderr);
  assert.ok(!readFileSync(join(cwd, 'report.enc')).includes(Buffer.from('检验报告')));
  const dec = custos(['decrypt', '--in', 'report.enc', '--context', 'purpose=lab-report', '--context', 'tenant=t-1']);
  assert.equal(dec.code, 0, dec.stderr);
  assert.deepEqual(dec.raw, plain);
  const wrong = custos(['decrypt', '--in', 'report.enc', '--context', 'purpose=lab-report', '--context', 'tenant=t-2']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /ERR_KMS_CONTEXT_MISMATCH/);
  const noContext = custos(['encrypt', '--in', 'report.bin']);
  assert.equal(noContext.code, 1);
  assert.match(noContext.stderr, /ERR_KMS_INVALID_ARGUMENT/);
});

test('field mode, crypto-shredding, wrong and missing root keys from the command line', () => {
  const { custos } = setup();
  custos(['keys', 'init']);
  const binding = ['--field', '--record-type', 'Patient', '--record-id', 'p-1', '--field-path', 'phone', '--subject', 'p-1'];
  const sealed = custos(['encrypt', ...binding, '--suite', 'sm4-ctr-hmac-sm3'], { input: '13800138000\n' });
  assert.equal(sealed.code, 0, sealed.stderr);
  assert.match(sealed.stdout, /^c1\.s\.1\./);
  const bySetting = custos(['encrypt', ...binding.map((a) => (a === 'p-1' ? 'p-7' : a))], { input: 'x', env: { CUSTOS_KMS_FIELD_SUITE: 'sm4-cbc-hmac-sm3' } });
  assert.match(bySetting.stdout, /^c1\.b\.1\./, bySetting.stderr);
  const opened = custos(['decrypt', ...binding], { input: sealed.stdout });
  assert.equal(opened.stdout, '13800138000\n');
  const moved = custos(['decrypt', '--field', '--record-type', 'Patient', '--record-id', 'p-1', '--field-path', 'name', '--subject', 'p-1'], { input: sealed.stdout });
  assert.equal(moved.code, 1);
  assert.match(moved.stderr, /ERR_KMS_DECRYPT_FAILED/);
  assert.doesNotMatch(moved.stderr, /13800138000/);
  const wrongRoot = custos(['keys', 'list'], { env: { CUSTOS_ROOT_KEY: randomBytes(32).toString('base64') } });
  assert.equal(wrongRoot.code, 1);
  assert.match(wrongRoot.stderr, /ERR_KMS_ROOT_KEY_WRONG/);
  const noRoot = custos(['keys', 'list'], { env: { CUSTOS_ROOT_KEY: '' } });
  assert.equal(noRoot.code, 1);
  assert.match(noRoot.stderr, /ERR_KMS_ROOT_KEY_MISSING/);
  const shred = custos(['--json', 'keys', 'shred', '--subject', 'p-1']);
  assert.equal((JSON.parse(shred.stdout) as { destroyedVersions: number }).destroyedVersions, 1);
  const gone = custos(['decrypt', ...binding], { input: sealed.stdout });
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /ERR_KMS_KEY_DESTROYED/);
  // Key operations of the CLI are in the audit log, ids only.
  const audited = custos(['--json', 'audit', 'query', '--kind', 'key']);
  assert.equal(audited.code, 0, audited.stderr);
  const operations = (JSON.parse(audited.stdout) as { event: { operation: string; keyId: string; dataSubjectId?: string } }[]).map((e) => e.event);
  assert.deepEqual(operations.map((e) => e.operation), ['create', 'crypto-shred']);
  assert.equal(operations[1]!.dataSubjectId, 'p-1');
  assert.doesNotMatch(audited.stdout, /13800138000/);
});

test('keys rewrap and keys reencrypt (batch, resumable) on a real SQLite table', async () => {
  const { cwd, custos } = setup();
  custos(['keys', 'init']);
  const { openKeystore, createFieldCipher } = await import('../../kms/index.js');
  const Database = (await import('better-sqlite3')).default;
  const keystore = openKeystore({ file: join(cwd, 'custos-data', 'keystore.db'), rootKey: { kind: 'raw', key: Buffer.from(rootKey, 'base64') } });
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const db = new Database(join(cwd, 'his.db'));
  db.exec('CREATE TABLE patient (id TEXT PRIMARY KEY, subject_id TEXT, phone TEXT)');
  for (let i = 0; i < 6; i++) {
    const id = `p-${i}`;
    db.prepare('INSERT INTO patient VALUES (?, ?, ?)').run(id, id, await fields.sealField(`1380013800${i}`, { recordType: 'Patient', recordId: id, fieldPath: 'phone', subjectId: id }));
    await fields.rotateDataKey({ subjectId: id });
  }
  fields.close();
  keystore.close();
  assert.equal(custos(['keys', 'rotate', 'records-kek']).code, 0);
  const rewrap = custos(['--json', 'keys', 'rewrap']);
  assert.equal(rewrap.code, 0, rewrap.stderr);
  assert.equal((JSON.parse(rewrap.stdout) as { rewrapped: number }).rewrapped, 12);
  const run = custos(['keys', 'reencrypt', '--db', 'his.db', '--table', 'patient', '--record-type', 'Patient', '--column', 'phone', '--batch-size', '4']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /progress 4\/6/);
  assert.match(run.stdout, /6\/6, 6 — complete/);
  const versions = (db.prepare('SELECT phone FROM patient').all() as { phone: string }[]).map((r) => r.phone.split('.')[2]);
  assert.deepEqual(versions, Array(6).fill('2'));
  db.close();
  const missingCerts = custos(['keys', 'status', '--certs', 'nowhere']);
  assert.equal(missingCerts.code, 1);
  assert.match(missingCerts.stderr, /ERR_KMS_CERT_INVALID/);
});
