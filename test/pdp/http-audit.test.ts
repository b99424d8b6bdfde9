// Every decision over HTTP is appended to the real audit log (SQLite, hash chain) before the
// response, with ids and codes only; batches append one event per decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openAuditLog } from '../../audit/index.js';
import { certificationDir, post, startReal } from './http-harness.js';

test('a decision over HTTP appears in the audit log with its decision id, result, reasons and policy version; policy loads and reloads too', async () => {
  const s = await startReal(join(certificationDir, 'policies'), join(certificationDir, 'entities'), {}, { audit: true });
  let dataDir = s.dataDir;
  try {
    const permit = await post(`${s.url}/access/v1/evaluation`, {
      subject: { type: 'user', id: 'alice' },
      action: { name: 'read' },
      resource: { type: 'record', id: 'record-1' },
      context: { purpose: 'treatment' },
    }, { headers: { 'x-request-id': 'req-audit-1' } });
    const answer = permit.body as { decision: boolean; context: { id: string; policyVersion: string } };
    assert.equal(answer.decision, true);
    const batch = await post(`${s.url}/access/v1/evaluations`, {
      subject: { type: 'user', id: 'bob' },
      resource: { type: 'record', id: 'record-1' },
      evaluations: [{ action: { name: 'read' } }, { action: { name: 'write' } }],
    });
    assert.deepEqual(batch.body, { evaluations: [{ decision: true }, { decision: false }] });
    const reload = await post(`${s.url}/custos/v1/policy/reload`, {});
    assert.equal(reload.status, 200);
    await s.close();

    const log = openAuditLog({ file: join(dataDir, 'audit.db'), readonly: true });
    try {
      const entries = log.query({ kind: 'decision' });
      assert.equal(entries.length, 3);
      const first = entries.find((e) => (e.event as { decisionId?: string }).decisionId === answer.context.id);
      assert.ok(first, 'the response decision id is in the log');
      assert.deepEqual(
        { ...first.event },
        {
          kind: 'decision',
          decisionId: answer.context.id,
          subjectId: 'alice',
          subjectType: 'user',
          action: 'read',
          resourceType: 'record',
          resourceId: 'record-1',
          decision: 'permit',
          reasons: (first.event as unknown as { reasons: string[] }).reasons,
          obligations: [],
          policyVersion: answer.context.policyVersion,
          requestId: 'req-audit-1',
          purpose: 'treatment',
        },
      );
      assert.ok((first.event as unknown as { reasons: string[] }).reasons.length > 0);
      const changes = log.query({ kind: 'policy-change' }).map((e) => e.event as unknown as { change: string; policyVersion: string; previousVersion?: string });
      assert.deepEqual(changes.map((c) => c.change), ['load', 'reload']);
      assert.equal(changes[0]!.policyVersion, answer.context.policyVersion);
      assert.equal(changes[1]!.previousVersion, answer.context.policyVersion);
      const bob = log.query({ kind: 'decision', subjectId: 'bob' });
      assert.deepEqual(bob.map((e) => (e.event as { decision: string }).decision).sort(), ['deny', 'permit']);
    } finally {
      await log.close();
    }
  } finally {
    await s.close();
    rmSync(dataDir, { recursive: true, force: true });
    dataDir = '';
  }
});
