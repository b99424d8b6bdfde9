/**
 * The condition language: parsing from YAML, validation against the schema, classification,
 * compilation to closures (once, at load) and three-valued evaluation.
 *
 * Safety: no `eval`, no dynamic code; attribute paths are checked against the schema at load
 * and read with own-property checks only, so `__proto__`/`constructor` can never be reached.
 * Missing attributes evaluate to UNKNOWN: an allow needs TRUE, a deny matches unless FALSE.
 */
import type { PolicyIssue } from './errors.js';
import {
  FALSE,
  TRUE,
  UNKNOWN,
  type AttributeBag,
  type CompareOp,
  type CompiledCondition,
  type Condition,
  type ConditionClass,
  type EvaluationEnv,
  type Evaluate,
  type Namespace,
  type Operand,
  type Ref,
  type Truth,
} from './types.js';
import { FORBIDDEN_KEYS, isPlainObject, type YamlSource } from './yaml-source.js';

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'in', 'nin', 'contains', 'lt', 'lte', 'gt', 'gte', 'ageUnder'];
const NAMESPACES: readonly Namespace[] = ['subject', 'resource', 'context', 'patient', 'action'];
const COMBINATORS = ['all', 'any', 'not', 'role', 'consent', 'related'];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a condition may refer to; built by the loader from the schema. */
export interface ConditionScope {
  readonly subjectAttributes: ReadonlySet<string>;
  readonly contextAttributes: ReadonlySet<string>;
  /** Declared attributes of the request's action (`action.properties`). */
  readonly actionAttributes: ReadonlySet<string>;
  /** Attributes of each resource type the rule covers (a ref must exist in all of them). */
  readonly resourceTypes: readonly { readonly name: string; readonly attributes: ReadonlySet<string>; readonly hasPatient: boolean }[];
  readonly patientAttributes: ReadonlySet<string>;
  readonly roles: ReadonlySet<string>;
  readonly src: YamlSource;
  readonly issues: PolicyIssue[];
  /** Where the rule is, for messages. */
  readonly owner: string;
}

const issue = (scope: ConditionScope, code: PolicyIssue['code'], container: unknown, key: string | number | undefined, message: string, hint: string): void => {
  scope.issues.push({ code, message, hint, at: scope.src.at(container, key) });
};

/** Parses an operand: `subject.x`/`resource.x`/`context.x`/`patient.x`/`action.x` are references, `{ value: v }` escapes a literal. */
const parseOperand = (scope: ConditionScope, raw: unknown, container: unknown, key: string | number): Operand | undefined => {
  if (typeof raw === 'string') {
    const dot = raw.indexOf('.');
    const ns = dot > 0 ? raw.slice(0, dot) : '';
    if ((NAMESPACES as readonly string[]).includes(ns)) return parseRef(scope, raw, container, key);
    return { kind: 'literal', value: raw };
  }
  if (isPlainObject(raw)) {
    const keys = Object.keys(raw);
    if (keys.length === 1 && keys[0] === 'value') return { kind: 'literal', value: raw.value };
    issue(scope, 'ERR_POLICY_BAD_VALUE', container, key, `${scope.owner}: an operand must be a literal or an attribute reference, got a mapping`, 'write a literal, `subject.<attr>`, or `{ value: <literal> }`');
    return undefined;
  }
  return { kind: 'literal', value: raw };
};

