/**
 * Field paths of mask specs, compiled once: dotted JSON paths with array wildcards
 * (`patients[*].phone`, `contacts.*.mobile`, `items[0].name`) and FHIR R4 paths rooted at a
 * resource type (`Patient.telecom.where(system='phone').value`), applied to the resource, or to
 * every matching `entry[*].resource` of a Bundle. Arrays are traversed implicitly, as in FHIRPath.
 */
import { MaskingError } from './errors.js';

export type Step =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'where'; readonly conditions: readonly (readonly [string, string])[] };

export interface CompiledPath {
  readonly source: string;
  /** FHIR resource type the path is rooted at, when it starts with one. */
  readonly resourceType: string | undefined;
  readonly steps: readonly Step[];
}

const MAX_PATH_LENGTH = 1024;
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/u;
const NAME = /^[^.[\]()'"\s]+$/u;

const invalid = (path: string, why: string): MaskingError =>
  new MaskingError('ERR_MASKING_INVALID_PATH', {
    message: `mask path is invalid: ${why}`,
    path: path.length > 200 ? `${path.slice(0, 200)}…` : path,
    hint: "write a dotted path such as patient.phone, items[*].name or Patient.identifier.where(system='urn:cn:id-card')",
  });

/** Splits on dots outside parentheses, brackets and quotes. */
const splitSegments = (path: string): string[] => {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '.' && depth === 0) {
      out.push(path.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw invalid(path, 'unbalanced brackets');
  }
  if (quote || depth !== 0) throw invalid(path, 'unbalanced quotes or brackets');
  out.push(path.slice(start));
  return out;
};

const unquote = (s: string): string => {
  const t = s.trim();
  return t.length >= 2 && (t[0] === "'" || t[0] === '"') && t[t.length - 1] === t[0] ? t.slice(1, -1) : t;
};

/** `system='phone' and use='mobile'` → [['system','phone'], ['use','mobile']]. */
const parseWhere = (path: string, body: string): [string, string][] => {
  const conditions: [string, string][] = [];
  let rest = body;
  while (rest.trim().length > 0) {
    const eq = rest.indexOf('=');
    if (eq < 0) throw invalid(path, 'where() takes field = value conditions joined by "and"');
    const field = rest.slice(0, eq).trim();
    if (!NAME.test(field) || FORBIDDEN_KEYS.has(field)) throw invalid(path, 'where() names a field that is not a plain name');
    let value: string;
    const after = rest.slice(eq + 1).trimStart();
    if (after[0] === "'" || after[0] === '"') {
      const close = after.indexOf(after[0], 1);
      if (close < 0) throw invalid(path, 'unterminated quote in where()');
      value = after.slice(1, close);
      rest = after.slice(close + 1);
    } else {
      const and = after.search(/\s+and\s+/u);
      value = unquote(and < 0 ? after : after.slice(0, and));
      rest = and < 0 ? '' : after.slice(and);
    }
    conditions.push([field, value]);
    const trimmed = rest.trimStart();
    if (trimmed.length === 0) break;
    if (!trimmed.startsWith('and ')) throw invalid(path, 'join where() conditions with "and"');
    rest = trimmed.slice(4);
  }
  if (conditions.length === 0) throw invalid(path, 'where() needs at least one condition');
  return conditions;
};

/**
 * Compiles one path; throws `ERR_MASKING_INVALID_PATH` with the reason.
 *
 * @example compilePath("Patient.telecom.where(system='phone').value").resourceType // 'Patient'
 */
export const compilePath = (path: string, isFhirDocument = true): CompiledPath => {
  if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH_LENGTH) {
    throw invalid(typeof path === 'string' ? path : '', `a path is a non-empty string of at most ${MAX_PATH_LENGTH} characters`);
  }
  const segments = splitSegments(path);
  const steps: Step[] = [];
  let resourceType: string | undefined;
  segments.forEach((segment, position) => {
    if (segment.length === 0) throw invalid(path, 'empty segment (two dots, or a leading or trailing dot)');
    if (segment.startsWith('where(') && segment.endsWith(')')) {
      steps.push({ kind: 'where', conditions: parseWhere(path, segment.slice(6, -1)) });
      return;
    }
    if (segment === '*') {
      steps.push({ kind: 'all' });
      return;
    }
    const bracket = segment.indexOf('[');
    const name = bracket < 0 ? segment : segment.slice(0, bracket);
    if (name.length > 0) {
      if (!NAME.test(name)) throw invalid(path, 'a segment holds characters other than a field name');
      if (FORBIDDEN_KEYS.has(name)) throw invalid(path, '__proto__, constructor and prototype are refused');
      if (position === 0 && isFhirDocument && RESOURCE_TYPE.test(name) && segments.length > 1) resourceType = name;
      else steps.push({ kind: 'key', key: name });
    }
    let rest = bracket < 0 ? '' : segment.slice(bracket);
    while (rest.length > 0) {
      const close = rest.indexOf(']');
      if (rest[0] !== '[' || close < 0) throw invalid(path, 'brackets hold * or an index, as in items[*] or items[0]');
      const inside = rest.slice(1, close);
      if (inside === '*') steps.push({ kind: 'all' });
      else if (/^\d{1,9}$/u.test(inside)) steps.push({ kind: 'index', index: Number(inside) });
      else throw invalid(path, 'brackets hold * or an index, as in items[*] or items[0]');
      rest = rest.slice(close + 1);
    }
  });
  return Object.freeze({ source: path, resourceType, steps: Object.freeze(steps) });
};
