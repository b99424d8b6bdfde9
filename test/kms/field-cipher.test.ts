import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { createFieldCipher, shredSubjectKey, type FieldBinding, type FieldSuite } from '../../kms/index.js';
import { manualClock } from '../../lib/clock.js';
import { freshKeystore } from './helpers.js';

const suites: readonly FieldSuite[] = ['aes-256-gcm', 'sm4-ctr-hmac-sm3', 'sm4-cbc-hmac-sm3'];
const binding = (over: Partial<FieldBinding> = {}): FieldBinding =>
  ({ recordType: 'Patient', recordId: 'p-1', fieldPath: 'telecom.0.value', subjectId: 'p-1', ...over }) as FieldBinding;

for (const suite of suites) {
  test(`${suite}: random Unicode values round-trip, and the ciphertext is self-describing`, async () => {
    const { keystore } = freshKeystore();
    const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek', suite });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ minLength: 1, maxLength: 20 }), async (value, recordId) => {
        const b = binding({ recordId });
        const sealed = await fields.sealField(value, b);
        assert.match(sealed, new RegExp(`^c1\\.${suite[0] === 'a' ? 'a' : suite.includes('ctr') ? 's' : 'b'}\\.1\\.[A-Za-z0-9_-]+$`));
        assert.equal(await fields.openField(sealed, b), value);
      }),
      { numRuns: 150 },
    );
    fields.close();
    keystore.close();
  });

  test(`${suite}: any altered byte, or a ciphertext moved to another field, record, type or subject, fails`, async () => {
    const { keystore } = freshKeystore();
    const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek', suite });
    const b = binding();
    const sealed = await fields.sealField('13800138000', b);
    await fields.sealField('x', binding({ subjectId: 'p-2' }));
    const body = Buffer.from(sealed.split('.')[3]!, 'base64url');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: body.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const altered = Buffer.from(body);
        altered[at] = altered[at]! ^ xor;
        await assert.rejects(fields.openField(`c1.${sealed.split('.')[1]}.1.${altered.toString('base64url')}`, b), { code: 'ERR_KMS_DECRYPT_FAILED' });
      }),
      { numRuns: 60 },
    );
    for (const moved of [binding({ fieldPath: 'name' }), binding({ recordId: 'p-9' }), binding({ recordType: 'Practitioner' }), binding({ subjectId: 'p-2' })]) {
      await assert.rejects(fields.openField(sealed, moved), { code: 'ERR_KMS_DECRYPT_FAILED' });
    }
    await assert.rejects(fields.openField(sealed, binding({ subjectId: 'p-3' })), { code: 'ERR_KMS_KEY_NOT_FOUND' });
    // Truncated body and wrong suite letter.
    await assert.rejects(fields.openField(sealed.slice(0, 30), b), (err: Error & { code?: string }) => ['ERR_KMS_DECRYPT_FAILED', 'ERR_KMS_CIPHERTEXT_MALFORMED'].includes(err.code!));
    const otherSuite = sealed.replace(/^c1\.[asb]/, suite === 'aes-256-gcm' ? 'c1.s' : 'c1.a');
    await assert.rejects(fields.openField(otherSuite, b), { code: 'ERR_KMS_DECRYPT_FAILED' });
    fields.close();
    keystore.close();
  });
}

