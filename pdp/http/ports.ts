import type {
  Action,
  ActionSearchRequest,
  ResourceSearchRequest,
  SubjectSearchRequest,
  Decision,
  Entity,
  EvaluationRequest,
  EvaluationsSemantic,
  PolicyStatus,
  ResourceFilter,
} from '../types.js';

/**
 * What the sidecar needs from the decision engine: the in-process engine satisfies it as is.
 * Keeping the sidecar on this narrow interface lets it serve any engine with the same contract.
 */
export interface DecisionEngine {
  /** Synchronous and never throwing: failures come back as deny decisions with a reason. */
  decide(request: EvaluationRequest): Decision;
  decideMany(requests: readonly EvaluationRequest[], semantic: EvaluationsSemantic): readonly Decision[];
  filter(query: FilterQuery): ResourceFilter;
  searchSubjects(query: SubjectSearchRequest): readonly EntityRef[];
  searchResources(query: ResourceSearchRequest): readonly EntityRef[];
  searchActions(query: ActionSearchRequest): readonly ActionRef[];
  status(): PolicyStatus;
}

export interface EntityRef {
  readonly type: string;
  readonly id: string;
}

export interface ActionRef {
  readonly name: string;
}

export interface FilterQuery {
  readonly subject: Entity;
  readonly action: Action;
  readonly resourceType: string;
  readonly context?: Readonly<Record<string, unknown>>;
}

/**
 * The audit seam: one decision, named by ids only (no names, ID numbers or other personal data).
 * The audit module's events carry these fields.
 */
export interface DecisionEvent {
  readonly kind: 'decision';
  readonly decisionId: string;
  readonly requestId: string;
  readonly subjectType: string;
  readonly subjectId: string;
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string;
  /** The patient whose data the resource holds (the decision's `context.dataSubjectId`), PIPL art. 45. */
  readonly patientId: string | undefined;
  readonly result: 'permit' | 'deny';
  /** Reason ids (rule ids or codes), not their messages. */
  readonly reasons: readonly string[];
  readonly obligations: readonly string[];
  readonly policyVersion: string;
  /** `context.purpose` when the request states one (PIPL art. 6: purpose of processing). */
  readonly purpose: string | undefined;
  /** The calling service, when the caller authenticated. */
  readonly caller: string | undefined;
}

/**
 * Records decisions durably. The sidecar answers a request only after `record` resolves; a
 * rejection turns the request's decisions into denies (fail closed).
 */
export interface DecisionRecorder {
  record(events: readonly DecisionEvent[]): Promise<void>;
  /** Records that a policy set was loaded or swapped in (optional). */
  recordPolicyChange?(change: PolicyChange): Promise<void>;
  close(): Promise<void>;
}

export interface PolicyChange {
  readonly change: 'load' | 'reload';
  readonly policyVersion: string;
  readonly previousVersion?: string;
}
