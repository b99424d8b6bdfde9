import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { manualClock } from '../../lib/clock.js';
import { createEngine } from '../../pdp/engine.js';
import { openEntityStore } from '../../pdp/entity-store.js';
import type { EntityStore, EvaluationRequest } from '../../pdp/types.js';
import { loadPolicySet } from '../../policy/index.js';

const repo = join(import.meta.dirname, '..', '..');
const hospital = join(repo, 'examples', 'hospital');
const NOW = Date.parse('2026-06-01T09:00:00+08:00');

const setup = () => {
  const entities = openEntityStore({ file: ':memory:' });
  entities.importEntities(join(hospital, 'entities'));
  let n = 0;
  const engine = createEngine({ policySet: loadPolicySet(join(hospital, 'policy')), entities, clock: manualClock(NOW), newId: () => `id-${++n}` });
  return { engine, entities };
};

const req = (subject: string, action: string, type: string, id: string, context?: Record<string, unknown>, subjectType = 'user'): EvaluationRequest => ({
  subject: { type: subjectType, id: subject },
  action: { name: action },
  resource: { type, id },
  ...(context ? { context } : {}),
});

describe('engine.decide', () => {
  const { engine, entities } = setup();

  it('returns a frozen decision carrying the id, the policy version and reasons', () => {
    const d = engine.decide(req('d001', 'read', 'emr', 'e001', { purpose: 'treatment' }));
    assert.equal(d.decision, true);
    assert.match(d.context.id, /^id-\d+$/);
    assert.equal(d.context.policyVersion, engine.policySet.version);
    assert.ok(Object.isFrozen(d) && Object.isFrozen(d.context) && Object.isFrozen(d.context.fields));
  });

  it('gives every decision its own UUIDv7 by default', () => {
    const e = createEngine({ policySet: engine.policySet, entities });
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) ids.add(e.decide(req('d001', 'read', 'emr', i % 2 ? 'e001' : 'e002', { purpose: 'treatment' })).context.id);
    assert.equal(ids.size, 5000);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never throws: malformed requests are denies with ERR_PDP_INVALID_REQUEST', () => {
    for (const bad of [null, 42, {}, { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'emr', id: 'e1' } }, { subject: { type: 'user', id: 'd001' }, action: {}, resource: { type: 'emr' } }, { subject: { type: 'user', id: 'd001' }, action: { name: 'read' }, resource: { type: 'emr', id: 'e001' }, context: [] }]) {
      const d = engine.decide(bad as never);
      assert.equal(d.decision, false);
      assert.equal(d.context.reasons[0]?.id, 'ERR_PDP_INVALID_REQUEST');
    }
  });

  it('fails closed when attribute lookup throws (ERR_PDP_EVALUATION_FAILED)', () => {
    const broken: EntityStore = { ...entities, get: () => { throw new Error('disk on fire'); } } as EntityStore;
    const e = createEngine({ policySet: engine.policySet, entities: broken });
    const d = e.decide(req('d001', 'read', 'emr', 'e001', { purpose: 'treatment' }));
    assert.equal(d.decision, false);
    assert.equal(d.context.reasons[0]?.id, 'ERR_PDP_EVALUATION_FAILED');
    assert.ok(!JSON.stringify(d).includes('disk on fire'), 'no internal message leaks into the decision');
  });

  it('does not read prototype properties as attributes', () => {
    const d = engine.decide({ subject: { type: 'user', id: 'x', properties: JSON.parse('{"__proto__": {"role": "doctor", "department": "cardiology"}}') as Record<string, unknown> }, action: { name: 'read' }, resource: { type: 'emr', id: 'e001' }, context: { purpose: 'treatment' } });
    assert.equal(d.decision, false);
    const e = engine.decide({ subject: { type: 'user', id: 'toString' }, action: { name: 'read' }, resource: { type: 'constructor', id: 'x' } });
    assert.equal(e.decision, false);
  });

  it('keeps two subjects apart in the ability cache even when their attributes are equal', () => {
    // Same role and department; only d001 is on e001's care team.
    assert.equal(engine.decide(req('d001', 'read', 'emr', 'e001', { purpose: 'treatment' })).decision, true);
    const twin = engine.decide({ subject: { type: 'user', id: 'd009', properties: { role: 'doctor', department: 'cardiology', status: 'active' } }, action: { name: 'read' }, resource: { type: 'emr', id: 'e001' }, context: { purpose: 'treatment' } });
    assert.equal(twin.decision, false);
    // Ids that try to break out of the key's structure.
    const tricky = engine.decide({ subject: { type: 'user', id: 'd001","cardiology' }, action: { name: 'read' }, resource: { type: 'emr', id: 'e001' }, context: { purpose: 'treatment' } });
    assert.equal(tricky.decision, false);
    // The same subject with a different context gets a different ability.
    assert.equal(engine.decide(req('d001', 'read', 'emr', 'e001', { purpose: 'marketing' })).decision, false);
    assert.equal(engine.decide(req('d001', 'read', 'emr', 'e001', { purpose: 'treatment' })).decision, true);
  });

  it('decideMany follows the AuthZEN 1.0 semantics and stops early', () => {
    const allow = req('d001', 'read', 'emr', 'e001', { purpose: 'treatment' });
    const deny = req('d002', 'read', 'emr', 'e001', { purpose: 'treatment' });
    assert.deepEqual(engine.decideMany([allow, deny, allow]).map((d) => d.decision), [true, false, true]);
    assert.deepEqual(engine.decideMany([allow, deny, allow], 'deny_on_first_deny').map((d) => d.decision), [true, false]);
    assert.deepEqual(engine.decideMany([deny, allow, deny], 'permit_on_first_permit').map((d) => d.decision), [false, true]);
  });

  it('searches subjects, resources and actions by deciding each candidate', () => {
    const who = engine.searchSubjects({ subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'emr', id: 'e001' }, context: { purpose: 'treatment' } });
    assert.deepEqual(who.map((e) => e.id).sort(), ['d001', 'n001', 'p001']);
    const what = engine.searchResources({ subject: { type: 'user', id: 'd001' }, action: { name: 'read' }, resource: { type: 'emr' }, context: { purpose: 'treatment' } });
    assert.deepEqual(what, [{ type: 'emr', id: 'e001' }, { type: 'emr', id: 'e003' }]);
    assert.deepEqual(engine.searchActions({ subject: { type: 'user', id: 'd001' }, resource: { type: 'emr', id: 'e001' }, context: { purpose: 'treatment' } }), [{ name: 'read' }, { name: 'update' }]);
    assert.deepEqual(engine.searchResources({ subject: { type: 'user', id: 'd001' }, action: { name: 'read' }, resource: { type: 'nothing' } }), []);
    assert.deepEqual(engine.searchActions({ subject: { type: 'user', id: 'd001' }, resource: { type: 'nothing', id: 'x' } }), []);
  });

  it('explain lists every relevant rule and why it did or did not apply', () => {
    const e = engine.explain(req('n002', 'read', 'emr', 'e002'));
    assert.equal(e.decision.decision, false);
    const byId = Object.fromEntries(e.rules.map((r) => [r.id, r.outcome]));
    assert.equal(byId['nurse-denied-restricted-emr'], 'matched');
    assert.equal(byId['treating-doctor-emr'], 'static');
    assert.equal(e.subject.ward, '5B');
  });

  it('usePolicySet swaps the set atomically and clears cached abilities', () => {
    const { engine: e } = setup();
    const before = e.status();
    assert.equal(e.decide(req('d001', 'read', 'emr', 'e001', { purpose: 'treatment' })).decision, true);
    const dir = mkdtempSync(join(tmpdir(), 'custos-swap-'));
    writeFileSync(join(dir, 'p.yaml'), 'subjects: { user: { attributes: { role: string } } }\nresources:\n  emr: { actions: [read] }\n');
    e.usePolicySet(loadPolicySet(dir));
    const d = e.decide(req('d001', 'read', 'emr', 'e001', { purpose: 'treatment' }));
    assert.equal(d.decision, false);
    assert.notEqual(d.context.policyVersion, before.version);
    assert.equal(e.status().rules, 0);
  });

  it('status names the version, source and rule count', () => {
    const s = engine.status();
    assert.equal(s.version, engine.policySet.version);
    assert.ok(s.rules >= 15 && s.source.endsWith('policy'));
  });
});

