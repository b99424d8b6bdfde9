/**
 * Applies masks to JSON and FHIR R4 documents by path. The input is never mutated: it is
 * copied once (plain objects and arrays), then the copy is transformed in place. Rule names
 * resolve through the registry; anything that cannot be applied (unknown rule, missing key,
 * operator failure) suppresses the value and is reported — a value is never shown raw because
 * its mask failed.
 */
import { maskAddress } from './address.js';
import { MaskingError } from './errors.js';
import { compilePath, type CompiledPath, type Step } from './paths.js';
import { resolveRule, type Operator, type OperatorContext } from './registry.js';
import { SUPPRESSED, stars } from './text.js';
import type { MaskInput, MaskOptions, MaskResult, MaskSpec } from './types.js';

const MAX_DEPTH = 200;
const MAX_SPECS = 10_000;
/** Keys that describe a FHIR element rather than hold personal data; never transformed. */
const STRUCTURAL: ReadonlySet<string> = new Set(['resourceType', 'use', 'system', 'type', 'url', 'rank', 'period', 'coding', 'country']);
const REMOVED: unique symbol = Symbol('removed');

type Json = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Json => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

/** Copies plain objects and arrays (other values are immutable or kept by reference). */
const copyDocument = (value: unknown, depth: number): unknown => {
  if (depth > MAX_DEPTH) {
    throw new MaskingError('ERR_MASKING_INVALID_DOCUMENT', {
      message: `document nests deeper than ${MAX_DEPTH} levels (or is circular)`,
      hint: 'mask records one at a time, or flatten the document',
    });
  }
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyDocument(value[i], depth + 1);
    return out;
  }
  if (isPlainObject(value)) {
    const out: Json = Object.getPrototypeOf(value) === null ? (Object.create(null) as Json) : {};
    for (const key of Object.keys(value)) {
      const child = copyDocument(value[key], depth + 1);
      // An own "__proto__" key (JSON.parse makes them) must stay data, not become the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: child, enumerable: true, writable: true, configurable: true });
      else out[key] = child;
    }
    return out;
  }
  return value;
};

interface CompiledSpec {
  readonly path: CompiledPath;
  readonly field: string | undefined;
  readonly plainSteps: readonly Step[];
  readonly rule: string;
  readonly op: Operator;
  /** Set when the rule could not be resolved: every value it reaches is suppressed. */
  readonly failure: { readonly code: string; readonly message: string } | undefined;
}

/** Masks compiled once, applied many times (`applyMasks` compiles per call). */
export interface CompiledMasks {
  readonly specs: number;
  apply<T>(document: T): MaskResult<T>;
  applyAsync<T>(document: T): Promise<MaskResult<T>>;
  /** Zeroes the derived keys held by keyed operators. */
  dispose(): void;
}

const SUPPRESS_OP: Operator = Object.freeze({
  rule: 'suppress',
  kind: 'transform',
  isWhole: true,
  structure: undefined,
  addressLevel: undefined,
  dispose: () => undefined,
  transform: (v: unknown) => (v === null || v === undefined ? v : SUPPRESSED),
});

/**
 * Reads the masks argument: a decision's `{ path: rule }` map, or specs, or obligations
 * (only `mask` and `deidentify` obligations are masking's).
 *
 * @example toMaskSpecs({ phone: 'phone_mobile' }) // [{ path: 'phone', rule: 'phone_mobile' }]
 */
export const toMaskSpecs = (masks: MaskInput): MaskSpec[] => {
  if (Array.isArray(masks)) {
    const specs: MaskSpec[] = [];
    for (const item of masks as readonly unknown[]) {
      if (!isPlainObject(item)) throw new TypeError('each mask must be an object: { path, rule, params? } or an obligation');
      const params = isPlainObject(item.params) ? item.params : undefined;
      if (typeof item.path === 'string') {
        specs.push({ path: item.path, rule: String(item.rule), ...(params ? { params } : {}) });
      } else if (item.type === 'mask' || item.type === 'deidentify') {
        if (typeof item.field !== 'string') throw new TypeError(`a ${item.type} obligation needs a field`);
        specs.push({ path: item.field, rule: typeof item.rule === 'string' ? item.rule : '', ...(params ? { params } : {}) });
      }
      // other obligation types (notify, require_reason, …) are not masking's business
    }
    return specs;
  }
  if (!isPlainObject(masks)) throw new TypeError('masks must be a { path: rule } object or an array of mask specs');
  return Object.keys(masks).map((path) => ({ path, rule: String((masks as Json)[path]) }));
};

/**
 * Compiles masks once for many documents (the hot path of a service).
 *
 * @example
 * const masks = compileMasks(decision.context.masks ?? {}, { profile: 'default' });
 * const { document } = masks.apply(patient);
 */