export const parseRef = (scope: ConditionScope, text: string, container: unknown, key: string | number | undefined): Ref | undefined => {
  const parts = text.split('.');
  const ns = parts[0] as Namespace;
  const path = parts.slice(1);
  if (!(NAMESPACES as readonly string[]).includes(ns) || path.length === 0) {
    issue(scope, 'ERR_POLICY_UNKNOWN_ATTRIBUTE', container, key, `${scope.owner}: "${text}" is not an attribute reference`, 'write subject.<attr>, resource.<attr>, context.<attr>, action.<attr> or patient.<attr>');
    return undefined;
  }
  for (const part of path) {
    if (!NAME.test(part) || FORBIDDEN_KEYS.has(part)) {
      issue(scope, 'ERR_POLICY_UNKNOWN_ATTRIBUTE', container, key, `${scope.owner}: "${text}" has an invalid path segment`, 'attribute names are letters, digits and underscores');
      return undefined;
    }
  }
  const attr = path[0]!;
  const builtin = attr === 'id' || attr === 'type';
  if (ns === 'subject' && !builtin && !scope.subjectAttributes.has(attr)) {
    issue(scope, 'ERR_POLICY_UNKNOWN_ATTRIBUTE', container, key, `${scope.owner}: condition on "${text}", but no subject type declares attribute "${attr}"`, `declare it under subjects.<type>.attributes, or fix the name (known: ${[...scope.subjectAttributes].sort().join(', ') || 'none'})`);
  } else if (ns === 'context' && !scope.contextAttributes.has(attr)) {
    issue(scope, 'ERR_POLICY_UNKNOWN_ATTRIBUTE', container, key, `${scope.owner}: condition on "${text}", but the context declares no attribute "${attr}"`, `declare it under context:, or fix the name (known: ${[...scope.contextAttributes].sort().join(', ') || 'none'})`);
  } else if (ns === 'action' && !scope.actionAttributes.has(attr)) {
    issue(scope, 'ERR_POLICY_UNKNOWN_ATTRIBUTE', container, key, `${scope.owner}: condition on "${text}", but the action declares no attribute "${attr}"`, `declare it under action:, or fix the name (known: ${[...scope.actionAttributes].sort().join(', ') || 'none'})`);
  } else if (ns === 'resource' && !builtin) {
    for (const rt of scope.resourceTypes) {
      if (!rt.attributes.has(attr)) {
        issue(scope, 'ERR_POLICY_UNKNOWN_ATTRIBUTE', container, key, `${scope.owner}: condition on "${text}", but resource type "${rt.name}" declares no attribute "${attr}"`, `declare it under resources.${rt.name}.attributes, or fix the name (known: ${[...rt.attributes].sort().join(', ') || 'none'})`);
      }
    }
  } else if (ns === 'patient') {
    for (const rt of scope.resourceTypes) {
      if (!rt.hasPatient) {
        issue(scope, 'ERR_POLICY_UNKNOWN_ATTRIBUTE', container, key, `${scope.owner}: condition on "${text}", but resource type "${rt.name}" names no patient attribute`, `add "patient: <attribute>" to resources.${rt.name}`);
      }
    }
    if (!builtin && !scope.patientAttributes.has(attr)) {
      issue(scope, 'ERR_POLICY_UNKNOWN_ATTRIBUTE', container, key, `${scope.owner}: condition on "${text}", but resource type "patient" declares no attribute "${attr}"`, 'declare it under resources.patient.attributes');
    }
  }
  return { kind: 'ref', ns, path, text };
};

/** Parses a condition in its YAML form (see policy/README.md). Problems go to `scope.issues`. */
export const parseCondition = (scope: ConditionScope, raw: unknown, container: unknown, key: string | number): Condition => {
  const bad: Condition = { kind: 'const', value: FALSE };
  if (Array.isArray(raw)) return { kind: 'all', items: raw.map((item, i) => parseCondition(scope, item, raw, i)) };
  if (!isPlainObject(raw)) {
    issue(scope, 'ERR_POLICY_BAD_VALUE', container, key, `${scope.owner}: a condition must be a mapping, got ${raw === null ? 'null' : typeof raw}`, 'write e.g. `{ resource.department: { eq: subject.department } }`');
    return bad;
  }
  const keys = Object.keys(raw);
  if (keys.length === 0) {
    issue(scope, 'ERR_POLICY_BAD_VALUE', container, key, `${scope.owner}: empty condition`, 'remove it or write a comparison');
    return bad;
  }
  if (keys.length > 1) return { kind: 'all', items: keys.map((k) => parseOne(scope, k, raw[k], raw)) };
  return parseOne(scope, keys[0]!, raw[keys[0]!], raw);
};

const parseList = (scope: ConditionScope, name: string, value: unknown, container: Record<string, unknown>): Condition[] => {
  if (!Array.isArray(value) || value.length === 0) {
    issue(scope, 'ERR_POLICY_BAD_VALUE', container, name, `${scope.owner}: "${name}" needs a non-empty list of conditions`, `write ${name}: [ {...}, {...} ]`);
    return [];
  }
  return value.map((item, i) => parseCondition(scope, item, value, i));
};

