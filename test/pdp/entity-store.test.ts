import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hasActiveConsent, isConsentActive } from '../../pdp/consent.js';
import { openEntityStore } from '../../pdp/entity-store.js';
import type { Consent } from '../../pdp/types.js';
import { parseCsv } from '../../lib/csv.js';

const repo = join(import.meta.dirname, '..', '..');

describe('entity store', () => {
  it('imports YAML, JSON and CSV into a SQLite file and reads them back after reopening', () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-entities-'));
    writeFileSync(join(dir, 'a.yaml'), 'entities:\n  - { type: user, id: u1, attributes: { role: doctor, tags: [a, b] } }\nrelationships:\n  - { subject: { type: user, id: u1 }, relation: treats, object: { type: patient, id: p1 } }\n');
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ entities: [{ type: 'patient', id: 'p1', attributes: { birthDate: '2000-01-02' } }] }));
    writeFileSync(join(dir, 'rooms.csv'), 'type,id,ward,beds,open,team\nroom,r1,3A,4,true,"[""u1"",""u2""]"\nroom,r2,"5,B",,false,[]\n');
    writeFileSync(join(dir, 'consents.csv'), 'id,patient,purpose,recipient,scope,validFrom,validUntil,withdrawnAt\nc1,p1,research,PRJ,general;genetic,2026-01-01,2026-12-31,\n');
    const file = join(dir, 'entities.db');
    const store = openEntityStore({ file });
    assert.deepEqual(store.importEntities(dir), { files: 4, entities: 4, relationships: 1, consents: 1 });
    store.close();
    const again = openEntityStore({ file });
    assert.deepEqual(again.get('user', 'u1')?.attributes, { role: 'doctor', tags: ['a', 'b'] });
    assert.deepEqual(again.get('room', 'r1')?.attributes, { ward: '3A', beds: 4, open: true, team: ['u1', 'u2'] });
    assert.deepEqual(again.get('room', 'r2')?.attributes, { ward: '5,B', open: false, team: [] });
    assert.equal(again.get('user', 'nobody'), undefined);
    assert.deepEqual(again.list('room').map((e) => e.id), ['r1', 'r2']);
    assert.deepEqual(again.relationships({ type: 'user', id: 'u1' }, 'treats').map((r) => r.object.id), ['p1']);
    assert.deepEqual(again.consentsFor('p1')[0]?.scope, ['general', 'genetic']);
    assert.ok(Object.isFrozen(again.get('user', 'u1')!.attributes));
    again.close();
    assert.throws(() => again.get('user', 'u9'), { code: 'ERR_PDP_STORE_CLOSED' });
  });

  it('sees writes through its cache', () => {
    const store = openEntityStore({ file: ':memory:' });
    assert.equal(store.get('user', 'u1'), undefined);
    store.putEntity({ type: 'user', id: 'u1', attributes: { role: 'nurse' } });
    assert.equal(store.get('user', 'u1')?.attributes.role, 'nurse');
    store.putEntity({ type: 'user', id: 'u1', attributes: { role: 'doctor' } });
    assert.equal(store.get('user', 'u1')?.attributes.role, 'doctor');
    store.close();
  });

  it('rejects bad entity files with the file and the path, never the value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-bad-entities-'));
    const store = openEntityStore({ file: ':memory:' });
    const check = (name: string, text: string, path: RegExp) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      assert.throws(() => store.importEntities(file), (err: { code: string; path?: string; at?: { file: string }; message: string }) => {
        assert.equal(err.code, 'ERR_PDP_ENTITY_INVALID');
        assert.match(err.path ?? '', path);
        assert.equal(err.at?.file, file);
        assert.ok(!err.message.includes('110101'), 'no value in the message');
        return true;
      });
    };
    check('a.yaml', 'entities:\n  - { type: user, id: 110101199003077777, attributes: { __proto__: 1 } }\n', /entities\[0\]\.attributes/);
    check('b.json', '{"entities":[{"type":"user","id":"u1","attributes":{"constructor":{"x":1}}}]}', /constructor/);
    check('c.yaml', 'entities:\n  - { type: "bad type", id: u1 }\n', /entities\[0\]\.type/);
    check('d.yaml', 'people: []\n', /people/);
    check('e.csv', 'name,role\nx,y\n', /row 1/);
    check('consents.yaml', 'consents:\n  - { id: c1, patient: p1, purpose: research, validUntil: "tomorrow" }\n', /validUntil/);
    // Nothing was written by the failed imports.
    assert.deepEqual(store.list('user'), []);
    store.close();
  });

  it('imports the bundled hospital entities', () => {
    const store = openEntityStore({ file: ':memory:' });
    const summary = store.importEntities(join(repo, 'examples', 'hospital', 'entities'));
    assert.ok(summary.entities >= 26 && summary.consents === 2 && summary.relationships === 4);
    assert.deepEqual(store.get('emr', 'e002')?.attributes, { patientId: 'p001', department: 'oncology', careTeam: ['d002'], ward: '5B', classification: 'restricted' });
    store.close();
  });
});

describe('consents', () => {
  const base: Consent = { id: 'c', patient: 'p001', purpose: 'payment', recipient: 'INS-PA', scope: ['general'], validFrom: '2026-01-01', validUntil: '2027-12-31' };
  it('is in force from the first to the last day of its period, China Standard Time', () => {
    assert.equal(isConsentActive(base, Date.parse('2025-12-31T23:59:59+08:00')), false);
    assert.equal(isConsentActive(base, Date.parse('2026-01-01T00:00:00+08:00')), true);
    assert.equal(isConsentActive(base, Date.parse('2027-12-31T23:59:59+08:00')), true);
    assert.equal(isConsentActive(base, Date.parse('2028-01-01T00:00:00+08:00')), false);
  });
  it('stops at withdrawal (PIPL art. 15)', () => {
    const withdrawn = { ...base, withdrawnAt: '2026-06-01T10:00:00+08:00' };
    assert.equal(isConsentActive(withdrawn, Date.parse('2026-06-01T09:59:59+08:00')), true);
    assert.equal(isConsentActive(withdrawn, Date.parse('2026-06-01T10:00:00+08:00')), false);
  });
  it('matches purpose, recipient and scope exactly', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    assert.equal(hasActiveConsent([base], { purpose: 'payment', recipient: 'INS-PA' }, now), true);
    assert.equal(hasActiveConsent([base], { purpose: 'payment', recipient: 'INS-XX' }, now), false);
    assert.equal(hasActiveConsent([base], { purpose: 'research' }, now), false);
    assert.equal(hasActiveConsent([base], { purpose: 'payment', scope: 'genetic' }, now), false);
  });
});

describe('CSV parser', () => {
  it('round-trips quoted fields (property)', () => {
    const cell = fc.string({ maxLength: 12 }).filter((s) => !s.includes('\r'));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = rows[0]!.length;
        const table = rows.map((r) => Array.from({ length: width }, (_, i) => `x${r[i] ?? ''}`));
        const text = table.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n');
        assert.deepEqual(parseCsv(text), table);
      }),
      { numRuns: 200 },
    );
  });
});
