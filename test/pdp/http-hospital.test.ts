// The hospital example's policy test suites, run through the sidecar over real HTTP: the same
// cases `custos policy test` runs in-process (cerbos runs its cases against both as well),
// with attributes looked up in the SQLite entity store and given inline.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatTestReport, loadPolicyTests, runPolicyTests, type PolicyTestSuite, type TestDecision } from '../../policy/index.js';
import { post, repoRoot, startReal, type Started } from './http-harness.js';

const hospital = join(repoRoot, 'examples', 'hospital');
const suites = loadPolicyTests(join(hospital, 'tests'));

/** Runs the suites' own comparator (`custos policy test`) on answers fetched over HTTP. */
const expectAllPass = (selected: readonly PolicyTestSuite[], answers: Map<unknown, TestDecision>): void => {
  const report = runPolicyTests(selected, (request) => answers.get(request)!);
  assert.equal(report.failed, 0, formatTestReport(report));
  assert.ok(report.passed > 0);
};

// One sidecar per distinct "now", so time-dependent rules (consent expiry, age) are exact.
for (const now of [...new Set(suites.map((x) => x.now))]) {
  const selected = suites.filter((x) => x.now === now);
  describe(`hospital policy suites over HTTP at ${now ?? 'the current time'}`, () => {
    let s: Started;
    before(async () => {
      s = await startReal(join(hospital, 'policy'), join(hospital, 'entities'), {}, now === undefined ? {} : { nowMs: Date.parse(now) });
    });
    after(() => s.stop());

    test('every case, one evaluation per request', async () => {
      const answers = new Map<unknown, TestDecision>();
      for (const suite of selected) {
        for (const c of suite.tests) {
          const r = await post(`${s.url}/access/v1/evaluation`, c.request);
          assert.equal(r.status, 200, `${c.name}: ${r.text}`);
          answers.set(c.request, r.body as TestDecision);
        }
      }
      expectAllPass(selected, answers);
    });

    test('every case again, in one batch per suite with context', async () => {
      const answers = new Map<unknown, TestDecision>();
      for (const suite of selected) {
        const r = await post(`${s.url}/access/v1/evaluations`, { options: { include_context: true }, evaluations: suite.tests.map((c) => c.request) });
        assert.equal(r.status, 200, r.text);
        const items = (r.body as { evaluations: TestDecision[] }).evaluations;
        assert.equal(items.length, suite.tests.length);
        suite.tests.forEach((c, i) => answers.set(c.request, items[i]!));
      }
      expectAllPass(selected, answers);
    });
  });
}

interface Answer {
  readonly decision: boolean;
}

describe('hospital attributes inline and looked up', () => {
  let s: Started;
  before(async () => {
    s = await startReal(join(hospital, 'policy'), join(hospital, 'entities'), {}, { nowMs: Date.parse('2026-06-01T09:00:00+08:00') });
  });
  after(() => s.stop());

  test('a resource the store does not hold is decided on its inline properties', async () => {
    const inline = { type: 'emr', id: 'e-new', properties: { patientId: 'p001', department: 'cardiology', careTeam: ['d001'], ward: '3A', classification: 'normal' } };
    const allowed = await post(`${s.url}/access/v1/evaluation`, { subject: { type: 'user', id: 'd001' }, action: { name: 'read' }, resource: inline, context: { purpose: 'treatment' } });
    assert.equal((allowed.body as Answer).decision, true, allowed.text);
    const otherTeam = await post(`${s.url}/access/v1/evaluation`, { subject: { type: 'user', id: 'd001' }, action: { name: 'read' }, resource: { ...inline, properties: { ...inline.properties, careTeam: ['d002'], department: 'oncology' } }, context: { purpose: 'treatment' } });
    assert.equal((otherTeam.body as Answer).decision, false);
  });

  test('stored subject attributes are looked up by id, and an inline property overrides them', async () => {
    const request = { subject: { type: 'user', id: 'd001' }, action: { name: 'read' }, resource: { type: 'emr', id: 'e001' }, context: { purpose: 'treatment' } };
    assert.equal(((await post(`${s.url}/access/v1/evaluation`, request)).body as Answer).decision, true);
    const suspended = await post(`${s.url}/access/v1/evaluation`, { ...request, subject: { ...request.subject, properties: { status: 'suspended' } } });
    assert.equal((suspended.body as Answer).decision, false);
  });

  test('the filter endpoint answers a SQL WHERE with parameters and a query object', async () => {
    const r = await post(`${s.url}/custos/v1/filter`, { subject: { type: 'user', id: 'd001' }, action: { name: 'read' }, resource: { type: 'emr' }, context: { purpose: 'treatment' } });
    assert.equal(r.status, 200, r.text);
    const filter = r.body as { kind: string; sql: { where: string; params: unknown[] }; query: object; policyVersion: string };
    assert.ok(['always', 'never', 'conditional'].includes(filter.kind));
    assert.equal(typeof filter.sql.where, 'string');
    assert.ok(Array.isArray(filter.sql.params));
    assert.match(filter.policyVersion, /^sha256:/);
    const bad = await post(`${s.url}/custos/v1/filter`, { subject: { type: 'user', id: 'd001' }, action: { name: 'read' } });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { path: string }).path, 'resource');
  });

  test('the policy status names the version, load time and source', async () => {
    const r = await fetch(`${s.url}/custos/v1/policy`);
    const status = (await r.json()) as { version: string; loadedAt: string; source: string; rules: number };
    assert.match(status.version, /^sha256:/);
    assert.ok(Number.isFinite(Date.parse(status.loadedAt)));
    assert.ok(status.rules > 0);
    assert.ok(status.source.length > 0);
  });
});
