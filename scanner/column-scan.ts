// Scores one column (or JSON field) from its name and sampled values.
import { columnHints } from './column-hints.js';
import { maskSample } from './mask.js';
import type { Recognizers, TextMatch } from './recognizers.js';
import type { ColumnSample, Detection, PiType, Span } from './types.js';

/** A type detected in a column, before classification. Holds masked examples only. */
export interface ColumnDetection extends Detection {
  readonly isSpecial: boolean;
  readonly reasons: readonly string[];
  readonly isFreeText: boolean;
}

const maxExamples = 3;
const maxSpans = 50;
// A value counts as free text when it is long or reads as a sentence.
const isFreeTextValue = (v: string): boolean =>
  v.length >= 12 && (/[，。；！？、]/.test(v) || (v.length >= 24 && /\s/.test(v) && /[A-Za-z\u4e00-\u9fff]{2}/.test(v)));
const hintBoost = 0.5;
const hintWeight = 0.7;
const minRatio = 0.3;
const weakStrength = 0.8;
const weakMinRatio = 0.6;

const combine = (a: number, b: number): number => 1 - (1 - a) * (1 - b);

interface Tally {
  matched: number;
  strength: number;
  isSpecial: boolean;
  examples: string[];
  spans: Span[];
  spanCount: number;
}

const newTally = (): Tally => ({ matched: 0, strength: 0, isSpecial: false, examples: [], spans: [], spanCount: 0 });

/**
 * Scores a column: every sampled value goes to the type it most likely is (name hints raise
 * types the name suggests; types whose pattern is too weak alone need a hint); a type is
 * reported when enough values agree. Free-text columns are scanned for spans instead.
 *
 * @example scoreColumn({ location: 't.sfzh', name: 'sfzh', ... }, recognizers)[0]?.piType // 'residentId'
 */
export const scoreColumn = (column: ColumnSample, recognizers: Recognizers): readonly ColumnDetection[] => {
  const hints = columnHints(column.name);
  const values = column.values.filter((v) => v.trim().length > 0);
  if (values.length === 0) return [];
  const freeTextCount = values.filter(isFreeTextValue).length;
  const isFreeText = freeTextCount / values.length >= 0.5;
  const tallies = new Map<PiType, Tally>();
  const tally = (type: PiType): Tally => {
    let t = tallies.get(type);
    if (t === undefined) {
      t = newTally();
      tallies.set(type, t);
    }
    return t;
  };

  if (isFreeText) {
    values.forEach((value, row) => {
      const seen = new Set<PiType>();
      for (const m of recognizers.scanText(value)) {
        addSpan(tally(m.type), m, value, row, seen.has(m.type));
        seen.add(m.type);
      }
    });
    return [...tallies.entries()]
      .filter(([type]) => !hints.isDecoy || !isIdentifierType(type))
      .map(([piType, t]) => ({
        piType,
        confidence: round(t.strength),
        sampled: values.length,
        matched: t.matched,
        examples: t.examples,
        spans: t.spans,
        spanCount: t.spanCount,
        isSpecial: t.isSpecial,
        reasons: [`text:${piType}`],
        isFreeText: true,
      }));
  }

  for (const value of values) {
    let best: { type: PiType; strength: number; score: number; isSpecial: boolean } | undefined;
    for (const m of recognizers.matchValue(value)) {
      const hinted = hints.types.has(m.type);
      if (m.needsHint && !hinted) continue;
      if (hints.isDecoy && isIdentifierType(m.type)) continue;
      const score = m.strength + (hinted ? hintBoost : 0);
      if (best === undefined || score > best.score) best = { type: m.type, strength: m.strength, score, isSpecial: m.isSpecial };
    }
    if (best === undefined) continue;
    const t = tally(best.type);
    t.matched += 1;
    t.strength += best.strength;
    t.isSpecial ||= best.isSpecial;
    if (t.examples.length < maxExamples) {
      const masked = maskSample(best.type, value);
      if (!t.examples.includes(masked)) t.examples.push(masked);
    }
  }
  const out: ColumnDetection[] = [];
  for (const [piType, t] of tallies) {
    const ratio = t.matched / values.length;
    if (ratio < minRatio) continue;
    const hinted = hints.types.has(piType);
    const strength = t.strength / t.matched;
    // A weak pattern without a name hint must hold for most values (city names look like names).
    if (!hinted && strength < weakStrength && ratio < weakMinRatio) continue;
    let confidence = strength * Math.min(1, ratio / 0.8);
    if (hinted) confidence = combine(confidence, hintWeight * Math.min(1, ratio / 0.8));
    out.push({
      piType,
      confidence: round(confidence),
      sampled: values.length,
      matched: t.matched,
      examples: t.examples,
      spans: [],
      spanCount: 0,
      isSpecial: t.isSpecial,
      reasons: [`pattern:${piType}`, ...(hinted ? [`name-hint:${piType}`] : [])],
      isFreeText: false,
    });
  }
  return out.sort((a, b) => b.confidence - a.confidence);
};

const addSpan = (t: Tally, m: TextMatch, value: string, row: number, isRepeat: boolean): void => {
  if (!isRepeat) t.matched += 1;
  t.spanCount += 1;
  t.strength = Math.max(t.strength, m.strength);
  t.isSpecial ||= m.isSpecial;
  if (t.spans.length < maxSpans) t.spans.push({ start: m.start, end: m.end, row });
  if (t.examples.length < maxExamples) {
    const masked = maskSample(m.type, value.slice(m.start, m.end));
    if (!t.examples.includes(masked)) t.examples.push(masked);
  }
};

const identifierTypes = new Set<PiType>(['residentId', 'mobilePhone', 'landlinePhone', 'bankCard', 'passport', 'travelPermit', 'deviceId', 'medicalInsuranceNumber', 'medicalRecordNumber']);
const isIdentifierType = (type: PiType): boolean => identifierTypes.has(type);

const round = (n: number): number => Math.round(n * 1000) / 1000;
