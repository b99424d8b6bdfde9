import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMasks, kAnonymity } from '../../masking/index.js';

// Ten export rows; quasi-identifiers sex, birth year, city. Classes by hand:
// (M,1985,杭州) ×3 = rows 0,1,2; (F,1990,杭州) ×3 = rows 3,4,5; (F,1990,宁波) ×2 = rows 6,7;
// (M,1972,温州) ×1 = row 8; (F,2001,杭州) ×1 = row 9.  → k = 1; with threshold 2, rows 8 and 9 stand out.
const rows = [
  { sex: 'M', birth: '1985-01-02', city: '杭州', dx: 'a' },
  { sex: 'M', birth: '1985-06-30', city: '杭州', dx: 'b' },
  { sex: 'M', birth: '1985-12-31', city: '杭州', dx: 'c' },
  { sex: 'F', birth: '1990-03-03', city: '杭州', dx: 'd' },
  { sex: 'F', birth: '1990-04-04', city: '杭州', dx: 'e' },
  { sex: 'F', birth: '1990-05-05', city: '杭州', dx: 'f' },
  { sex: 'F', birth: '1990-07-07', city: '宁波', dx: 'g' },
  { sex: 'F', birth: '1990-08-08', city: '宁波', dx: 'h' },
  { sex: 'M', birth: '1972-09-09', city: '温州', dx: 'i' },
  { sex: 'F', birth: '2001-10-10', city: '杭州', dx: 'j' },
];

test('k-anonymity of a small export with a known answer', () => {
  const years = rows.map((r) => applyMasks(r, { birth: 'generalize_year' }).document);
  const report = kAnonymity(years, ['sex', 'birth', 'city'], 2);
  assert.equal(report.k, 1);
  assert.equal(report.classes, 5);
  assert.equal(report.isAnonymous, false);
  assert.deepEqual(report.reidentifiable, [8, 9]);
  assert.deepEqual(
    report.violations.map((v) => [v.values, v.records]),
    [
      [['M', '1972', '温州'], [8]],
      [['F', '2001', '杭州'], [9]],
    ],
  );
  const k3 = kAnonymity(years, ['sex', 'birth', 'city'], 3);
  assert.deepEqual(k3.reidentifiable, [6, 7, 8, 9]);
});

test('generalising further raises k', () => {
  const bySex = kAnonymity(rows, ['sex'], 4);
  assert.equal(bySex.k, 4);
  assert.equal(bySex.isAnonymous, true);
  assert.deepEqual(bySex.reidentifiable, []);
  // every row differs in full birth date: k = 1, all re-identifiable
  assert.equal(kAnonymity(rows, ['birth'], 2).reidentifiable.length, 10);
});

test('missing quasi-identifiers form their own class; nested paths work', () => {
  const report = kAnonymity([{ a: { b: 1 } }, { a: { b: 1 } }, { a: {} }, {}], ['a.b'], 2);
  assert.equal(report.k, 2);
  assert.equal(report.classes, 2);
});

test('empty datasets and bad arguments', () => {
  assert.equal(kAnonymity([], ['sex'], 2).k, 0);
  assert.throws(() => kAnonymity(rows, [], 2), { code: 'ERR_MASKING_INVALID_DATASET' });
  assert.throws(() => kAnonymity(rows, ['sex'], 0), { code: 'ERR_MASKING_INVALID_DATASET' });
  assert.throws(() => kAnonymity(rows, ['items[*].x'], 2), { code: 'ERR_MASKING_INVALID_PATH' });
});