test('a malformed ciphertext is refused by field path, without echoing the value', async () => {
  const { keystore } = freshKeystore();
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  for (const bad of ['13800138000', 'c1.a.0.AAAA', 'c2.a.1.AAAA', 'c1.z.1.AAAA', 'c1.a.1.', '']) {
    await assert.rejects(fields.openField(bad, binding()), (err: Error & { code?: string; path?: string }) => {
      assert.equal(err.code, 'ERR_KMS_CIPHERTEXT_MALFORMED');
      assert.equal(err.path, 'telecom.0.value');
      if (bad.length > 0) assert.ok(!err.message.includes(bad));
      return true;
    });
  }
  await assert.rejects(fields.sealField('x', { recordType: 'Patient', recordId: 'p', fieldPath: 'a' } as FieldBinding), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  await assert.rejects(fields.sealField(42 as unknown as string, binding()), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  await assert.rejects(fields.sealField('a\uD800b', binding()), { code: 'ERR_KMS_INVALID_ARGUMENT', message: /lone surrogate/ });
  keystore.close();
});

test('overhead: a 32-byte field costs at most 40 bytes before text encoding', async () => {
  const { keystore } = freshKeystore();
  for (const suite of ['aes-256-gcm', 'sm4-ctr-hmac-sm3'] as const) {
    const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek', suite });
    const sealed = await fields.sealField('a'.repeat(32), binding({ subjectId: suite }));
    const [tag, code, version, body] = sealed.split('.');
    const binaryLength = `${tag}.${code}.${version}.`.length + Buffer.from(body!, 'base64url').length;
    assert.ok(binaryLength - 32 <= 40, `${suite}: ${binaryLength - 32} bytes of overhead`);
    fields.close();
  }
  keystore.close();
});

test('the wrong keystore cannot open another keystore\'s fields', async () => {
  const a = freshKeystore();
  const b = freshKeystore();
  const sealed = await createFieldCipher({ keystore: a.keystore, wrappingKeyId: 'records-kek' }).sealField('x', binding());
  const other = createFieldCipher({ keystore: b.keystore, wrappingKeyId: 'records-kek' });
  await assert.rejects(other.openField(sealed, binding()), { code: 'ERR_KMS_KEY_NOT_FOUND' });
  // Same subject known to both keystores: the data keys differ, so the tag fails.
  await other.sealField('y', binding());
  await assert.rejects(other.openField(sealed, binding()), { code: 'ERR_KMS_DECRYPT_FAILED' });
});

test('data key rotation: new fields use the new version, old ones keep opening and refresh lazily', async () => {
  const { keystore, events } = freshKeystore();
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const old = await fields.sealField('张三', binding());
  assert.equal(await fields.rotateDataKey({ subjectId: 'p-1' }), 2);
  const fresh = await fields.sealField('张三', binding());
  assert.match(fresh, /^c1\.a\.2\./);
  assert.equal(await fields.openField(old, binding()), '张三');
  const refreshed = await fields.openFieldAndRefresh(old, binding());
  assert.equal(refreshed.value, '张三');
  assert.match(refreshed.ciphertext ?? '', /^c1\.a\.2\./);
  assert.equal((await fields.openFieldAndRefresh(fresh, binding())).ciphertext, undefined);
  assert.ok(events.some((e) => e.type === 'data-key.rotated' && e.scopeId === 'p-1' && e.version === 2));
});

test('switching a deployment to the SM4 suite re-encrypts old AES fields lazily', async () => {
  const { keystore } = freshKeystore();
  const aes = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const old = await aes.sealField('310101199001011234', binding());
  const sm4 = createFieldCipher({ keystore, wrappingKeyId: 'records-kek', suite: 'sm4-ctr-hmac-sm3' });
  await sm4.rotateDataKey({ subjectId: 'p-1' });
  const refreshed = await sm4.openFieldAndRefresh(old, binding());
  assert.match(refreshed.ciphertext ?? '', /^c1\.s\.2\./);
  assert.equal(await sm4.openField(refreshed.ciphertext!, binding()), '310101199001011234');
});

test('wrapping key rotation: re-wrap data keys without touching data; old fields still open', async () => {
  const { keystore, file } = freshKeystore();
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const sealed = [await fields.sealField('a', binding()), await fields.sealField('b', binding({ tenantId: 't-1', subjectId: undefined }))];
  keystore.rotateKey('records-kek');
  const reader = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  assert.equal(await reader.openField(sealed[0]!, binding()), 'a');
  assert.deepEqual(await reader.rewrapDataKeys(), { rewrapped: 2 });
  assert.deepEqual(await reader.rewrapDataKeys(), { rewrapped: 0 });
  const kekVersions = new Database(file, { readonly: true }).prepare('SELECT DISTINCT kek_version AS v FROM data_keys').all();
  assert.deepEqual(kekVersions, [{ v: 2 }]);
  const later = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  assert.equal(await later.openField(sealed[0]!, binding()), 'a');
  assert.equal(await later.openField(sealed[1]!, binding({ tenantId: 't-1', subjectId: undefined })), 'b');
});

test('crypto-shredding: destroying a subject\'s key makes all their fields unreadable, others untouched', async () => {
  const { keystore, events, file } = freshKeystore();
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const mine = [await fields.sealField('张三', binding()), await fields.sealField('13800138000', binding({ fieldPath: 'phone' }))];
  await fields.rotateDataKey({ subjectId: 'p-1' });
  mine.push(await fields.sealField('v2', binding({ fieldPath: 'note' })));
  const theirs = await fields.sealField('李四', binding({ subjectId: 'p-2', recordId: 'p-2' }));
  assert.equal(shredSubjectKey(fields, 'p-1'), 2);
  for (const [i, c] of mine.entries()) {
    await assert.rejects(fields.openField(c, binding({ fieldPath: ['telecom.0.value', 'phone', 'note'][i]! })), { code: 'ERR_KMS_KEY_DESTROYED' });
  }
  await assert.rejects(createFieldCipher({ keystore, wrappingKeyId: 'records-kek' }).openField(mine[0]!, binding()), { code: 'ERR_KMS_KEY_DESTROYED' });
  await assert.rejects(fields.sealField('again', binding()), { code: 'ERR_KMS_KEY_DESTROYED' });
  assert.equal(await fields.openField(theirs, binding({ subjectId: 'p-2', recordId: 'p-2' })), '李四');
  assert.ok(events.some((e) => e.type === 'data-key.shredded' && e.scopeId === 'p-1' && e.count === 2));
  const rows = new Database(file, { readonly: true }).prepare("SELECT wrapped, state FROM data_keys WHERE scope_id = 'p-1'").all();
  assert.deepEqual(rows, [{ wrapped: null, state: 'destroyed' }, { wrapped: null, state: 'destroyed' }]);
});

test('the data key cache has a bounded lifetime: a key shredded elsewhere stops working after maxAgeMs', async () => {
  const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
  const { keystore } = freshKeystore({ clock });
  const reader = createFieldCipher({ keystore, wrappingKeyId: 'records-kek', cache: { maxAgeMs: 60_000 } });
  const sealed = await reader.sealField('x', binding());
  shredSubjectKey(createFieldCipher({ keystore, wrappingKeyId: 'records-kek' }), 'p-1');
  assert.equal(await reader.openField(sealed, binding()), 'x');
  clock.advance(60_000);
  await assert.rejects(reader.openField(sealed, binding()), { code: 'ERR_KMS_KEY_DESTROYED' });
});

test('the data key cache has a bounded use count', async () => {
  const { keystore } = freshKeystore();
  const reader = createFieldCipher({ keystore, wrappingKeyId: 'records-kek', cache: { maxUses: 3 } });
  const sealed = await reader.sealField('x', binding());
  shredSubjectKey(createFieldCipher({ keystore, wrappingKeyId: 'records-kek' }), 'p-1');
  assert.equal(await reader.openField(sealed, binding()), 'x');
  assert.equal(await reader.openField(sealed, binding()), 'x');
  await assert.rejects(reader.openField(sealed, binding()), { code: 'ERR_KMS_KEY_DESTROYED' });
});

test('concurrent cache misses for one subject create and fetch the data key once', async () => {
  const { keystore, events, file } = freshKeystore();
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const sealed = await Promise.all(Array.from({ length: 25 }, (_, i) => fields.sealField(`v${i}`, binding({ fieldPath: `f${i}` }))));
  assert.equal(events.filter((e) => e.type === 'data-key.created').length, 1);
  assert.equal((new Database(file, { readonly: true }).prepare('SELECT count(*) AS n FROM data_keys').get() as { n: number }).n, 1);
  const reader = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const opened = await Promise.all(sealed.map((c, i) => reader.openField(c, binding({ fieldPath: `f${i}` }))));
  assert.deepEqual(opened, sealed.map((_, i) => `v${i}`));
});

test('an extra RSA wrapping key: data keys are wrapped under both', async () => {
  const { keystore } = freshKeystore();
  keystore.createKey({ id: 'escrow-rsa', algorithm: 'rsa-3072', purpose: 'wrap' });
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek', extraWrappingKeyIds: ['escrow-rsa'] });
  const sealed = await fields.sealField('x', binding());
  assert.equal(await createFieldCipher({ keystore, wrappingKeyId: 'records-kek', extraWrappingKeyIds: ['escrow-rsa'] }).openField(sealed, binding()), 'x');
});

test('a wrapped data key altered in the keystore is reported as corruption, not as a wrong field', async () => {
  const { keystore, file } = freshKeystore();
  const sealed = await createFieldCipher({ keystore, wrappingKeyId: 'records-kek' }).sealField('x', binding());
  const db = new Database(file);
  const row = db.prepare('SELECT wrapped FROM data_keys').get() as { wrapped: Buffer };
  row.wrapped[row.wrapped.length - 20] = row.wrapped[row.wrapped.length - 20]! ^ 1;
  db.prepare('UPDATE data_keys SET wrapped = ?').run(row.wrapped);
  db.close();
  await assert.rejects(createFieldCipher({ keystore, wrappingKeyId: 'records-kek' }).openField(sealed, binding()), { code: 'ERR_KMS_KEYSTORE_CORRUPT' });
});

test('the ciphertext parser accepts exactly the c1 grammar (property)', async () => {
  const { keystore } = freshKeystore();
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  await fields.sealField('seed', binding());
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string(), fc.string().map((s) => `c1.a.1.${s}`)), async (text) => {
      await assert.rejects(fields.openField(text, binding()), (err: Error & { code?: string }) => {
        assert.ok(['ERR_KMS_CIPHERTEXT_MALFORMED', 'ERR_KMS_DECRYPT_FAILED'].includes(err.code!), err.code);
        return true;
      });
    }),
    { numRuns: 200 },
  );
});
