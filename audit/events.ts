import { kindOf } from '../lib/errors.js';
import { personalDataKeys } from '../lib/logger.js';
import { auditError } from './errors.js';
import type { AuditEvent, AuditEventKind } from './types.js';

/** Largest canonical event accepted, in bytes: events carry ids and codes, not documents. */
export const maxEventBytes = 8 * 1024;

const required: Readonly<Record<AuditEventKind, readonly string[]>> = {
  decision: ['decisionId', 'subjectId', 'subjectType', 'action', 'resourceType', 'resourceId', 'decision', 'policyVersion'],
  'break-glass': ['subjectId', 'reasonCode'],
  'policy-change': ['policyVersion', 'change'],
  key: ['operation'],
  scan: ['scanId', 'source', 'result'],
  report: ['reportId', 'reportType'],
  admin: ['operation', 'result'],
  consent: ['consentId', 'patientId', 'change'],
};

const enums: Readonly<Record<string, readonly string[]>> = {
  decision: ['permit', 'deny'],
};

const personalKeys = new Set(personalDataKeys.map((k) => k.toLowerCase()));
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

// GB 11643-1999 citizen identity number: region(6) birth date(8) order(3) check(1).
const residentIdPattern = /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/;
// Mainland mobile numbers (11 digits, 13x-19x), optionally with +86.
const mobilePattern = /(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9A-Za-z])/;

/** What a string value looks like, when it looks like personal data. */
export const personalDataKindOf = (value: string): string | undefined => {
  if (residentIdPattern.test(value)) return 'a resident ID number';
  if (mobilePattern.test(value)) return 'a mobile phone number';
  return undefined;
};

/**
 * Checks an event from a caller (a trust boundary) and returns a frozen copy with its
 * canonical JSON (RFC 8785). Refuses unknown kinds, missing ids, oversized events, prototype
 * keys, keys classified as personal data, and string values shaped like resident ID or mobile
 * numbers. Errors name the path and the kind of value, never the value (PIPL art. 51).
 *
 * @example
 * const { event, json } = parseEvent({ kind: 'admin', operation: 'keys.rotate', result: 'success' });
 */
export const parseEvent = (input: unknown): { readonly event: AuditEvent; readonly json: string } => {
  const json = eventJson(input);
  return { event: deepFreeze(JSON.parse(json) as AuditEvent), json };
};

/**
 * The append path's check: validates an event exactly as `parseEvent` does and returns its
 * canonical JSON (RFC 8785), in one walk and without copying. Audit events are small JSON
 * values, for which ECMAScript JSON.stringify of a well-formed string or a finite number is the
 * RFC 8785 form (§3.2.2.2, §3.2.2.3); keys are sorted by UTF-16 code units (§3.2.3).
 *
 * @example
 * eventJson({ kind: 'admin', operation: 'keys.rotate', result: 'success' });
 * // '{"kind":"admin","operation":"keys.rotate","result":"success"}'
 */
export const eventJson = (input: unknown): string => {
  if (!isPlainObject(input)) {
    throw auditError('ERR_AUDIT_INVALID_EVENT', { message: `an audit event must be a plain object; got ${kindOf(input)}`, path: '$' });
  }
  const kind = input.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(required, kind)) {
    throw auditError('ERR_AUDIT_INVALID_EVENT', {
      message: `unknown audit event kind (${kindOf(kind)})`,
      path: '$.kind',
      hint: `use one of ${Object.keys(required).join(', ')}`,
    });
  }
  for (const field of required[kind as AuditEventKind]) {
    const value = input[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw auditError('ERR_AUDIT_INVALID_EVENT', {
        message: `a ${kind} event needs a non-empty string ${field}; got ${kindOf(value)}`,
        path: `$.${field}`,
      });
    }
    const allowed = enums[field];
    if (allowed !== undefined && !allowed.includes(value)) {
      throw auditError('ERR_AUDIT_INVALID_EVENT', { message: `${field} must be one of ${allowed.join(', ')}`, path: `$.${field}` });
    }
  }
  if (kind === 'decision') {
    for (const field of ['reasons', 'obligations']) {
      const list = input[field];
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
        throw auditError('ERR_AUDIT_INVALID_EVENT', { message: `${field} must be an array of ids or codes; got ${kindOf(list)}`, path: `$.${field}` });
      }
    }
  }
  const json = flatEventJson(input) ?? writeValue(input, [], 0);
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: short texts need no byte count.
  if (json.length > maxEventBytes || (json.length * 3 > maxEventBytes && Buffer.byteLength(json) > maxEventBytes)) {
    throw auditError('ERR_AUDIT_INVALID_EVENT', {
      message: `audit event is larger than ${maxEventBytes} bytes`,
      hint: 'events carry ids and codes only; keep documents out of the audit log',
    });
  }
  return json;
};

