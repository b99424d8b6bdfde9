// The bundled hospital example: every policy test suite, run through the in-process engine.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { manualClock } from '../../lib/clock.js';
import { createEngine } from '../../pdp/engine.js';
import { openEntityStore } from '../../pdp/entity-store.js';
import { loadPolicySet, loadPolicyTests, runPolicyTests, formatTestReport } from '../../policy/index.js';

const hospital = join(import.meta.dirname, '..', '..', 'examples', 'hospital');

describe('examples/hospital policy tests', () => {
  const set = loadPolicySet(join(hospital, 'policy'));
  const suites = loadPolicyTests(join(hospital, 'tests'));
  const entities = openEntityStore({ file: ':memory:' });
  entities.importEntities(join(hospital, 'entities'));
  const clock = manualClock(0);
  const engine = createEngine({ policySet: set, entities, clock });
  const report = runPolicyTests(suites, (request, nowMs) => {
    clock.set(nowMs ?? Date.parse('2026-06-01T09:00:00+08:00'));
    return engine.decide(request as never);
  });

  it('has at least 40 cases, allow and deny sides', () => {
    const cases = suites.flatMap((s) => s.tests);
    assert.ok(cases.length >= 40, `${cases.length} cases`);
    assert.ok(cases.filter((c) => c.expect.decision).length >= 15);
    assert.ok(cases.filter((c) => !c.expect.decision).length >= 15);
    assert.ok(cases.filter((c) => c.expect.fields || c.expect.masks).length >= 10, 'field lists and masks are checked');
  });

  for (const r of report.results) {
    it(`${r.suite}: ${r.name}`, () => assert.deepEqual(r.problems, [], formatTestReport({ passed: 0, failed: 1, results: [r] })));
  }

  it('covers every rule of the set with at least one allow or deny reason', () => {
    const seen = new Set<string>();
    for (const s of suites) {
      for (const t of s.tests) {
        clock.set(s.now ? Date.parse(s.now) : 0);
        for (const reason of engine.decide(t.request as never).context.reasons) seen.add(reason.id);
      }
    }
    const missing = set.rules.map((r) => r.id).filter((id) => !seen.has(id));
    assert.deepEqual(missing, []);
  });
});
