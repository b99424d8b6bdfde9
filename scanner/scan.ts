// The scan: sources → recognizers → classification → findings. Holds samples and counters
// only; raw values never leave this module (examples are masked where they are collected).
import { existsSync, statSync } from 'node:fs';
import type { Clock } from '../lib/clock.js';
import { classify, medicalContextOf, type RuleSet } from './classification.js';
import { scoreColumn, type ColumnDetection } from './column-scan.js';
import { createDistinctCounter, normaliseIdentifier } from './distinct-count.js';
import { ScannerError } from './errors.js';
import { maskSample } from './mask.js';
import { compileRecognizers, type Recognizers } from './recognizers.js';
import { ageOn, parseResidentId } from './resident-id.js';
import { defaultRuleSet } from './rule-set.js';
import { csvUnit, fileKindOf, jsonUnits, listFiles, ndjsonUnits, textDocument } from './sources/files.js';
import { openSqliteSource } from './sqlite/sqlite-source.js';
import type { DistinctCount, Finding, PiType, ProgressEvent, ScanOptions, ScanReport, Source, SourceUnit, Span, TextDocument } from './types.js';

export interface ScanDeps {
  readonly clock: Clock;
  /** The classification rule set (default: the bundled `cn-health-2026.1`). */
  readonly rules?: RuleSet;
}

const maxTextSpans = 1000;
const maxExamples = 3;

const distinctKey = (location: string, type: PiType): string => `${location}\u0000${type}`;

const isPostgresUrl = (target: string): boolean => /^postgres(?:ql)?:\/\//i.test(target);

/**
 * Scans files, folders and SQLite databases for personal information and classifies it.
 *
 * @example const report = await scan(['examples/sample-data'], { sampleSize: 1000, minConfidence: 0.5 }, { clock: systemClock });
 */
export const scan = async (targets: readonly (string | Source)[], options: ScanOptions, deps: ScanDeps): Promise<ScanReport> => {
  validateOptions(options);
  const rules = deps.rules ?? defaultRuleSet();
  const now = deps.clock.now();
  const todayIso = new Date(now).toISOString().slice(0, 10);
  const recognizers = compileRecognizers(todayIso);
  const findings: Finding[] = [];
  const sketches = new Map<string, Uint8Array>();
  const stats = { files: 0, tables: 0, columns: 0, documents: 0, skipped: [] as string[] };

  // Precondition: every input is readable before any work starts, so a typo fails fast.
  for (const target of targets) if (typeof target === 'string') checkTarget(target);
  const fileCount = targets.reduce((n, t) => n + (typeof t === 'string' ? listFiles(t).length : 1), 0);
  let fileIndex = 0;
  const onProgress = options.onProgress === undefined ? undefined : (e: ProgressEvent) => options.onProgress?.({ ...e, file: fileIndex, files: fileCount });

  for (const target of targets) {
    if (typeof target !== 'string') {
      // A plugged-in source (e.g. a PostgreSQL adapter): it yields table units and text documents.
      fileIndex += 1;
      for await (const unit of target.units({ sampleSize: options.sampleSize, ...(onProgress === undefined ? {} : { onProgress }) })) {
        if (unit.kind === 'text') {
          stats.documents += 1;
          findings.push(...(await scanDocument(unit, recognizers, rules, options, todayIso)));
        } else {
          stats.tables += 1;
          stats.columns += unit.columns.length;
          findings.push(...(await scanUnit(unit, recognizers, rules, options, todayIso, sketches)));
        }
      }
      continue;
    }
    for (const file of listFiles(target)) {
      fileIndex += 1;
      const kind = fileKindOf(file);
      if (kind === undefined) {
        if (file === target) {
          throw new ScannerError('ERR_SCANNER_UNSUPPORTED_INPUT', {
            message: `${file}: no source reads this kind of file`,
            at: { file },
            hint: 'supported: .csv .tsv .json .ndjson .jsonl .txt .md, SQLite databases, postgres:// URLs',
          });
        }
        stats.skipped.push(file);
        continue;
      }
      stats.files += 1;
      if (kind === 'text' || kind === 'markdown') {
        stats.documents += 1;
        findings.push(...(await scanDocument(textDocument(file, kind, onProgress), recognizers, rules, options, todayIso)));
        continue;
      }
      if (kind === 'sqlite') {
        const db = openSqliteSource(file);
        try {
          for (const unit of db.units(options.sampleSize, onProgress)) {
            stats.tables += 1;
            stats.columns += unit.columns.length;
            findings.push(...(await scanUnit(unit, recognizers, rules, options, todayIso, sketches)));
          }
        } finally {
          db.close();
        }
        continue;
      }
      const units =
        kind === 'csv' || kind === 'tsv'
          ? [await csvUnit(file, kind === 'tsv' ? '\t' : ',', options.sampleSize, onProgress)]
          : kind === 'json'
            ? jsonUnits(file, options.sampleSize, onProgress)
            : await ndjsonUnits(file, options.sampleSize, onProgress);
      for (const unit of units) {
        stats.tables += 1;
        stats.columns += unit.columns.length;
        findings.push(...(await scanUnit(unit, recognizers, rules, options, todayIso, sketches)));
      }
    }
  }
  return Object.freeze({
    scannedAt: new Date(now).toISOString(),
    ruleSetVersion: rules.version,
    sources: Object.freeze(targets.map((t) => (typeof t === 'string' ? t : t.name))),
    findings: Object.freeze(findings),
    stats: Object.freeze({ ...stats, skipped: Object.freeze(stats.skipped) }),
    sketches,
  });
};

