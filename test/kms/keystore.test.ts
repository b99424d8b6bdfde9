import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { openKeystore, rootKeyFromEnvironment, parseRootKey, createKeyedHash } from '../../kms/index.js';
import { manualClock } from '../../lib/clock.js';
import { fastScrypt, freshKeystore, rawRootKey, tempDir } from './helpers.js';

test('keys have ids, versions, algorithm, purpose, state and timestamps; rotation adds versions', () => {
  const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
  const { keystore, events } = freshKeystore({ clock });
  clock.advance(86_400_000);
  const rotated = keystore.rotateKey('records-kek');
  assert.equal(rotated.version, 2);
  assert.equal(rotated.state, 'enabled');
  assert.equal(rotated.createdAt, '2026-01-01T00:00:00.000Z');
  assert.equal(rotated.rotatedAt, '2026-01-02T00:00:00.000Z');
  assert.deepEqual(keystore.usableVersions('records-kek'), [1, 2]);
  assert.deepEqual(events.map((e) => `${e.type}:${e.keyId}:${e.version}`), ['key.created:records-kek:1', 'key.rotated:records-kek:2']);
  assert.throws(() => keystore.createKey({ id: 'records-kek', algorithm: 'aes-256', purpose: 'wrap' }), { code: 'ERR_KMS_KEY_EXISTS' });
  assert.throws(() => keystore.createKey({ id: 'Bad Id', algorithm: 'aes-256', purpose: 'wrap' }), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  assert.throws(() => keystore.createKey({ id: 'x', algorithm: 'hmac-sm3', purpose: 'wrap' }), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  assert.throws(() => keystore.getKey('nope'), { code: 'ERR_KMS_KEY_NOT_FOUND' });
  keystore.close();
});

test('state machine: disable, enable, schedule destruction, destroy after the waiting period', () => {
  const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
  const { keystore, events, file } = freshKeystore({ clock });
  keystore.createKey({ id: 'phone-index', algorithm: 'hmac-sm3', purpose: 'blind-index' });
  assert.equal(keystore.disableKey('phone-index').state, 'disabled');
  assert.throws(() => createKeyedHash({ keystore, keyId: 'phone-index', purpose: 'blind-index' }), { code: 'ERR_KMS_KEY_STATE' });
  assert.equal(keystore.enableKey('phone-index').state, 'enabled');
  assert.equal(keystore.scheduleKeyDestruction('phone-index', { pendingDays: 7 }).state, 'pending-destruction');
  assert.throws(() => keystore.destroyKey('phone-index'), { code: 'ERR_KMS_KEY_STATE', message: /only after/ });
  assert.throws(() => keystore.rotateKey('phone-index'), { code: 'ERR_KMS_KEY_STATE' });
  clock.advance(7 * 86_400_000);
  const destroyed = keystore.destroyKey('phone-index');
  assert.equal(destroyed.state, 'destroyed');
  assert.equal(destroyed.destroyedAt, '2026-01-08T00:00:00.000Z');
  assert.throws(() => createKeyedHash({ keystore, keyId: 'phone-index', purpose: 'blind-index' }), { code: 'ERR_KMS_KEY_DESTROYED' });
  assert.deepEqual(
    events.filter((e) => e.keyId === 'phone-index').map((e) => e.type),
    ['key.created', 'key.disabled', 'key.enabled', 'key.destruction-scheduled', 'key.destroyed'],
  );
  keystore.close();
  const rows = new Database(file, { readonly: true }).prepare("SELECT material FROM key_versions WHERE key_id = 'phone-index'").all() as { material: Buffer | null }[];
  assert.deepEqual(rows, [{ material: null }]);
});

test('events carry ids and timestamps only, never key material', () => {
  const { keystore, events } = freshKeystore();
  keystore.rotateKey('records-kek');
  for (const event of events) assert.deepEqual(Object.keys(event).sort().filter((k) => !['type', 'at', 'keyId', 'version'].includes(k)), []);
  keystore.close();
});

test('a wrong root key is told apart from a corrupted keystore, and nothing is decrypted', () => {
  const { keystore, file, rootKey } = freshKeystore();
  keystore.close();
  assert.throws(() => openKeystore({ file, rootKey: rawRootKey() }), { code: 'ERR_KMS_ROOT_KEY_WRONG' });
  assert.throws(() => openKeystore({ file, rootKey: { kind: 'passphrase', passphrase: 'a long passphrase here' } }), { code: 'ERR_KMS_ROOT_KEY_WRONG' });
  // Flip one byte of a key's stored material: the root key is right, the row is not.
  const db = new Database(file);
  const row = db.prepare('SELECT material FROM key_versions').get() as { material: Buffer };
  row.material[20] = row.material[20]! ^ 1;
  db.prepare('UPDATE key_versions SET material = ?').run(row.material);
  db.close();
  const reopened = openKeystore({ file, rootKey });
  assert.throws(() => reopened.withKeyMaterial('records-kek', 'wrap', () => 1), { code: 'ERR_KMS_KEYSTORE_CORRUPT', message: /records-kek/ });
  reopened.close();
});

test('a keystore whose rows were swapped between keys does not open them', () => {
  const { keystore, file, rootKey } = freshKeystore();
  keystore.createKey({ id: 'other-kek', algorithm: 'aes-256', purpose: 'wrap' });
  keystore.close();
  const db = new Database(file);
  const other = db.prepare("SELECT material FROM key_versions WHERE key_id = 'other-kek'").get() as { material: Buffer };
  db.prepare("UPDATE key_versions SET material = ? WHERE key_id = 'records-kek'").run(other.material);
  db.close();
  const reopened = openKeystore({ file, rootKey });
  assert.throws(() => reopened.withKeyMaterial('records-kek', 'wrap', () => 1), { code: 'ERR_KMS_KEYSTORE_CORRUPT' });
  reopened.close();
});

test('a file that is not a keystore, or a missing one, gives a clear error', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'junk.db'), randomBytes(8192));
  assert.throws(() => openKeystore({ file: join(dir, 'junk.db'), rootKey: rawRootKey() }), { code: 'ERR_KMS_KEYSTORE_CORRUPT' });
  assert.throws(() => openKeystore({ file: join(dir, 'missing.db'), rootKey: rawRootKey() }), { code: 'ERR_KMS_KEYSTORE_UNREADABLE', message: /missing\.db/ });
  const { keystore, file, rootKey } = freshKeystore();
  keystore.close();
  const db = new Database(file);
  db.prepare("DELETE FROM meta WHERE name = 'verifier'").run();
  db.close();
  assert.throws(() => openKeystore({ file, rootKey }), { code: 'ERR_KMS_KEYSTORE_CORRUPT', message: /verification record/ });
});

