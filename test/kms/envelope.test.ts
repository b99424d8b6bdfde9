import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope } from '../../kms/index.js';
import { freshKeystore } from './helpers.js';

const context = { purpose: 'lab-report', tenant: 't-1' };

test('blobs round-trip through the Encryption SDK with the caching materials manager', async () => {
  const { keystore } = freshKeystore();
  const envelope = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: { maxAgeMs: 10_000, maxMessagesEncrypted: 10 } });
  const blob = Buffer.from('%PDF-1.7 检验报告 '.repeat(100));
  const sealed = await envelope.encrypt(blob, context);
  assert.ok(!Buffer.from(sealed).includes(Buffer.from('检验报告')));
  assert.deepEqual(await envelope.decrypt(sealed, context), blob);
  const uncached = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: false });
  assert.deepEqual(await uncached.decrypt(sealed, context), blob);
});

test('the encryption context is required, and checked on decrypt', async () => {
  const { keystore } = freshKeystore();
  const envelope = await createEnvelope({ keystore, keyIds: ['records-kek'] });
  await assert.rejects(envelope.encrypt('x', {}), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  await assert.rejects(envelope.encrypt('x', { 'aws-crypto-public-key': 'x' }), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  const sealed = await envelope.encrypt('x', context);
  await assert.rejects(envelope.decrypt(sealed, { ...context, tenant: 't-2' }), { code: 'ERR_KMS_CONTEXT_MISMATCH' });
  await assert.rejects(envelope.decrypt(sealed, { purpose: 'lab-report' }), { code: 'ERR_KMS_CONTEXT_MISMATCH' });
  await assert.rejects(envelope.decrypt(sealed, { ...context, extra: '1' }), { code: 'ERR_KMS_CONTEXT_MISMATCH' });
});

test('a tampered message or another keystore\'s key fails to decrypt', async () => {
  const { keystore } = freshKeystore();
  const envelope = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: false });
  const sealed = Buffer.from(await envelope.encrypt('secret', context));
  const tampered = Buffer.from(sealed);
  tampered[tampered.length - 40] = tampered[tampered.length - 40]! ^ 1;
  await assert.rejects(envelope.decrypt(tampered, context), { code: 'ERR_KMS_DECRYPT_FAILED' });
  const other = freshKeystore();
  const stranger = await createEnvelope({ keystore: other.keystore, keyIds: ['records-kek'], cache: false });
  await assert.rejects(stranger.decrypt(sealed, context), { code: 'ERR_KMS_DECRYPT_FAILED' });
});

test('multi-keyring: raw AES + raw RSA; either key alone decrypts; the data key limit is enforced', async () => {
  const { keystore } = freshKeystore();
  keystore.createKey({ id: 'escrow-rsa', algorithm: 'rsa-3072', purpose: 'wrap' });
  keystore.createKey({ id: 'third-kek', algorithm: 'aes-256', purpose: 'wrap' });
  const both = await createEnvelope({ keystore, keyIds: ['records-kek', 'escrow-rsa'], cache: false });
  const sealed = await both.encrypt('x', context);
  const rsaOnly = await createEnvelope({ keystore, keyIds: ['escrow-rsa'], cache: false, maxEncryptedDataKeys: 2 });
  assert.equal((await rsaOnly.decrypt(sealed, context)).toString(), 'x');
  const strict = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: false, maxEncryptedDataKeys: 1 });
  await assert.rejects(strict.decrypt(sealed, context), { code: 'ERR_KMS_DECRYPT_FAILED' });
  const three = await createEnvelope({ keystore, keyIds: ['records-kek', 'third-kek', 'escrow-rsa'], cache: false, maxEncryptedDataKeys: 2 });
  await assert.rejects(three.encrypt('x', context), { code: 'ERR_KMS_ENVELOPE_FAILED' });
});

test('after rotating the wrapping key a rebuilt envelope still decrypts old messages', async () => {
  const { keystore } = freshKeystore();
  const before = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: false });
  const sealed = await before.encrypt('old', context);
  keystore.rotateKey('records-kek');
  const after = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: false });
  assert.equal((await after.decrypt(sealed, context)).toString(), 'old');
  keystore.disableKey('records-kek');
  await assert.rejects(createEnvelope({ keystore, keyIds: ['records-kek'] }), { code: 'ERR_KMS_KEY_STATE' });
});
