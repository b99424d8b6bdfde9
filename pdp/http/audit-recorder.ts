import { join } from 'node:path';
import { openAuditLog } from '../../audit/index.js';
import type { CustosConfig } from '../../lib/config.js';
import type { DecisionEvent, DecisionRecorder } from './ports.js';

/**
 * The audit log behind the sidecar's `DecisionRecorder` seam: each decision becomes one audit
 * event (ids and codes only), appended with group commit; `record` resolves once they are
 * durable, and the sidecar answers only then.
 */
type AuditLike = {
  append(event: Record<string, unknown>): Promise<unknown>;
  appendMany(events: readonly Record<string, unknown>[]): Promise<unknown>;
  close(): Promise<void>;
};

const toAuditEvent = (event: DecisionEvent): Record<string, unknown> => ({
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
  ...(event.patientId === undefined ? {} : { patientId: event.patientId }),
  ...(event.purpose === undefined ? {} : { purpose: event.purpose }),
  ...(event.caller === undefined ? {} : { actorId: event.caller }),
});

/** Wraps an open audit log as a recorder (the log is closed, hence flushed, with the recorder). */
export const auditRecorder = (log: AuditLike): DecisionRecorder => ({
  record: async (events) => {
    await log.appendMany(events.map(toAuditEvent));
  },
  recordPolicyChange: async (change) => {
    await log.append({ kind: 'policy-change', ...change });
  },
  close: () => log.close(),
});

/**
 * Opens `<dataDir>/audit.db` with the configured hash and group commit.
 *
 * @example
 * const recorder = openAuditRecorder(config); // then startSidecar({ ..., recorder })
 */
export const openAuditRecorder = (config: CustosConfig): DecisionRecorder => {
  const log = openAuditLog({
    file: join(config.dataDir, 'audit.db'),
    hash: config.audit.hash,
    groupCommitMs: config.audit.groupCommitMs,
    checkpointIntervalMs: config.audit.checkpointIntervalMs,
  });
  return auditRecorder(log as unknown as AuditLike);
};