export const compileMasks = (masks: MaskInput, options: MaskOptions = {}): CompiledMasks => {
  const specs = toMaskSpecs(masks);
  if (specs.length > MAX_SPECS) throw new TypeError(`at most ${MAX_SPECS} masks per call`);
  const compiled: CompiledSpec[] = specs.map((spec) => {
    const path = compilePath(spec.path);
    const plainSteps: Step[] = path.resourceType === undefined ? [...path.steps] : [{ kind: 'key', key: path.resourceType }, ...path.steps];
    let op: Operator | undefined;
    let failure: CompiledSpec['failure'];
    try {
      op = resolveRule(spec.rule, spec.params ?? {}, options);
      if (op === undefined) {
        failure = { code: 'ERR_MASKING_UNKNOWN_RULE', message: 'unknown mask rule; the field was suppressed' };
      }
    } catch (err) {
      if (!(err instanceof MaskingError)) throw err;
      failure = { code: err.code, message: `${err.message}; the field was suppressed` };
    }
    const keys = plainSteps.filter((s) => s.kind === 'key');
    const field = keys.length > 0 ? (keys[keys.length - 1] as { key: string }).key : undefined;
    return { path, field, plainSteps, rule: spec.rule, op: op ?? SUPPRESS_OP, failure };
  });
  const run = (document: unknown, isAsync: boolean) => applyCompiled(compiled, document, options, isAsync);
  return Object.freeze({
    specs: compiled.length,
    apply: <T>(document: T) => {
      const state = run(document, false);
      return finish<T>(state);
    },
    applyAsync: async <T>(document: T) => {
      const state = run(document, true);
      await Promise.all(state.pending);
      return finish<T>(state);
    },
    dispose: () => {
      for (const spec of compiled) spec.op.dispose();
    },
  });
};

interface State {
  readonly root: { value: unknown };
  readonly issues: Map<string, { code: string; path: string; rule: string; message: string; count: number }>;
  readonly pending: Promise<unknown>[];
  readonly isAsync: boolean;
  readonly touched: Set<unknown[]>;
  applied: number;
}

const finish = <T>(state: State): MaskResult<T> => {
  compact(state);
  const issues = [...state.issues.values()].map((i) => Object.freeze({ ...i }));
  return Object.freeze({ document: state.root.value as T, issues: Object.freeze(issues), applied: state.applied });
};

const compact = (state: State): void => {
  for (const array of state.touched) {
    let w = 0;
    for (let r = 0; r < array.length; r++) if (array[r] !== REMOVED) array[w++] = array[r];
    array.length = w;
  }
  state.touched.clear();
};

const report = (state: State, spec: CompiledSpec, code: string, message: string): void => {
  const id = `${spec.path.source}\u0000${spec.rule}\u0000${code}`;
  const existing = state.issues.get(id);
  if (existing) existing.count++;
  else state.issues.set(id, { code, path: spec.path.source, rule: spec.rule, message, count: 1 });
};

const subjectOf = (resource: Json, options: MaskOptions): string | undefined => {
  if (options.subjectId !== undefined) return options.subjectId;
  if (resource.resourceType === 'Patient' && typeof resource.id === 'string') return resource.id;
  for (const field of ['subject', 'patient', 'beneficiary']) {
    const ref = resource[field];
    if (isPlainObject(ref) && typeof ref.reference === 'string' && ref.reference.startsWith('Patient/')) return ref.reference.slice(8);
  }
  return undefined;
};

/** Resources of one type: the document itself, Bundle entries (nested bundles too), contained. */
const collectResources = (node: unknown, type: string, out: Json[], depth = 0): void => {
  if (!isPlainObject(node) || depth > 8) return;
  if (node.resourceType === type) out.push(node);
  if (node.resourceType === 'Bundle' && Array.isArray(node.entry)) {
    for (const entry of node.entry) if (isPlainObject(entry)) collectResources(entry.resource, type, out, depth + 1);
  }
  if (Array.isArray(node.contained)) for (const r of node.contained) collectResources(r, type, out, depth + 1);
};