test('a passphrase root key is stretched with scrypt under a stored salt', () => {
  const passphrase = { kind: 'passphrase' as const, passphrase: 'correct horse battery staple' };
  const { keystore, file } = freshKeystore({ rootKey: passphrase, scrypt: fastScrypt });
  keystore.close();
  const again = openKeystore({ file, rootKey: { kind: 'passphrase', passphrase: 'correct horse battery staple' } });
  assert.equal(again.getKey('records-kek').version, 1);
  again.close();
  assert.throws(() => openKeystore({ file, rootKey: { kind: 'passphrase', passphrase: 'correct horse battery stapler' } }), { code: 'ERR_KMS_ROOT_KEY_WRONG' });
  const salt = (new Database(file, { readonly: true }).prepare("SELECT value FROM meta WHERE name = 'salt'").get() as { value: string }).value;
  assert.equal(Buffer.from(salt, 'base64').length, 16);
});

test('the root key comes from CUSTOS_ROOT_KEY or a key file, and its absence is explained', () => {
  const raw = randomBytes(32);
  const fromEnv = rootKeyFromEnvironment({ env: { CUSTOS_ROOT_KEY: raw.toString('base64') } });
  assert.equal(fromEnv.kind, 'raw');
  assert.deepEqual(fromEnv.kind === 'raw' ? Buffer.from(fromEnv.key) : undefined, raw);
  assert.equal(rootKeyFromEnvironment({ env: { CUSTOS_ROOT_KEY: 'a passphrase of some length' } }).kind, 'passphrase');
  const file = join(tempDir(), 'root.key');
  writeFileSync(file, `${raw.toString('base64')}\n`, { mode: 0o600 });
  assert.equal(rootKeyFromEnvironment({ env: {}, file }).kind, 'raw');
  assert.throws(() => rootKeyFromEnvironment({ env: {} }), { code: 'ERR_KMS_ROOT_KEY_MISSING', message: /CUSTOS_ROOT_KEY/ });
  assert.throws(() => rootKeyFromEnvironment({ env: {}, file: join(tempDir(), 'none') }), { code: 'ERR_KMS_ROOT_KEY_MISSING' });
  assert.throws(() => parseRootKey('short', 'test'), (err: Error) => {
    assert.equal((err as { code?: string }).code, 'ERR_KMS_ROOT_KEY_INVALID');
    assert.doesNotMatch(err.message, /short/);
    return true;
  });
  assert.doesNotMatch(readFileSync(file, 'utf8'), /^$/);
});

test('rotation report lists keys past their rotation period', () => {
  const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
  const { keystore } = freshKeystore({ clock });
  clock.advance(200 * 86_400_000);
  keystore.createKey({ id: 'young', algorithm: 'aes-256', purpose: 'wrap' });
  clock.advance(200 * 86_400_000);
  const report = keystore.rotationReport({ rotationDays: 365 });
  assert.deepEqual(report.map((r) => [r.id, r.ageDays, r.isOverdue]), [['records-kek', 400, true], ['young', 200, false]]);
  keystore.rotateKey('records-kek');
  assert.equal(keystore.rotationReport({ rotationDays: 365 }).find((r) => r.id === 'records-kek')?.isOverdue, false);
  keystore.close();
});
