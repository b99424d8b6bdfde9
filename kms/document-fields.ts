import { kmsError } from './errors.js';
import type { FieldCipher } from './field-cipher.js';
import type { DataKeyScope, FieldBinding } from './types.js';

/** Which record a document is, and whose key seals it. */
export type DocumentBinding = DataKeyScope & { readonly recordType: string; readonly recordId: string };

const forbidden = new Set(['__proto__', 'constructor', 'prototype']);
const maxDepth = 32;

/**
 * Concrete paths (`telecom.1.value`) matching a pattern (`telecom.*.value`) in a JSON document;
 * `*` matches every array index or object key. Only string leaves are returned.
 */
const matchPaths = (doc: unknown, pattern: readonly string[], prefix: string[] = []): string[][] => {
  if (prefix.length > maxDepth) return [];
  if (pattern.length === 0) return typeof doc === 'string' ? [prefix] : [];
  if (doc === null || typeof doc !== 'object') return [];
  const [head, ...rest] = pattern as [string, ...string[]];
  const keys = head === '*' ? Object.keys(doc) : Object.hasOwn(doc, head) ? [head] : [];
  return keys.flatMap((k) => matchPaths((doc as Record<string, unknown>)[k], rest, [...prefix, k]));
};

const parsePattern = (path: string): string[] => {
  const parts = typeof path === 'string' ? path.split('.') : [];
  if (parts.length === 0 || parts.some((p) => p.length === 0 || forbidden.has(p))) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: 'field paths are dotted names with * for any index, without __proto__ or constructor', hint: "e.g. 'telecom.*.value' or 'name.0.family'" });
  }
  return parts;
};

// JSON round trip: a deep, plain copy with no prototypes or accessors from the input.
const plainCopy = <T>(doc: T): T => JSON.parse(JSON.stringify(doc)) as T;

const setAt = (doc: unknown, path: readonly string[], value: string): void => {
  let node = doc as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
};

const transform = async (
  doc: unknown,
  paths: readonly string[],
  step: (value: string, binding: FieldBinding) => Promise<string>,
  binding: DocumentBinding,
): Promise<unknown> => {
  if (doc === null || typeof doc !== 'object') throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: 'the document must be a JSON object', hint: 'pass a parsed record or FHIR resource' });
  const copy = plainCopy(doc);
  const scope = binding.subjectId !== undefined ? { subjectId: binding.subjectId } : { tenantId: binding.tenantId! };
  for (const pattern of paths.map(parsePattern)) {
    for (const concrete of matchPaths(copy, pattern)) {
      const fieldPath = concrete.join('.');
      const leaf = concrete.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], copy) as string;
      setAt(copy, concrete, await step(leaf, { recordType: binding.recordType, recordId: binding.recordId, fieldPath, ...scope } as FieldBinding));
    }
  }
  return Object.freeze(copy);
};

/**
 * Seals the string fields of a record or FHIR resource at `paths` (`*` = any array index);
 * each field is bound to its concrete path, so reordering an array makes the moved items fail
 * to open. Returns a frozen copy; the input is not modified.
 *
 * @example
 * const sealed = await sealDocumentFields(fields, patient, ['telecom.*.value', 'name.*.family'],
 *   { recordType: 'Patient', recordId: patient.id, subjectId: patient.id });
 */
export const sealDocumentFields = async <T>(cipher: FieldCipher, doc: T, paths: readonly string[], binding: DocumentBinding): Promise<T> =>
  (await transform(doc, paths, (v, b) => cipher.sealField(v, b), binding)) as T;

/** Opens what `sealDocumentFields` sealed (same paths and binding). */
export const openDocumentFields = async <T>(cipher: FieldCipher, doc: T, paths: readonly string[], binding: DocumentBinding): Promise<T> =>
  (await transform(doc, paths, (v, b) => cipher.openField(v, b), binding)) as T;
