/**
 * The in-process decision engine. Per decision: resolve subject, resource and context
 * attributes (request first, then the entity store), bind the policy to the subject and
 * context as a cached CASL ability, let CASL match resource conditions, evaluate residual
 * conditions (consents, relationships, the patient, the clock), then combine: any matching
 * deny wins, no matching allow means deny. Never throws: any error is a deny with a reason.
 */
import { systemClock, type Clock } from '../lib/clock.js';
import { isCustosError } from '../lib/errors.js';
import { uuidv7Generator } from '../lib/ids.js';
import { cryptoRandom, type RandomSource } from '../lib/random.js';
import {
  andQueries,
  FALSE,
  notQuery,
  orQueries,
  TRUE,
  UNKNOWN,
  type AttributeBag,
  type ConsentQuery,
  type EvaluationEnv,
  type PolicySet,
  type Query,
  type ResourceTypeSpec,
  type StaticEnv,
} from '../policy/index.js';
import { bindAbility, type BoundAbility, type BoundRule } from './casl/ability.js';
import { hasActiveConsent } from './consent.js';
import type { PdpErrorCode } from './errors.js';
import { querySql } from './filter-sql.js';
import type {
  ActionSearchRequest,
  Decision,
  DecisionContext,
  EntityRecord,
  EntityStore,
  EvaluationRequest,
  EvaluationsSemantic,
  Explanation,
  FilterRequest,
  Obligation,
  PolicyStatus,
  Reason,
  ResourceFilter,
  ResourceSearchRequest,
  RuleTrace,
  SubjectSearchRequest,
} from './types.js';

export interface EngineOptions {
  readonly policySet: PolicySet;
  /** Attribute source for ids the request does not describe inline; optional. */
  readonly entities?: EntityStore;
  readonly clock?: Clock;
  readonly newId?: () => string;
  /** Bound on cached abilities (subject × context); default 10,000. */
  readonly abilityCacheSize?: number;
}

/** The engine: decisions, batches, filters, searches. All methods are synchronous. */
export interface Engine {
  decide(request: EvaluationRequest): Decision;
  decideMany(requests: readonly EvaluationRequest[], semantic?: EvaluationsSemantic): Decision[];
  filter(request: FilterRequest): ResourceFilter;
  searchSubjects(request: SubjectSearchRequest): { type: string; id: string }[];
  searchResources(request: ResourceSearchRequest): { type: string; id: string }[];
  searchActions(request: ActionSearchRequest): { name: string }[];
  /** The decision plus every relevant rule's outcome and the attributes used. */
  explain(request: EvaluationRequest): Explanation;
  status(): PolicyStatus;
  /** Atomically replaces the policy set and clears every cache. */
  usePolicySet(set: PolicySet): void;
  readonly policySet: PolicySet;
}

/**
 * CSPRNG bytes drawn from a pool refilled 4 KiB at a time: one `randomFillSync` per 256
 * decision ids instead of one per id (it was the largest single cost of a decision).
 */
const pooledRandom = (poolBytes: number): RandomSource => {
  let pool: Uint8Array = new Uint8Array(0);
  let offset = 0;
  // The id generator consumes its 16 bytes before asking again: one scratch buffer serves.
  const scratch = new Uint8Array(16);
  return (size) => {
    if (offset + size > pool.length) {
      pool = cryptoRandom(Math.max(poolBytes, size));
      offset = 0;
    }
    const out = size === 16 ? scratch : new Uint8Array(size);
    for (let i = 0; i < size; i++) out[i] = pool[offset + i]!;
    offset += size;
    return out;
  };
};

const bilingual = (zh: string, en: string): { zh: string; en: string } => Object.freeze({ zh, en });

const EMPTY_BAG: AttributeBag = Object.freeze({});
const EMPTY_ROLES: ReadonlySet<string> = new Set();
const NO_OBLIGATIONS: readonly Obligation[] = Object.freeze([]);

