// Every decision over HTTP is appended to the real audit log (SQLite, hash chain) before the
// response, with ids and codes only; batches append one event per decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openAuditLog } from '../../audit/index.js';
import { certificationDir, post, repoRoot, startReal } from './http-harness.js';

/** Where the sidecar keeps its audit log: the file `custos audit …` and `custos keys …` use. */
const auditFile = (dataDir: string): string => join(dataDir, 'audit', 'audit.db');

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

    const log = openAuditLog({ file: auditFile(dataDir), readonly: true });
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

test('the audit log answers "who accessed this patient\'s data" (PIPL art. 45): decisions over HTTP carry the patient id, denies included', async () => {
  const hospital = join(repoRoot, 'examples', 'hospital');
  const s = await startReal(join(hospital, 'policy'), join(hospital, 'entities'), {}, { audit: true });
  try {
    const ask = async (subject: { type: string; id: string }, action: string, type: string, id: string) => {
      const r = await post(`${s.url}/access/v1/evaluation`, { subject, action: { name: action }, resource: { type, id }, context: { purpose: 'treatment' } });
      assert.equal(r.status, 200, r.text);
      return r.body as { decision: boolean; context: { id: string; dataSubjectId?: string } };
    };
    const user = (id: string) => ({ type: 'user', id });
    const aboutP001 = [
      await ask(user('d001'), 'read', 'emr', 'e001'),
      await ask(user('d001'), 'read', 'emr', 'e002'),
      await ask(user('ph001'), 'read', 'prescription', 'rx001'),
      await ask({ type: 'service', id: 'svc-ins-pa' }, 'read', 'claim', 'c001'),
      await ask(user('p001'), 'read', 'patient', 'p001'),
      await ask(user('p002'), 'read', 'patient', 'p001'),
    ];
    const other = await ask(user('d001'), 'read', 'emr', 'e003');
    // A batch: one event per item, each with its own patient.
    const batch = await post(`${s.url}/access/v1/evaluations`, {
      subject: user('n001'),
      action: { name: 'read' },
      context: { purpose: 'treatment' },
      evaluations: [{ resource: { type: 'emr', id: 'e001' } }, { resource: { type: 'emr', id: 'e003' } }],
      options: { include_context: true },
    });
    assert.equal(batch.status, 200, batch.text);
    const items = (batch.body as { evaluations: { decision: boolean; context: { id: string; dataSubjectId?: string } }[] }).evaluations;
    assert.deepEqual(items.map((i) => i.context.dataSubjectId), ['p001', 'p002']);
    assert.ok(aboutP001.some((d) => d.decision) && aboutP001.some((d) => !d.decision), 'permits and denies');
    for (const d of aboutP001) assert.equal(d.context.dataSubjectId, 'p001');
    assert.equal(other.context.dataSubjectId, 'p002');
    await s.close();

    const log = openAuditLog({ file: auditFile(s.dataDir), readonly: true });
    try {
      const p001 = log.query({ patientId: 'p001' });
      assert.deepEqual(
        p001.map((e) => (e.event as { decisionId?: string }).decisionId).sort(),
        [...aboutP001.map((d) => d.context.id), items[0]!.context.id].sort(),
        'exactly the decisions about p001',
      );
      for (const e of p001) assert.equal(e.event.kind, 'decision');
      assert.deepEqual(
        p001.map((e) => (e.event as { decision: string }).decision),
        [...aboutP001.map((d) => (d.decision ? 'permit' : 'deny')), items[0]!.decision ? 'permit' : 'deny'],
      );
      const p002 = log.query({ patientId: 'p002' }).map((e) => (e.event as { decisionId?: string }).decisionId).sort();
      assert.deepEqual(p002, [other.context.id, items[1]!.context.id].sort());
      // Ids only: no attribute value of the resource or the patient reaches the log.
      for (const e of log.query({ kind: 'decision' })) assert.ok(!JSON.stringify(e.event).includes('cardiology'));
    } finally {
      await log.close();
    }
  } finally {
    await s.stop();
  }
});
