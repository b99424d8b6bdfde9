/**
 * The stable registry of rule names a policy may name in `context.masks` or in `mask` /
 * `deidentify` obligations, each resolved once to an operator. Unknown names resolve to
 * nothing: `applyMasks` then suppresses the field and reports `ERR_MASKING_UNKNOWN_RULE`.
 */
import type { AddressLevel } from './address.js';
import { generalizeAddress } from './address.js';
import { SUPPRESSED } from './text.js';
import { keepFirstLast, maskBefore, maskRange } from './display-masks.js';
import { ageBand, generalizeDate, shiftDate, shiftDaysWith } from './dates.js';
import { MaskingError } from './errors.js';
import { createFf1, formatPreserving, ALPHANUMERIC_CASED, DIGITS } from './ff1.js';
import { keyFor } from './keys.js';
import { displayMask, isMaskProfile, resolvePiType, MASK_PROFILES, PI_TYPES } from './profiles.js';
import { pseudonymizerSpec, pseudonymWith } from './pseudonym.js';
import type { MaskOptions, MaskProfile, PseudonymAlgorithm, TokenVault } from './types.js';

/** Where an operator is applied: the spec's path, and the record and subject when known. */
export interface OperatorContext {
  readonly path: string;
  /** Last field name of the path (`telecom` for `Patient.telecom.where(system='phone')`). */
  readonly field: string | undefined;
  readonly subjectId: string | undefined;
  readonly recordType: string | undefined;
  readonly recordId: string | undefined;
}

/** A rule resolved to what it does. */
export interface Operator {
  readonly rule: string;
  /** `remove` deletes the field (redact); `transform` replaces values. */
  readonly kind: 'transform' | 'remove';
  /** Objects and arrays are replaced whole (suppress, nullify, label, clinical masks). */
  readonly isWhole: boolean;
  /** FHIR-structure-aware handling of HumanName and Address objects. */
  readonly structure: 'name' | 'address' | undefined;
  readonly addressLevel: AddressLevel | undefined;
  /** Zeroes derived keys; called after a one-shot application. */
  readonly dispose: () => void;
  transform(value: unknown, context: OperatorContext): unknown;
}

export interface RuleInfo {
  readonly name: string;
  readonly kind: 'display' | 'deidentify';
  readonly params: string;
  readonly description: string;
}

/** De-identification operators, for the README table and `custos mask rules`. */
const OPERATOR_INFO: readonly RuleInfo[] = [
  { name: 'redact', kind: 'deidentify', params: '', description: 'removes the field (array elements are dropped)' },
  { name: 'suppress', kind: 'deidentify', params: '', description: 'replaces the value with ***' },
  { name: 'nullify', kind: 'deidentify', params: '', description: 'replaces the value with null' },
  { name: 'label', kind: 'deidentify', params: 'label', description: 'replaces the value with a type label such as [PHONE]' },
  { name: 'pseudonymize', kind: 'deidentify', params: 'algorithm (hmac-sha256|hmac-sm3), domain, length, keyId', description: 'keyed HMAC pseudonym, stable per key and domain' },
  { name: 'tokenize', kind: 'deidentify', params: '', description: 'reversible token from the token vault (kms field cipher)' },
  { name: 'fpe', kind: 'deidentify', params: 'alphabet (digits|alphanumeric), tweak, keyId', description: 'FF1 format-preserving encryption of the alphabet characters, separators kept' },
  { name: 'generalize_year', kind: 'deidentify', params: '', description: 'date → year' },
  { name: 'generalize_month', kind: 'deidentify', params: '', description: 'date → year-month' },
  { name: 'generalize_age_band', kind: 'deidentify', params: 'width, top', description: 'birth date or age → age band such as 30-39 (needs options.now)' },
  { name: 'generalize_province', kind: 'deidentify', params: '', description: 'address → province' },
  { name: 'generalize_city', kind: 'deidentify', params: '', description: 'address → province and city' },
  { name: 'generalize_district', kind: 'deidentify', params: '', description: 'address → province, city and district' },
  { name: 'date_shift', kind: 'deidentify', params: 'maxDays', description: "shifts every date of one subject by the same secret offset" },
  { name: 'keep_first_last', kind: 'deidentify', params: 'first, last', description: 'generic: keeps the first N and last M characters' },
  { name: 'mask_range', kind: 'deidentify', params: 'start, end', description: 'generic: hides characters start..end' },
  { name: 'mask_before', kind: 'deidentify', params: 'marker', description: 'generic: hides everything before a marker character' },
];

/**
 * Short operator names the hospital policy writes (`deidentify: { patientName: pseudonym,
 * birthDate: year, address: city }`, `mask: year`), mapped to the registry's operators.
 */
const OPERATOR_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  pseudonym: 'pseudonymize',
  hash: 'pseudonymize',
  token: 'tokenize',
  year: 'generalize_year',
  month: 'generalize_month',
  age_band: 'generalize_age_band',
  province: 'generalize_province',
  city: 'generalize_city',
  district: 'generalize_district',
  shift: 'date_shift',
  remove: 'redact',
  null: 'nullify',
});

