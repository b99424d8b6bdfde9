import { join } from 'node:path';
import { openAuditLog, type AuditLog, type DecisionEvent as AuditDecisionEvent, type PolicyChangeEvent } from '../../audit/index.js';
import type { CustosConfig } from '../../lib/config.js';
import type { DecisionEvent, DecisionRecorder, PolicyChange } from './ports.js';

/**
 * The audit log behind the sidecar's `DecisionRecorder` seam: each decision becomes one audit
 * event (ids and codes only), appended with group commit; `record` resolves once they are
 * durable, and the sidecar answers only then.
 */

/** What the recorder needs of the audit log (the audit module's `AuditLog` satisfies it). */
export type AuditSink = Pick<AuditLog, 'append' | 'appendMany' | 'close'>;

const toAuditEvent = (event: DecisionEvent): AuditDecisionEvent => ({
  kind: 'decision',
  decisionId: event.decisionId,
  subjectId: event.subjectId,
  subjectType: event.subjectType,
  action: event.action,
  resourceType: event.resourceType,
  resourceId: event.resourceId,
  decision: event.result,
  reasons: event.reasons,
  obligations: event.obligations,
  policyVersion: event.policyVersion,
  requestId: event.requestId,
  // PIPL art. 45: "who accessed this patient's data" is a query on this id.
  ...(event.patientId === undefined ? {} : { patientId: event.patientId }),
  ...(event.purpose === undefined ? {} : { purpose: event.purpose }),
  ...(event.caller === undefined ? {} : { actorId: event.caller }),
});

const toPolicyChangeEvent = (change: PolicyChange): PolicyChangeEvent => ({
  kind: 'policy-change',
  change: change.change,
  policyVersion: change.policyVersion,
  ...(change.previousVersion === undefined ? {} : { previousVersion: change.previousVersion }),
});

/**
 * Wraps an open audit log as a recorder (the log is closed, hence flushed, with the recorder).
 *
 * @example
 * const recorder = auditRecorder(openAuditLog({ file: 'custos-data/audit/audit.db' }));
 */
export const auditRecorder = (log: AuditSink): DecisionRecorder => ({
  record: async (events) => {
    await log.appendMany(events.map(toAuditEvent));
  },
  recordPolicyChange: async (change) => {
    await log.append(toPolicyChangeEvent(change));
  },
  close: () => log.close(),
});

/** The audit log file under a data directory: the one `custos audit …` and `custos keys …` use. */
export const auditLogFile = (dataDir: string): string => join(dataDir, 'audit', 'audit.db');

/**
 * Opens `<dataDir>/audit/audit.db` with the configured hash and group commit.
 *
 * @example
 * const recorder = openAuditRecorder(config); // then startSidecar({ ..., recorder })
 */
export const openAuditRecorder = (config: CustosConfig): DecisionRecorder =>
  auditRecorder(
    openAuditLog({
      file: auditLogFile(config.dataDir),
      hash: config.audit.hash,
      groupCommitMs: config.audit.groupCommitMs,
      checkpointIntervalMs: config.audit.checkpointIntervalMs,
    }),
  );
