import { CustosError, kindOf } from '../../lib/errors.js';
import type { Action, Entity, EvaluationRequest, EvaluationsSemantic } from '../types.js';

/**
 * Hand-written parsers for the AuthZEN 1.0 request bodies (and the native filter body). They run
 * once, at the edge, on the value `JSON.parse` produced: they accept only plain objects, refuse
 * `__proto__`/`constructor`/`prototype` keys at any depth, bound the depth of `properties` and
 * `context`, and throw `ERR_PDP_INVALID_REQUEST` with the path of the first offending field.
 * Unknown members are ignored, as AuthZEN 1.0 requires of a PDP (certification c-2-2-9).
 */

export interface ParseLimits {
  /** Deepest nesting allowed inside `properties` and `context`. */
  readonly maxDepth: number;
  /** Largest `evaluations` array accepted. */
  readonly maxBatchSize: number;
  /** Largest search page. */
  readonly maxPageLimit: number;
}

export const defaultParseLimits: ParseLimits = Object.freeze({ maxDepth: 16, maxBatchSize: 1000, maxPageLimit: 1000 });

type Json = Record<string, unknown>;

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

export const invalid = (path: string, message: string, hint?: string): CustosError =>
  new CustosError('ERR_PDP_INVALID_REQUEST', {
    path,
    message: `${path}: ${message}`,
    hint: hint ?? 'see the AuthZEN 1.0 request shape in the OpenAPI document at /openapi.json',
  });

const isPlainObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const requireObject = (value: unknown, path: string): Json => {
  if (value === undefined) throw invalid(path, 'is required', `add "${path.split('.').pop()}" as a JSON object`);
  if (!isPlainObject(value)) throw invalid(path, `must be an object, got ${kindOf(value)}`);
  return value;
};

const requireString = (value: unknown, path: string): string => {
  if (value === undefined) throw invalid(path, 'is required', `add "${path.split('.').pop()}" as a non-empty string`);
  if (typeof value !== 'string') throw invalid(path, `must be a string, got ${kindOf(value)}`);
  if (value.length === 0) throw invalid(path, 'must not be empty');
  if (value.length > 1024) throw invalid(path, `must be at most 1024 characters, got ${value.length}`);
  return value;
};

/** Walks a free-form JSON value: bounded depth, no prototype-polluting keys. */
const checkFreeForm = (value: unknown, path: string, depth: number, limits: ParseLimits): void => {
  if (typeof value !== 'object' || value === null) return;
  if (depth > limits.maxDepth) throw invalid(path, `nests deeper than ${limits.maxDepth} levels`, 'flatten the attributes');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkFreeForm(value[i], `${path}[${i}]`, depth + 1, limits);
    return;
  }
  for (const key in value) {
    if (forbiddenKeys.has(key)) throw invalid(`${path}.${key}`, 'is a reserved key name', 'rename the attribute');
    checkFreeForm((value as Json)[key], `${path}.${key}`, depth + 1, limits);
  }
};

const optionalProperties = (value: unknown, path: string, limits: ParseLimits): Json | undefined => {
  if (value === undefined) return undefined;
  const object = requireObject(value, path);
  checkFreeForm(object, path, 1, limits);
  return object;
};

/** Parses `{type, id, properties?}`; `idRequired: false` drops a supplied id (search targets). */
export const parseEntity = (value: unknown, path: string, limits: ParseLimits, idRequired = true): Entity => {
  const object = requireObject(value, path);
  const type = requireString(object.type, `${path}.type`);
  const id = idRequired ? requireString(object.id, `${path}.id`) : '';
  const properties = optionalProperties(object.properties, `${path}.properties`, limits);
  return Object.freeze(properties === undefined ? { type, id } : { type, id, properties });
};

export const parseAction = (value: unknown, path: string, limits: ParseLimits): Action => {
  const object = requireObject(value, path);
  const name = requireString(object.name, `${path}.name`);
  const properties = optionalProperties(object.properties, `${path}.properties`, limits);
  return Object.freeze(properties === undefined ? { name } : { name, properties });
};

