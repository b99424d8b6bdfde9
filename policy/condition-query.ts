/**
 * Partial evaluation of a condition into a Mongo-style query over resource attributes.
 * Subject, context and role leaves are resolved first; what remains reads only the resource.
 *
 * Two translations keep three-valued logic intact: `definitelyTrue` (an allow applies) and
 * `notFalse` (a deny applies: TRUE or UNKNOWN, so a missing resource attribute makes a deny
 * match). Negation swaps them: T(not c) = nor[NF(c)], NF(not c) = nor[T(c)].
 */
import { compareValues, readPath } from './condition.js';
import { FALSE, TRUE, UNKNOWN, type AttributeBag, type CompareOp, type Condition, type Operand, type Truth } from './types.js';

/** A query, or a constant: `true` matches every resource, `false` none. */
export type Query = boolean | Readonly<Record<string, unknown>>;

export interface StaticEnv {
  readonly subject: AttributeBag;
  readonly context: AttributeBag;
  readonly roleSet: ReadonlySet<string>;
  readonly nowMs: number;
}

export type QueryMode = 'definitelyTrue' | 'notFalse';

export const andQueries = (qs: readonly Query[]): Query => {
  const parts: Readonly<Record<string, unknown>>[] = [];
  for (const q of qs) {
    if (q === false) return false;
    if (q !== true) parts.push(q);
  }
  return parts.length === 0 ? true : parts.length === 1 ? parts[0]! : { $and: parts };
};

export const orQueries = (qs: readonly Query[]): Query => {
  const parts: Readonly<Record<string, unknown>>[] = [];
  for (const q of qs) {
    if (q === true) return true;
    if (q !== false) parts.push(q);
  }
  return parts.length === 0 ? false : parts.length === 1 ? parts[0]! : { $or: parts };
};

export const notQuery = (q: Query): Query => (q === true ? false : q === false ? true : { $nor: [q] });

const truthIn = (t: Truth, mode: QueryMode): boolean => (mode === 'definitelyTrue' ? t === TRUE : t !== FALSE);

const staticValue = (o: Operand, env: StaticEnv): unknown => {
  if (o.kind === 'literal') return o.value === null ? undefined : o.value;
  if (o.ns === 'subject') return readPath(env.subject, o.path);
  if (o.ns === 'context') return readPath(env.context, o.path);
  return undefined;
};

/** `x OP resource.p` rewritten as `resource.p OP' x`. */
const swapped: Record<CompareOp, CompareOp | undefined> = {
  eq: 'eq', ne: 'ne', in: 'contains', nin: undefined, contains: 'in',
  lt: 'gt', lte: 'gte', gt: 'lt', gte: 'lte', ageUnder: undefined,
};

const missing = (field: string): Query => ({ [field]: { $exists: false } });

const fieldQuery = (field: string, op: CompareOp, v: unknown, mode: QueryMode): Query => {
  let t: Query;
  switch (op) {
    case 'eq':
      if (typeof v === 'object') return mode === 'notFalse';
      t = { [field]: { $eq: v } };
      break;
    case 'ne':
      if (typeof v === 'object') return mode === 'notFalse';
      return mode === 'definitelyTrue' ? { [field]: { $exists: true, $ne: v } } : { [field]: { $ne: v } };
    case 'in':
      if (!Array.isArray(v)) return mode === 'notFalse';
      t = { [field]: { $in: v } };
      break;
    case 'nin':
      if (!Array.isArray(v)) return mode === 'notFalse';
      return mode === 'definitelyTrue' ? { [field]: { $exists: true, $nin: v } } : { [field]: { $nin: v } };
    case 'contains':
      t = { [field]: { $all: [v] } };
      break;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      t = { [field]: { [`$${op}`]: v } };
      break;
    default:
      return mode === 'notFalse';
  }
  return mode === 'definitelyTrue' ? t : orQueries([missing(field), t]);
};

/** Translates a condition without residual parts; see the file comment for the two modes. */
export const toQuery = (c: Condition, env: StaticEnv, mode: QueryMode): Query => {
  switch (c.kind) {
    case 'const':
      return truthIn(c.value, mode);
    case 'role':
      return truthIn(env.roleSet.has(c.name) ? TRUE : FALSE, mode);
    case 'all':
      return andQueries(c.items.map((item) => toQuery(item, env, mode)));
    case 'any':
      return orQueries(c.items.map((item) => toQuery(item, env, mode)));
    case 'not':
      return notQuery(toQuery(c.item, env, mode === 'definitelyTrue' ? 'notFalse' : 'definitelyTrue'));
    case 'exists':
      if (c.left.ns === 'resource') return { [c.left.path.join('.')]: { $exists: c.value } };
      return truthIn((staticValue(c.left, env) !== undefined) === c.value ? TRUE : FALSE, mode);
    case 'compare': {
      const leftIsResource = c.left.ns === 'resource';
      const rightIsResource = c.right.kind === 'ref' && c.right.ns === 'resource';
      if (!leftIsResource && !rightIsResource) {
        return truthIn(compareValues(c.op, staticValue(c.left, env), staticValue(c.right, env), env.nowMs), mode);
      }
      if (leftIsResource && !rightIsResource) {
        const v = staticValue(c.right, env);
        if (v === undefined) return truthIn(UNKNOWN, mode);
        return fieldQuery(c.left.path.join('.'), c.op, v, mode);
      }
      if (!leftIsResource && rightIsResource && c.right.kind === 'ref') {
        const v = staticValue(c.left, env);
        if (v === undefined) return truthIn(UNKNOWN, mode);
        const op = swapped[c.op];
        const field = c.right.path.join('.');
        if (c.op === 'nin') {
          // x nin resource.list  ==  not (resource.list contains x)
          return mode === 'definitelyTrue' ? { [field]: { $exists: true, $nin: [v] } } : { [field]: { $nin: [v] } };
        }
        if (op === undefined) return mode === 'notFalse';
        return fieldQuery(field, op, v, mode);
      }
      return mode === 'notFalse'; // two resource attributes: classified residual, never reaches here
    }
    default:
      return mode === 'notFalse'; // residual kinds are evaluated per resource, not translated
  }
};

export { FALSE, TRUE, UNKNOWN };
