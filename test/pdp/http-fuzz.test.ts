// Property: whatever arrives on a decision endpoint — any JSON value, any text — the sidecar
// answers 200 or a 4xx problem, never a 5xx or a dropped connection, and keeps serving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { join } from 'node:path';
import { certificationDir, post, startReal, type Started } from './http-harness.js';

const endpoints = ['/access/v1/evaluation', '/access/v1/evaluations', '/access/v1/search/subject', '/access/v1/search/resource', '/access/v1/search/action', '/custos/v1/filter'];

describe('sidecar input fuzzing', () => {
  let s: Started;
  before(async () => {
    s = await startReal(join(certificationDir, 'policies'), join(certificationDir, 'entities'));
  });
  after(() => s.stop());

  const entity = fc.record({ type: fc.oneof(fc.constantFrom('user', 'record'), fc.string()), id: fc.oneof(fc.constantFrom('alice', 'bob', 'record-1'), fc.string(), fc.integer()) }, { requiredKeys: [] });
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.record({ subject: entity, action: fc.record({ name: fc.oneof(fc.constantFrom('read', 'write'), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] }), resource: entity, context: fc.jsonValue({ maxDepth: 3 }), evaluations: fc.array(fc.record({ resource: entity }, { requiredKeys: [] }), { maxLength: 4 }) }, { requiredKeys: [] }),
  );

  test('any JSON body gets 200 or 400, as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), body, async (endpoint, value) => {
        const r = await post(`${s.url}${endpoint}`, value);
        assert.ok(r.status === 200 || r.status === 400, `${endpoint}: HTTP ${r.status} ${r.text}`);
        assert.notEqual(r.body, undefined);
      }),
      { numRuns: 200 },
    );
  });

  test('any text body gets 200 or 400, and the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), fc.string({ maxLength: 200 }), async (endpoint, text) => {
        const r = await post(`${s.url}${endpoint}`, text, { raw: true });
        assert.ok(r.status === 200 || r.status === 400, `${endpoint}: HTTP ${r.status}`);
      }),
      { numRuns: 150 },
    );
    const ok = await post(`${s.url}/access/v1/evaluation`, { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } });
    assert.equal((ok.body as { decision: boolean }).decision, true);
  });
});