const parseContext = (value: unknown, path: string, limits: ParseLimits): Json | undefined =>
  optionalProperties(value, path, limits);

const requireBody = (body: unknown): Json => {
  if (!isPlainObject(body)) throw invalid('(body)', `must be a JSON object, got ${kindOf(body)}`);
  return body;
};

const build = (subject: Entity, action: Action, resource: Entity, context: Json | undefined): EvaluationRequest =>
  Object.freeze(context === undefined ? { subject, action, resource } : { subject, action, resource, context });

/**
 * AuthZEN 1.0 §6.1 Access Evaluation request.
 *
 * @example
 * parseEvaluationRequest({ subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: '1' } });
 */
export const parseEvaluationRequest = (body: unknown, limits: ParseLimits = defaultParseLimits): EvaluationRequest => {
  const object = requireBody(body);
  return build(
    parseEntity(object.subject, 'subject', limits),
    parseAction(object.action, 'action', limits),
    parseEntity(object.resource, 'resource', limits),
    parseContext(object.context, 'context', limits),
  );
};

/** One item of a batch: a valid request, or the error that makes it a per-item deny. */
export type BatchItem =
  | { readonly ok: true; readonly request: EvaluationRequest }
  | { readonly ok: false; readonly error: CustosError };

export interface EvaluationsRequest {
  /** Absent or empty `evaluations`: the body is a single evaluation (AuthZEN 1.0 §7.1). */
  readonly single: EvaluationRequest | undefined;
  readonly items: readonly BatchItem[];
  readonly semantic: EvaluationsSemantic;
  /** Custos option `options.include_context`: add the decision context to each item. */
  readonly includeContext: boolean;
}

const semantics: readonly EvaluationsSemantic[] = ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'];

interface Options {
  readonly semantic: EvaluationsSemantic;
  readonly includeContext: boolean;
}

const parseOptions = (value: unknown): Options => {
  if (value === undefined) return { semantic: 'execute_all', includeContext: false };
  const object = requireObject(value, 'options');
  const raw = object.evaluations_semantic;
  if (raw !== undefined && !semantics.includes(raw as EvaluationsSemantic)) {
    throw invalid('options.evaluations_semantic', `must be one of ${semantics.join(', ')}, got ${kindOf(raw)}`);
  }
  const include = object.include_context;
  if (include !== undefined && typeof include !== 'boolean') {
    throw invalid('options.include_context', `must be a boolean, got ${kindOf(include)}`);
  }
  return { semantic: (raw as EvaluationsSemantic | undefined) ?? 'execute_all', includeContext: include === true };
};

/**
 * AuthZEN 1.0 §7.1 Access Evaluations request. Top-level `subject`, `action`, `resource` and
 * `context` are defaults that an item replaces as whole objects. Malformed defaults or options
 * reject the whole request; a malformed item becomes a per-item error (§7.2, `execute_all`).
 */
export const parseEvaluationsRequest = (body: unknown, limits: ParseLimits = defaultParseLimits): EvaluationsRequest => {
  const object = requireBody(body);
  const options = parseOptions(object.options);
  const list = object.evaluations;
  if (list === undefined || (Array.isArray(list) && list.length === 0)) {
    return { single: parseEvaluationRequest(object, limits), items: [], ...options };
  }
  if (!Array.isArray(list)) throw invalid('evaluations', `must be an array, got ${kindOf(list)}`);
  if (list.length > limits.maxBatchSize) {
    throw invalid('evaluations', `holds ${list.length} items, more than the limit of ${limits.maxBatchSize}`, 'split the batch');
  }
  const subject = object.subject === undefined ? undefined : parseEntity(object.subject, 'subject', limits);
  const action = object.action === undefined ? undefined : parseAction(object.action, 'action', limits);
  const resource = object.resource === undefined ? undefined : parseEntity(object.resource, 'resource', limits);
  const context = parseContext(object.context, 'context', limits);
  const items = new Array<BatchItem>(list.length);
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    const at = `evaluations[${i}]`;
    try {
      const entry = requireObject(item, at);
      items[i] = {
        ok: true,
        request: build(
          entry.subject === undefined && subject ? subject : parseEntity(entry.subject, `${at}.subject`, limits),
          entry.action === undefined && action ? action : parseAction(entry.action, `${at}.action`, limits),
          entry.resource === undefined && resource ? resource : parseEntity(entry.resource, `${at}.resource`, limits),
          entry.context === undefined ? context : parseContext(entry.context, `${at}.context`, limits),
        ),
      };
    } catch (error) {
      items[i] = { ok: false, error: error as CustosError };
    }
  }
  return { single: undefined, items, ...options };
};