const parseOne = (scope: ConditionScope, name: string, value: unknown, container: Record<string, unknown>): Condition => {
  switch (name) {
    case 'all':
      return { kind: 'all', items: parseList(scope, name, value, container) };
    case 'any':
      return { kind: 'any', items: parseList(scope, name, value, container) };
    case 'not':
      return { kind: 'not', item: parseCondition(scope, value, container, name) };
    case 'role':
      if (typeof value !== 'string' || !scope.roles.has(value)) {
        issue(scope, 'ERR_POLICY_UNKNOWN_ROLE', container, name, `${scope.owner}: unknown role ${typeof value === 'string' ? `"${value}"` : `(${typeof value})`}`, `declare it under roles: or derivedRoles:, or use one of: ${[...scope.roles].sort().join(', ')}`);
        return { kind: 'const', value: FALSE };
      }
      return { kind: 'role', name: value };
    case 'consent':
      return parseConsent(scope, value, container);
    case 'related': {
      if (!isPlainObject(value) || typeof value.relation !== 'string' || value.object === undefined) {
        issue(scope, 'ERR_POLICY_BAD_VALUE', container, name, `${scope.owner}: "related" needs { relation: <name>, object: <operand> }`, 'e.g. related: { relation: guardian_of, object: patient.id }');
        return { kind: 'const', value: FALSE };
      }
      const object = parseOperand(scope, value.object, value, 'object');
      return object ? { kind: 'related', relation: value.relation, object } : { kind: 'const', value: FALSE };
    }
    default:
      return parseComparison(scope, name, value, container);
  }
};

const parseConsent = (scope: ConditionScope, value: unknown, container: Record<string, unknown>): Condition => {
  if (!isPlainObject(value)) {
    issue(scope, 'ERR_POLICY_BAD_VALUE', container, 'consent', `${scope.owner}: "consent" needs { patient, purpose, recipient?, scope? }`, 'e.g. consent: { patient: resource.patientId, purpose: payment, recipient: subject.org }');
    return { kind: 'const', value: FALSE };
  }
  for (const k of Object.keys(value)) {
    if (!['patient', 'purpose', 'recipient', 'scope'].includes(k)) {
      issue(scope, 'ERR_POLICY_UNKNOWN_KEY', value, k, `${scope.owner}: unknown consent key "${k}"`, 'consent keys are patient, purpose, recipient, scope');
    }
  }
  if (value.patient === undefined || value.purpose === undefined) {
    issue(scope, 'ERR_POLICY_MISSING_KEY', container, 'consent', `${scope.owner}: "consent" needs both patient and purpose`, 'add patient: and purpose:');
    return { kind: 'const', value: FALSE };
  }
  const patient = parseOperand(scope, value.patient, value, 'patient');
  const purpose = parseOperand(scope, value.purpose, value, 'purpose');
  const recipient = value.recipient === undefined ? undefined : parseOperand(scope, value.recipient, value, 'recipient');
  const consentScope = value.scope === undefined ? undefined : parseOperand(scope, value.scope, value, 'scope');
  if (!patient || !purpose) return { kind: 'const', value: FALSE };
  return {
    kind: 'consent',
    patient,
    purpose,
    ...(recipient ? { recipient } : {}),
    ...(consentScope ? { scope: consentScope } : {}),
  };
};