/** The decision context without spreads (hot path): absent fields, masks and data subject stay absent. */
const decisionContext = (id: string, policyVersion: string, o: Outcome, dataSubjectId: string | undefined): DecisionContext => {
  let c: { -readonly [K in keyof DecisionContext]: DecisionContext[K] };
  if (o.fields === undefined) c = { id, policyVersion, reasons: o.reasons, obligations: o.obligations };
  else if (o.masks === undefined) c = { id, policyVersion, reasons: o.reasons, fields: o.fields, obligations: o.obligations };
  else c = { id, policyVersion, reasons: o.reasons, fields: o.fields, masks: o.masks, obligations: o.obligations };
  if (dataSubjectId !== undefined) c.dataSubjectId = dataSubjectId;
  return c;
};

/**
 * The id of the patient whose personal information the resource holds, as the resource type
 * declares it (`patient: <attribute>`, or `patient: id` for the patient record itself); only a
 * non-empty string counts. Decisions carry it so that "who accessed this patient's data" can be
 * answered from the audit log (PIPL art. 45).
 */
const dataSubjectOf = (rt: ResourceTypeSpec, resourceId: string | undefined, resource: AttributeBag): string | undefined => {
  const attr = rt.patient;
  if (attr === undefined) return undefined;
  const v = attr === 'id' ? resourceId : Object.hasOwn(resource, attr) ? resource[attr] : undefined;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
};

interface Outcome {
  readonly decision: boolean;
  readonly reasons: readonly Reason[];
  readonly fields?: readonly string[];
  readonly masks?: Readonly<Record<string, string>>;
  readonly obligations: readonly Obligation[];
}
const NO_CONSENTS = Object.freeze([]);

/** Subject/resource attributes: `type`, `id`, stored attributes, then inline properties (which win). */
const makeBag = (type: string, id: string | undefined, stored: EntityRecord | undefined, inline: unknown): AttributeBag => {
  const bag: Record<string, unknown> = stored ? { ...stored.attributes } : {};
  if (typeof inline === 'object' && inline !== null && !Array.isArray(inline)) {
    for (const key of Object.keys(inline)) {
      const v = (inline as Record<string, unknown>)[key];
      if (v !== null && v !== undefined) bag[key] = v;
    }
  }
  bag.type = type;
  if (id !== undefined) bag.id = id;
  return bag;
};

const rolesOf = (subject: AttributeBag): ReadonlySet<string> => {
  const out = new Set<string>();
  const roles = Object.hasOwn(subject, 'roles') ? subject.roles : undefined;
  if (Array.isArray(roles)) for (const r of roles) if (typeof r === 'string') out.add(r);
  const role = Object.hasOwn(subject, 'role') ? subject.role : undefined;
  if (typeof role === 'string') out.add(role);
  return out;
};

interface Bound {
  readonly ability: BoundAbility;
  readonly roles: ReadonlySet<string>;
}

interface Prepared {
  readonly set: PolicySet;
  readonly contextDefaults: ReadonlyMap<string, unknown>;
  readonly actionDefaults: ReadonlyMap<string, unknown>;
}

interface ContextView {
  readonly id: number;
  readonly bag: AttributeBag;
}

const MISSING = Symbol('missing');
const OBJECT = Symbol('object');
const LEAF = Symbol('view');


const defaultsOf = (attributes: PolicySet['contextAttributes'] | undefined): ReadonlyMap<string, unknown> =>
  new Map(
    Object.entries(attributes ?? {})
      .filter(([, spec]) => spec.default !== undefined)
      .map(([name, spec]) => [name, spec.default] as const),
  );

const prepare = (set: PolicySet): Prepared => ({
  set,
  contextDefaults: defaultsOf(set.contextAttributes),
  actionDefaults: defaultsOf(set.actionAttributes),
});

/**
 * The action's attributes as conditions read them: AuthZEN `action.properties` (own properties
 * only, read by `readPath`), with declared defaults filling missing ones. Without defaults the
 * request's object is used as is (no copy per decision).
 */
