/**
 * Turns a policy set, for one subject and context, into a CASL ability. Subject, context and
 * role conditions are resolved here, before CASL sees the rule; what is left over the resource
 * becomes the CASL rule's Mongo-style conditions. Deny rules become inverted CASL rules whose
 * conditions are the "not false" translation (missing attributes make a deny apply).
 * CASL resolves conflicts "later rule wins"; we do not rely on that: the engine reads every
 * relevant rule and combines them itself (deny overrides, default deny).
 * CASL types stay inside this folder.
 */
import { createMongoAbility, buildMongoQueryMatcher, type MongoAbility, type RawRuleOf } from '@casl/ability';
import { $and, $nor, $or, and, nor, or } from '@ucast/mongo2js';
import { andQueries, toQuery, type Query, type StaticEnv } from '../../policy/index.js';
import { FALSE, TRUE, UNKNOWN, type CompiledCondition, type EvaluationEnv, type PolicySet, type RuleSpec } from '../../policy/index.js';

type Comparable = number | string;
interface FieldNode {
  readonly field: string;
  readonly value: unknown;
}

/**
 * Ordering comparisons that match only values of the same primitive type. ucast's defaults
 * answer true for `{ n: { $lt: 0 } }` on a resource WITHOUT `n` (measured): a missing
 * attribute would grant access. Ours are false for missing or mistyped values.
 */
const strictCompare =
  (test: (a: Comparable, b: Comparable) => boolean) =>
  (node: FieldNode, object: unknown, { get }: { get: (object: unknown, field: string) => unknown }): boolean => {
    const v = get(object, node.field);
    const w = node.value;
    return (typeof v === 'number' && typeof w === 'number') || (typeof v === 'string' && typeof w === 'string') ? test(v, w) : false;
  };

/** CASL's Mongo matcher plus the compound operators our translation emits and strict ordering. */
const conditionsMatcher = buildMongoQueryMatcher(
  { $and, $or, $nor },
  {
    and,
    or,
    nor,
    lt: strictCompare((a, b) => a < b),
    lte: strictCompare((a, b) => a <= b),
    gt: strictCompare((a, b) => a > b),
    gte: strictCompare((a, b) => a >= b),
  } as never,
);

/** One policy rule as it applies to one subject and context. */
export interface BoundRule {
  readonly spec: RuleSpec;
  /** Resource query (CASL conditions), `true` when the rule has none. */
  readonly query: Query;
  /** Conditions evaluated per resource (consents, relationships, the patient, the clock). */
  readonly residual: readonly CompiledCondition[];
  /** The rule's resource conditions, for telling whether a matched deny rests on a missing attribute. */
  readonly resourceConditions: readonly CompiledCondition[];
  /** A deny that applies only because a subject or context attribute is missing. */
  readonly onUnknown: boolean;
  /** CASL's verdict on the resource conditions. */
  matches(resource: Readonly<Record<string, unknown>>): boolean;
}

export interface BoundAbility {
  rulesFor(action: string, resourceType: string): readonly BoundRule[];
  /** Rules left out for this subject and context, with the reason (for explain). */
  readonly excluded: ReadonlyMap<RuleSpec, 'subject-type' | 'static' | 'resource'>;
}

const EMPTY: readonly BoundRule[] = Object.freeze([]);

/**
 * Binds every rule of the set to one subject and context and compiles the result to CASL.
 * `env` must not read the resource (only static conditions are evaluated here).
 */
export const bindAbility = (set: PolicySet, subjectType: string, env: EvaluationEnv & StaticEnv): BoundAbility => {
  const raw: RawRuleOf<MongoAbility>[] = [];
  const bound: BoundRule[] = [];
  const excluded = new Map<RuleSpec, 'subject-type' | 'static' | 'resource'>();
  for (const spec of set.rules) {
    if (spec.subjectTypes.length > 0 && !spec.subjectTypes.includes(subjectType)) {
      excluded.set(spec, 'subject-type');
      continue;
    }
    const isDeny = spec.effect === 'deny';
    let staticTruth: 0 | 1 | 2 = TRUE;
    const resourceParts: Query[] = [];
    const residual: CompiledCondition[] = [];
    const resourceConditions: CompiledCondition[] = [];
    for (const c of spec.conditions) {
      if (c.cls === 'static') {
        const t = c.evaluate(env);
        if (t === FALSE) staticTruth = FALSE;
        else if (t === UNKNOWN && staticTruth === TRUE) staticTruth = UNKNOWN;
      } else if (c.cls === 'resource') {
        resourceParts.push(toQuery(c.ast, env, isDeny ? 'notFalse' : 'definitelyTrue'));
        resourceConditions.push(c);
      } else {
        residual.push(c);
      }
      if (staticTruth === FALSE) break;
    }
    if (staticTruth === FALSE || (!isDeny && staticTruth === UNKNOWN)) {
      excluded.set(spec, 'static');
      continue;
    }
    const query = andQueries(resourceParts);
    if (query === false) {
      excluded.set(spec, 'resource');
      continue;
    }
    for (const resourceType of spec.resourceTypes) {
      const actions = spec.actions.filter((a) => set.resourceTypes[resourceType]?.actions.includes(a));
      if (actions.length === 0) continue;
      raw.push({
        action: actions,
        subject: resourceType,
        inverted: isDeny,
        ...(query === true ? {} : { conditions: query as Record<string, unknown> }),
        reason: String(bound.length),
      });
      bound.push({ spec, query, residual: Object.freeze(residual), resourceConditions: Object.freeze(resourceConditions), onUnknown: staticTruth === UNKNOWN, matches: () => true });
    }
  }
  const ability = createMongoAbility(raw, { conditionsMatcher });
  // Wire each bound rule to its CASL rule so resource conditions run through CASL's matcher.
  const byType = new Map<string, Map<string, readonly BoundRule[]>>();
  const rulesFor = (action: string, resourceType: string): readonly BoundRule[] => {
    let byAction = byType.get(resourceType);
    if (!byAction) byType.set(resourceType, (byAction = new Map()));
    const hit = byAction.get(action);
    if (hit) return hit;
    const caslRules = ability.rulesFor(action, resourceType);
    const out = caslRules.length === 0 ? EMPTY : Object.freeze(
      caslRules.map((r) => {
        const b = bound[Number(r.reason)]!;
        return Object.freeze({ ...b, matches: (resource: Readonly<Record<string, unknown>>) => r.matchesConditions(resource) });
      }),
    );
    byAction.set(action, out);
    return out;
  };
  return { rulesFor, excluded };
};
