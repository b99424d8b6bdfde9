// Decisions name the patient whose data the resource holds (`context.dataSubjectId`, from the
// resource type's `patient:` declaration), on permits and denies alike, so that an auditor can
// answer "who accessed this patient's data" (PIPL art. 45). Ids only.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createEngine } from '../../pdp/engine.js';
import { openEntityStore } from '../../pdp/entity-store.js';
import { loadPolicySet } from '../../policy/index.js';

const hospital = join(import.meta.dirname, '..', '..', 'examples', 'hospital');

describe('decision context: dataSubjectId', () => {
  const set = loadPolicySet(join(hospital, 'policy'));
  const entities = openEntityStore({ file: ':memory:' });
  entities.importEntities(join(hospital, 'entities'));
  const engine = createEngine({ policySet: set, entities });
  const decide = (subject: string, action: string, type: string, id: string | undefined, properties?: Record<string, unknown>) =>
    engine.decide({
      subject: { type: 'user', id: subject },
      action: { name: action },
      resource: { type, ...(id === undefined ? {} : { id }), ...(properties ? { properties } : {}) } as never,
      context: { purpose: 'treatment' },
    });

  it('the hospital example declares the patient of every resource type that holds patient data', () => {
    const declared = Object.fromEntries(Object.values(set.resourceTypes).map((rt) => [rt.name, rt.patient]));
    assert.deepEqual(declared, { patient: 'id', emr: 'patientId', prescription: 'patientId', lab_result: 'patientId', claim: 'patientId', audit_log: undefined });
  });

  it('names the patient on permits and denies, from the stored attribute or the resource id', () => {
    const permit = decide('d001', 'read', 'emr', 'e001');
    assert.equal(permit.decision, true);
    assert.equal(permit.context.dataSubjectId, 'p001');
    const denied = decide('d001', 'read', 'emr', 'e002');
    assert.equal(denied.decision, false);
    assert.equal(denied.context.dataSubjectId, 'p001');
    assert.equal(decide('d001', 'read', 'emr', 'e003').context.dataSubjectId, 'p002');
    assert.equal(decide('ph001', 'read', 'prescription', 'rx001').context.dataSubjectId, 'p001');
    assert.equal(decide('d001', 'read', 'lab_result', 'lab002').context.dataSubjectId, 'p001');
    assert.equal(decide('d001', 'read', 'claim', 'c001').context.dataSubjectId, 'p001');
    assert.equal(decide('p001', 'read', 'patient', 'p001').context.dataSubjectId, 'p001');
    // An action the type does not have is denied and still names the patient.
    const unknownAction = decide('d001', 'delete', 'emr', 'e001');
    assert.equal(unknownAction.context.reasons[0]!.id, 'ERR_PDP_UNKNOWN_ACTION');
    assert.equal(unknownAction.context.dataSubjectId, 'p001');
  });

  it('takes inline attributes like every other attribute, and is absent when nothing names a patient', () => {
    assert.equal(decide('d001', 'read', 'emr', 'e-new', { patientId: 'p009', department: 'cardiology', careTeam: ['d001'] }).context.dataSubjectId, 'p009');
    assert.equal(Object.hasOwn(decide('d001', 'read', 'emr', 'e-unknown').context, 'dataSubjectId'), false);
    assert.equal(Object.hasOwn(decide('d001', 'read', 'emr', 'e-x', { patientId: 42 }).context, 'dataSubjectId'), false, 'a non-string is no id');
    assert.equal(Object.hasOwn(decide('so001', 'read', 'audit_log', 'main').context, 'dataSubjectId'), false);
    assert.equal(Object.hasOwn(decide('d001', 'read', 'no_such_type', 'x').context, 'dataSubjectId'), false);
  });
});