const validateOptions = (options: ScanOptions): void => {
  if (!Number.isInteger(options.sampleSize) || options.sampleSize < 1 || options.sampleSize > 1_000_000) {
    throw new ScannerError('ERR_SCANNER_INVALID_OPTION', { message: 'sampleSize must be an integer from 1 to 1000000', hint: 'e.g. --sample-size 1000' });
  }
  if (!(options.minConfidence >= 0 && options.minConfidence <= 1)) {
    throw new ScannerError('ERR_SCANNER_INVALID_OPTION', { message: 'minConfidence must be a number from 0 to 1', hint: 'e.g. --min-confidence 0.5' });
  }
};

const checkTarget = (target: string): void => {
  if (isPostgresUrl(target)) {
    // The Source interface takes a PostgreSQL adapter (see scanner/README.md); none ships yet.
    throw new ScannerError('ERR_SCANNER_ADAPTER_MISSING', {
      message: 'scanning PostgreSQL needs the PostgreSQL adapter, which requires the optional "pg" package and is not included in this version',
      hint: 'export the tables to CSV or SQLite and scan those, or see scanner/README.md, "Sources", to plug in an adapter',
    });
  }
  if (!existsSync(target)) {
    throw new ScannerError('ERR_SCANNER_UNREADABLE_INPUT', {
      message: `${target} does not exist`,
      at: { file: target },
      hint: 'give a file, a folder, a SQLite database or a postgres:// URL',
    });
  }
  try {
    statSync(target);
  } catch (err) {
    throw new ScannerError('ERR_SCANNER_UNREADABLE_INPUT', { message: `cannot read ${target}`, at: { file: target }, cause: err });
  }
};

const isoDateOf = (value: string): string | undefined => {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})/.exec(value.trim());
  if (m === null) return undefined;
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
};

const birthDateOf = (type: PiType, value: string, todayIso: string): string | undefined =>
  type === 'residentId' ? parseResidentId(value.trim().toUpperCase(), todayIso)?.birthDate : type === 'birthDate' ? isoDateOf(value) : undefined;

/** Counts sampled records whose subject is under 14 (PIPL Art. 28) or aged 14 (GB/T 35273 reading). */
const countMinors = (rows: readonly Readonly<Record<string, string>>[], birthColumns: readonly { location: string; type: PiType }[], todayIso: string, rules: RuleSet) => {
  let under = 0;
  let aged14 = 0;
  for (const row of rows) {
    let age: number | undefined;
    for (const { location, type } of birthColumns) {
      const v = row[location];
      const birth = v === undefined ? undefined : birthDateOf(type, v, todayIso);
      if (birth !== undefined && birth <= todayIso) {
        age = ageOn(birth, todayIso);
        break;
      }
    }
    if (age === undefined) continue;
    if (age < rules.escalation.minor.piplAgeBelow) under += 1;
    else if (age <= rules.escalation.minor.gbt35273AgeAtOrBelow) aged14 += 1;
  }
  return { under, aged14 };
};

