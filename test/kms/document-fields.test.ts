import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFieldCipher, sealDocumentFields, openDocumentFields } from '../../kms/index.js';
import { freshKeystore } from './helpers.js';

const patient = {
  resourceType: 'Patient',
  id: 'p-1',
  name: [{ family: '张', given: ['三'] }, { family: 'Zhang', given: ['San'] }],
  telecom: [{ system: 'phone', value: '13800138000' }, { system: 'email', value: 'z@example.cn' }],
  birthDate: '1990-01-01',
  active: true,
};
const paths = ['name.*.family', 'telecom.*.value', 'birthDate', 'active', 'missing.path'];
const binding = { recordType: 'Patient', recordId: 'p-1', subjectId: 'p-1' };

test('FHIR resource fields are sealed by path pattern and open back; others untouched', async () => {
  const { keystore } = freshKeystore();
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const sealed = await sealDocumentFields(fields, patient, paths, binding);
  assert.match(sealed.name[0]!.family, /^c1\.a\.1\./);
  assert.match(sealed.telecom[1]!.value, /^c1\.a\.1\./);
  assert.match(sealed.birthDate, /^c1\./);
  assert.equal(sealed.active, true);
  assert.deepEqual(sealed.name[0]!.given, ['三']);
  assert.equal(patient.telecom[0]!.value, '13800138000');
  assert.ok(Object.isFrozen(sealed));
  assert.deepEqual(await openDocumentFields(fields, sealed, paths, binding), patient);
});

test('reordered array items, or a document under another record id, fail to open', async () => {
  const { keystore } = freshKeystore();
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const sealed = await sealDocumentFields(fields, patient, paths, binding);
  const swapped = { ...sealed, telecom: [sealed.telecom[1], sealed.telecom[0]] };
  await assert.rejects(openDocumentFields(fields, swapped, paths, binding), { code: 'ERR_KMS_DECRYPT_FAILED', path: 'telecom.0.value' });
  await assert.rejects(openDocumentFields(fields, sealed, paths, { ...binding, recordId: 'p-2' }), { code: 'ERR_KMS_DECRYPT_FAILED' });
  await assert.rejects(sealDocumentFields(fields, patient, ['__proto__.x'], binding), { code: 'ERR_KMS_INVALID_ARGUMENT' });
});
