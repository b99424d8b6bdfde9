// maskForDecision: permitted fields only, masks applied with the masking module, fail closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { maskForDecision } from '../../pdp/middleware/mask-response.js';
import type { Decision } from '../../pdp/types.js';

const decision = (extra: Partial<Decision['context']>, allowed = true): Decision => ({
  decision: allowed,
  context: { id: 'd', policyVersion: 'v', reasons: [], obligations: [], ...extra },
});

const record = { name: '王小明', idCardNo: '11010519491231002X', phone: '13812345678', diagnosis: '心绞痛', vitals: { bp: '128/82', t: '36.5' } };

test('a deny yields nothing', () => {
  assert.equal(maskForDecision(record, decision({}, false)), undefined);
});

test('without fields or masks the document passes unchanged', () => {
  assert.deepEqual(maskForDecision(record, decision({})), record);
});

test('only permitted fields are kept, including dotted sub-fields, in objects and arrays', () => {
  const d = decision({ fields: ['name', 'vitals.bp'] });
  assert.deepEqual(maskForDecision(record, d), { name: '王小明', vitals: { bp: '128/82' } });
  assert.deepEqual(maskForDecision([record, record], d), [{ name: '王小明', vitals: { bp: '128/82' } }, { name: '王小明', vitals: { bp: '128/82' } }]);
  assert.deepEqual(maskForDecision(record, decision({ fields: ['*'] })), record);
});

test('masks are applied by the masking module and the original is not mutated', () => {
  const d = decision({ fields: ['name', 'idCardNo', 'phone'], masks: { idCardNo: 'cn_resident_id', phone: 'phone_mobile' } });
  const out = maskForDecision(record, d) as Record<string, string>;
  assert.equal(out.name, '王小明');
  assert.notEqual(out.idCardNo, record.idCardNo);
  assert.ok(out.idCardNo === undefined || out.idCardNo.includes('*'));
  assert.notEqual(out.phone, record.phone);
  assert.equal(record.idCardNo, '11010519491231002X');
});

test('a __proto__ key in a document never reaches the output prototype', () => {
  const doc = JSON.parse('{"name":"a","__proto__":{"polluted":true}}') as Record<string, unknown>;
  const out = maskForDecision(doc, decision({ fields: ['name', '__proto__'] })) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal((out as { polluted?: boolean }).polluted, undefined);
});

test('a mask function that throws hides the masked fields (fail closed)', () => {
  const d = decision({ masks: { idCardNo: 'cn_resident_id' } });
  const out = maskForDecision(record, d, () => {
    throw new Error('no such rule');
  }) as Record<string, unknown>;
  assert.equal(out.idCardNo, undefined);
  assert.equal(out.name, '王小明');
});

test('property: the kept top-level keys are always within the permitted fields', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 6 }), (doc, fields) => {
      const out = maskForDecision(doc, decision({ fields: fields.filter((f) => f !== '*') })) as Record<string, unknown>;
      for (const key of Object.keys(out)) assert.ok(fields.some((f) => f === key || f.startsWith(`${key}.`)));
    }),
    { numRuns: 300 },
  );
});
