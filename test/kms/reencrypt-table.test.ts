import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createFieldCipher, reencryptTable, type FieldBinding, type ReencryptProgress } from '../../kms/index.js';
import { freshKeystore, tempDir } from './helpers.js';

const bindingOf = (id: string, fieldPath: string): FieldBinding => ({ recordType: 'Patient', recordId: id, fieldPath, subjectId: id });

test('batch re-encryption is resumable after interruption and reports progress', async () => {
  const { keystore } = freshKeystore();
  const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
  const file = join(tempDir(), 'his.db');
  const db = new Database(file);
  db.exec('CREATE TABLE patient (id TEXT PRIMARY KEY, phone TEXT, name TEXT)');
  const insert = db.prepare('INSERT INTO patient VALUES (?, ?, ?)');
  const ids = Array.from({ length: 25 }, (_, i) => `p-${String(i).padStart(2, '0')}`);
  for (const id of ids) insert.run(id, await fields.sealField(`138${id}`, bindingOf(id, 'phone')), id === 'p-03' ? null : await fields.sealField(`姓名${id}`, bindingOf(id, 'name')));
  for (const id of ids) await fields.rotateDataKey({ subjectId: id });

  const seen: ReencryptProgress[] = [];
  const common = { cipher: fields, file, table: 'patient', idColumn: 'id', scopeColumn: 'id', recordType: 'Patient', columns: [{ column: 'phone' }, { column: 'name' }], batchSize: 4 };
  const first = await reencryptTable({ ...common, maxRows: 10, onProgress: (p) => seen.push(p) });
  assert.deepEqual(first, { done: 10, total: 25, reencrypted: 19, isComplete: false }); // p-03 has no name
  assert.deepEqual(seen.map((p) => p.done), [4, 8, 10]);
  const versions = () => (db.prepare('SELECT phone FROM patient ORDER BY id').all() as { phone: string }[]).map((r) => r.phone.split('.')[2]);
  assert.deepEqual(versions(), [...Array(10).fill('2'), ...Array(15).fill('1')]);

  const second = await reencryptTable(common);
  assert.deepEqual(second, { done: 25, total: 25, reencrypted: 49, isComplete: true });
  assert.deepEqual(versions(), Array(25).fill('2'));
  for (const row of db.prepare('SELECT * FROM patient').all() as { id: string; phone: string; name: string | null }[]) {
    assert.equal(await fields.openField(row.phone, bindingOf(row.id, 'phone')), `138${row.id}`);
    if (row.name !== null) assert.equal(await fields.openField(row.name, bindingOf(row.id, 'name')), `姓名${row.id}`);
  }
  const third = await reencryptTable(common);
  assert.deepEqual(third, { done: 25, total: 25, reencrypted: 0, isComplete: true });
  await assert.rejects(reencryptTable({ ...common, table: 'patient; DROP TABLE patient' }), { code: 'ERR_KMS_INVALID_ARGUMENT' });
  db.close();
});