// The fields the event kinds define (README table) and the common ones. None is a personal-data
// key or a prototype key (filtered below anyway), so an event made only of them needs no key check.
const knownFields = [
  'kind', 'actorId', 'purpose', 'requestId',
  'decisionId', 'subjectId', 'subjectType', 'action', 'resourceType', 'resourceId', 'patientId', 'decision', 'reasons', 'obligations', 'policyVersion', 'breakGlass',
  'reasonCode', 'expiresAt', 'previousVersion', 'change', 'digest', 'operation', 'keyId', 'keyVersion', 'scope', 'scopeId', 'count',
  'scanId', 'source', 'findings', 'result', 'reportId', 'reportType', 'target', 'consentId',
];
const flatKeys = new Set(knownFields.filter((k) => !forbiddenKeys.has(k) && !personalKeys.has(k.toLowerCase())));
// JSON.stringify writes a lone surrogate as a \udXXX escape (ES2019); such events take the walk,
// which refuses them. A literal backslash before "ud" also matches (escaped as \\ud): harmless.
const surrogateEscape = /\\ud[89a-f]/i;

/**
 * The fast path for the common shape: a flat event of known fields whose values are strings,
 * booleans, finite numbers or arrays of strings. ECMAScript JSON.stringify of such a value,
 * with the members in RFC 8785 order, is its RFC 8785 form (the same string the walk builds).
 * The personal-data patterns need 11 consecutive digits inside one string; a string's digits
 * stay consecutive in its JSON text, so one test over the whole text clears every value at
 * once; on a match (also a false one, e.g. from a number) each string gets the exact check,
 * and one that looks like personal data sends the event to the walk, which refuses it with
 * the field's path. Returns undefined whenever the walk must decide.
 */
const flatEventJson = (input: Record<string, unknown>): string | undefined => {
  const keys = Object.keys(input);
  sortKeys(keys);
  // One read of each value, into a copy with the members in RFC 8785 order: what is checked
  // is what is written (a getter cannot answer differently the second time).
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    if (!flatKeys.has(key)) return undefined;
    const value = input[key];
    switch (typeof value) {
      case 'string':
      case 'boolean':
      case 'undefined':
        break;
      case 'number':
        if (!Number.isFinite(value)) return undefined;
        break;
      default: {
        // An own toJSON would make JSON.stringify print something else than the array.
        if (!Array.isArray(value) || Object.hasOwn(value, 'toJSON')) return undefined;
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (typeof item !== 'string') return undefined;
          items.push(item);
        }
        copy[key] = items;
        continue;
      }
    }
    copy[key] = value;
  }
  // ECMAScript JSON.stringify writes the members in insertion order (none is an array index)
  // and omits undefined ones; its output for a well-formed string, a boolean, a finite number
  // or an array of strings is RFC 8785's.
  const json = JSON.stringify(copy);
  if (surrogateEscape.test(json)) return undefined;
  if (longDigits.test(json) && Object.values(copy).some(holdsPersonalData)) return undefined;
  return json;
};

/** Sorts member names by UTF-16 code units (RFC 8785 §3.2.3), in place; events have a dozen. */
const sortKeys = (keys: string[]): void => {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j -= 1;
    }
    keys[j + 1] = key;
  }
};

