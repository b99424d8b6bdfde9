// Property: whatever YAML a policy folder holds, loading either succeeds or throws one coded
// ERR_POLICY_INVALID whose every issue has a position, a message and a hint — never a crash.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadPolicySet, type PolicyIssue } from '../../policy/index.js';

const key = fc.constantFrom('subjects', 'context', 'resources', 'roles', 'derivedRoles', 'rules', 'name', 'id', 'effect', 'actions', 'resource', 'when', 'fields', 'obligations', 'all', 'any', 'not', 'resource.a', 'subject.b', 'context.c', 'eq', 'in', 'exists', 'mask', '__proto__', 'x');
const leaf = fc.oneof(fc.constantFrom('allow', 'deny', 'read', 'emr', '*', 'subject.id', 'resource.a', ''), fc.integer(), fc.boolean(), fc.constant(null));
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
})).node;

describe('loadPolicySet on arbitrary YAML (property)', () => {
  it('succeeds or throws ERR_POLICY_INVALID with positioned issues', () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-fuzz-'));
    const base = 'subjects: { user: { attributes: { b: string } } }\ncontext: { c: string }\nroles: [r]\nresources:\n  emr: { actions: [read], attributes: { a: string }, fields: { f: { mask: redact } } }\n';
    writeFileSync(join(dir, 'a-schema.yaml'), base);
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 4 }), (doc) => {
        writeFileSync(join(dir, 'b-fuzz.yaml'), stringify(doc));
        try {
          loadPolicySet(dir);
        } catch (err) {
          const e = err as { code?: string; details?: { errors?: PolicyIssue[] } };
          assert.equal(e.code, 'ERR_POLICY_INVALID', String(err));
          for (const i of e.details?.errors ?? []) {
            assert.ok(i.code.startsWith('ERR_POLICY_') && i.message && i.hint && i.at.line >= 1 && i.at.column >= 1);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
