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
