import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { canonicalize } from '../../lib/canonical-json.js';
import { personalDataKeys } from '../../lib/logger.js';
import { eventJson, parseEvent, personalDataKindOf } from '../../audit/index.js';
import { decision } from './helpers.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const ids = JSON.parse(readFileSync(join(repoRoot, '..', 'shared', 'vectors', 'cn-identifiers.json'), 'utf8')) as { resident_id: { valid: string[] } };

const personal = new Set(personalDataKeys.map((k) => k.toLowerCase()));
const safeKey = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !personal.has(k.toLowerCase()) && !['__proto__', 'constructor', 'prototype', 'kind'].includes(k));
const safeString = fc.string({ maxLength: 20, unit: 'grapheme' }).filter((s) => personalDataKindOf(s) === undefined);
const leaf = fc.oneof(safeString, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(safeKey, tie('node'), { maxKeys: 3 })),
})).node;

test('property: the append path serializes events exactly as RFC 8785 canonicalize does', () => {
  fc.assert(
    fc.property(fc.dictionary(safeKey, value, { maxKeys: 6 }), (extra) => {
      const event = { ...extra, kind: 'admin', operation: 'x', result: 'success' };
      assert.equal(eventJson(event), canonicalize(event));
      assert.deepEqual(parseEvent(event).event, JSON.parse(canonicalize(event)));
    }),
    { numRuns: 300 },
  );
});

test('parseEvent returns a frozen copy', () => {
  const input = decision(3);
  const { event } = parseEvent(input);
  assert.ok(Object.isFrozen(event));
  assert.ok(Object.isFrozen((event as unknown as { reasons: string[] }).reasons));
  assert.notEqual(event, input);
});

test('every published valid resident ID number is refused, alone or inside a value', () => {
  for (const id of [...ids.resident_id.valid, '44011320141005001x']) {
    assert.equal(personalDataKindOf(id), 'a resident ID number', id);
    assert.throws(() => eventJson(decision(1, { resourceId: `patient ${id}` })), { code: 'ERR_AUDIT_PERSONAL_DATA', path: '$.resourceId' });
  }
});

test('mobile numbers are refused with and without +86; ids with digits are not', () => {
  for (const m of ['13812345678', '+8613812345678', '+86 19912345678', 'call 15012345678 now']) assert.equal(personalDataKindOf(m), 'a mobile phone number', m);
  for (const ok of ['doctor-17', 'rec-1700000000000', '0190f4c4-6b1e-7a3c-9d2e-000000000001', '12345678901234', 'v12', 'x13812345678y']) assert.equal(personalDataKindOf(ok), undefined, ok);
});

test('personal-data keys are refused at any depth and in any case; errors carry the path, not the value', () => {
  for (const key of personalDataKeys) {
    const nested = { ...decision(1), context: { inner: [{ [key.toUpperCase()]: 'secret-value' }] } };
    assert.throws(() => eventJson(nested), (error: Error & { code: string; path: string }) => {
      assert.equal(error.code, 'ERR_AUDIT_PERSONAL_DATA');
      assert.equal(error.path, `$.context.inner[0].${key.toUpperCase()}`);
      assert.ok(!error.message.includes('secret-value'));
      return true;
    });
  }
});

test('malformed events are refused with a code and a path', () => {
  const cases: [unknown, string][] = [
    [null, '$'],
    [[], '$'],
    [{ kind: 'decision' }, '$.decisionId'],
    [{ ...decision(1), reasons: 'rule-1' }, '$.reasons'],
    [{ kind: 'admin', operation: 'x', result: 'success', n: Number.NaN }, '$.n'],
    [{ kind: 'admin', operation: 'x', result: 'success', s: '\ud800' }, '$.s'],
    [{ kind: 'admin', operation: 'x', result: 'success', big: 'x'.repeat(9000) }, ''],
    [{ kind: 'admin', operation: 'x', result: 'success', f: () => 1 }, '$.f'],
  ];
  for (const [input, path] of cases) {
    assert.throws(() => eventJson(input), (error: Error & { code: string; path?: string }) => {
      assert.equal(error.code, 'ERR_AUDIT_INVALID_EVENT');
      if (path) assert.equal(error.path, path);
      return true;
    });
  }
});
