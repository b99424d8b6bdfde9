// Classification per COMPLIANCE.md §3.1: the rule set is data (scanner/rules/*.json), parsed
// once at the edge into a frozen value; `classify` applies it with record-level escalation.
import { ScannerError } from './errors.js';
import { piTypes } from './types.js';
import type {
  Classification,
  DslTier,
  FinClass,
  HealthCategory,
  IdentifierRole,
  PiClass,
  PiType,
  Reading,
  SpiCategory,
} from './types.js';

export interface TypeRule {
  readonly ruleId: string;
  readonly readings: readonly Reading[];
  readonly healthCategory: HealthCategory | null;
  readonly healthLevel: number | null;
  readonly specialHealthLevel?: number;
  readonly generalGrade: number | null;
  readonly finClass: FinClass | null;
  readonly identifierRole: IdentifierRole;
  readonly importantCandidate?: boolean;
}

export interface RuleSet {
  readonly version: string;
  readonly types: Readonly<Record<PiType, TypeRule>>;
  readonly escalation: {
    readonly minor: { readonly ruleId: string; readonly piplAgeBelow: number; readonly gbt35273AgeAtOrBelow: number; readonly minHealthLevel: number; readonly generalGrade: number };
    readonly medicalContext: { readonly ruleId: string; readonly containerWords: readonly string[]; readonly healthTypes: readonly PiType[] };
    readonly specialDisease: { readonly ruleId: string };
    readonly importantCandidate: { readonly ruleId: string; readonly healthTypes: readonly PiType[]; readonly individualsAtLeast: number };
  };
}

/** Facts about where a finding sits, which can escalate its class. */
export interface ClassificationContext {
  /** A value reveals a special condition (HIV, STD, mental illness): GB/T 39725 level 5. */
  readonly isSpecial?: boolean;
  /** Sampled records whose subject is under 14 (PIPL Art. 28), and aged exactly 14 (GB/T 35273 reading). */
  readonly minorsUnder14?: number;
  readonly minorsAged14?: number;
  /** Why the table or document is a medical context (its name, or health columns beside it). */
  readonly medicalContext?: string;
  /** Individuals (or rows when unknown) the dataset covers: scale changes the DSL tier. */
  readonly individuals?: number;
}

const piClasses = new Set<PiClass>(['none', 'PI', 'SPI']);
const spiCategories = new Set<SpiCategory>(['biometric', 'religious', 'specificIdentity', 'medicalHealth', 'financialAccount', 'locationTrack', 'minorUnder14', 'other']);
const healthCategories = new Set<HealthCategory>(['personalAttribute', 'healthStatus', 'medicalApplication', 'medicalPayment', 'healthResource', 'publicHealth']);
const roles = new Set<IdentifierRole>(['direct', 'quasi', 'sensitiveAttribute', 'none']);
const finClasses = new Set<FinClass>(['C1', 'C2', 'C3']);
const maxRuleSetBytes = 1_000_000;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

const fail = (file: string, path: string, message: string): never => {
  throw new ScannerError('ERR_SCANNER_INVALID_RULES', {
    message: `rule set ${file}: ${path}: ${message}`,
    at: { file },
    path,
    hint: 'start from scanner/rules/cn-health-2026.1.json and change values only; see scanner/README.md, "Rule set"',
  });
};

/**
 * Parses and validates a rule set (the JSON text of `scanner/rules/*.json` or a user's
 * replacement). Every type must have a rule; values outside the §3.1 vocabularies are refused.
 *
 * @example parseRuleSet(readFileSync('my-rules.json', 'utf8'), 'my-rules.json').version
 */