const scanUnit = async (
  unit: SourceUnit,
  recognizers: Recognizers,
  rules: RuleSet,
  options: ScanOptions,
  todayIso: string,
  sketches: Map<string, Uint8Array>,
): Promise<Finding[]> => {
  const detected: { column: SourceUnit['columns'][number]; detection: ColumnDetection }[] = [];
  for (const column of unit.columns) {
    for (const detection of scoreColumn(column, recognizers)) {
      if (detection.confidence >= options.minConfidence) detected.push({ column, detection });
    }
  }
  if (detected.length === 0) return [];
  const types = new Set(detected.map((d) => d.detection.piType));
  const medicalContext = medicalContextOf(rules, unit.container, types);
  const birthColumns = detected
    .filter((d) => !d.detection.isFreeText && (d.detection.piType === 'residentId' || d.detection.piType === 'birthDate'))
    .sort((a, b) => (a.detection.piType === 'residentId' ? -1 : 1) - (b.detection.piType === 'residentId' ? -1 : 1))
    .map((d) => ({ location: d.column.location, type: d.detection.piType }));
  const minors = countMinors(unit.rows, birthColumns, todayIso, rules);

  // Distinct values of direct identifiers: one more pass over the source, bounded memory.
  const directTypes = new Map<string, PiType[]>();
  for (const d of detected) {
    if (d.detection.isFreeText || rules.types[d.detection.piType].identifierRole !== 'direct') continue;
    const list = directTypes.get(d.column.location) ?? [];
    list.push(d.detection.piType);
    directTypes.set(d.column.location, list);
  }
  const distinct = new Map<string, DistinctCount>();
  if (directTypes.size > 0 && unit.walk !== undefined) {
    const counters = new Map<string, ReturnType<typeof createDistinctCounter>>();
    for (const [location, types] of directTypes) for (const t of types) counters.set(distinctKey(location, t), createDistinctCounter(options.distinctExactLimit));
    await unit.walk([...directTypes.keys()], (location, value) => {
      const types = directTypes.get(location)!;
      // A field holding two identifier types (FHIR telecom: phones and e-mails) counts each apart.
      const type = types.length === 1 ? types[0]! : types.find((t) => recognizers.matchValue(value).some((m) => m.type === t));
      if (type !== undefined) counters.get(distinctKey(location, type))?.add(normaliseIdentifier(value));
    });
    for (const [key, c] of counters) {
      distinct.set(key, c.result());
      sketches.set(`${unit.source}\u0000${key}`, c.sketch());
    }
  }
  const individuals = Math.max(unit.rowCount, ...[...distinct.values()].map((d) => d.value));

  return detected.map(({ column, detection }) => {
    const classification = classify(rules, detection.piType, {
      isSpecial: detection.isSpecial,
      minorsUnder14: minors.under,
      minorsAged14: minors.aged14,
      ...(medicalContext === undefined ? {} : { medicalContext }),
      individuals,
    });
    const d = distinct.get(distinctKey(column.location, detection.piType));
    const isDirect = rules.types[detection.piType].identifierRole === 'direct' && !detection.isFreeText;
    return Object.freeze({
      source: unit.source,
      sourceType: unit.sourceType,
      location: column.location,
      kind: detection.isFreeText && column.kind === 'column' ? ('column' as const) : column.kind,
      piType: detection.piType,
      confidence: detection.confidence,
      sampled: detection.sampled,
      matched: detection.matched,
      examples: Object.freeze([...detection.examples]),
      spans: Object.freeze([...detection.spans]),
      spanCount: detection.spanCount,
      classification: Object.freeze({ ...classification, reasons: Object.freeze([...detection.reasons, ...classification.reasons]) }),
      ...(isDirect && d !== undefined ? { distinct: d } : {}),
    });
  });
};

interface TextTally {
  count: number;
  strength: number;
  isSpecial: boolean;
  examples: string[];
  spans: Span[];
}

const scanDocument = async (doc: TextDocument, recognizers: Recognizers, rules: RuleSet, options: ScanOptions, todayIso: string): Promise<Finding[]> => {
  const tallies = new Map<PiType, TextTally>();
  let under = 0;
  let aged14 = 0;
  for await (const chunk of doc.chunks()) {
    for (const m of recognizers.scanText(chunk.text, chunk.offset)) {
      let t = tallies.get(m.type);
      if (t === undefined) {
        t = { count: 0, strength: 0, isSpecial: false, examples: [], spans: [] };
        tallies.set(m.type, t);
      }
      t.count += 1;
      t.strength = Math.max(t.strength, m.strength);
      t.isSpecial ||= m.isSpecial;
      if (t.spans.length < maxTextSpans) t.spans.push({ start: m.start, end: m.end });
      const isBirthSource = m.type === 'residentId' || m.type === 'birthDate';
      if (t.examples.length >= maxExamples && !isBirthSource) continue;
      const value = chunk.text.slice(m.start - chunk.offset, m.end - chunk.offset);
      if (t.examples.length < maxExamples) {
        const masked = maskSample(m.type, value);
        if (!t.examples.includes(masked)) t.examples.push(masked);
      }
      const birth = isBirthSource ? birthDateOf(m.type, value.replace(/年|月/g, '-').replace(/日/, ''), todayIso) : undefined;
      if (birth !== undefined) {
        const age = ageOn(birth, todayIso);
        if (age < rules.escalation.minor.piplAgeBelow) under += 1;
        else if (age <= rules.escalation.minor.gbt35273AgeAtOrBelow) aged14 += 1;
      }
    }
  }
  const kept = [...tallies.entries()].filter(([, t]) => t.strength >= options.minConfidence);
  const medicalContext = medicalContextOf(rules, doc.container, kept.map(([type]) => type));
  return kept.map(([piType, t]) => {
    const classification = classify(rules, piType, {
      isSpecial: t.isSpecial,
      minorsUnder14: under,
      minorsAged14: aged14,
      ...(medicalContext === undefined ? {} : { medicalContext }),
    });
    return Object.freeze({
      source: doc.source,
      sourceType: doc.sourceType,
      location: 'text',
      kind: 'text' as const,
      piType,
      confidence: t.strength,
      sampled: t.count,
      matched: t.count,
      examples: Object.freeze(t.examples),
      spans: Object.freeze(t.spans),
      spanCount: t.count,
      classification: Object.freeze({ ...classification, reasons: Object.freeze([`text:${piType}`, ...classification.reasons]) }),
    });
  });
};
