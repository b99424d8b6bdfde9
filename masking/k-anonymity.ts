/**
 * k-anonymity check of a research export (GB/T 37964 §: verify de-identification; GB/T 42460
 * re-identification risk): records are grouped by their quasi-identifier values; the export
 * is k-anonymous when the smallest group has at least k records. Records in smaller groups
 * are the ones an attacker could single out: refuse the export or generalise further.
 */
import { MaskingError } from './errors.js';
import { compilePath, type Step } from './paths.js';

export interface EquivalenceClass {
  /** Quasi-identifier values of the class, in the order of `quasiIdentifiers`. */
  readonly values: readonly unknown[];
  /** Indices of the records in the class. */
  readonly records: readonly number[];
}

export interface KAnonymityReport {
  /** Size of the smallest equivalence class (0 for an empty dataset). */
  readonly k: number;
  /** The threshold asked for. */
  readonly threshold: number;
  readonly isAnonymous: boolean;
  readonly records: number;
  readonly classes: number;
  /** Classes smaller than the threshold, smallest first. */
  readonly violations: readonly EquivalenceClass[];
  /** Indices of every record in a violating class (would be re-identifiable). */
  readonly reidentifiable: readonly number[];
}

const MAX_RECORDS = 10_000_000;

const singleValuePath = (path: string): readonly Step[] => {
  const steps = compilePath(path, false).steps;
  if (steps.some((s) => s.kind !== 'key' && s.kind !== 'index')) {
    throw new MaskingError('ERR_MASKING_INVALID_PATH', {
      message: 'quasi-identifier paths name one value each; wildcards and where() are not allowed',
      path,
      hint: 'e.g. address.city or birthYear',
    });
  }
  return steps;
};

const read = (record: unknown, steps: readonly Step[]): unknown => {
  let node: unknown = record;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return null;
    if (step.kind === 'key') node = Object.hasOwn(node, step.key) ? (node as Record<string, unknown>)[step.key] : undefined;
    else if (step.kind === 'index') node = Array.isArray(node) ? node[step.index] : undefined;
  }
  return node === undefined ? null : node;
};

/**
 * Computes k-anonymity over `quasiIdentifiers` (dotted paths into each record).
 *
 * @example
 * kAnonymity(rows, ['sex', 'birthYear', 'city'], 5).isAnonymous // false when some class has < 5 rows
 */
export const kAnonymity = (records: readonly unknown[], quasiIdentifiers: readonly string[], threshold = 2): KAnonymityReport => {
  if (!Array.isArray(records) || records.length > MAX_RECORDS) {
    throw new MaskingError('ERR_MASKING_INVALID_DATASET', {
      message: `a dataset is an array of at most ${MAX_RECORDS} records`,
      hint: 'pass the export rows as an array of objects',
    });
  }
  if (!Array.isArray(quasiIdentifiers) || quasiIdentifiers.length === 0 || !Number.isInteger(threshold) || threshold < 1) {
    throw new MaskingError('ERR_MASKING_INVALID_DATASET', {
      message: 'name at least one quasi-identifier and a threshold k ≥ 1',
      hint: "e.g. kAnonymity(rows, ['sex', 'birthYear', 'city'], 5)",
    });
  }
  const paths = quasiIdentifiers.map(singleValuePath);
  const classes = new Map<string, { values: unknown[]; records: number[] }>();
  records.forEach((record, index) => {
    const values = paths.map((steps) => read(record, steps));
    const id = JSON.stringify(values);
    const existing = classes.get(id);
    if (existing) existing.records.push(index);
    else classes.set(id, { values, records: [index] });
  });
  let k = records.length === 0 ? 0 : Number.POSITIVE_INFINITY;
  const violations: EquivalenceClass[] = [];
  for (const c of classes.values()) {
    k = Math.min(k, c.records.length);
    if (c.records.length < threshold) violations.push(Object.freeze({ values: Object.freeze(c.values), records: Object.freeze(c.records) }));
  }
  violations.sort((a, b) => a.records.length - b.records.length || a.records[0]! - b.records[0]!);
  const reidentifiable = violations.flatMap((v) => v.records).sort((a, b) => a - b);
  return Object.freeze({
    k,
    threshold,
    isAnonymous: violations.length === 0,
    records: records.length,
    classes: classes.size,
    violations: Object.freeze(violations),
    reidentifiable: Object.freeze(reidentifiable),
  });
};