const parseComparison = (scope: ConditionScope, name: string, value: unknown, container: Record<string, unknown>): Condition => {
  const dot = name.indexOf('.');
  if (dot < 0 || !(NAMESPACES as readonly string[]).includes(name.slice(0, dot))) {
    issue(scope, 'ERR_POLICY_UNKNOWN_OPERATOR', container, name, `${scope.owner}: "${name}" is neither a combinator (${COMBINATORS.join(', ')}) nor an attribute reference`, 'start attribute references with subject., resource., context., action. or patient.');
    return { kind: 'const', value: FALSE };
  }
  const left = parseRef(scope, name, container, name);
  if (!left) return { kind: 'const', value: FALSE };
  if (!isPlainObject(value)) {
    const right = parseOperand(scope, value, container, name);
    return right ? { kind: 'compare', left, op: 'eq', right } : { kind: 'const', value: FALSE };
  }
  const items: Condition[] = [];
  for (const op of Object.keys(value)) {
    const operand = value[op];
    if (op === 'exists') {
      if (typeof operand !== 'boolean') {
        issue(scope, 'ERR_POLICY_BAD_VALUE', value, op, `${scope.owner}: "exists" takes true or false`, 'write exists: true');
        continue;
      }
      items.push({ kind: 'exists', left, value: operand });
      continue;
    }
    if (!(COMPARE_OPS as readonly string[]).includes(op)) {
      issue(scope, 'ERR_POLICY_UNKNOWN_OPERATOR', value, op, `${scope.owner}: unknown operator "${op}"`, `use one of: ${[...COMPARE_OPS, 'exists'].join(', ')}`);
      continue;
    }
    const right = parseOperand(scope, operand, value, op);
    if (!right) continue;
    if ((op === 'in' || op === 'nin') && right.kind === 'literal' && !Array.isArray(right.value)) {
      issue(scope, 'ERR_POLICY_BAD_VALUE', value, op, `${scope.owner}: "${op}" needs a list, got ${typeof right.value}`, `write ${op}: [a, b]`);
      continue;
    }
    if (op === 'ageUnder' && (right.kind !== 'literal' || typeof right.value !== 'number')) {
      issue(scope, 'ERR_POLICY_BAD_VALUE', value, op, `${scope.owner}: "ageUnder" needs a number of years`, 'write ageUnder: 14');
      continue;
    }
    items.push({ kind: 'compare', left, op: op as CompareOp, right });
  }
  if (items.length === 0) return { kind: 'const', value: FALSE };
  return items.length === 1 ? items[0]! : { kind: 'all', items };
};

/* ---------------------------------------------------------------- classification */

const rank: Record<ConditionClass, number> = { static: 0, resource: 1, residual: 2 };
const maxClass = (a: ConditionClass, b: ConditionClass): ConditionClass => (rank[a] >= rank[b] ? a : b);
// Action attributes are read per decision (residual): abilities are cached per subject and
// context, and the action's properties are not part of that key.
const refClass = (o: Operand): ConditionClass =>
  o.kind === 'literal' ? 'static' : o.ns === 'resource' ? 'resource' : o.ns === 'patient' || o.ns === 'action' ? 'residual' : 'static';

/** Classifies a condition by what it reads; see `ConditionClass`. */
export const classify = (c: Condition): ConditionClass => {
  switch (c.kind) {
    case 'all':
    case 'any':
      return c.items.reduce<ConditionClass>((acc, item) => maxClass(acc, classify(item)), 'static');
    case 'not':
      return classify(c.item);
    case 'compare': {
      if (c.op === 'ageUnder') return 'residual';
      const l = refClass(c.left);
      const r = refClass(c.right);
      if (l === 'resource' && r === 'resource') return 'residual'; // two resource attributes: no Mongo form
      return maxClass(l, r);
    }
    case 'exists':
      return refClass(c.left);
    case 'role':
    case 'const':
      return 'static';
    case 'consent':
    case 'related':
      return 'residual';
  }
};

/** Every attribute of `ns` a condition reads (first path segment). */
export const collectAttributes = (c: Condition, ns: Namespace, out: Set<string>): Set<string> => {
  const add = (o: Operand | undefined): void => {
    if (o?.kind === 'ref' && o.ns === ns) out.add(o.path[0]!);
  };
  switch (c.kind) {
    case 'all':
    case 'any':
      c.items.forEach((item) => collectAttributes(item, ns, out));
      break;
    case 'not':
      collectAttributes(c.item, ns, out);
      break;
    case 'compare':
      add(c.left);
      add(c.right);
      break;
    case 'exists':
      add(c.left);
      break;
    case 'consent':
      add(c.patient);
      add(c.purpose);
      add(c.recipient);
      add(c.scope);
      break;
    case 'related':
      add(c.object);
      break;
    case 'role':
      if (ns === 'subject') {
        out.add('role');
        out.add('roles');
      }
      break;
    case 'const':
      break;
  }
  return out;
};

