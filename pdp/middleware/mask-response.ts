import { applyMasks } from '../../masking/index.js';
import type { Decision } from '../types.js';

/** Applies a decision's masks (field path → named rule) to a document; the masking module's `applyMasks`. */
export type MaskFunction = (document: unknown, masks: Readonly<Record<string, string>>) => unknown;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keeps only permitted paths; `*` permits everything below its level; `a.b` keeps `a` with only `b`. */
const keepFields = (value: unknown, fields: readonly string[]): unknown => {
  if (Array.isArray(value)) return value.map((v) => keepFields(v, fields));
  if (!isObject(value) || fields.includes('*')) return value;
  const out: Json = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue; // never let a document key set the output's prototype
    if (fields.includes(key)) {
      out[key] = value[key];
      continue;
    }
    const nested = fields.filter((f) => f.startsWith(`${key}.`)).map((f) => f.slice(key.length + 1));
    if (nested.length > 0) out[key] = keepFields(value[key], nested);
  }
  return out;
};

/** The masking module's `applyMasks`; a field it cannot mask is suppressed, never shown. */
const maskWithMaskingModule: MaskFunction = (document, masks) => applyMasks(document, masks).document;

/**
 * Shapes a response body by a permit decision: drops fields the subject may not see
 * (`context.fields`), then applies `context.masks` (field path → named rule) with the masking
 * module, to the document or to each element of an array of them. A deny yields `undefined`.
 *
 * @example
 * app.get('/emr/:id', enforce({ ... }), (req, res) => res.json(maskForDecision(load(req.params.id), res.locals.decision)));
 */
export const maskForDecision = (document: unknown, decision: Decision, mask: MaskFunction = maskWithMaskingModule): unknown => {
  if (!decision.decision) return undefined;
  const fields = decision.context.fields;
  const kept = fields === undefined ? document : keepFields(document, fields);
  const masks = decision.context.masks;
  if (masks === undefined || Object.keys(masks).length === 0) return kept;
  const apply = (one: unknown): unknown => {
    try {
      return mask(one, masks);
    } catch {
      // Fail closed: a mask that cannot be applied hides its fields.
      return dropPaths(one, Object.keys(masks));
    }
  };
  return Array.isArray(kept) ? kept.map(apply) : apply(kept);
};

const dropPaths = (value: unknown, paths: readonly string[]): unknown => {
  if (Array.isArray(value)) return value.map((v) => dropPaths(v, paths));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const key of Object.keys(value)) {
    if (paths.includes(key) || key === '__proto__') continue;
    const nested = paths.filter((p) => p.startsWith(`${key}.`)).map((p) => p.slice(key.length + 1));
    out[key] = nested.length > 0 ? dropPaths(value[key], nested) : value[key];
  }
  return out;
};
