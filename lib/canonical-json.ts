import { CustosError } from './errors.js';

/**
 * Serializes a JSON value per RFC 8785 (JSON Canonicalization Scheme): object keys sorted by
 * UTF-16 code units (§3.2.3), numbers in ECMAScript `Number.prototype.toString` form (§3.2.2.3),
 * strings with the minimal escaping of ECMAScript `JSON.stringify` (§3.2.2.2), no whitespace.
 * The input must be I-JSON (RFC 7493): finite numbers and well-formed Unicode only.
 *
 * @example
 * canonicalize({ b: 1, a: [true, null, 1e21] }); // '{"a":[true,null,1e+21],"b":1}'
 */
export const canonicalize = (value: unknown): string => {
  const parts: string[] = [];
  write(value, parts, '$', 0);
  return parts.join('');
};

/** The canonical form as UTF-8 bytes, ready for hashing. */
export const canonicalBytes = (value: unknown): Buffer => Buffer.from(canonicalize(value), 'utf8');

const maxDepth = 256;

const write = (value: unknown, out: string[], path: string, depth: number): void => {
  if (depth > maxDepth) fail('ERR_JSON_TOO_DEEP', path, `nesting exceeds ${maxDepth} levels`);
  switch (typeof value) {
    case 'string':
      out.push(quote(value, path));
      return;
    case 'number':
      if (!Number.isFinite(value)) fail('ERR_JSON_NOT_FINITE', path, 'a non-finite number has no JSON form');
      // ECMAScript Number-to-String is exactly RFC 8785 §3.2.2.3; -0 serializes as 0.
      out.push(Object.is(value, -0) ? '0' : String(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      if (value === null) out.push('null');
      else if (Array.isArray(value)) writeArray(value, out, path, depth);
      else writeObject(value as Record<string, unknown>, out, path, depth);
      return;
    default:
      fail('ERR_JSON_UNSUPPORTED', path, `a ${typeof value} has no JSON form`);
  }
};

const writeArray = (items: readonly unknown[], out: string[], path: string, depth: number): void => {
  out.push('[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.push(',');
    const item = items[i];
    // JSON.stringify turns holes and undefined array items into null; so do we.
    write(item === undefined ? null : item, out, `${path}[${i}]`, depth + 1);
  }
  out.push(']');
};

const writeObject = (object: Record<string, unknown>, out: string[], path: string, depth: number): void => {
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
      write((object as { toJSON: () => unknown }).toJSON(), out, path, depth);
      return;
    }
    fail('ERR_JSON_UNSUPPORTED', path, 'only plain objects, arrays and primitives have a canonical JSON form');
  }
  // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 prescribes.
  const keys = Object.keys(object).filter((k) => object[k] !== undefined).sort();
  out.push('{');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) out.push(',');
    out.push(quote(key, path), ':');
    write(object[key], out, `${path}.${key}`, depth + 1);
  }
  out.push('}');
};

const loneSurrogate = /\p{Surrogate}/u;

const quote = (text: string, path: string): string => {
  // I-JSON (RFC 7493 §2.1) forbids unpaired surrogates; JSON.stringify would escape them instead.
  if (loneSurrogate.test(text)) fail('ERR_JSON_INVALID_UNICODE', path, 'a string contains an unpaired UTF-16 surrogate');
  return JSON.stringify(text);
};

const fail = (code: string, path: string, message: string): never => {
  throw new CustosError(code, {
    path,
    message: `cannot canonicalize value at ${path}: ${message}`,
    hint: 'pass plain JSON data: objects, arrays, strings, finite numbers, booleans and null',
  });
};