const applyCompiled = (specs: readonly CompiledSpec[], document: unknown, options: MaskOptions, isAsync: boolean): State => {
  const state: State = {
    root: { value: copyDocument(document, 0) },
    issues: new Map(),
    pending: [],
    isAsync,
    touched: new Set(),
    applied: 0,
  };
  const root = state.root.value;
  const isFhir = isPlainObject(root) && typeof root.resourceType === 'string';
  for (const spec of specs) {
    if (spec.failure !== undefined) {
      // Reported even when the path matched nothing: a policy naming an unknown rule is a defect.
      state.issues.set(`${spec.path.source}\u0000${spec.rule}\u0000${spec.failure.code}`, {
        code: spec.failure.code,
        path: spec.path.source,
        rule: spec.rule,
        message: spec.failure.message,
        count: 0,
      });
    }
    if (spec.path.resourceType !== undefined && isFhir) {
      const resources: Json[] = [];
      collectResources(root, spec.path.resourceType, resources);
      for (const resource of resources) {
        const context: OperatorContext = {
          path: spec.path.source,
          field: spec.field,
          subjectId: subjectOf(resource, options),
          recordType: spec.path.resourceType,
          recordId: typeof resource.id === 'string' ? resource.id : undefined,
        };
        walk(state, spec, context, { value: resource }, 'value', spec.path.steps, 0);
      }
    } else {
      const context: OperatorContext = {
        path: spec.path.source,
        field: spec.field,
        subjectId: options.subjectId ?? (isFhir ? subjectOf(root as Json, options) : undefined),
        recordType: undefined,
        recordId: undefined,
      };
      walk(state, spec, context, state.root as unknown as Json, 'value', spec.plainSteps, 0);
    }
    compact(state);
  }
  return state;
};

type Container = Json | unknown[];

const get = (container: Container, key: string | number): unknown => (container as Json)[key as string];
const set = (container: Container, key: string | number, value: unknown): void => {
  (container as Json)[key as string] = value;
};

const matches = (value: unknown, conditions: readonly (readonly [string, string])[]): boolean => {
  if (!isPlainObject(value)) return false;
  for (const [field, expected] of conditions) {
    const actual = value[field];
    if (!(Object.hasOwn(value, field) && (actual === expected || (typeof actual !== 'object' && String(actual) === expected)))) return false;
  }
  return true;
};

const walk = (
  state: State,
  spec: CompiledSpec,
  context: OperatorContext,
  container: Container,
  key: string | number,
  steps: readonly Step[],
  i: number,
): void => {
  const value = get(container, key);
  if (value === undefined || value === REMOVED) return;
  if (i === steps.length) {
    applyAt(state, spec, context, container, key);
    return;
  }
  const step = steps[i]!;
  if (Array.isArray(value) && (step.kind === 'key' || step.kind === 'where')) {
    // FHIRPath-style implicit traversal of repeating elements
    for (let j = 0; j < value.length; j++) walk(state, spec, context, value, j, steps, i);
    return;
  }
  switch (step.kind) {
    case 'key':
      if (isPlainObject(value) && Object.hasOwn(value, step.key)) walk(state, spec, context, value, step.key, steps, i + 1);
      return;
    case 'index':
      if (Array.isArray(value) && step.index < value.length) walk(state, spec, context, value, step.index, steps, i + 1);
      return;
    case 'all':
      if (Array.isArray(value)) for (let j = 0; j < value.length; j++) walk(state, spec, context, value, j, steps, i + 1);
      else if (isPlainObject(value)) for (const k of Object.keys(value)) walk(state, spec, context, value, k, steps, i + 1);
      return;
    case 'where':
      if (matches(value, step.conditions)) walk(state, spec, context, container, key, steps, i + 1);
      return;
  }
};

const applyAt = (state: State, spec: CompiledSpec, context: OperatorContext, container: Container, key: string | number): void => {
  if (spec.failure !== undefined) report(state, spec, spec.failure.code, spec.failure.message);
  if (spec.op.kind === 'remove') {
    if (Array.isArray(container)) {
      container[key as number] = REMOVED;
      state.touched.add(container);
    } else delete (container as Json)[key as string];
    state.applied++;
    return;
  }
  transformAt(state, spec, context, container, key);
};

const transformAt = (state: State, spec: CompiledSpec, context: OperatorContext, container: Container, key: string | number): void => {
  const value = get(container, key);
  const op = spec.op;
  if (!op.isWhole) {
    if (Array.isArray(value)) {
      for (let j = 0; j < value.length; j++) transformAt(state, spec, context, value, j);
      return;
    }
    if (isPlainObject(value)) {
      if (op.structure === 'name' && (Object.hasOwn(value, 'family') || Object.hasOwn(value, 'given'))) {
        maskHumanName(state, spec, context, value);
        return;
      }
      if (op.structure === 'address' && isAddressLike(value)) {
        maskFhirAddress(state, spec, context, value);
        return;
      }
      if (Object.hasOwn(value, 'value')) {
        transformAt(state, spec, context, value, 'value');
        return;
      }
      for (const k of Object.keys(value)) if (!STRUCTURAL.has(k)) transformAt(state, spec, context, value, k);
      return;
    }
  }
  run(state, spec, context, container, key, value);
};