/** Alias → operator, for the README and `custos mask rules`. */
export const OPERATOR_ALIAS_TABLE: Readonly<Record<string, string>> = OPERATOR_ALIASES;

/** Every rule name the registry resolves (display masks per PI type, then operators). */
export const MASK_RULES: readonly RuleInfo[] = Object.freeze([
  ...PI_TYPES.map((name) => ({
    name,
    kind: 'display' as const,
    params: 'profile',
    description: `display mask for ${name} under the profile (rule@profile or params.profile)`,
  })),
  ...OPERATOR_INFO,
]);

const noop = (): void => undefined;

const badParams = (rule: string, why: string, hint: string): MaskingError =>
  new MaskingError('ERR_MASKING_INVALID_PARAMS', { message: `rule ${rule}: ${why}`, hint });

const intParam = (rule: string, params: Readonly<Record<string, unknown>>, name: string, fallback: number, min: number, max: number): number => {
  const v = params[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw badParams(rule, `param ${name} must be an integer from ${min} to ${max}`, `e.g. { ${name}: ${fallback} }`);
  }
  return v;
};

const stringParam = (rule: string, params: Readonly<Record<string, unknown>>, name: string): string | undefined => {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 256) throw badParams(rule, `param ${name} must be a string of at most 256 characters`, `remove ${name} or make it a short string`);
  return v;
};

const transformOp = (
  rule: string,
  transform: (value: unknown, context: OperatorContext) => unknown,
  extra: Partial<Pick<Operator, 'isWhole' | 'structure' | 'addressLevel' | 'dispose'>> = {},
): Operator =>
  Object.freeze({
    rule,
    kind: 'transform' as const,
    isWhole: extra.isWhole ?? false,
    structure: extra.structure,
    addressLevel: extra.addressLevel,
    dispose: extra.dispose ?? noop,
    transform,
  });

const textForm = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

const ADDRESS_LEVEL: Readonly<Record<MaskProfile, AddressLevel>> = Object.freeze({
  default: 'district',
  patient_self_view: 'district',
  strict: 'city',
  queue_screen: 'city',
});

const CLINICAL: ReadonlySet<string> = new Set(['diagnosis', 'prescription', 'lab_result']);

const requireVault = (rule: string, vault: TokenVault | undefined): TokenVault => {
  if (vault === undefined) {
    throw new MaskingError('ERR_MASKING_MISSING_KEY', {
      message: `rule ${rule} needs a token vault and none was given`,
      hint: 'pass options.vault (tokenVaultFromFieldCipher(kms field cipher) or createAesGcmVault(key))',
    });
  }
  return vault;
};

/**
 * Resolves a rule name (optionally `name@profile`) with its params to an operator, or returns
 * `undefined` for an unknown name. Throws coded errors for bad params or missing keys.
 *
 * @example resolveRule('phone_mobile@strict', {}, {})!.transform('13812345678', ctx) // '*******5678'
 */
export const resolveRule = (
  name: string,
  params: Readonly<Record<string, unknown>>,
  options: MaskOptions,
): Operator | undefined => {
  const at = name.indexOf('@');
  const base = at < 0 ? name : name.slice(0, at);
  const profileName = at < 0 ? (params.profile ?? options.profile ?? 'default') : name.slice(at + 1);
  const piType = resolvePiType(base);
  if (piType !== undefined) {
    if (!isMaskProfile(profileName)) {
      throw new MaskingError('ERR_MASKING_UNKNOWN_PROFILE', {
        message: `rule ${name} names an unknown mask profile`,
        hint: `use one of: ${MASK_PROFILES.join(', ')}`,
      });
    }
    const mask = displayMask(piType, profileName);
    return transformOp(name, (value) => mask(value), {
      isWhole: CLINICAL.has(piType),
      structure: piType === 'person_name' ? 'name' : piType === 'address' ? 'address' : undefined,
      addressLevel: ADDRESS_LEVEL[profileName],
    });
  }
  if (at >= 0) return undefined;
  const operator = Object.hasOwn(OPERATOR_ALIASES, base) ? OPERATOR_ALIASES[base]! : base;
  return resolveOperator(operator, params, options);
};

