/**
 * custos/pdp — the decision point: the in-process engine, the entity store (attributes,
 * relationships, consents), and (from the sidecar issue) the HTTP API, client and middleware.
 */
export { createEngine } from './engine.js';
export type { Engine, EngineOptions } from './engine.js';
export { openEntityStore } from './entity-store.js';
export type { EntityStoreOptions } from './entity-store.js';
export { isConsentActive, hasActiveConsent } from './consent.js';
export { querySql } from './filter-sql.js';
export { fromAuthzenDraft00 } from './authzen-draft.js';
export type { SqlWhere } from './filter-sql.js';
export { loadPolicySet } from '../policy/index.js';
export type { PolicySet } from '../policy/index.js';
export type { PdpErrorCode } from './errors.js';
export type {
  Action,
  ActionSearchRequest,
  Consent,
  Decision,
  DecisionContext,
  Entity,
  EntityRecord,
  EntityStore,
  EvaluationRequest,
  EvaluationsSemantic,
  Explanation,
  FilterRequest,
  ImportSummary,
  Obligation,
  PolicyStatus,
  Reason,
  Relationship,
  ResourceFilter,
  ResourceSearchRequest,
  RuleTrace,
  SubjectSearchRequest,
} from './types.js';

// --- sidecar, client, middleware ---
export { createSidecarApp } from './http/app.js';
export type { SidecarAppOptions } from './http/app.js';
export { startSidecar } from './http/sidecar.js';
export type { Sidecar, SidecarOptions } from './http/sidecar.js';
export { startSidecarFromConfig, readTokensFile } from './http/from-config.js';
export type { EngineParts, FromConfigOptions } from './http/from-config.js';
export { openAuditRecorder, auditRecorder, auditLogFile } from './http/audit-recorder.js';
export type { AuditSink } from './http/audit-recorder.js';
export type { DecisionEngine, DecisionEvent, DecisionRecorder, PolicyChange } from './http/ports.js';
export { createMetrics } from './http/metrics.js';
export type { SidecarMetrics } from './http/metrics.js';
export { createPolicyReloader } from './http/policy-reload.js';
export type { PolicyReloader } from './http/policy-reload.js';
export { parseEvaluationRequest, parseEvaluationsRequest, parseSearchRequest } from './http/parse.js';
export { openApiDocument } from './http/openapi.js';
export { createClient } from './client/client.js';
export type { PdpClient, ClientOptions, InProcessEngine } from './client/client.js';
export { enforce } from './middleware/enforce.js';
export type { EnforceOptions } from './middleware/enforce.js';
export { maskForDecision } from './middleware/mask-response.js';
export type { MaskFunction } from './middleware/mask-response.js';