const actionBag = (p: Prepared, properties: unknown): AttributeBag => {
  const given = typeof properties === 'object' && properties !== null && !Array.isArray(properties) ? (properties as AttributeBag) : EMPTY_BAG;
  if (p.actionDefaults.size === 0) return given;
  const bag: Record<string, unknown> = {};
  for (const key of Object.keys(given)) bag[key] = given[key];
  for (const [name, value] of p.actionDefaults) {
    if (bag[name] === undefined || bag[name] === null) bag[name] = value;
  }
  return bag;
};

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Why a request is malformed, or undefined when it is usable. */
const requestProblem = (r: unknown): string | undefined => {
  if (typeof r !== 'object' || r === null) return 'the request is not an object';
  const q = r as Record<string, unknown>;
  const s = q.subject as Record<string, unknown> | undefined;
  const a = q.action as Record<string, unknown> | undefined;
  const res = q.resource as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null || !isString(s.type) || !isString(s.id)) return 'subject needs a type and an id';
  if (typeof a !== 'object' || a === null || !isString(a.name)) return 'action needs a name';
  if (typeof res !== 'object' || res === null || !isString(res.type)) return 'resource needs a type';
  if (q.context !== undefined && (typeof q.context !== 'object' || q.context === null || Array.isArray(q.context))) return 'context must be an object';
  return undefined;
};

/**
 * Creates the in-process engine.
 *
 * @example
 * const engine = createEngine({ policySet: loadPolicySet('examples/hospital/policies'), entities });
 * engine.decide({ subject: { type: 'user', id: 'd001' }, action: { name: 'read' },
 *                 resource: { type: 'emr', id: 'e001' }, context: { purpose: 'treatment' } });
 */