const resolveOperator = (base: string, params: Readonly<Record<string, unknown>>, options: MaskOptions): Operator | undefined => {
  switch (base) {
    case 'redact':
      return Object.freeze({ ...transformOp(base, () => undefined, { isWhole: true }), kind: 'remove' as const });
    case 'suppress':
      return transformOp(base, (v) => (v === null || v === undefined ? v : SUPPRESSED), { isWhole: true });
    case 'nullify':
      return transformOp(base, () => null, { isWhole: true });
    case 'label': {
      const label = stringParam(base, params, 'label');
      return transformOp(base, (v, ctx) => (v === null || v === undefined ? v : `[${label ?? (ctx.field ?? 'REDACTED').toUpperCase()}]`), { isWhole: true });
    }
    case 'pseudonymize': {
      const algorithm = (stringParam(base, params, 'algorithm') ?? 'hmac-sha256') as PseudonymAlgorithm;
      const spec = pseudonymizerSpec({
        key: requireKey(base, options),
        algorithm,
        domain: stringParam(base, params, 'domain') ?? '',
        length: intParam(base, params, 'length', 32, 16, 64),
        keyId: stringParam(base, params, 'keyId'),
      });
      return transformOp(
        base,
        (v) => {
          const text = textForm(v);
          return text === undefined ? (v === null || v === undefined ? v : pseudonymWith(spec, JSON.stringify(v))) : pseudonymWith(spec, text);
        },
        { dispose: () => spec.key.fill(0) },
      );
    }
    case 'tokenize': {
      const vault = requireVault(base, options.vault);
      return transformOp(base, (v, ctx) => {
        if (v === null || v === undefined) return v;
        const text = textForm(v) ?? JSON.stringify(v);
        return vault.seal(text, {
          fieldPath: ctx.path,
          ...(ctx.recordType === undefined ? {} : { recordType: ctx.recordType }),
          ...(ctx.recordId === undefined ? {} : { recordId: ctx.recordId }),
          ...(ctx.subjectId === undefined ? {} : { subjectId: ctx.subjectId }),
        });
      });
    }
    case 'fpe': {
      const alphabetName = stringParam(base, params, 'alphabet') ?? 'digits';
      if (alphabetName !== 'digits' && alphabetName !== 'alphanumeric') {
        throw badParams(base, 'param alphabet must be digits or alphanumeric', "e.g. { alphabet: 'digits' }");
      }
      const key = keyFor(requireKey(base, options), 'fpe', stringParam(base, params, 'keyId'));
      const ff1 = createFf1({ key, alphabet: alphabetName === 'digits' ? DIGITS : ALPHANUMERIC_CASED });
      key.fill(0);
      const fixedTweak = stringParam(base, params, 'tweak');
      return transformOp(base, (v, ctx) => {
        const text = textForm(v);
        if (text === undefined) return v === null || v === undefined ? v : SUPPRESSED;
        return formatPreserving(ff1, text, Buffer.from(fixedTweak ?? ctx.path, 'utf8'), true);
      });
    }
    case 'generalize_year':
    case 'generalize_month': {
      const to = base === 'generalize_year' ? 'year' : 'month';
      return transformOp(base, (v) => generalizeDate(v, to));
    }
    case 'generalize_age_band': {
      const now = options.now;
      if (!(now instanceof Date)) {
        throw badParams(base, 'age bands need the reference date options.now', 'pass options.now (from the injected clock)');
      }
      const width = intParam(base, params, 'width', 10, 1, 50);
      const top = intParam(base, params, 'top', 90, 1, 150);
      return transformOp(base, (v) => ageBand(v, { now, width, top }));
    }
    case 'generalize_province':
    case 'generalize_city':
    case 'generalize_district': {
      const level = base.slice('generalize_'.length) as AddressLevel;
      return transformOp(base, (v) => generalizeAddress(v, level), { structure: 'address', addressLevel: level });
    }
    case 'date_shift': {
      const maxDays = intParam(base, params, 'maxDays', 365, 1, 36500);
      const key = keyFor(requireKey(base, options), 'date_shift', stringParam(base, params, 'keyId'));
      return transformOp(
        base,
        (v, ctx) => {
          if (v === null || v === undefined) return v;
          if (ctx.subjectId === undefined) {
            throw new MaskingError('ERR_MASKING_MISSING_SUBJECT', {
              message: 'date_shift needs the data subject (all dates of one subject shift together)',
              path: ctx.path,
              hint: 'pass options.subjectId, or apply to a FHIR resource (Patient id or subject reference)',
            });
          }
          return shiftDate(v, shiftDaysWith(key, ctx.subjectId, maxDays));
        },
        { dispose: () => key.fill(0) },
      );
    }
    case 'keep_first_last': {
      const first = intParam(base, params, 'first', 1, 0, 64);
      const last = intParam(base, params, 'last', 1, 0, 64);
      return transformOp(base, (v) => keepFirstLast(v, first, last));
    }
    case 'mask_range': {
      const start = intParam(base, params, 'start', 0, 0, 4096);
      const end = intParam(base, params, 'end', -1, -4096, 4096);
      return transformOp(base, (v) => maskRange(v, start, end));
    }
    case 'mask_before': {
      const marker = stringParam(base, params, 'marker') ?? '@';
      return transformOp(base, (v) => maskBefore(v, marker));
    }
    default:
      return undefined;
  }
};

const requireKey = (rule: string, options: MaskOptions) => {
  if (options.key === undefined) {
    throw new MaskingError('ERR_MASKING_MISSING_KEY', {
      message: `rule ${rule} needs a key and none was given`,
      hint: 'pass options.key (key bytes or a KeyProvider backed by the kms module)',
    });
  }
  return options.key;
};
