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

// The append path's fast path for flat events of known fields must give exactly the walk's
// (and RFC 8785's) text, and refuse exactly what the walk refuses.
const knownFlatFields = ['actorId', 'purpose', 'requestId', 'patientId', 'breakGlass', 'reasonCode', 'digest', 'target', 'count', 'scope', 'findings', 'keyVersion'];
const anyString = fc.oneof(fc.string({ maxLength: 24, unit: 'grapheme' }), fc.string({ maxLength: 12, unit: 'binary' }), fc.stringMatching(/^[0-9+\- ]{0,24}$/));
const flatValue = fc.oneof(anyString, fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.array(anyString, { maxLength: 3 }), fc.constant(undefined));
const outcome = (f: () => string): string => {
  try {
    return `ok ${f()}`;
  } catch (error) {
    return `error ${(error as { code?: string }).code}`;
  }
};

test('property: flat decision events serialize as canonicalize does and are refused exactly as personal data', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...knownFlatFields), flatValue, { maxKeys: 5 }), fc.nat(1000), anyString, (extra, i, id) => {
      const event = { ...decision(i), resourceId: id.length > 0 ? id : 'r', ...extra };
      const got = outcome(() => eventJson(event));
      const strings = Object.values(event).flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is string => typeof v === 'string');
      const wellFormed = strings.every((s) => (s as string & { isWellFormed(): boolean }).isWellFormed());
      const personalShaped = strings.some((s) => personalDataKindOf(s) !== undefined);
      if (personalShaped) assert.equal(got, 'error ERR_AUDIT_PERSONAL_DATA');
      else if (!wellFormed) assert.equal(got, 'error ERR_AUDIT_INVALID_EVENT');
      else if (!got.startsWith('error ERR_AUDIT_INVALID_EVENT')) assert.equal(got, `ok ${canonicalize(event)}`);
    }),
    { numRuns: 1000 },
  );
});

test('flat events: resident ID and mobile numbers in any field, lone surrogates and toJSON arrays take the exact path', () => {
  const id = ids.resident_id.valid[0] as string;
  for (const field of ['resourceId', 'purpose', 'requestId', 'actorId']) {
    assert.throws(() => eventJson({ ...decision(1), [field]: `x ${id} y` }), { code: 'ERR_AUDIT_PERSONAL_DATA' });
    assert.throws(() => eventJson({ ...decision(1), [field]: '+86 13812345678' }), { code: 'ERR_AUDIT_PERSONAL_DATA' });
  }
  assert.throws(() => eventJson({ ...decision(1), reasons: ['ok', `a ${id}`] }), { code: 'ERR_AUDIT_PERSONAL_DATA' });
  assert.throws(() => eventJson({ ...decision(1), resourceId: 'r\ud800' }), { code: 'ERR_AUDIT_INVALID_EVENT' });
  // Numbers with 11 digits are not personal data; the whole-text test only sends them the long way.
  assert.equal(eventJson({ ...decision(1), count: 13812345678 }), canonicalize({ ...decision(1), count: 13812345678 }));
  const reasons = Object.assign(['rule-1'], { toJSON: () => 'other' });
  assert.equal(eventJson({ ...decision(1), reasons }), canonicalize({ ...decision(1), reasons: ['rule-1'] }));
});