export const createEngine = (options: EngineOptions): Engine => {
  const clock = options.clock ?? systemClock;
  const newId = options.newId ?? uuidv7Generator({ clock, random: pooledRandom(4096) });
  const store = options.entities;
  const cacheSize = options.abilityCacheSize ?? 10_000;
  let current = prepare(options.policySet);
  const storedBags = new WeakMap<EntityRecord, AttributeBag>();
  /** Bags built from a stored record alone (no inline properties): stable objects, usable as cache keys. */
  const pureBags = new WeakSet<AttributeBag>();

  const lookup = (type: string, id: string): EntityRecord | undefined => (store ? store.get(type, id) : undefined);

  const entityBag = (type: string, id: string | undefined, inline: unknown): AttributeBag => {
    const stored = id === undefined ? undefined : lookup(type, id);
    const hasInline = typeof inline === 'object' && inline !== null && Object.keys(inline).length > 0;
    if (stored && !hasInline) {
      let bag = storedBags.get(stored);
      if (!bag) {
        bag = Object.freeze(makeBag(type, id, stored, undefined));
        storedBags.set(stored, bag);
        pureBags.add(bag);
      }
      return bag;
    }
    return makeBag(type, id, stored, inline);
  };

  /**
   * The context as the policy sees it: only the attributes some condition reads, defaults
   * applied. Views are interned in a trie of Maps keyed by each attribute's value (Maps compare
   * primitives by type and value; objects go through their JSON under a separate branch), so
   * equal contexts share one frozen view — and one cached ability — without building a key
   * string per decision.
   */
  let contextTrie = new Map<unknown, unknown>();
  let views = 0;
  let nextViewId = 0;
  const contextValue = (p: Prepared, given: Record<string, unknown>, name: string): unknown => {
    const v = Object.hasOwn(given, name) ? given[name] : undefined;
    return v === undefined || v === null ? p.contextDefaults.get(name) : v;
  };
  const contextView = (p: Prepared, context: unknown): ContextView => {
    const given = typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : EMPTY_BAG;
    const names = p.set.contextKeyAttributes;
    let node = contextTrie;
    for (let i = 0; i < names.length; i++) {
      const v = contextValue(p, given, names[i]!);
      let k: unknown = v === undefined || v === null ? MISSING : v;
      if (typeof k === 'object' || typeof k === 'function') {
        let branch = node.get(OBJECT) as Map<unknown, unknown> | undefined;
        if (!branch) node.set(OBJECT, (branch = new Map()));
        node = branch;
        k = JSON.stringify(k) ?? '';
      }
      let next = node.get(k) as Map<unknown, unknown> | undefined;
      if (!next) node.set(k, (next = new Map()));
      node = next;
    }
    const hit = node.get(LEAF) as ContextView | undefined;
    if (hit) return hit;
    const bag: Record<string, unknown> = {};
    for (const name of names) {
      const v = contextValue(p, given, name);
      if (v !== undefined && v !== null) bag[name] = v;
    }
    const view: ContextView = Object.freeze({ id: nextViewId++, bag: Object.freeze(bag) });
    if (++views > cacheSize) {
      // Bound memory: start a new trie (and let the abilities keyed by old views go too).
      contextTrie = new Map();
      views = 0;
      resetAbilities();
      return contextView(p, context);
    }
    node.set(LEAF, view);
    return view;
  };

  // Abilities are cached per subject and context view. A subject read from the store is keyed
  // by its (frozen, per-record) attribute bag; one with inline properties by the JSON of its
  // type, id and every attribute the policy reads, plus the view's id. Two subjects or
  // contexts can never share an ability.
  let bySubject = new WeakMap<AttributeBag, Map<ContextView, Bound>>();
  let byKey = new Map<string, Bound>();
  let cached = 0;
  let outcomes = new WeakMap<readonly BoundRule[], Map<number, Outcome>>();
  const resetAbilities = (): void => {
    bySubject = new WeakMap();
    byKey = new Map();
    cached = 0;
  };

  const bind = (p: Prepared, subject: AttributeBag, view: ContextView, nowMs: number): Bound => {
    const set = p.set;
    let hit: Bound | undefined;
    let table: Map<ContextView, Bound> | undefined;
    let key: string | undefined;
    if (pureBags.has(subject)) {
      table = bySubject.get(subject);
      hit = table?.get(view);
    } else {
      const parts: unknown[] = [subject.type, subject.id];
      for (const a of set.subjectKeyAttributes) parts.push(Object.hasOwn(subject, a) ? subject[a] : null);
      key = `${JSON.stringify(parts)}\u0000${view.id}`;
      hit = byKey.get(key);
    }
    if (hit) return hit;
    const roles = rolesOf(subject);
    const bound: Bound = { ability: bindAbility(set, String(subject.type), makeStaticEnv(subject, view.bag, roles, nowMs)), roles };
    if (++cached > cacheSize) {
      resetAbilities();
      cached = 1;
      table = undefined;
    }
    if (key === undefined) {
      if (!table) bySubject.set(subject, (table = new Map()));
      table.set(view, bound);
    } else {
      byKey.set(key, bound);
    }
    return bound;
  };

  const deny = (p: Prepared, code: PdpErrorCode, message: { zh: string; en: string }, dataSubjectId?: string): Decision =>
    Object.freeze({
      decision: false,
      context: Object.freeze({
        id: newId(),
        policyVersion: p.set.version,
        reasons: Object.freeze([Object.freeze({ id: code, effect: 'deny' as const, message })]),
        obligations: NO_OBLIGATIONS,
        ...(dataSubjectId === undefined ? {} : { dataSubjectId }),
      }),
    });

  // One evaluation environment per engine, refilled for each decision: decide() is synchronous
  // and never re-entered, so this avoids building closures per call (STYLE.md, habits).
  const env = {
    subject: EMPTY_BAG,
    resource: EMPTY_BAG,
    context: EMPTY_BAG,
    action: EMPTY_BAG,
    nowMs: 0,
    roleSet: EMPTY_ROLES,
    rt: undefined as ResourceTypeSpec | undefined,
    resourceId: undefined as string | undefined,
    patientBag: null as AttributeBag | undefined | null,
    roles(): ReadonlySet<string> {
      return env.roleSet;
    },
    patient(): AttributeBag | undefined {
      if (env.patientBag === null) {
        const rt = env.rt;
        const pid = rt?.patient === undefined ? undefined : rt.patient === 'id' ? env.resourceId : env.resource[rt.patient];
        env.patientBag = typeof pid === 'string' ? entityBag('patient', pid, undefined) : undefined;
      }
      return env.patientBag;
    },
    hasConsent(q: ConsentQuery): boolean {
      return hasActiveConsent(store ? store.consentsFor(q.patient) : NO_CONSENTS, q, env.nowMs);
    },
    isRelated(relation: string, objectId: string): boolean {
      if (!store) return false;
      // Unfiltered list: cached by the store, so no array is built per call.
      const list = store.relationships({ type: String(env.subject.type), id: String(env.subject.id) });
      for (let i = 0; i < list.length; i++) if (list[i]!.relation === relation && list[i]!.object.id === objectId) return true;
      return false;
    },
  };

  /** What a set of matching rules decides; shared (frozen) by every decision with the same matches. */
  const outcomeOf = (p: Prepared, rt: ResourceTypeSpec, action: string, rules: readonly BoundRule[], matched: readonly boolean[], unknownDeny: boolean): Outcome => {
    const allows: BoundRule[] = [];
    const denies: BoundRule[] = [];
    const fieldDenies: BoundRule[] = [];
    rules.forEach((r, i) => {
      if (!matched[i]) return;
      if (r.spec.effect === 'allow') allows.push(r);
      else if (r.spec.fields?.[rt.name] !== undefined) fieldDenies.push(r);
      else denies.push(r);
    });
    if (denies.length > 0) {
      const reasons: Reason[] = denies.map((r) => Object.freeze({ id: r.spec.id, effect: 'deny' as const, message: r.spec.description || `rule "${r.spec.id}" denies` }));
      if (unknownDeny) {
        reasons.push(Object.freeze({ id: 'ERR_PDP_DENIED_BY_RULE', effect: 'deny' as const, message: bilingual('拒绝规则所需的属性缺失，按拒绝处理（失败即拒绝）', 'an attribute a deny rule reads is missing: the deny applies (fail closed)') }));
      }
      return Object.freeze({ decision: false, reasons: Object.freeze(reasons), obligations: NO_OBLIGATIONS });
    }
    if (allows.length === 0) {
      const message = bilingual(`没有规则允许对 ${rt.name} 执行 ${action}（默认拒绝）`, `no rule allows ${action} on ${rt.name} for this subject and context (default deny)`);
      return Object.freeze({ decision: false, reasons: Object.freeze([Object.freeze({ id: 'ERR_PDP_NO_MATCHING_ALLOW', effect: 'deny' as const, message })]), obligations: NO_OBLIGATIONS });
    }
    // Fields: the union of what matching allows permit, minus what field-level denies remove.
    let fields: readonly string[] | undefined;
    if (rt.fieldNames.length > 0) {
      const permitted = new Set<string>();
      for (const r of allows) for (const f of r.spec.fields?.[rt.name] ?? rt.fieldNames) permitted.add(f);
      for (const r of fieldDenies) for (const f of r.spec.fields![rt.name]!) permitted.delete(f);
      fields = Object.freeze(rt.fieldNames.filter((f) => permitted.has(f)));
      if (fields.length === 0) {
        const message = bilingual('所有字段均被拒绝', 'every field is denied');
        return Object.freeze({ decision: false, reasons: Object.freeze([Object.freeze({ id: 'ERR_PDP_NO_PERMITTED_FIELDS', effect: 'deny' as const, message })]), obligations: NO_OBLIGATIONS });
      }
    }
    const visible = fields ? new Set(fields) : undefined;
    // Masks: most restrictive wins — a field any matching allow masks is shown masked.
    const masks: Record<string, string> = {};
    const obligations: Obligation[] = [];
    const seen = new Set<string>();
    for (const r of allows) {
      for (const o of r.spec.obligations) {
        if (o.field !== undefined && visible && !visible.has(o.field)) continue;
        if (o.type === 'mask') {
          const rule = o.rule ?? rt.fields[o.field!]?.mask;
          if (rule !== undefined && masks[o.field!] === undefined) masks[o.field!] = rule;
          continue;
        }
        const key = `${o.type}\u0000${o.field ?? ''}\u0000${o.rule ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        obligations.push(Object.freeze({ type: o.type, ...(o.field === undefined ? {} : { field: o.field }), ...(o.rule === undefined ? {} : { rule: o.rule }) }));
      }
    }
    const reasons: Reason[] = allows.map((r) => Object.freeze({ id: r.spec.id, effect: 'allow' as const, message: r.spec.description || `rule "${r.spec.id}" allows` }));
    for (const r of fieldDenies) reasons.push(Object.freeze({ id: r.spec.id, effect: 'deny' as const, message: r.spec.description || `rule "${r.spec.id}" removes fields` }));
    return Object.freeze({
      decision: true,
      reasons: Object.freeze(reasons),
      ...(fields ? { fields } : {}),
      ...(Object.keys(masks).length > 0 ? { masks: Object.freeze(masks) } : {}),
      obligations: obligations.length === 0 ? NO_OBLIGATIONS : Object.freeze(obligations),
    });
  };

  const MEMO_LIMIT = 30; // rules per (action, resource type) whose matches fit in a bit mask

  const evaluate = (p: Prepared, request: EvaluationRequest, trace: RuleTrace[] | undefined): Decision => {
    env.subject = EMPTY_BAG;
    env.resource = EMPTY_BAG;
    env.context = EMPTY_BAG;
    env.action = EMPTY_BAG;
    const problem = requestProblem(request);
    if (problem) return deny(p, 'ERR_PDP_INVALID_REQUEST', bilingual(`请求无效：${problem}`, `invalid request: ${problem}`));
    const set = p.set;
    const rt: ResourceTypeSpec | undefined = Object.hasOwn(set.resourceTypes, request.resource.type) ? set.resourceTypes[request.resource.type] : undefined;
    const action = request.action.name;
    const subject = entityBag(request.subject.type, request.subject.id, request.subject.properties);
    const view = contextView(p, request.context);
    const context = view.bag;
    env.subject = subject;
    env.context = context;
    env.action = actionBag(p, request.action.properties);
    if (!rt) return deny(p, 'ERR_PDP_UNKNOWN_RESOURCE_TYPE', bilingual('策略集未声明该资源类型', 'the policy set declares no such resource type'));
    const resourceId = isString(request.resource.id) ? request.resource.id : undefined;
    const resource = entityBag(rt.name, resourceId, request.resource.properties);
    env.resource = resource;
    const dataSubjectId = dataSubjectOf(rt, resourceId, resource);
    if (!rt.actions.includes(action)) return deny(p, 'ERR_PDP_UNKNOWN_ACTION', bilingual('该资源类型没有此操作', 'the resource type has no such action'), dataSubjectId);
    const nowMs = clock.now();
    const bound = bind(p, subject, view, nowMs);
    const rules = bound.ability.rulesFor(action, rt.name);
    env.nowMs = nowMs;
    env.roleSet = bound.roles;
    env.rt = rt;
    env.resourceId = resourceId;
    env.patientBag = null;

    let mask = 0;
    let unknownDeny = false;
    const matched: boolean[] | undefined = rules.length > MEMO_LIMIT ? new Array<boolean>(rules.length).fill(false) : undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const isDeny = rule.spec.effect === 'deny';
      if (!rule.matches(resource)) {
        trace?.push({ id: rule.spec.id, effect: rule.spec.effect, outcome: 'resource' });
        continue;
      }
      let t: 0 | 1 | 2 = TRUE;
      for (let j = 0; j < rule.residual.length; j++) {
        const r = rule.residual[j]!.evaluate(env);
        if (r === FALSE) {
          t = FALSE;
          break;
        }
        if (r === UNKNOWN) t = UNKNOWN;
      }
      if (t === FALSE || (!isDeny && t === UNKNOWN)) {
        trace?.push({ id: rule.spec.id, effect: rule.spec.effect, outcome: 'residual' });
        continue;
      }
      // A deny CASL matched may rest on a missing resource attribute: say so (rare path).
      let onUnknown = isDeny && (rule.onUnknown || t === UNKNOWN);
      if (isDeny && !onUnknown) {
        const conditions = rule.resourceConditions;
        for (let j = 0; j < conditions.length && !onUnknown; j++) onUnknown = conditions[j]!.evaluate(env) === UNKNOWN;
      }
      trace?.push({ id: rule.spec.id, effect: rule.spec.effect, outcome: 'matched', ...(onUnknown ? { onUnknown } : {}) });
      if (matched) matched[i] = true;
      else mask |= 1 << i;
      if (onUnknown && rule.spec.fields?.[rt.name] === undefined) unknownDeny = true;
    }
    if (trace) {
      for (const [spec, why] of bound.ability.excluded) {
        if (spec.resourceTypes.includes(rt.name) && spec.actions.includes(action)) trace.push({ id: spec.id, effect: spec.effect, outcome: why });
      }
    }
    let outcome: Outcome | undefined;
    if (rules.length <= MEMO_LIMIT) {
      const key = unknownDeny ? mask + 2 ** MEMO_LIMIT : mask;
      let memo = outcomes.get(rules);
      if (!memo) outcomes.set(rules, (memo = new Map()));
      outcome = memo.get(key);
      if (!outcome) memo.set(key, (outcome = outcomeOf(p, rt, action, rules, rules.map((_, i) => (mask & (1 << i)) !== 0), unknownDeny)));
    } else {
      outcome = outcomeOf(p, rt, action, rules, matched!, unknownDeny);
    }
    return Object.freeze({ decision: outcome.decision, context: Object.freeze(decisionContext(newId(), set.version, outcome, dataSubjectId)) });
  };

  const failed = (p: Prepared, err: unknown): Decision =>
    deny(
      p,
      'ERR_PDP_EVALUATION_FAILED',
      bilingual(
        `评估出错，按拒绝处理${isCustosError(err) ? `（${err.code}）` : ''}`,
        `evaluation failed; denied (fail closed)${isCustosError(err) ? ` (${err.code})` : ''}`,
      ),
    );

  const decide = (request: EvaluationRequest): Decision => {
    const p = current;
    try {
      return evaluate(p, request, undefined);
    } catch (err) {
      return failed(p, err);
    }
  };

  const decideMany = (requests: readonly EvaluationRequest[], semantic: EvaluationsSemantic = 'execute_all'): Decision[] => {
    const out: Decision[] = [];
    for (const r of requests) {
      const d = decide(r);
      out.push(d);
      // AuthZEN 1.0 §7.1.2: stop at the first deny / permit and return the results so far.
      if (semantic === 'deny_on_first_deny' && !d.decision) break;
      if (semantic === 'permit_on_first_permit' && d.decision) break;
    }
    return out;
  };

  const filter = (request: FilterRequest): ResourceFilter => {
    const p = current;
    const set = p.set;
    const action = typeof request.action === 'string' ? request.action : request.action?.name;
    const never = (): ResourceFilter => Object.freeze({ kind: 'never', sql: Object.freeze({ where: '0', params: Object.freeze([]) }), query: Object.freeze({ $nor: [{}] }), policyVersion: set.version });
    try {
      const rt = Object.hasOwn(set.resourceTypes, request.resourceType) ? set.resourceTypes[request.resourceType] : undefined;
      if (!rt || !isString(action) || !rt.actions.includes(action) || !isString(request.subject?.type) || !isString(request.subject?.id)) return never();
      const subject = entityBag(request.subject.type, request.subject.id, request.subject.properties);
      const bound = bind(p, subject, contextView(p, request.context), clock.now());
      const allowQs: Query[] = [];
      const denyQs: Query[] = [];
      for (const rule of bound.ability.rulesFor(action, rt.name)) {
        if (rule.spec.effect === 'allow') {
          // Conditions that need a per-resource lookup cannot be pushed down: leave the rule out.
          if (rule.residual.length === 0) allowQs.push(rule.query);
        } else if (rule.spec.fields?.[rt.name] === undefined) {
          // A deny's per-resource conditions are taken as true: the filter may return fewer rows, never more.
          denyQs.push(rule.query);
        }
      }
      const query = andQueries([orQueries(allowQs), notQuery(orQueries(denyQs))]);
      if (query === false) return never();
      const kind = query === true ? 'always' : 'conditional';
      return Object.freeze({ kind, sql: querySql(query), query: Object.freeze(query === true ? {} : query), policyVersion: set.version });
    } catch {
      return never();
    }
  };

  const searchSubjects = (request: SubjectSearchRequest): { type: string; id: string }[] => {
    if (!store || !isString(request?.subject?.type)) return [];
    try {
      const out: { type: string; id: string }[] = [];
      for (const e of store.list(request.subject.type)) {
        const d = decide({ subject: { type: e.type, id: e.id }, action: request.action, resource: request.resource, ...(request.context ? { context: request.context } : {}) });
        if (d.decision) out.push({ type: e.type, id: e.id });
      }
      return out;
    } catch {
      return [];
    }
  };

  const searchResources = (request: ResourceSearchRequest): { type: string; id: string }[] => {
    if (!store || !isString(request?.resource?.type)) return [];
    try {
      const out: { type: string; id: string }[] = [];
      for (const e of store.list(request.resource.type)) {
        const d = decide({ subject: request.subject, action: request.action, resource: { type: e.type, id: e.id }, ...(request.context ? { context: request.context } : {}) });
        if (d.decision) out.push({ type: e.type, id: e.id });
      }
      return out;
    } catch {
      return [];
    }
  };

  const searchActions = (request: ActionSearchRequest): { name: string }[] => {
    const set = current.set;
    const type = request?.resource?.type;
    if (!isString(type) || !Object.hasOwn(set.resourceTypes, type)) return [];
    try {
      return set.resourceTypes[type]!.actions
        .filter((name) => decide({ subject: request.subject, action: { name }, resource: request.resource, ...(request.context ? { context: request.context } : {}) }).decision)
        .map((name) => ({ name }));
    } catch {
      return [];
    }
  };

  const explain = (request: EvaluationRequest): Explanation => {
    const p = current;
    const trace: RuleTrace[] = [];
    let decision: Decision;
    try {
      decision = evaluate(p, request, trace);
    } catch (err) {
      decision = failed(p, err);
    }
    return Object.freeze({ decision, subject: env.subject, resource: env.resource, context: env.context, action: env.action, rules: Object.freeze(trace) });
  };

  return {
    decide,
    decideMany,
    filter,
    searchSubjects,
    searchResources,
    searchActions,
    explain,
    status: () => Object.freeze({ version: current.set.version, loadedAt: current.set.loadedAt, source: current.set.source, rules: current.set.ruleCount }),
    usePolicySet: (set: PolicySet) => {
      // One assignment each: a decision in flight keeps the set it started with (`const p = current`).
      current = prepare(set);
      resetAbilities();
      outcomes = new WeakMap();
      contextTrie = new Map();
      views = 0;
    },
    get policySet() {
      return current.set;
    },
  };
};

/** The static environment: subject, context and roles; nothing about the resource. */
const makeStaticEnv = (subject: AttributeBag, context: AttributeBag, roles: ReadonlySet<string>, nowMs: number): EvaluationEnv & StaticEnv => ({
  subject,
  context,
  action: EMPTY_BAG,
  resource: EMPTY_BAG,
  nowMs,
  roles: () => roles,
  roleSet: roles,
  patient: () => undefined,
  hasConsent: () => false,
  isRelated: () => false,
});
