// The masking module against the real kms module: reversible tokens through the kms field
// cipher (per-subject data keys, crypto-shredding) and keyed operators from a kms keystore key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFieldCipher, deriveKey, openKeystore } from '../../kms/index.js';
import { applyMasks, applyMasksAsync, keyProviderFromKms, tokenVaultFromFieldCipher, SUPPRESSED } from '../../masking/index.js';

const freshKeystore = () => {
  const keystore = openKeystore({
    file: join(mkdtempSync(join(tmpdir(), 'custos-masking-kms-')), 'keystore.db'),
    rootKey: { kind: 'raw', key: randomBytes(32) },
    create: true,
    scrypt: { N: 1024, r: 8, p: 1 },
  });
  keystore.createKey({ id: 'records-kek', algorithm: 'aes-256', purpose: 'wrap' });
  keystore.createKey({ id: 'masking-key', algorithm: 'hmac-sm3', purpose: 'pseudonym' });
  return keystore;
};

test('tokenize through the kms field cipher: round trip per subject, and shredding the subject key makes tokens unreadable', async () => {
  const keystore = freshKeystore();
  const cipher = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  try {
    const vault = tokenVaultFromFieldCipher(cipher);
    const patient = { resourceType: 'Patient', id: 'p-1', telecom: [{ system: 'phone', value: '13812345678' }] };
    const { document, issues } = await applyMasksAsync(patient, { 'Patient.telecom': 'tokenize' }, { vault });
    assert.deepEqual(issues, []);
    const token = document.telecom[0]!.value;
    assert.match(token, /^c1\./);
    const context = { fieldPath: 'Patient.telecom', recordType: 'Patient', recordId: 'p-1', subjectId: 'p-1' };
    assert.equal(await vault.open(token, context), '13812345678');
    await assert.rejects(Promise.resolve(vault.open(token, { ...context, recordId: 'p-2' })));
    cipher.shredDataKey({ subjectId: 'p-1' });
    await assert.rejects(Promise.resolve(vault.open(token, context)));
  } finally {
    cipher.close();
    keystore.close();
  }
});

test('a plain record needs a subject or a tenant for kms tokens; without, the field is suppressed and reported', async () => {
  const keystore = freshKeystore();
  const cipher = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  try {
    const bare = await applyMasksAsync({ phone: '13812345678' }, { phone: 'tokenize' }, { vault: tokenVaultFromFieldCipher(cipher) });
    assert.equal(bare.document.phone, SUPPRESSED);
    assert.equal(bare.issues[0]!.code, 'ERR_MASKING_MISSING_SUBJECT');
    const tenantVault = tokenVaultFromFieldCipher(cipher, { tenantId: 'research-2026', recordType: 'export' });
    const ok = await applyMasksAsync({ phone: '13812345678' }, { phone: 'tokenize' }, { vault: tenantVault });
    assert.equal(await tenantVault.open(ok.document.phone, { fieldPath: 'phone' }), '13812345678');
  } finally {
    cipher.close();
    keystore.close();
  }
});

test('pseudonyms, FF1 and date shifts keyed from a kms pseudonym key: stable per key, different after rotation', () => {
  const keystore = freshKeystore();
  try {
    const key = keyProviderFromKms((o) => deriveKey({ keystore, ...o }), 'masking-key');
    const masks = { id: 'pseudonymize', phone: 'fpe' };
    const record = { id: '11010219910101007X', phone: '13812345678' };
    const a = applyMasks(record, masks, { key }).document;
    const b = applyMasks(record, masks, { key }).document;
    assert.deepEqual(a, b);
    assert.match(a.id, /^[0-9a-f]{32}$/);
    assert.match(a.phone, /^\d{11}$/);
    keystore.rotateKey('masking-key');
    const c = applyMasks(record, masks, { key }).document;
    assert.notEqual(c.id, a.id);
  } finally {
    keystore.close();
  }
});