const run = (state: State, spec: CompiledSpec, context: OperatorContext, container: Container, key: string | number, value: unknown): void => {
  let result: unknown;
  try {
    result = spec.op.transform(value, context);
  } catch (err) {
    set(container, key, SUPPRESSED);
    report(state, spec, err instanceof MaskingError ? err.code : 'ERR_MASKING_OPERATOR_FAILED', 'operator failed on a value; the value was suppressed');
    return;
  }
  if (isThenable(result)) {
    set(container, key, SUPPRESSED);
    if (!state.isAsync) {
      report(state, spec, 'ERR_MASKING_ASYNC_OPERATOR', 'the operator is asynchronous (kms-backed vault); use applyMasksAsync. The value was suppressed');
      return;
    }
    state.pending.push(
      Promise.resolve(result).then(
        (v) => {
          set(container, key, v);
        },
        (err: unknown) => {
          report(state, spec, err instanceof MaskingError ? err.code : 'ERR_MASKING_OPERATOR_FAILED', 'operator failed on a value; the value was suppressed');
        },
      ),
    );
    state.applied++;
    return;
  }
  set(container, key, result);
  state.applied++;
};

const isCjkText = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) return true;
  }
  return false;
};

/**
 * FHIR HumanName under a name mask. Chinese names are masked whole (family + given, so that
 * `张` + `三丰` becomes `张*丰` and compound surnames are seen) and split back; other names part
 * by part.
 */
const maskHumanName = (state: State, spec: CompiledSpec, context: OperatorContext, name: Json): void => {
  const family = typeof name.family === 'string' ? name.family : '';
  const given = Array.isArray(name.given) && name.given.every((g) => typeof g === 'string') ? (name.given as string[]) : undefined;
  const full = family + (given ?? []).join('');
  if (isCjkText(full) && (given !== undefined || family.length > 0)) {
    const masked = spec.op.transform(full, context);
    const chars = typeof masked === 'string' ? Array.from(masked) : [];
    const familyLength = Array.from(family).length;
    if (chars.length === Array.from(full).length) {
      if (typeof name.family === 'string') name.family = chars.slice(0, familyLength).join('');
      if (given !== undefined) name.given = given.length === 0 ? [] : [chars.slice(familyLength).join('')];
      state.applied++;
      if (Object.hasOwn(name, 'text')) transformAt(state, spec, context, name, 'text');
      return;
    }
  }
  for (const k of ['family', 'given', 'text', 'prefix', 'suffix']) if (Object.hasOwn(name, k)) transformAt(state, spec, context, name, k);
};

const isAddressLike = (v: Json): boolean =>
  Object.hasOwn(v, 'line') || Object.hasOwn(v, 'city') || Object.hasOwn(v, 'state') || Object.hasOwn(v, 'district') || Object.hasOwn(v, 'postalCode');

/**
 * FHIR Address: keeps state (province), city and district per level; hides (display) or drops
 * (generalisation) the street lines, postal code and finer levels; masks `text`.
 */
const maskFhirAddress = (state: State, spec: CompiledSpec, context: OperatorContext, address: Json): void => {
  const level = spec.op.addressLevel ?? 'district';
  const isGeneralize = spec.op.rule.startsWith('generalize_');
  const hide = (k: string): void => {
    if (!Object.hasOwn(address, k)) return;
    if (isGeneralize) delete address[k];
    else {
      const v = address[k];
      address[k] = Array.isArray(v) ? v.map(() => '****') : typeof v === 'string' ? stars(v.length) : SUPPRESSED;
    }
  };
  hide('line');
  hide('postalCode');
  if (level !== 'district') hide('district');
  if (level === 'province') hide('city');
  if (typeof address.text === 'string') {
    address.text = isGeneralize ? spec.op.transform(address.text, context) : maskAddress(address.text, level);
  }
  state.applied++;
};

/**
 * Applies masks to a document and returns a new one; the input is never mutated. `masks` is
 * a decision's `context.masks` (`{ path: rule }`), or a list of `{ path, rule, params }` specs,
 * or the decision's obligations (`mask` and `deidentify` ones are used). Unknown rules,
 * missing keys and failing operators suppress the field and appear in `issues`.
 *
 * @example
 * const { document, issues } = applyMasks(patient, { 'Patient.telecom': 'phone_mobile', 'Patient.name': 'person_name' });
 */
export const applyMasks = <T>(document: T, masks: MaskInput, options: MaskOptions = {}): MaskResult<T> => {
  const compiled = compileMasks(masks, options);
  try {
    return compiled.apply(document);
  } finally {
    compiled.dispose();
  }
};

/**
 * As `applyMasks`, awaiting asynchronous operators (tokens sealed by the kms field cipher).
 *
 * @example
 * const { document } = await applyMasksAsync(record, [{ path: 'phone', rule: 'tokenize' }], { vault });
 */
export const applyMasksAsync = async <T>(document: T, masks: MaskInput, options: MaskOptions = {}): Promise<MaskResult<T>> => {
  const compiled = compileMasks(masks, options);
  try {
    return await compiled.applyAsync(document);
  } finally {
    compiled.dispose();
  }
};