export const parseRuleSet = (text: string, file = 'rules'): RuleSet => {
  if (text.length > maxRuleSetBytes) fail(file, '$', `is larger than ${maxRuleSetBytes} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__' || key === 'constructor') throw new SyntaxError(`forbidden key "${key}"`);
      return value;
    });
  } catch (err) {
    return fail(file, '$', `is not valid JSON (${(err as Error).message})`);
  }
  return validateRuleSetValue(raw, file);
};

/** Validates an already-parsed rule set value (see `parseRuleSet`). */
export const validateRuleSetValue = (raw: unknown, file: string): RuleSet => {
  if (!isPlainObject(raw)) return fail(file, '$', 'must be an object');
  if (typeof raw.version !== 'string' || raw.version.length === 0 || raw.version.length > 64) fail(file, 'version', 'must be a non-empty string');
  if (!isPlainObject(raw.types)) return fail(file, 'types', 'must be an object keyed by data type');
  const types: Record<string, TypeRule> = {};
  for (const key of Object.keys(raw.types)) {
    if (!(piTypes as readonly string[]).includes(key)) fail(file, `types.${key}`, `is not a known data type (known: ${piTypes.join(', ')})`);
  }
  for (const type of piTypes) {
    const rule = raw.types[type];
    const at = `types.${type}`;
    if (!isPlainObject(rule)) return fail(file, at, 'is missing');
    if (typeof rule.ruleId !== 'string') fail(file, `${at}.ruleId`, 'must be a string');
    if (!Array.isArray(rule.readings) || rule.readings.length === 0) return fail(file, `${at}.readings`, 'must be a non-empty array');
    const readings = rule.readings.map((r: unknown, i: number): Reading => {
      if (!isPlainObject(r) || typeof r.basis !== 'string') return fail(file, `${at}.readings[${i}]`, 'needs a basis string');
      if (!piClasses.has(r.piClass as PiClass)) fail(file, `${at}.readings[${i}].piClass`, 'must be none, PI or SPI');
      if (r.spiCategory !== null && !spiCategories.has(r.spiCategory as SpiCategory)) fail(file, `${at}.readings[${i}].spiCategory`, 'is not a PIPL Art. 28 category');
      if ((r.piClass === 'SPI') !== (r.spiCategory !== null)) fail(file, `${at}.readings[${i}]`, 'an SPI reading needs a spiCategory, other readings null');
      return Object.freeze({ basis: r.basis, piClass: r.piClass as PiClass, spiCategory: r.spiCategory as SpiCategory | null });
    });
    if (rule.healthCategory !== null && !healthCategories.has(rule.healthCategory as HealthCategory)) fail(file, `${at}.healthCategory`, 'is not a GB/T 39725 category');
    for (const level of ['healthLevel', 'specialHealthLevel'] as const) {
      const v = rule[level];
      if (v !== undefined && v !== null && (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 5)) fail(file, `${at}.${level}`, 'must be an integer 1..5');
    }
    if (rule.generalGrade !== null && (!Number.isInteger(rule.generalGrade) || (rule.generalGrade as number) < 1 || (rule.generalGrade as number) > 4)) fail(file, `${at}.generalGrade`, 'must be an integer 1..4');
    if (rule.finClass !== null && rule.finClass !== undefined && !finClasses.has(rule.finClass as FinClass)) fail(file, `${at}.finClass`, 'must be C1, C2, C3 or null');
    if (!roles.has(rule.identifierRole as IdentifierRole)) fail(file, `${at}.identifierRole`, 'must be direct, quasi, sensitiveAttribute or none');
    types[type] = Object.freeze({
      ruleId: rule.ruleId as string,
      readings: Object.freeze(readings),
      healthCategory: rule.healthCategory as HealthCategory | null,
      healthLevel: (rule.healthLevel ?? null) as number | null,
      ...(typeof rule.specialHealthLevel === 'number' ? { specialHealthLevel: rule.specialHealthLevel } : {}),
      generalGrade: rule.generalGrade as number | null,
      finClass: (rule.finClass ?? null) as FinClass | null,
      identifierRole: rule.identifierRole as IdentifierRole,
      importantCandidate: rule.importantCandidate === true,
    });
  }
  const esc = raw.escalation;
  if (!isPlainObject(esc)) return fail(file, 'escalation', 'must be an object');
  const minor = esc.minor;
  if (!isPlainObject(minor) || typeof minor.piplAgeBelow !== 'number' || typeof minor.gbt35273AgeAtOrBelow !== 'number' || typeof minor.minHealthLevel !== 'number' || typeof minor.generalGrade !== 'number')
    return fail(file, 'escalation.minor', 'needs piplAgeBelow, gbt35273AgeAtOrBelow, minHealthLevel and generalGrade numbers');
  const med = esc.medicalContext;
  if (!isPlainObject(med) || !isStringArray(med.containerWords) || !isTypeArray(med.healthTypes))
    return fail(file, 'escalation.medicalContext', 'needs containerWords (strings) and healthTypes (data types)');
  const imp = esc.importantCandidate;
  if (!isPlainObject(imp) || !isTypeArray(imp.healthTypes) || typeof imp.individualsAtLeast !== 'number')
    return fail(file, 'escalation.importantCandidate', 'needs healthTypes (data types) and individualsAtLeast (number)');
  const special = isPlainObject(esc.specialDisease) ? esc.specialDisease : {};
  return deepFreeze({
    version: raw.version as string,
    types: types as Record<PiType, TypeRule>,
    escalation: {
      minor: { ruleId: String(minor.ruleId ?? 'R-MINOR'), piplAgeBelow: minor.piplAgeBelow, gbt35273AgeAtOrBelow: minor.gbt35273AgeAtOrBelow, minHealthLevel: minor.minHealthLevel, generalGrade: minor.generalGrade },
      medicalContext: { ruleId: String(med.ruleId ?? 'R-MEDCTX'), containerWords: med.containerWords.map((w) => w.toLowerCase()), healthTypes: med.healthTypes },
      specialDisease: { ruleId: String(special.ruleId ?? 'R-SPECIAL') },
      importantCandidate: { ruleId: String(imp.ruleId ?? 'R-IMPORTANT'), healthTypes: imp.healthTypes, individualsAtLeast: imp.individualsAtLeast },
    },
  });
};

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isTypeArray = (v: unknown): v is PiType[] => isStringArray(v) && v.every((x) => (piTypes as readonly string[]).includes(x));

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

const classRank: Readonly<Record<PiClass, number>> = { none: 0, PI: 1, SPI: 2 };

/** Why a container (table, file, resource) is a medical context, or undefined. */
export const medicalContextOf = (rules: RuleSet, container: string, typesInContainer: Iterable<PiType>): string | undefined => {
  const name = container.toLowerCase();
  const word = rules.escalation.medicalContext.containerWords.find((w) => name.includes(w));
  if (word !== undefined) return `container-name:${word}`;
  const health = new Set(rules.escalation.medicalContext.healthTypes);
  for (const t of typesInContainer) if (health.has(t)) return `health-data-beside:${t}`;
  return undefined;
};

/**
 * Classifies one finding: the strictest reading controls (the ID number is SPI under GB/T
 * 35273 and not under GB/T 45574: both readings are reported, SPI controls), then record-level
 * escalation (under-14 subjects, medical context), special conditions and scale.
 *
 * @example classify(rules, 'residentId', {}).spiBasis // 'GB/T 35273-2020'
 */
export const classify = (rules: RuleSet, type: PiType, context: ClassificationContext): Classification => {
  const rule = rules.types[type];
  const readings: Reading[] = [...rule.readings];
  const reasons: string[] = [rule.ruleId];
  let strictest: Reading = readings[0]!;
  for (const r of readings) if (classRank[r.piClass] > classRank[strictest.piClass]) strictest = r;
  let piClass = strictest.piClass;
  let spiCategory = strictest.spiCategory;
  let spiBasis: string | null = piClass === 'SPI' ? strictest.basis : null;
  let healthLevel = rule.healthLevel;
  let generalGrade = rule.generalGrade;
  const isPersonal = piClass !== 'none';
  const minor = rules.escalation.minor;
  const minorFlag = isPersonal && (context.minorsUnder14 ?? 0) > 0;

  if (isPersonal && context.isSpecial === true && rule.specialHealthLevel !== undefined) {
    healthLevel = Math.max(healthLevel ?? 0, rule.specialHealthLevel);
    reasons.push(rules.escalation.specialDisease.ruleId);
  }
  if (isPersonal && context.medicalContext !== undefined) {
    // COMPLIANCE.md §3.1 rule 1: PI in a medical-context table reveals health status.
    readings.push({ basis: 'context', piClass: 'SPI', spiCategory: 'medicalHealth' });
    if (piClass !== 'SPI') {
      piClass = 'SPI';
      spiCategory = 'medicalHealth';
      spiBasis = 'context';
    }
    reasons.push(`${rules.escalation.medicalContext.ruleId}:${context.medicalContext}`);
  }
  if (isPersonal && (context.minorsAged14 ?? 0) > 0) {
    // GB/T 35273-2020: children aged 14 *and under*; PIPL Art. 28: under 14. Reported, stricter controls.
    readings.push({ basis: 'GB/T 35273-2020', piClass: 'SPI', spiCategory: 'minorUnder14' });
    reasons.push(`${minor.ruleId}:aged-${minor.gbt35273AgeAtOrBelow}:${context.minorsAged14 ?? 0}-sampled-records`);
    if (piClass !== 'SPI') {
      piClass = 'SPI';
      spiCategory = 'minorUnder14';
      spiBasis = 'GB/T 35273-2020';
    }
  }
  if (minorFlag) {
    // PIPL Art. 28: every PI of a subject under 14 is sensitive (whole record).
    readings.push({ basis: 'PIPL-28', piClass: 'SPI', spiCategory: 'minorUnder14' });
    reasons.push(`${minor.ruleId}:under-${minor.piplAgeBelow}:${context.minorsUnder14 ?? 0}-sampled-records`);
    if (piClass !== 'SPI' || spiBasis === 'context') {
      piClass = 'SPI';
      spiCategory = 'minorUnder14';
      spiBasis = 'PIPL-28';
    }
  }
  if (isPersonal && (minorFlag || (context.minorsAged14 ?? 0) > 0)) {
    healthLevel = Math.max(healthLevel ?? 0, minor.minHealthLevel);
    generalGrade = Math.max(generalGrade ?? 0, minor.generalGrade);
  }
  if (piClass === 'SPI') generalGrade = Math.max(generalGrade ?? 0, 4);

  // COMPLIANCE.md §3.1 rule 2: important data stays a candidate until a human records the notification.
  let dslTier: DslTier = 'general';
  const imp = rules.escalation.importantCandidate;
  if (rule.importantCandidate === true) {
    dslTier = 'importantCandidate';
    reasons.push(`${imp.ruleId}:type`);
  } else if (imp.healthTypes.includes(type) && (context.individuals ?? 0) >= imp.individualsAtLeast) {
    dslTier = 'importantCandidate';
    reasons.push(`${imp.ruleId}:scale`);
  }
  return Object.freeze({
    dataType: type,
    piClass,
    spiCategory,
    spiBasis,
    readings: Object.freeze(readings.map((r) => Object.freeze({ ...r }))),
    healthCategory: rule.healthCategory,
    healthLevel,
    dslTier,
    generalGrade: dslTier === 'general' ? generalGrade : null,
    finClass: rule.finClass,
    identifierRole: rule.identifierRole,
    minorFlag,
    reasons: Object.freeze(reasons),
    ruleSetVersion: rules.version,
  });
};
