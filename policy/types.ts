/**
 * The policy model after loading: plain, frozen data plus the closures compiled from
 * conditions. Nothing here depends on CASL; the pdp module turns rules into CASL abilities.
 */

export type AttributeType = 'string' | 'number' | 'boolean' | 'date' | 'list' | 'any';

export interface AttributeSpec {
  readonly type: AttributeType;
  /** Value used when neither the request nor the entity store has one (e.g. `recipientRegion: CN`). */
  readonly default?: unknown;
}

/** A field of a resource and its data class (GB/T 35273, PIPL art. 28). */
export interface FieldSpec {
  readonly name: string;
  /** Personal-information type, e.g. `person_name`, `cn_resident_id`, `diagnosis`; absent when not PI. */
  readonly pi?: string;
  /** Sensitive personal information under PIPL art. 28. */
  readonly sensitive: boolean;
  /** Named mask rule applied when a rule asks to mask this field without naming one. */
  readonly mask?: string;
}

export interface ResourceTypeSpec {
  readonly name: string;
  readonly actions: readonly string[];
  /** Attribute holding the id of the patient the resource is about (`id` for the patient itself). */
  readonly patient?: string;
  readonly attributes: Readonly<Record<string, AttributeSpec>>;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  readonly fieldNames: readonly string[];
}

export interface SubjectTypeSpec {
  readonly name: string;
  readonly attributes: Readonly<Record<string, AttributeSpec>>;
}

/** Three-valued truth: attributes may be missing, and missing must fail closed. */
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;
export type Truth = 0 | 1 | 2;

export type Namespace = 'subject' | 'resource' | 'context' | 'patient' | 'action';

export interface Ref {
  readonly kind: 'ref';
  readonly ns: Namespace;
  readonly path: readonly string[];
  readonly text: string;
}
export interface Literal {
  readonly kind: 'literal';
  readonly value: unknown;
}
export type Operand = Ref | Literal;

export type CompareOp = 'eq' | 'ne' | 'in' | 'nin' | 'contains' | 'lt' | 'lte' | 'gt' | 'gte' | 'ageUnder';

/** The condition language's syntax tree (see policy/README.md for the YAML form). */
export type Condition =
  | { readonly kind: 'all'; readonly items: readonly Condition[] }
  | { readonly kind: 'any'; readonly items: readonly Condition[] }
  | { readonly kind: 'not'; readonly item: Condition }
  | { readonly kind: 'compare'; readonly left: Ref; readonly op: CompareOp; readonly right: Operand }
  | { readonly kind: 'exists'; readonly left: Ref; readonly value: boolean }
  | { readonly kind: 'role'; readonly name: string }
  | {
      readonly kind: 'consent';
      readonly patient: Operand;
      readonly purpose: Operand;
      readonly recipient?: Operand;
      readonly scope?: Operand;
    }
  | { readonly kind: 'related'; readonly relation: string; readonly object: Operand }
  | { readonly kind: 'const'; readonly value: Truth };

/**
 * How much a condition needs: `static` reads only subject, context and roles (resolved before
 * CASL sees the rule); `resource` also reads resource attributes (CASL conditions);
 * `residual` is evaluated per decision: lookups per resource (consents, relationships, the
 * patient, the clock) and the request's action attributes.
 */
export type ConditionClass = 'static' | 'resource' | 'residual';

export interface ConsentQuery {
  readonly patient: string;
  readonly purpose: string;
  readonly recipient?: string;
  readonly scope?: string;
}

/** What a compiled condition reads while it is evaluated. */
export interface EvaluationEnv {
  readonly subject: AttributeBag;
  readonly resource: AttributeBag;
  readonly context: AttributeBag;
  /** The request action's attributes (AuthZEN `action.properties`), defaults applied. */
  readonly action: AttributeBag;
  /** The patient the resource is about, loaded on first use. */
  patient(): AttributeBag | undefined;
  roles(): ReadonlySet<string>;
  hasConsent(query: ConsentQuery): boolean;
  isRelated(relation: string, objectId: string): boolean;
  nowMs: number;
}

/** Attributes of one entity: `type`, `id` and the rest, own properties only. */
export type AttributeBag = Readonly<Record<string, unknown>>;

export type Evaluate = (env: EvaluationEnv) => Truth;

export interface CompiledCondition {
  readonly ast: Condition;
  readonly cls: ConditionClass;
  readonly evaluate: Evaluate;
}

export interface ObligationSpec {
  readonly type: 'mask' | 'require_reason' | 'notify_security_officer' | 'audit_break_glass' | 'deidentify';
  readonly field?: string;
  readonly rule?: string;
}

export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface RuleSpec {
  readonly id: string;
  readonly description: string;
  readonly effect: 'allow' | 'deny';
  readonly actions: readonly string[];
  readonly resourceTypes: readonly string[];
  /** Subject types the rule applies to; empty means every type. */
  readonly subjectTypes: readonly string[];
  /** Top-level conjuncts of the rule's condition (roles first), each classified. */
  readonly conditions: readonly CompiledCondition[];
  /** Permitted fields per resource type (allow), or fields taken away (deny); absent = whole resource. */
  readonly fields?: Readonly<Record<string, readonly string[]>>;
  readonly obligations: readonly ObligationSpec[];
  readonly at: SourcePosition;
}

export interface DerivedRoleSpec {
  readonly name: string;
  readonly parentRoles: readonly string[];
  readonly when?: Condition;
  readonly at: SourcePosition;
}

/** A loaded, validated and compiled policy set. Frozen. */
export interface PolicySet {
  readonly name: string;
  /** `sha256:` + hex digest over every file's path and content. */
  readonly version: string;
  readonly source: string;
  readonly loadedAt: string;
  readonly files: readonly string[];
  readonly ruleCount: number;
  readonly rules: readonly RuleSpec[];
  readonly resourceTypes: Readonly<Record<string, ResourceTypeSpec>>;
  readonly subjectTypes: Readonly<Record<string, SubjectTypeSpec>>;
  readonly contextAttributes: Readonly<Record<string, AttributeSpec>>;
  /** Attributes of the request's action (AuthZEN `action.properties`) that conditions may read. */
  readonly actionAttributes: Readonly<Record<string, AttributeSpec>>;
  readonly derivedRoles: Readonly<Record<string, DerivedRoleSpec>>;
  /** Subject attributes any static condition reads: the ability cache key is built from them. */
  readonly subjectKeyAttributes: readonly string[];
  readonly contextKeyAttributes: readonly string[];
}