const looksPersonal = (value: unknown): boolean => typeof value === 'string' && longDigits.test(value) && personalDataKindOf(value) !== undefined;
const holdsPersonalData = (value: unknown): boolean => (Array.isArray(value) ? value.some(looksPersonal) : looksPersonal(value));

const maxDepth = 8;
// ES2024 String.prototype.isWellFormed (Node >= 20); the project's TypeScript lib is ES2023.
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();
// Personal-data patterns need at least 11 consecutive digits; most values have none.
const longDigits = /\d{11}/;

// Printable ASCII without quote or backslash: JSON.stringify would only add the quotes.
const plainAscii = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const quote = (value: string, stack: (string | number)[]): string => {
  if (plainAscii.test(value)) return `"${value}"`;
  // RFC 8785 needs I-JSON (RFC 7493 §2.1): no lone surrogates.
  if (!isWellFormed(value)) throw auditError('ERR_AUDIT_INVALID_EVENT', { message: 'string is not well-formed Unicode', path: pathOf(stack) });
  return JSON.stringify(value);
};

// Paths are built only when an error needs one, from a stack of segments.
const pathOf = (stack: readonly (string | number)[]): string => `$${stack.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;

const writeValue = (value: unknown, stack: (string | number)[], depth: number): string => {
  if (depth > maxDepth) throw auditError('ERR_AUDIT_INVALID_EVENT', { message: `audit event nests deeper than ${maxDepth} levels`, path: pathOf(stack) });
  switch (typeof value) {
    case 'string': {
      if (longDigits.test(value)) {
        const looksLike = personalDataKindOf(value);
        if (looksLike !== undefined) {
          throw auditError('ERR_AUDIT_PERSONAL_DATA', {
            message: `audit event field holds what looks like ${looksLike}`,
            path: pathOf(stack),
            hint: 'audit events name people and records by id only (PIPL art. 51); pass the subject or patient id',
          });
        }
      }
      return quote(value, stack);
    }
    case 'number':
      if (!Number.isFinite(value)) throw auditError('ERR_AUDIT_INVALID_EVENT', { message: 'numbers must be finite', path: pathOf(stack) });
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (i > 0) out += ',';
          stack.push(i);
          out += item === undefined ? 'null' : writeValue(item, stack, depth + 1);
          stack.pop();
        }
        return `${out}]`;
      }
      if (!isPlainObject(value)) break;
      const keys = Object.keys(value).sort();
      let out = '{';
      for (const key of keys) {
        stack.push(key);
        if (forbiddenKeys.has(key)) {
          throw auditError('ERR_AUDIT_INVALID_EVENT', { message: 'prototype keys are not allowed in audit events', path: pathOf(stack) });
        }
        if (personalKeys.has(key.toLowerCase())) {
          throw auditError('ERR_AUDIT_PERSONAL_DATA', {
            message: `audit event field "${key}" is classified as personal data`,
            path: pathOf(stack),
            hint: 'audit events name people and records by id only (PIPL art. 51); drop the field or use an id',
          });
        }
        const child = value[key];
        if (child !== undefined) {
          if (out.length > 1) out += ',';
          out += `${quote(key, stack)}:${writeValue(child, stack, depth + 1)}`;
        }
        stack.pop();
      }
      return `${out}}`;
    }
    default:
      break;
  }
  throw auditError('ERR_AUDIT_INVALID_EVENT', { message: `audit events hold JSON values only; got ${kindOf(value)}`, path: pathOf(stack) });
};

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
};

/**
 * The bytes a leaf commits to: the canonical JSON (RFC 8785) of `{event, seq, ts}`. Keys sort
 * as event < seq < ts, so with an already canonical event the concatenation below *is* the
 * canonical form; verifiers rebuild it without re-parsing the event.
 */
export const entryText = (seq: number, ts: number, eventJson: string): string => `{"event":${eventJson},"seq":${seq},"ts":${ts}}`;
