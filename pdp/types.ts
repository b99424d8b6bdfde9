/**
 * The decision point's contract, shared by the in-process engine and the HTTP sidecar.
 * Shapes follow the AuthZEN Authorization API 1.0 (subject, action, resource, context);
 * Custos' extras travel in the response `context`.
 */

/** An AuthZEN subject or resource: a type, an id, and optional inline attributes. */
export interface Entity {
  readonly type: string;
  readonly id: string;
  readonly properties?: Readonly<Record<string, unknown>>;
}

export interface Action {
  readonly name: string;
  readonly properties?: Readonly<Record<string, unknown>>;
}

/** One access evaluation (AuthZEN 1.0 §6.1). */
export interface EvaluationRequest {
  readonly subject: Entity;
  readonly action: Action;
  readonly resource: Entity;
  readonly context?: Readonly<Record<string, unknown>>;
}

/** Why a decision came out as it did: a matched rule, or the reason nothing matched. */
export interface Reason {
  /** Rule id, or a code such as `ERR_PDP_NO_MATCHING_ALLOW`, `ERR_PDP_EVALUATION_FAILED`. */
  readonly id: string;
  readonly effect?: 'allow' | 'deny';
  readonly message: { readonly zh: string; readonly en: string } | string;
}

/** A duty the enforcement point must carry out with the decision. */
export interface Obligation {
  /** e.g. `mask`, `require_reason`, `notify_security_officer`, `audit_break_glass`, `deidentify`. */
  readonly type: string;
  readonly field?: string;
  /** Named masking rule or de-identification operator, resolved by the masking module. */
  readonly rule?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Custos' extension of the AuthZEN response context. */
export interface DecisionContext {
  /** UUIDv7 of this decision; the audit event carries the same id. */
  readonly id: string;
  readonly policyVersion: string;
  readonly reasons: readonly Reason[];
  /** Fields the subject may see; absent on deny. */
  readonly fields?: readonly string[];
  /** Field path → named mask rule, for fields that must be shown masked. */
  readonly masks?: Readonly<Record<string, string>>;
  readonly obligations: readonly Obligation[];
  /**
   * The id of the patient whose data the resource holds (the resource type's `patient:`
   * declaration), for "who accessed my data" answers (PIPL art. 45). An id only, never a value;
   * absent when the type declares none or the resource does not name one.
   */
  readonly dataSubjectId?: string;
}

/** The engine's answer (AuthZEN 1.0 §6.2 plus the Custos context). */
export interface Decision {
  readonly decision: boolean;
  readonly context: DecisionContext;
}

/** AuthZEN 1.0 §7.1 evaluation semantics for batches. */
export type EvaluationsSemantic = 'execute_all' | 'deny_on_first_deny' | 'permit_on_first_permit';

/** A filter for list endpoints: the resources of one type a subject may act on. */
export interface ResourceFilter {
  /** `always`: every resource matches; `never`: none; `conditional`: see `sql` and `query`. */
  readonly kind: 'always' | 'never' | 'conditional';
  /** SQL boolean expression over the resource's columns with `?` placeholders. */
  readonly sql: { readonly where: string; readonly params: readonly unknown[] };
  /** The same condition as a Mongo-style query object. */
  readonly query: Readonly<Record<string, unknown>>;
  readonly policyVersion: string;
}

export interface PolicyStatus {
  readonly version: string;
  readonly loadedAt: string;
  readonly source: string;
  readonly rules: number;
}

/* ------------------------------------------------------------------ engine and entity store */

/** A stored subject or resource: its type, id and attributes (no inline/request data). */
export interface EntityRecord {
  readonly type: string;
  readonly id: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** A relationship between two entities, e.g. `user/g001 guardian_of patient/p002`. */
export interface Relationship {
  readonly subject: { readonly type: string; readonly id: string };
  readonly relation: string;
  readonly object: { readonly type: string; readonly id: string };
}

/**
 * A patient's consent to the processing of their data (PIPL art. 14, 23, 29): for one purpose,
 * optionally one recipient, within scopes (`general`, `genetic`, …), valid for a period
 * and withdrawable at any time (art. 15).
 */
export interface Consent {
  readonly id: string;
  readonly patient: string;
  readonly purpose: string;
  readonly recipient?: string;
  readonly scope: readonly string[];
  /** ISO 8601 date or date-time; a bare date means the start of that day in China Standard Time. */
  readonly validFrom?: string;
  /** ISO 8601 date or date-time; a bare date means the end of that day in China Standard Time. */
  readonly validUntil?: string;
  readonly withdrawnAt?: string;
}

export interface ImportSummary {
  readonly files: number;
  readonly entities: number;
  readonly relationships: number;
  readonly consents: number;
}

/** Attribute data the engine looks up: subjects, resources, relationships, consents. */
export interface EntityStore {
  get(type: string, id: string): EntityRecord | undefined;
  list(type: string): readonly EntityRecord[];
  relationships(subject: { readonly type: string; readonly id: string }, relation?: string): readonly Relationship[];
  consentsFor(patient: string): readonly Consent[];
  /** Imports every `.yaml`/`.yml`/`.json`/`.csv` file of a folder, or one file, in one transaction. */
  importEntities(dirOrFile: string): ImportSummary;
  putEntity(entity: EntityRecord): void;
  putRelationship(relationship: Relationship): void;
  putConsent(consent: Consent): void;
  close(): void;
}

export interface SubjectSearchRequest {
  readonly subject: { readonly type: string; readonly id?: string; readonly properties?: Readonly<Record<string, unknown>> };
  readonly action: Action;
  readonly resource: Entity;
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface ResourceSearchRequest {
  readonly subject: Entity;
  readonly action: Action;
  readonly resource: { readonly type: string; readonly id?: string; readonly properties?: Readonly<Record<string, unknown>> };
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface ActionSearchRequest {
  readonly subject: Entity;
  readonly resource: Entity;
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface FilterRequest {
  readonly subject: Entity;
  readonly action: Action | string;
  readonly resourceType: string;
  readonly context?: Readonly<Record<string, unknown>>;
}

/** One rule's part in a decision, as `explain` shows it. */
export interface RuleTrace {
  readonly id: string;
  readonly effect: 'allow' | 'deny';
  /** `matched`, or why not: `subject-type`, `static`, `resource`, `residual`. */
  readonly outcome: 'matched' | 'subject-type' | 'static' | 'resource' | 'residual';
  /** True when the rule matched only because an attribute was missing (fail closed). */
  readonly onUnknown?: boolean;
}

export interface Explanation {
  readonly decision: Decision;
  readonly subject: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, unknown>>;
  readonly context: Readonly<Record<string, unknown>>;
  /** The action's attributes as the policy read them (`action.properties`, defaults applied). */
  readonly action: Readonly<Record<string, unknown>>;
  readonly rules: readonly RuleTrace[];
}
