/**
 * Reading entity data files (YAML, JSON, CSV) into entities, relationships and consents.
 * Parsed once at the edge, validated, never echoing values in errors.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CustosError, kindOf } from '../lib/errors.js';
import { parseCsv } from '../lib/csv.js';
import type { Consent, EntityRecord, Relationship } from './types.js';

const MAX_BYTES = 32 * 1024 * 1024;
const TYPE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export interface EntityBatch {
  readonly entities: EntityRecord[];
  readonly relationships: Relationship[];
  readonly consents: Consent[];
}

const fail = (file: string, path: string, message: string, hint: string): never => {
  throw new CustosError('ERR_PDP_ENTITY_INVALID', { at: { file }, path, message, hint });
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep copy of plain data that refuses prototype keys and non-JSON values. */
const cleanValue = (v: unknown, file: string, path: string, depth = 0): unknown => {
  if (depth > 16) fail(file, path, 'attribute values nest too deeply', 'flatten the data');
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : fail(file, path, `expected a finite number, got ${kindOf(v)}`, 'fix the value');
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (Array.isArray(v)) return Object.freeze(v.map((x, i) => cleanValue(x, file, `${path}[${i}]`, depth + 1)));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (FORBIDDEN.has(k)) fail(file, `${path}.${k}`, `key "${k}" is refused`, 'rename the key');
      if (x === null || x === undefined) continue;
      out[k] = cleanValue(x, file, `${path}.${k}`, depth + 1);
    }
    return Object.freeze(out);
  }
  return fail(file, path, `unsupported value of kind ${kindOf(v)}`, 'use strings, numbers, booleans, lists and mappings');
};

const str = (v: unknown, file: string, path: string): string => {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v.length === 0 || v.length > 512) fail(file, path, `expected a non-empty string, got ${kindOf(v)}`, 'give a string id or name');
  return v as string;
};

const typeName = (v: unknown, file: string, path: string): string => {
  const s = str(v, file, path);
  if (!TYPE.test(s)) fail(file, path, 'a type must be a plain name (letters, digits, _ and -)', 'fix the type name');
  return s;
};

const dateOrUndefined = (v: unknown, file: string, path: string): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const s = v instanceof Date ? v.toISOString() : str(v, file, path);
  if (!Number.isFinite(Date.parse(s))) fail(file, path, 'not an ISO 8601 date', 'write e.g. 2027-12-31 or 2027-12-31T23:59:59+08:00');
  return s;
};

export const toEntity = (raw: unknown, file: string, path: string): EntityRecord => {
  if (!isObject(raw)) return fail(file, path, `an entity must be a mapping, got ${kindOf(raw)}`, 'write { type, id, attributes }');
  const attrs = raw.attributes ?? raw.properties ?? {};
  if (!isObject(attrs)) fail(file, `${path}.attributes`, `attributes must be a mapping, got ${kindOf(attrs)}`, 'write attributes: { ... }');
  return Object.freeze({
    type: typeName(raw.type, file, `${path}.type`),
    id: str(raw.id, file, `${path}.id`),
    attributes: cleanValue(attrs, file, `${path}.attributes`) as Readonly<Record<string, unknown>>,
  });
};

const toRef = (raw: unknown, file: string, path: string): { type: string; id: string } => {
  if (!isObject(raw)) return fail(file, path, `expected { type, id }, got ${kindOf(raw)}`, 'write { type: user, id: g001 }');
  return Object.freeze({ type: typeName(raw.type, file, `${path}.type`), id: str(raw.id, file, `${path}.id`) });
};

export const toRelationship = (raw: unknown, file: string, path: string): Relationship => {
  if (!isObject(raw)) return fail(file, path, `a relationship must be a mapping, got ${kindOf(raw)}`, 'write { subject, relation, object }');
  return Object.freeze({
    subject: toRef(raw.subject, file, `${path}.subject`),
    relation: typeName(raw.relation, file, `${path}.relation`),
    object: toRef(raw.object, file, `${path}.object`),
  });
};

export const toConsent = (raw: unknown, file: string, path: string): Consent => {
  if (!isObject(raw)) return fail(file, path, `a consent must be a mapping, got ${kindOf(raw)}`, 'write { id, patient, purpose, recipient, scope, validUntil }');
  const scopeRaw = raw.scope ?? ['general'];
  const scope = typeof scopeRaw === 'string' ? scopeRaw.split(/[;,]/).map((s) => s.trim()).filter(Boolean) : scopeRaw;
  if (!Array.isArray(scope) || scope.some((s) => typeof s !== 'string')) fail(file, `${path}.scope`, 'scope must be a list of names', 'write scope: [general]');
  const validFrom = dateOrUndefined(raw.validFrom, file, `${path}.validFrom`);
  const validUntil = dateOrUndefined(raw.validUntil, file, `${path}.validUntil`);
  const withdrawnAt = dateOrUndefined(raw.withdrawnAt, file, `${path}.withdrawnAt`);
  const recipient = raw.recipient === undefined || raw.recipient === null || raw.recipient === '' ? undefined : str(raw.recipient, file, `${path}.recipient`);
  return Object.freeze({
    id: str(raw.id, file, `${path}.id`),
    patient: str(raw.patient, file, `${path}.patient`),
    purpose: str(raw.purpose, file, `${path}.purpose`),
    ...(recipient === undefined ? {} : { recipient }),
    scope: Object.freeze([...(scope as string[])]),
    ...(validFrom === undefined ? {} : { validFrom }),
    ...(validUntil === undefined ? {} : { validUntil }),
    ...(withdrawnAt === undefined ? {} : { withdrawnAt }),
  });
};