export interface Page {
  readonly limit: number | undefined;
  /** Offset decoded from the opaque token of a previous response. */
  readonly offset: number;
}

const parsePage = (value: unknown, limits: ParseLimits): Page => {
  if (value === undefined) return { limit: undefined, offset: 0 };
  const object = requireObject(value, 'page');
  const { limit, token } = object;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > limits.maxPageLimit)) {
    throw invalid('page.limit', `must be an integer in 1..${limits.maxPageLimit}, got ${kindOf(limit)}`);
  }
  let offset = 0;
  if (token !== undefined) {
    if (typeof token !== 'string') throw invalid('page.token', `must be a string, got ${kindOf(token)}`);
    if (token !== '') {
      offset = decodePageToken(token);
      if (offset < 0) throw invalid('page.token', 'is not a token this decision point issued', 'pass next_token from the previous response unchanged');
    }
  }
  return { limit: limit as number | undefined, offset };
};

/** Page tokens are opaque to callers: `o:<offset>` in base64url. */
export const encodePageToken = (offset: number): string => Buffer.from(`o:${offset}`).toString('base64url');

const decodePageToken = (token: string): number => {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^o:(\d{1,9})$/.exec(text);
  return match ? Number(match[1]) : -1;
};

export type SearchKind = 'subject' | 'resource' | 'action';

export interface SearchRequest {
  readonly kind: SearchKind;
  readonly subject: Entity;
  /** Absent for action search. */
  readonly action: Action | undefined;
  readonly resource: Entity;
  readonly context: Json | undefined;
  readonly page: Page;
  readonly includeContext: boolean;
}

/**
 * AuthZEN 1.0 §8 search requests. The searched-for entity needs only `type` (a supplied `id` is
 * ignored); the others need `type` and `id`. Action search takes no `action`.
 */
export const parseSearchRequest = (kind: SearchKind, body: unknown, limits: ParseLimits = defaultParseLimits): SearchRequest => {
  const object = requireBody(body);
  const subject = parseEntity(object.subject, 'subject', limits, kind !== 'subject');
  const action = kind === 'action' ? undefined : parseAction(object.action, 'action', limits);
  const resource = parseEntity(object.resource, 'resource', limits, kind !== 'resource');
  const context = parseContext(object.context, 'context', limits);
  const page = parsePage(object.page, limits);
  const { includeContext } = parseOptions(object.options);
  return Object.freeze({ kind, subject, action, resource, context, page, includeContext });
};

export interface FilterRequest {
  readonly subject: Entity;
  readonly action: Action;
  readonly resourceType: string;
  readonly context: Json | undefined;
}

/** Native `POST /custos/v1/filter`: `{subject, action, resource: {type}, context?}`. */
export const parseFilterRequest = (body: unknown, limits: ParseLimits = defaultParseLimits): FilterRequest => {
  const object = requireBody(body);
  const subject = parseEntity(object.subject, 'subject', limits);
  const action = parseAction(object.action, 'action', limits);
  const resource = parseEntity(object.resource, 'resource', limits, false);
  const context = parseContext(object.context, 'context', limits);
  return Object.freeze({ subject, action, resourceType: resource.type, context });
};
