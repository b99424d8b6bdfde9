import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPolicySet, type PolicyIssue } from '../../policy/index.js';

const repo = join(import.meta.dirname, '..', '..');
const fixtures = join(repo, 'test', 'fixtures', 'policy');

const issuesOf = (fn: () => unknown): PolicyIssue[] => {
  try {
    fn();
  } catch (err) {
    const e = err as { code: string; details?: { errors?: PolicyIssue[] } };
    assert.equal(e.code, 'ERR_POLICY_INVALID');
    return e.details?.errors ?? [];
  }
  assert.fail('expected ERR_POLICY_INVALID');
};

const where = (i: PolicyIssue): string => `${i.at.file.split('/').slice(-1)[0]}:${i.at.line}:${i.at.column}`;

describe('loadPolicySet: precise errors', () => {
  const issues = issuesOf(() => loadPolicySet(join(fixtures, 'invalid')));

  it('collects every problem of the set in one error, sorted by file, line and column', () => {
    assert.equal(issues.length, 8);
    const positions = issues.map((i) => [i.at.line, i.at.column]);
    const sorted = [...positions].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    assert.deepEqual(positions, sorted);
    for (const i of issues) {
      assert.ok(i.message.length > 0 && i.hint.length > 0, 'every issue says what is wrong and how to fix it');
      assert.match(i.at.file, /rules\.yaml$/);
    }
  });

  it('names an unknown field at the list item, with the declared fields in the hint', () => {
    const i = issues.find((x) => x.code === 'ERR_POLICY_UNKNOWN_FIELD')!;
    assert.equal(where(i), 'rules.yaml:7:25');
    assert.match(i.message, /"bloodType".*"emr" does not declare/);
    assert.match(i.hint, /known: diagnosis/);
  });

  it('names an unknown role', () => {
    const i = issues.find((x) => x.code === 'ERR_POLICY_UNKNOWN_ROLE')!;
    assert.equal(where(i), 'rules.yaml:12:13');
    assert.match(i.message, /unknown role "surgeon"/);
    assert.match(i.hint, /doctor/);
  });

  it('names a condition on an attribute the schema lacks, on both sides of the comparison', () => {
    const found = issues.filter((x) => x.code === 'ERR_POLICY_UNKNOWN_ATTRIBUTE').map((i) => [where(i), i.message]);
    assert.equal(found.length, 2);
    assert.equal(found[0]![0], 'rules.yaml:17:13');
    assert.match(found[0]![1]!, /"resource\.ward".*"emr" declares no attribute "ward"/);
    assert.equal(found[1]![0], 'rules.yaml:17:30');
    assert.match(found[1]![1]!, /"subject\.ward"/);
  });

  it('refuses a deny rule that can never match', () => {
    const i = issues.find((x) => x.code === 'ERR_POLICY_UNREACHABLE_DENY')!;
    assert.equal(where(i), 'rules.yaml:22:5');
    assert.match(i.message, /never-matching-deny/);
  });

  it('names an unknown key, operator and action', () => {
    assert.equal(where(issues.find((x) => x.code === 'ERR_POLICY_UNKNOWN_KEY')!), 'rules.yaml:27:5');
    const op = issues.find((x) => x.code === 'ERR_POLICY_UNKNOWN_OPERATOR')!;
    assert.equal(where(op), 'rules.yaml:32:36');
    assert.match(op.hint, /eq, ne, in/);
    assert.equal(where(issues.find((x) => x.code === 'ERR_POLICY_UNKNOWN_ACTION')!), 'rules.yaml:35:15');
  });

  it('reports YAML syntax errors with their position', () => {
    const [i] = issuesOf(() => loadPolicySet(join(fixtures, 'syntax')));
    assert.equal(i!.code, 'ERR_POLICY_YAML_SYNTAX');
    assert.equal(where(i!), 'bad.yaml:4:1');
  });
});

describe('loadPolicySet: safety and shape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-policy-'));
  const write = (name: string, text: string): void => writeFileSync(join(dir, name), text);

  it('refuses prototype keys and YAML aliases', () => {
    write('a.yaml', 'resources:\n  emr:\n    actions: [read]\n    attributes:\n      __proto__: string\nrules:\n  - &r { id: x, effect: allow, actions: [read], resource: emr }\n  - *r\n');
    const issues = issuesOf(() => loadPolicySet(dir));
    assert.ok(issues.some((i) => i.code === 'ERR_POLICY_FORBIDDEN_KEY' && i.at.line === 5));
    assert.ok(issues.some((i) => i.code === 'ERR_POLICY_BAD_VALUE' && /aliases/.test(i.message)));
    rmSync(join(dir, 'a.yaml'));
  });

  it('reads several files as one set, frozen, with a content-hash version that changes with the content', () => {
    write('schema.yaml', 'subjects: { user: { attributes: { role: string } } }\nroles: [viewer]\nresources:\n  doc: { actions: [read] }\n');
    write('rules.yaml', 'rules:\n  - { id: r1, effect: allow, actions: [read], resource: doc, roles: [viewer] }\n');
    const a = loadPolicySet(dir);
    assert.equal(a.ruleCount, 1);
    assert.match(a.version, /^sha256:[0-9a-f]{64}$/);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.rules) && Object.isFrozen(a.rules[0]));
    assert.equal(loadPolicySet(dir).version, a.version);
    write('rules.yaml', 'rules:\n  - { id: r1, effect: allow, actions: [read], resource: doc }\n');
    assert.notEqual(loadPolicySet(dir).version, a.version);
  });

  it('loads several folders as one set (the AuthZEN sets coexist)', () => {
    const other = mkdtempSync(join(tmpdir(), 'custos-policy-b-'));
    writeFileSync(join(other, 'more.yaml'), 'resources:\n  note: { actions: [read] }\nrules:\n  - { id: r2, effect: allow, actions: [read], resource: note, roles: [viewer] }\n');
    const set = loadPolicySet([dir, other]);
    assert.deepEqual(Object.keys(set.resourceTypes).sort(), ['doc', 'note']);
    assert.equal(set.ruleCount, 2);
  });

  it('throws ERR_POLICY_NO_FILES for a folder without YAML', () => {
    const empty = mkdtempSync(join(tmpdir(), 'custos-empty-'));
    assert.throws(() => loadPolicySet(empty), { code: 'ERR_POLICY_NO_FILES' });
  });

  it('loads the bundled hospital set and the AuthZEN Todo set', () => {
    const hospital = loadPolicySet(join(repo, 'examples', 'hospital', 'policy'));
    assert.deepEqual(Object.keys(hospital.resourceTypes).sort(), ['audit_log', 'claim', 'emr', 'lab_result', 'patient', 'prescription']);
    assert.ok(hospital.ruleCount >= 15);
    const todo = loadPolicySet(join(repo, 'examples', 'authzen', 'policies'));
    assert.ok(todo.resourceTypes.todo && todo.resourceTypes.user, 'the Todo resource types coexist with the other interop scenarios');
  });
});
