import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecisionEvent } from '../../audit/index.js';

/** A fresh temp folder, removed by the returned cleanup. */
export const tempDir = (): { dir: string; cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-audit-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};

/** A decision event with ids only, numbered so tests can tell events apart. */
export const decision = (i: number, overrides: Partial<DecisionEvent> = {}): DecisionEvent => ({
  kind: 'decision',
  decisionId: `0190f4c4-6b1e-7a3c-9d2e-${String(i).padStart(12, '0')}`,
  subjectId: `doctor-${i % 7}`,
  subjectType: 'doctor',
  action: 'read',
  resourceType: 'medical_record',
  resourceId: `record-${i}`,
  patientId: `patient-${i % 5}`,
  decision: i % 3 === 0 ? 'deny' : 'permit',
  reasons: [i % 3 === 0 ? 'ERR_PDP_NO_MATCHING_ALLOW' : 'rule-doctor-own-patients'],
  obligations: i % 2 === 0 ? ['mask'] : [],
  policyVersion: 'v1',
  purpose: 'treatment',
  ...overrides,
});
