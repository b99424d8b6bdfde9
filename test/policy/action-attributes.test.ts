// `action.<attr>` in conditions: AuthZEN `action.properties`, declared under `action:` and
// validated like `context.*`; read per decision; a missing or mistyped attribute fails closed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { createEngine } from '../../pdp/index.js';
import { loadPolicySet, type PolicyIssue } from '../../policy/index.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const setFrom = (yaml: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-policy-action-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'policy.yaml'), yaml);
  return dir;
};

const schema = `
name: action-attributes
subjects:
  user: { attributes: { role: string } }
roles: [member, auditor]
action:
  soft: boolean
  reason: { type: string, default: none }
resources:
  record:
    actions: [read, delete]
    attributes: { status: string }
`;

const rules = `
rules:
  - id: soft-delete
    effect: allow
    resource: record
    actions: [delete]
    roles: [member]
    when: { action.soft: true }
  - id: read
    effect: allow
    resource: record
    actions: [read]
    roles: [member, auditor]
  - id: no-read-for-export
    description: an auditor may not read with the export reason
    effect: deny
    resource: record
    actions: [read]
    roles: [auditor]
    when: { action.reason: { eq: export } }
  - id: guarded-deny
    effect: deny
    resource: record
    actions: [delete]
    when: { resource.status: { eq: locked }, action.soft: { exists: true, eq: false } }
`;

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

describe('action.* attributes', () => {
  const set = loadPolicySet(setFrom(schema + rules));
  const engine = createEngine({ policySet: set });
  const decide = (role: string, action: string, properties?: unknown, status = 'active') =>
    engine.decide({
      subject: { type: 'user', id: 'u1', properties: { role } },
      action: properties === undefined ? { name: action } : ({ name: action, properties } as never),
      resource: { type: 'record', id: 'r1', properties: { status } },
    });

  it('are declared under action: and compiled as per-decision (residual) conditions', () => {
    assert.deepEqual(Object.keys(set.actionAttributes).sort(), ['reason', 'soft']);
    assert.equal(set.actionAttributes.reason!.default, 'none');
    const soft = set.rules.find((r) => r.id === 'soft-delete')!;
    assert.ok(soft.conditions.some((c) => c.cls === 'residual'), 'action conditions are evaluated per decision');
  });

  it('allow only when the attribute is TRUE: missing, null or mistyped fails closed', () => {
    assert.equal(decide('member', 'delete', { soft: true }).decision, true);
    assert.equal(decide('member', 'delete', { soft: true }).context.reasons[0]!.id, 'soft-delete');
    assert.equal(decide('member', 'delete', { soft: false }).decision, false);
    assert.equal(decide('member', 'delete').decision, false, 'no properties');
    assert.equal(decide('member', 'delete', {}).decision, false, 'missing attribute');
    assert.equal(decide('member', 'delete', { soft: null }).decision, false, 'null is missing');
    assert.equal(decide('member', 'delete', { soft: 'true' }).decision, false, 'a string is not the boolean true');
    assert.equal(decide('auditor', 'delete', { soft: true }).decision, false, 'the role still applies');
  });

  it('the same subject and context get different answers for different action properties (no stale cache)', () => {
    for (let i = 0; i < 3; i++) {
      assert.equal(decide('member', 'delete', { soft: true }).decision, true);
      assert.equal(decide('member', 'delete', { soft: false }).decision, false);
    }
  });

  it('defaults fill a missing attribute; a deny reads them like any attribute', () => {
    assert.equal(decide('auditor', 'read').decision, true, 'reason defaults to none');
    const denied = decide('auditor', 'read', { reason: 'export' });
    assert.equal(denied.decision, false);
    assert.equal(denied.context.reasons[0]!.id, 'no-read-for-export');
    assert.equal(decide('member', 'read', { reason: 'export' }).decision, true);
    assert.equal(decide('member', 'delete', { soft: false }, 'locked').context.reasons[0]!.id, 'guarded-deny');
    assert.equal(decide('member', 'delete', { soft: true }, 'locked').decision, true);
  });

  it('explain shows the action attributes the policy read', () => {
    const x = engine.explain({ subject: { type: 'user', id: 'u1', properties: { role: 'auditor' } }, action: { name: 'read' }, resource: { type: 'record', id: 'r1' } });
    assert.deepEqual({ ...x.action }, { reason: 'none' });
  });

  it('never reaches prototype properties', () => {
    const inherited = Object.create({ soft: true }) as Record<string, unknown>;
    assert.equal(decide('member', 'delete', inherited).decision, false);
  });

  it('property: a soft delete by a member is allowed exactly when action.properties.soft === true', () => {
    fc.assert(
      fc.property(fc.option(fc.dictionary(fc.constantFrom('soft', 'reason', 'other'), fc.oneof(fc.boolean(), fc.string(), fc.integer(), fc.constant(null))), { nil: undefined }), (props) => {
        const want = props !== undefined && props.soft === true;
        assert.equal(decide('member', 'delete', props).decision, want);
      }),
      { numRuns: 200 },
    );
  });

  it('an undeclared action attribute is a load error at its position, with the declared ones in the hint', () => {
    const issues = issuesOf(() =>
      loadPolicySet(setFrom(`${schema}
rules:
  - id: hard-delete
    effect: allow
    resource: record
    actions: [delete]
    when: { action.hard: true }
`)),
    );
    assert.equal(issues.length, 1);
    const i = issues[0]!;
    assert.equal(i.code, 'ERR_POLICY_UNKNOWN_ATTRIBUTE');
    assert.match(i.message, /"action\.hard".*the action declares no attribute "hard"/);
    assert.match(i.hint, /declare it under action:.*known: reason, soft/);
    assert.equal(i.at.line, 19);
  });

  it('a set without action: declarations refuses every action.* reference', () => {
    const issues = issuesOf(() =>
      loadPolicySet(setFrom(`
subjects: { user: { attributes: {} } }
resources: { record: { actions: [delete] } }
rules:
  - { id: r, effect: allow, resource: record, actions: [delete], when: { action.soft: true } }
`)),
    );
    assert.equal(issues[0]!.code, 'ERR_POLICY_UNKNOWN_ATTRIBUTE');
    assert.match(issues[0]!.hint, /known: none/);
  });

  it('a malformed action declaration is reported', () => {
    const issues = issuesOf(() => loadPolicySet(setFrom(`${schema.replace('soft: boolean', 'soft: flag')}`)));
    assert.equal(issues[0]!.code, 'ERR_POLICY_BAD_VALUE');
    assert.match(issues[0]!.message, /action: attribute "soft" has no valid type/);
  });
});
