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