describe('engine.filter (partial evaluation)', () => {
  const { engine, entities } = setup();
  const db = new Database(':memory:');
  db.exec('CREATE TABLE emr (id TEXT PRIMARY KEY, patientId TEXT, department TEXT, careTeam TEXT, ward TEXT, classification TEXT)');
  const insert = db.prepare('INSERT INTO emr VALUES (?, ?, ?, ?, ?, ?)');
  const rows = entities.list('emr').map((e) => ({ id: e.id, ...e.attributes }) as Record<string, unknown>);
  rows.push({ id: 'e100', patientId: 'p001', department: 'cardiology', careTeam: ['d001', 'd002'], ward: '3A' }); // classification unknown
  rows.push({ id: 'e101', patientId: 'p002', department: 'oncology', careTeam: [], ward: '5B', classification: 'normal' });
  for (const r of rows) insert.run(r.id, r.patientId ?? null, r.department ?? null, r.careTeam ? JSON.stringify(r.careTeam) : null, r.ward ?? null, r.classification ?? null);

  const cases: [string, Record<string, unknown> | undefined][] = [
    ['d001', { purpose: 'treatment' }], ['d002', { purpose: 'treatment' }], ['d001', undefined], ['d003', { purpose: 'treatment' }],
    ['n001', undefined], ['n002', undefined], ['p001', undefined], ['p002', undefined], ['so001', undefined], ['d001', { purpose: 'marketing' }],
  ];
  for (const [subject, context] of cases) {
    it(`returns exactly the EMRs decide() allows: ${subject} ${JSON.stringify(context ?? {})}`, () => {
      const f = engine.filter({ subject: { type: 'user', id: subject }, action: { name: 'read' }, resourceType: 'emr', ...(context ? { context } : {}) });
      const viaSql = (db.prepare(`SELECT id FROM emr WHERE ${f.sql.where} ORDER BY id`).all(...(f.sql.params as unknown[])) as { id: string }[]).map((r) => r.id);
      const viaDecide = rows
        .filter((r) => engine.decide({ subject: { type: 'user', id: subject }, action: { name: 'read' }, resource: { type: 'emr', id: String(r.id), properties: r }, ...(context ? { context } : {}) }).decision)
        .map((r) => String(r.id))
        .sort();
      assert.deepEqual(viaSql, viaDecide);
      if (viaDecide.length === 0) assert.equal(f.kind, 'never');
    });
  }

  it('answers never for unknown types and actions', () => {
    assert.equal(engine.filter({ subject: { type: 'user', id: 'd001' }, action: 'read', resourceType: 'xray' }).kind, 'never');
    assert.equal(engine.filter({ subject: { type: 'user', id: 'd001' }, action: 'fly', resourceType: 'emr' }).kind, 'never');
  });

  it('answers always when no condition restricts the type', () => {
    const f = engine.filter({ subject: { type: 'user', id: 'so001' }, action: 'read', resourceType: 'audit_log' });
    assert.equal(f.kind, 'always');
    assert.equal(f.sql.where, '1');
  });
});
