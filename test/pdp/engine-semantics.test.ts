// Differential property test: the engine (CASL conditions + closures, cached abilities, SQL
// filters) against a direct three-valued reference of the same rules, on random attributes
// that are often missing. Missing attributes must make allows fail and denies apply.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { createEngine } from '../../pdp/engine.js';
import { loadPolicySet } from '../../policy/index.js';

const POLICY = `
subjects:
  user: { attributes: { a: string, n: number, tags: list } }
context: { p: string }
resources:
  doc: { actions: [read], attributes: { a: string, b: string, n: number, l: list } }
rules:
  - id: r1
    effect: allow
    actions: [read]
    resource: doc
    when:
      all:
        - any:
            - resource.a: { eq: subject.a }
            - not: { resource.b: { in: [x, y] } }
        - resource.n: { lt: subject.n }
  - id: r2
    effect: allow
    actions: [read]
    resource: doc
    when:
      all:
        - subject.tags: { contains: resource.a }
        - context.p: { eq: t }
  - id: d1
    effect: deny
    actions: [read]
    resource: doc
    when:
      all:
        - resource.b: { ne: y }
        - not: { resource.a: { exists: true } }
  - id: d2
    effect: deny
    actions: [read]
    resource: doc
    when: { resource.l: { contains: subject.a } }
`;

type T = 0 | 1 | 2; // false, true, unknown
const and = (...xs: T[]): T => (xs.includes(0) ? 0 : xs.includes(2) ? 2 : 1);
const or = (...xs: T[]): T => (xs.includes(1) ? 1 : xs.includes(2) ? 2 : 0);
const not = (x: T): T => (x === 2 ? 2 : x === 1 ? 0 : 1);
const eq = (l: unknown, r: unknown): T => (l === undefined || r === undefined ? 2 : l === r ? 1 : 0);
const inList = (l: unknown, list: unknown): T => (l === undefined || !Array.isArray(list) ? 2 : list.includes(l) ? 1 : 0);
const lt = (l: unknown, r: unknown): T => (typeof l === 'number' && typeof r === 'number' ? (l < r ? 1 : 0) : 2);

interface Bags { s: Record<string, unknown>; r: Record<string, unknown>; c: Record<string, unknown> }
const reference = ({ s, r, c }: Bags): boolean => {
  const d1 = and(r.b === undefined ? 2 : r.b !== 'y' ? 1 : 0, not(r.a !== undefined ? 1 : 0));
  const d2 = inList(s.a, r.l);
  if (d1 !== 0 || d2 !== 0) return false;
  const r1 = and(or(eq(r.a, s.a), not(inList(r.b, ['x', 'y']))), lt(r.n, s.n));
  const r2 = and(inList(r.a, s.tags), eq(c.p, 't'));
  return r1 === 1 || r2 === 1;
};

const opt = <V>(arb: fc.Arbitrary<V>) => fc.option(arb, { nil: undefined });
const word = fc.constantFrom('x', 'y', 'z');
const bags = fc.record({
  s: fc.record({ a: opt(word), n: opt(fc.integer({ min: 0, max: 3 })), tags: opt(fc.array(word, { maxLength: 2 })) }),
  r: fc.record({ a: opt(word), b: opt(word), n: opt(fc.integer({ min: 0, max: 3 })), l: opt(fc.array(word, { maxLength: 2 })) }),
  c: fc.record({ p: opt(fc.constantFrom('t', 'u')) }),
});
const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

describe('engine semantics (property, against a three-valued reference)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-semantics-'));
  writeFileSync(join(dir, 'p.yaml'), POLICY);
  const engine = createEngine({ policySet: loadPolicySet(dir), abilityCacheSize: 64 });
  const db = new Database(':memory:');
  db.exec('CREATE TABLE doc (id TEXT, a TEXT, b TEXT, n INTEGER, l TEXT)');

  it('decide agrees with the reference, missing attributes included', () => {
    fc.assert(
      fc.property(bags, (b) => {
        const s = clean(b.s);
        const r = clean(b.r);
        const c = clean(b.c);
        const d = engine.decide({ subject: { type: 'user', id: 'u1', properties: s }, action: { name: 'read' }, resource: { type: 'doc', id: 'd', properties: r }, context: c });
        assert.equal(d.decision, reference({ s, r, c }), JSON.stringify({ s, r, c, reasons: d.context.reasons }));
      }),
      { numRuns: 1500 },
    );
  });

  it('the SQL filter selects exactly the allowed rows', () => {
    fc.assert(
      fc.property(bags.map((x) => x.s), bags.map((x) => x.c), fc.array(bags.map((x) => x.r), { minLength: 1, maxLength: 12 }), (s0, c0, docs) => {
        const s = clean(s0);
        const c = clean(c0);
        db.exec('DELETE FROM doc');
        const insert = db.prepare('INSERT INTO doc VALUES (?, ?, ?, ?, ?)');
        docs.forEach((r, i) => insert.run(String(i), r.a ?? null, r.b ?? null, r.n ?? null, r.l === undefined ? null : JSON.stringify(r.l)));
        const f = engine.filter({ subject: { type: 'user', id: 'u1', properties: s }, action: 'read', resourceType: 'doc', context: c });
        const got = (db.prepare(`SELECT id FROM doc WHERE ${f.sql.where}`).all(...(f.sql.params as unknown[])) as { id: string }[]).map((x) => Number(x.id)).sort((a, b) => a - b);
        const want = docs.map((r, i) => [i, reference({ s, r: clean(r), c })] as const).filter(([, ok]) => ok).map(([i]) => i);
        assert.deepEqual(got, want, JSON.stringify({ s, c, where: f.sql.where }));
      }),
      { numRuns: 300 },
    );
  });
});