/* ---------------------------------------------------------------- evaluation */

/** Reads a path of own properties; null and undefined are both "missing". */
export const readPath = (bag: AttributeBag | undefined, path: readonly string[]): unknown => {
  let node: unknown = bag;
  for (let i = 0; i < path.length; i++) {
    if (typeof node !== 'object' || node === null) return undefined;
    const key = path[i]!;
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node === null ? undefined : node;
};

const isComparable = (a: unknown, b: unknown): boolean =>
  (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');

const MS_PER_DAY = 86_400_000;

/** Whole years between an ISO date and `nowMs` (UTC calendar). */
export const ageInYears = (birth: string, nowMs: number): number | undefined => {
  const t = Date.parse(birth);
  if (!Number.isFinite(t)) return undefined;
  const b = new Date(t);
  const n = new Date(nowMs);
  let age = n.getUTCFullYear() - b.getUTCFullYear();
  if (n.getUTCMonth() < b.getUTCMonth() || (n.getUTCMonth() === b.getUTCMonth() && n.getUTCDate() < b.getUTCDate())) age -= 1;
  return nowMs - t < -MS_PER_DAY ? undefined : age;
};

/** One comparison under three-valued logic: a missing or mistyped side is UNKNOWN. */
export const compareValues = (op: CompareOp, l: unknown, r: unknown, nowMs: number): Truth => {
  if (l === undefined || r === undefined) return UNKNOWN;
  switch (op) {
    case 'eq':
      return typeof l === 'object' || typeof r === 'object' ? UNKNOWN : l === r ? TRUE : FALSE;
    case 'ne':
      return typeof l === 'object' || typeof r === 'object' ? UNKNOWN : l !== r ? TRUE : FALSE;
    case 'in':
      return Array.isArray(r) ? (r.includes(l) ? TRUE : FALSE) : UNKNOWN;
    case 'nin':
      return Array.isArray(r) ? (r.includes(l) ? FALSE : TRUE) : UNKNOWN;
    case 'contains':
      return Array.isArray(l) ? (l.includes(r) ? TRUE : FALSE) : UNKNOWN;
    case 'lt':
      return isComparable(l, r) ? ((l as number) < (r as number) ? TRUE : FALSE) : UNKNOWN;
    case 'lte':
      return isComparable(l, r) ? ((l as number) <= (r as number) ? TRUE : FALSE) : UNKNOWN;
    case 'gt':
      return isComparable(l, r) ? ((l as number) > (r as number) ? TRUE : FALSE) : UNKNOWN;
    case 'gte':
      return isComparable(l, r) ? ((l as number) >= (r as number) ? TRUE : FALSE) : UNKNOWN;
    case 'ageUnder': {
      if (typeof l !== 'string' || typeof r !== 'number') return UNKNOWN;
      const age = ageInYears(l, nowMs);
      return age === undefined ? UNKNOWN : age < r ? TRUE : FALSE;
    }
  }
};

const compileOperand = (o: Operand): ((env: EvaluationEnv) => unknown) => {
  if (o.kind === 'literal') {
    const v = o.value === null ? undefined : o.value;
    return () => v;
  }
  const path = o.path;
  switch (o.ns) {
    case 'subject':
      return (env) => readPath(env.subject, path);
    case 'resource':
      return (env) => readPath(env.resource, path);
    case 'context':
      return (env) => readPath(env.context, path);
    case 'patient':
      return (env) => readPath(env.patient(), path);
    case 'action':
      return (env) => readPath(env.action, path);
  }
};

const asString = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Compiles a condition to a closure, once, at load. */
export const compileCondition = (c: Condition): Evaluate => {
  switch (c.kind) {
    case 'const': {
      const v = c.value;
      return () => v;
    }
    case 'all': {
      const items = c.items.map(compileCondition);
      return (env) => {
        let result: Truth = TRUE;
        for (let i = 0; i < items.length; i++) {
          const t = items[i]!(env);
          if (t === FALSE) return FALSE;
          if (t === UNKNOWN) result = UNKNOWN;
        }
        return result;
      };
    }
    case 'any': {
      const items = c.items.map(compileCondition);
      return (env) => {
        let result: Truth = FALSE;
        for (let i = 0; i < items.length; i++) {
          const t = items[i]!(env);
          if (t === TRUE) return TRUE;
          if (t === UNKNOWN) result = UNKNOWN;
        }
        return result;
      };
    }
    case 'not': {
      const item = compileCondition(c.item);
      return (env) => {
        const t = item(env);
        return t === UNKNOWN ? UNKNOWN : t === TRUE ? FALSE : TRUE;
      };
    }
    case 'compare': {
      const left = compileOperand(c.left);
      const right = compileOperand(c.right);
      const op = c.op;
      return (env) => compareValues(op, left(env), right(env), env.nowMs);
    }
    case 'exists': {
      const left = compileOperand(c.left);
      const want = c.value;
      return (env) => ((left(env) !== undefined) === want ? TRUE : FALSE);
    }
    case 'role': {
      const name = c.name;
      return (env) => (env.roles().has(name) ? TRUE : FALSE);
    }
    case 'consent': {
      const patient = compileOperand(c.patient);
      const purpose = compileOperand(c.purpose);
      const recipient = c.recipient ? compileOperand(c.recipient) : undefined;
      const scope = c.scope ? compileOperand(c.scope) : undefined;
      return (env) => {
        const p = asString(patient(env));
        const u = asString(purpose(env));
        const r = recipient ? asString(recipient(env)) : undefined;
        const s = scope ? asString(scope(env)) : undefined;
        if (p === undefined || u === undefined || (recipient && r === undefined) || (scope && s === undefined)) return UNKNOWN;
        return env.hasConsent({ patient: p, purpose: u, ...(r === undefined ? {} : { recipient: r }), ...(s === undefined ? {} : { scope: s }) })
          ? TRUE
          : FALSE;
      };
    }
    case 'related': {
      const object = compileOperand(c.object);
      const relation = c.relation;
      return (env) => {
        const id = asString(object(env));
        return id === undefined ? UNKNOWN : env.isRelated(relation, id) ? TRUE : FALSE;
      };
    }
  }
};

export const compile = (ast: Condition): CompiledCondition =>
  Object.freeze({ ast, cls: classify(ast), evaluate: compileCondition(ast) });

/* ---------------------------------------------------------------- satisfiability */

/**
 * False when a condition can never be TRUE nor UNKNOWN whatever the attributes: `in: []`,
 * or an `all` that pins one attribute to two different literals. Used to reject deny rules
 * that can never match (a silent no-op deny is a policy bug).
 */
export const isSatisfiable = (c: Condition): boolean => {
  switch (c.kind) {
    case 'const':
      return c.value !== FALSE;
    case 'compare':
      return !(c.op === 'in' && c.right.kind === 'literal' && Array.isArray(c.right.value) && c.right.value.length === 0);
    case 'any':
      return c.items.some(isSatisfiable);
    case 'not':
      return !(c.item.kind === 'const' && c.item.value === TRUE);
    case 'all': {
      if (!c.items.every(isSatisfiable)) return false;
      const pinned = new Map<string, unknown>();
      const absent = new Set<string>();
      const present = new Set<string>();
      for (const item of c.items) {
        if (item.kind === 'exists') (item.value ? present : absent).add(item.left.text);
        if (item.kind === 'compare' && item.right.kind === 'literal') {
          present.add(item.left.text);
          if (item.op === 'eq') {
            if (pinned.has(item.left.text) && pinned.get(item.left.text) !== item.right.value) return false;
            pinned.set(item.left.text, item.right.value);
          }
        }
      }
      for (const item of c.items) {
        if (item.kind === 'compare' && item.op === 'in' && item.right.kind === 'literal' && pinned.has(item.left.text)) {
          if (!(item.right.value as unknown[]).includes(pinned.get(item.left.text))) return false;
        }
        if (item.kind === 'compare' && item.op === 'ne' && item.right.kind === 'literal' && pinned.has(item.left.text)) {
          if (pinned.get(item.left.text) === item.right.value) return false;
        }
      }
      for (const text of absent) if (present.has(text)) return false;
      return true;
    }
    default:
      return true;
  }
};
