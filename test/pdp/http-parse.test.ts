import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseEvaluationRequest, parseEvaluationsRequest, parseSearchRequest, encodePageToken } from '../../pdp/http/parse.js';

const valid = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } };

const invalidAt = (fn: () => unknown, path: string) =>
  assert.throws(fn, (e: { code?: string; path?: string }) => e.code === 'ERR_PDP_INVALID_REQUEST' && e.path === path);

test('a valid evaluation request parses into frozen entities', () => {
  const r = parseEvaluationRequest({ ...valid, context: { purpose: 'treatment' } });
  assert.deepEqual(r, { ...valid, context: { purpose: 'treatment' } });
  assert.ok(Object.isFrozen(r) && Object.isFrozen(r.subject));
});

test('unknown top-level members are ignored (AuthZEN certification c-2-2-9)', () => {
  assert.deepEqual(parseEvaluationRequest({ ...valid, foo: 'bar', futureField: { nested: true } }), valid);
});

test('missing and mistyped members fail with the path of the offending field', () => {
  invalidAt(() => parseEvaluationRequest({ action: valid.action, resource: valid.resource }), 'subject');
  invalidAt(() => parseEvaluationRequest({ ...valid, subject: 'alice' }), 'subject');
  invalidAt(() => parseEvaluationRequest({ ...valid, subject: { id: 'alice' } }), 'subject.type');
  invalidAt(() => parseEvaluationRequest({ ...valid, resource: { type: 'record' } }), 'resource.id');
  invalidAt(() => parseEvaluationRequest({ ...valid, action: { name: 123 } }), 'action.name');
  invalidAt(() => parseEvaluationRequest({ ...valid, action: {} }), 'action.name');
  invalidAt(() => parseEvaluationRequest({ ...valid, context: [] }), 'context');
  invalidAt(() => parseEvaluationRequest([valid]), '(body)');
});

test('prototype-polluting keys are refused at any depth', () => {
  const body = JSON.parse('{"subject":{"type":"user","id":"a","properties":{"x":{"__proto__":{"admin":true}}}},"action":{"name":"read"},"resource":{"type":"r","id":"1"}}');
  invalidAt(() => parseEvaluationRequest(body), 'subject.properties.x.__proto__');
  invalidAt(() => parseEvaluationRequest({ ...valid, context: { constructor: 1 } }), 'context.constructor');
});

test('attributes nested deeper than the limit are refused', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = { a: deep };
  assert.throws(() => parseEvaluationRequest({ ...valid, context: deep as Record<string, unknown> }), { code: 'ERR_PDP_INVALID_REQUEST' });
});

test('batch items inherit whole default entities and a malformed item is a per-item error', () => {
  const parsed = parseEvaluationsRequest({
    subject: valid.subject,
    action: { name: 'write' },
    resource: { type: 'record', id: 'record-1', properties: { status: 'active' } },
    evaluations: [{}, { resource: { type: 'record', id: 'record-2' } }, { resource: { type: 'record' } }, 'x'],
  });
  assert.equal(parsed.items.length, 4);
  const [a, b, c, d] = parsed.items;
  assert.ok(a?.ok && a.request.resource.properties?.status === 'active');
  assert.ok(b?.ok && b.request.resource.id === 'record-2' && b.request.resource.properties === undefined);
  assert.ok(c && !c.ok && c.error.path === 'evaluations[2].resource.id');
  assert.ok(d && !d.ok && d.error.path === 'evaluations[3]');
});

test('a batch without evaluations, or with an empty list, is a single evaluation', () => {
  assert.deepEqual(parseEvaluationsRequest(valid).single, valid);
  assert.deepEqual(parseEvaluationsRequest({ ...valid, evaluations: [] }).single, valid);
});

test('evaluation semantics are checked and batches are bounded', () => {
  assert.equal(parseEvaluationsRequest({ ...valid, options: { evaluations_semantic: 'deny_on_first_deny' }, evaluations: [{}] }).semantic, 'deny_on_first_deny');
  invalidAt(() => parseEvaluationsRequest({ ...valid, options: { evaluations_semantic: 'first' }, evaluations: [{}] }), 'options.evaluations_semantic');
  invalidAt(() => parseEvaluationsRequest({ ...valid, evaluations: Array.from({ length: 3 }, () => ({})) }, { maxBatchSize: 2, maxDepth: 8, maxPageLimit: 10 }), 'evaluations');
});

test('search requests need ids on the given entities only', () => {
  const s = parseSearchRequest('subject', { subject: { type: 'user', id: 'ignored' }, action: valid.action, resource: valid.resource });
  assert.equal(s.subject.type, 'user');
  invalidAt(() => parseSearchRequest('subject', { subject: { type: 'user' }, action: valid.action, resource: { type: 'record' } }), 'resource.id');
  invalidAt(() => parseSearchRequest('resource', { subject: { type: 'user' }, action: valid.action, resource: { type: 'record' } }), 'subject.id');
  invalidAt(() => parseSearchRequest('action', { subject: valid.subject }), 'resource');
  assert.equal(parseSearchRequest('action', { subject: valid.subject, resource: valid.resource }).action, undefined);
});

test('page tokens round-trip and foreign tokens are refused', () => {
  const body = { subject: { type: 'user' }, action: valid.action, resource: valid.resource };
  fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999 }), (offset) =>
    parseSearchRequest('subject', { ...body, page: { token: encodePageToken(offset) } }).page.offset === offset));
  invalidAt(() => parseSearchRequest('subject', { ...body, page: { token: '<next_token from previous response>' } }), 'page.token');
  invalidAt(() => parseSearchRequest('subject', { ...body, page: { limit: 0 } }), 'page.limit');
});

test('property: the parser never throws anything but a coded error, whatever the JSON', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
      for (const parse of [() => parseEvaluationRequest(value), () => parseEvaluationsRequest(value), () => parseSearchRequest('resource', value)]) {
        try {
          parse();
        } catch (error) {
          assert.equal((error as { code?: string }).code, 'ERR_PDP_INVALID_REQUEST');
        }
      }
    }),
    { numRuns: 500 },
  );
});