/** A CSV cell as data: JSON lists/numbers/booleans are parsed, everything else stays a string. */
const cellValue = (cell: string): unknown => {
  if (cell === '') return undefined;
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(cell)) return Number(cell);
  if (cell.startsWith('[')) {
    try {
      return JSON.parse(cell) as unknown;
    } catch {
      return cell;
    }
  }
  return cell;
};

const fromCsv = (file: string, text: string): EntityBatch => {
  const rows = parseCsv(text);
  const header = rows[0] ?? [];
  const records = rows.slice(1).map((r) => {
    const o: Record<string, unknown> = {};
    header.forEach((h, i) => {
      const v = cellValue(r[i] ?? '');
      if (v !== undefined) o[h.trim()] = v;
    });
    return o;
  });
  const name = basename(file).toLowerCase();
  const out: EntityBatch = { entities: [], relationships: [], consents: [] };
  if (name.startsWith('consents')) {
    records.forEach((r, i) => {
      if (typeof r.scope === 'number') r.scope = String(r.scope);
      out.consents.push(toConsent({ ...r, id: r.id === undefined ? undefined : String(r.id) }, file, `row ${i + 2}`));
    });
  } else if (name.startsWith('relationships')) {
    records.forEach((r, i) =>
      out.relationships.push(
        toRelationship({ subject: { type: r.subjectType, id: r.subjectId }, relation: r.relation, object: { type: r.objectType, id: r.objectId } }, file, `row ${i + 2}`),
      ),
    );
  } else {
    if (!header.includes('type') || !header.includes('id')) fail(file, 'row 1', 'an entity CSV needs "type" and "id" columns', 'add a header row: type,id,<attribute>,...');
    records.forEach((r, i) => {
      const { type, id, ...attributes } = r;
      out.entities.push(toEntity({ type, id, attributes }, file, `row ${i + 2}`));
    });
  }
  return out;
};

const fromDocument = (file: string, doc: unknown): EntityBatch => {
  const out: EntityBatch = { entities: [], relationships: [], consents: [] };
  if (doc === null || doc === undefined) return out;
  if (Array.isArray(doc)) {
    doc.forEach((e, i) => out.entities.push(toEntity(e, file, `[${i}]`)));
    return out;
  }
  if (!isObject(doc)) return fail(file, '', `expected a mapping with entities/relationships/consents, got ${kindOf(doc)}`, 'see pdp/README.md for the entity file format');
  for (const key of Object.keys(doc)) {
    if (!['entities', 'relationships', 'consents'].includes(key)) fail(file, key, `unknown key "${key}"`, 'entity files hold entities, relationships and consents');
  }
  const list = (key: string): unknown[] => {
    const v = doc[key];
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v : fail(file, key, `"${key}" must be a list, got ${kindOf(v)}`, `write ${key}: [ ... ]`);
  };
  list('entities').forEach((e, i) => out.entities.push(toEntity(e, file, `entities[${i}]`)));
  list('relationships').forEach((e, i) => out.relationships.push(toRelationship(e, file, `relationships[${i}]`)));
  list('consents').forEach((e, i) => out.consents.push(toConsent(e, file, `consents[${i}]`)));
  return out;
};

/** Reads one entity file. */
export const readEntityFile = (file: string): EntityBatch => {
  let text: string;
  try {
    if (statSync(file).size > MAX_BYTES) fail(file, '', `file is larger than ${MAX_BYTES} bytes`, 'split it');
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if (cause instanceof CustosError) throw cause;
    throw new CustosError('ERR_PDP_ENTITY_UNREADABLE', { at: { file }, message: `cannot read the entity file (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, hint: 'check the path', cause });
  }
  if (/\.csv$/i.test(file)) return fromCsv(file, text);
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 0 });
  } catch (cause) {
    return fail(file, '', `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(cause as Error).message.split('\n')[0]}`, 'fix the syntax');
  }
  return fromDocument(file, doc);
};

/** Every entity file of a folder (sorted, recursive), or the one file given. */
export const listEntityFiles = (dirOrFile: string): string[] => {
  const st = statSync(dirOrFile);
  if (!st.isDirectory()) return [dirOrFile];
  return readdirSync(dirOrFile)
    .sort()
    .flatMap((name) => listEntityFiles(join(dirOrFile, name)))
    .filter((f) => /\.(ya?ml|json|csv)$/i.test(f));
};
