// Known-answer tests: Node's SM3/SM4 against the published vectors, then our suites against
// an independent construction from raw node:crypto primitives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { associatedData, deriveSuiteKeys, openPayload, sealPayload } from '../../kms/field-format.js';
import { blindIndex, type FieldBinding } from '../../kms/index.js';

const binding: FieldBinding = { recordType: 'Patient', recordId: 'p-1', fieldPath: 'name', subjectId: 's-1' };
const dataKey = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

test('SM3 of "abc" matches GB/T 32905-2016 Appendix A.1', () => {
  assert.equal(createHash('sm3').update('abc').digest('hex'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
});

test('SM4 single block matches GB/T 32907-2016 Appendix A.1', () => {
  const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
  const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
  assert.equal(Buffer.concat([cipher.update(key), cipher.final()]).toString('hex'), '681edf34d206965e86b3e94f536e4246');
});

test('the associated data encoding is fixed (length-prefixed parts)', () => {
  const aad = associatedData(binding, 'a', 3);
  const expected = Buffer.concat(['c1', 'a', 's', 's-1', 'Patient', 'p-1', 'name', '3'].map((p) => {
    const b = Buffer.from(p);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  }));
  assert.deepEqual(aad, expected);
});

test('SM4-CTR + HMAC-SM3 equals the construction from raw node:crypto primitives', () => {
  const keys = deriveSuiteKeys('sm4-ctr-hmac-sm3', dataKey);
  const encKey = createHmac('sm3', dataKey).update('custos/field/sm4-key/v1').digest().subarray(0, 16);
  const macKey = createHmac('sm3', dataKey).update('custos/field/hmac-sm3-key/v1').digest();
  assert.deepEqual(keys.encKey, encKey);
  assert.deepEqual(keys.macKey, macKey);
  const iv = Buffer.alloc(16, 7);
  const plaintext = Buffer.from('13800138000 张三');
  const aad = associatedData(binding, 's', 1);
  const ct = createCipheriv('sm4-ctr', encKey, iv).update(plaintext);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(aad.length);
  const mac = createHmac('sm3', macKey).update(Buffer.concat([len, aad, iv, ct])).digest().subarray(0, 16);
  const payload = sealPayload(keys, plaintext, aad, iv);
  assert.deepEqual(payload, Buffer.concat([iv, ct, mac]));
  assert.deepEqual(openPayload(keys, payload, aad), plaintext);
});

test('SM4-CBC + HMAC-SM3 equals the raw construction (PKCS#7 padding)', () => {
  const keys = deriveSuiteKeys('sm4-cbc-hmac-sm3', dataKey);
  const iv = Buffer.alloc(16, 9);
  const plaintext = Buffer.from('310101199001011234');
  const aad = associatedData(binding, 'b', 1);
  const cipher = createCipheriv('sm4-cbc', keys.encKey, iv);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  assert.equal(ct.length, 32);
  const payload = sealPayload(keys, plaintext, aad, iv);
  assert.deepEqual(payload.subarray(0, 48), Buffer.concat([iv, ct]));
  assert.deepEqual(openPayload(keys, payload, aad), plaintext);
});

test('AES-256-GCM equals raw node:crypto with the data key and associated data', () => {
  const keys = deriveSuiteKeys('aes-256-gcm', dataKey);
  const iv = Buffer.alloc(12, 1);
  const aad = associatedData(binding, 'a', 1);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update('hello'), cipher.final()]);
  assert.deepEqual(sealPayload(keys, Buffer.from('hello'), aad, iv), Buffer.concat([iv, ct, cipher.getAuthTag()]));
});

test('blind index: truncated HMAC-SHA256 / HMAC-SM3 of the NFC form', () => {
  const key = Buffer.alloc(32, 3);
  assert.equal(blindIndex('13800138000', { key }), createHmac('sha256', key).update('13800138000').digest().subarray(0, 16).toString('base64url'));
  assert.equal(blindIndex('13800138000', { key, algorithm: 'hmac-sm3', bytes: 8 }), createHmac('sm3', key).update('13800138000').digest().subarray(0, 8).toString('base64url'));
  assert.equal(blindIndex('e\u0301', { key }), blindIndex('\u00e9', { key }));
  assert.notEqual(blindIndex('13800138000', { key }), blindIndex('13800138000', { key: Buffer.alloc(32, 4) }));
  assert.throws(() => blindIndex('x', { key, bytes: 4 }), { code: 'ERR_KMS_INVALID_ARGUMENT' });
});
