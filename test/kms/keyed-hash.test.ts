import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKeyedHash, deriveKey, blindIndex } from '../../kms/index.js';
import { freshKeystore } from './helpers.js';

test('a keystore blind index is deterministic, separate from the encryption key, and versioned', () => {
  const { keystore } = freshKeystore();
  keystore.createKey({ id: 'phone-index', algorithm: 'hmac-sm3', purpose: 'blind-index' });
  const index = createKeyedHash({ keystore, keyId: 'phone-index', purpose: 'blind-index' });
  assert.equal(index.algorithm, 'hmac-sm3');
  assert.equal(index.compute('13800138000'), index.compute('13800138000'));
  assert.equal(index.compute('13800138000').length, 22);
  const material = keystore.withKeyMaterial('phone-index', 'blind-index', (m) => Buffer.from(m));
  assert.equal(index.compute('13800138000'), blindIndex('13800138000', { key: material, algorithm: 'hmac-sm3' }));
  keystore.rotateKey('phone-index');
  const v2 = createKeyedHash({ keystore, keyId: 'phone-index', purpose: 'blind-index' });
  assert.equal(v2.version, 2);
  assert.notEqual(v2.compute('13800138000'), index.compute('13800138000'));
  const v1 = createKeyedHash({ keystore, keyId: 'phone-index', purpose: 'blind-index', version: 1 });
  assert.equal(v1.compute('13800138000'), index.compute('13800138000'));
  index.close();
  assert.throws(() => index.compute('x'), TypeError);
  assert.throws(() => createKeyedHash({ keystore, keyId: 'records-kek', purpose: 'blind-index' }), { code: 'ERR_KMS_KEY_STATE' });
});

test('pseudonym keys: keyed hashes and derived keys for the masking module', () => {
  const { keystore } = freshKeystore();
  keystore.createKey({ id: 'masking-key', algorithm: 'hmac-sha256', purpose: 'pseudonym' });
  const pseudonym = createKeyedHash({ keystore, keyId: 'masking-key', purpose: 'pseudonym' });
  assert.equal(pseudonym.digest('p-1').length, 32);
  const a = deriveKey({ keystore, keyId: 'masking-key', info: 'masking/ff1/v1' });
  const b = deriveKey({ keystore, keyId: 'masking-key', info: 'masking/tokens/v1' });
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
  assert.deepEqual(deriveKey({ keystore, keyId: 'masking-key', info: 'masking/ff1/v1' }), a);
  assert.throws(() => deriveKey({ keystore, keyId: 'masking-key', info: '' }), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  assert.throws(() => deriveKey({ keystore, keyId: 'records-kek', info: 'x' }), { code: 'ERR_KMS_KEY_STATE' });
});
