// The AuthZEN interop Todo scenario's recorded decisions, through the in-process engine.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fromAuthzenDraft00 } from '../../pdp/authzen-draft.js';
import { createEngine } from '../../pdp/engine.js';
import { openEntityStore } from '../../pdp/entity-store.js';
import type { EvaluationRequest } from '../../pdp/types.js';
import { loadPolicySet } from '../../policy/index.js';

const repo = join(import.meta.dirname, '..', '..');
const shared = join(repo, '..', 'shared', 'authzen-interop', 'todo');

interface Vectors {
  evaluation: { request: EvaluationRequest; expected: boolean }[];
  evaluations?: { request: EvaluationRequest & { evaluations: Partial<EvaluationRequest>[] }; expected: { decision: boolean }[] }[];
}

describe('AuthZEN Todo decisions (in-process)', { skip: !existsSync(shared) && 'needs ../shared/authzen-interop' }, () => {
  const entities = openEntityStore({ file: ':memory:' });
  entities.importEntities(join(repo, 'examples', 'authzen', 'entities'));
  const engine = createEngine({ policySet: loadPolicySet(join(repo, 'examples', 'authzen', 'policies')), entities });

  for (const file of ['decisions-authorization-api-1_0-02.json', 'decisions-authorization-api-1_0-01.json']) {
    it(`passes every evaluation of ${file}`, () => {
      const v = JSON.parse(readFileSync(join(shared, file), 'utf8')) as Vectors;
      assert.ok(v.evaluation.length >= 40);
      const wrong = v.evaluation.filter((c) => engine.decide(c.request).decision !== c.expected).map((c) => JSON.stringify(c.request));
      assert.deepEqual(wrong, []);
    });
  }

  it('passes every batch of the 1.0 vectors (defaults from the top level, answers in order)', () => {
    const v = JSON.parse(readFileSync(join(shared, 'decisions-authorization-api-1_0-02.json'), 'utf8')) as Vectors;
    assert.ok((v.evaluations ?? []).length >= 3);
    for (const c of v.evaluations ?? []) {
      const r = c.request;
      const requests = r.evaluations.map((e) => ({ subject: e.subject ?? r.subject, action: e.action ?? r.action, resource: e.resource ?? r.resource, ...(e.context ?? r.context ? { context: e.context ?? r.context } : {}) }));
      assert.deepEqual(engine.decideMany(requests as EvaluationRequest[]).map((d) => ({ decision: d.decision })), c.expected);
    }
  });

  it('passes the draft-00 vectors once rewritten to the 1.0 shape (subject.identity, resource attributes)', () => {
    const v = JSON.parse(readFileSync(join(shared, 'decisions-authorization-api-1_0-00.json'), 'utf8')) as Vectors;
    const wrong = v.evaluation.filter((c) => engine.decide(fromAuthzenDraft00(c.request)).decision !== c.expected).map((c) => JSON.stringify(c.request));
    assert.deepEqual(wrong, []);
    const modern = v.evaluation[0]!.request;
    assert.equal(fromAuthzenDraft00(fromAuthzenDraft00(modern)).subject.id, fromAuthzenDraft00(modern).subject.id);
  });

  it('denies an unknown PID everything, even reading users', () => {
    const d = engine.decide({ subject: { type: 'user', id: 'unknown-pid' }, action: { name: 'can_read_user' }, resource: { type: 'user', id: 'rick@the-citadel.com' } });
    assert.equal(d.decision, false);
  });
});
