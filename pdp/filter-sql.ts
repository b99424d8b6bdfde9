/**
 * Mongo-style resource queries (as the policy compiles them) to a SQL boolean expression with
 * `?` placeholders, for list endpoints. Column names are the attribute names, which the policy
 * loader restricts to identifiers; list attributes are JSON arrays (SQLite `json_each`).
 */
import type { Query } from '../policy/index.js';

export interface SqlWhere {
  readonly where: string;
  readonly params: readonly unknown[];
}

const column = (field: string): string => field.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.');

const param = (v: unknown, params: unknown[]): string => {
  params.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
  return '?';
};

const fieldSql = (field: string, ops: Readonly<Record<string, unknown>>, params: unknown[]): string => {
  const col = column(field);
  const parts: string[] = [];
  for (const [op, v] of Object.entries(ops)) {
    switch (op) {
      case '$eq':
        parts.push(`${col} = ${param(v, params)}`);
        break;
      case '$ne':
        parts.push(`(${col} IS NULL OR ${col} <> ${param(v, params)})`);
        break;
      case '$in': {
        const list = v as unknown[];
        parts.push(list.length === 0 ? '0' : `${col} IN (${list.map((x) => param(x, params)).join(', ')})`);
        break;
      }
      case '$nin': {
        const list = v as unknown[];
        parts.push(list.length === 0 ? '1' : `(${col} IS NULL OR ${col} NOT IN (${list.map((x) => param(x, params)).join(', ')}))`);
        break;
      }
      case '$all':
        for (const x of v as unknown[]) parts.push(`EXISTS (SELECT 1 FROM json_each(${col}) WHERE value = ${param(x, params)})`);
        break;
      case '$lt':
        parts.push(`${col} < ${param(v, params)}`);
        break;
      case '$lte':
        parts.push(`${col} <= ${param(v, params)}`);
        break;
      case '$gt':
        parts.push(`${col} > ${param(v, params)}`);
        break;
      case '$gte':
        parts.push(`${col} >= ${param(v, params)}`);
        break;
      case '$exists':
        parts.push(v ? `${col} IS NOT NULL` : `${col} IS NULL`);
        break;
      default:
        parts.push('0'); // unknown operator: match nothing (fail closed)
    }
  }
  return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
};

const toSql = (q: Readonly<Record<string, unknown>>, params: unknown[]): string => {
  const parts: string[] = [];
  for (const [key, v] of Object.entries(q)) {
    if (key === '$and') parts.push(`(${(v as Record<string, unknown>[]).map((x) => toSql(x, params)).join(' AND ')})`);
    else if (key === '$or') parts.push(`(${(v as Record<string, unknown>[]).map((x) => toSql(x, params)).join(' OR ')})`);
    else if (key === '$nor') parts.push(`NOT (${(v as Record<string, unknown>[]).map((x) => toSql(x, params)).join(' OR ')})`);
    else parts.push(fieldSql(key, v as Record<string, unknown>, params));
  }
  return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
};

/**
 * SQL `WHERE` for a query: `1` matches all, `0` none.
 *
 * @example
 * querySql({ department: { $eq: 'cardiology' } }); // { where: '"department" = ?', params: ['cardiology'] }
 */
export const querySql = (q: Query): SqlWhere => {
  if (q === true) return { where: '1', params: [] };
  if (q === false) return { where: '0', params: [] };
  const params: unknown[] = [];
  const where = toSql(q, params);
  return Object.freeze({ where, params: Object.freeze(params) });
};
