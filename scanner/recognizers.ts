// Recognizers: a pattern, a validator, context words and name hints combine into a strength
// (0..1) per value or per span. `matchValue` judges a whole column value; `scanText` finds
// spans in free text. Both are compiled once by `compileRecognizers` and hold no state between
// calls (global regexes are reset on every call).
import { isLuhnValid, isUsccValid } from './check-digits.js';
import {
  addressMarkers,
  bankBinPrefixes,
  cities,
  compoundSurnames,
  diagnosisTerms,
  drugTerms,
  ethnicGroups,
  geneNames,
  geneticContext,
  labTerms,
  labUnits,
  mobilePrefixes,
  provinces,
  singleSurnames,
} from './lexicon.js';
import { isCalendarDate, parseResidentId } from './resident-id.js';
import type { PiType } from './types.js';

/** One type a value may be, how strongly, and whether a name hint is required to believe it. */
export interface ValueMatch {
  readonly type: PiType;
  readonly strength: number;
  readonly needsHint: boolean;
  /** Reveals a special condition (GB/T 39725 level 5): HIV, STD, mental illness, ... */
  readonly isSpecial: boolean;
}

/** A span found in free text: JavaScript string indices, end exclusive. */
export interface TextMatch {
  readonly type: PiType;
  readonly start: number;
  readonly end: number;
  readonly strength: number;
  readonly isSpecial: boolean;
}

export interface Recognizers {
  matchValue(value: string): readonly ValueMatch[];
  scanText(text: string, offset?: number): readonly TextMatch[];
}

const emailPattern = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const ipv4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const macPattern = /^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$/;
const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const passportPattern = /^(?:[EGDSP]\d{8}|E[A-HJ-NP-Z]\d{7})$/;
const permitPattern = /^(?:[CLHM]\d{8}|[HM]\d{10}|C[A-HJ-NP-Z]\d{7})$/;
const icd10Pattern = /^[A-TV-Z]\d{2}(?:\.[0-9A-Z]{1,4})?$/;
const openIdPattern = /^o[A-Za-z0-9_-]{27}$/;
const hgvsPattern = /^(?:[cgn]\.-?\d+(?:[+-]\d+)?[ACGT]>[ACGT]|p\.[A-Z][a-z]{2}\d+(?:[A-Z][a-z]{2}|\*|fs))$/;
const rsIdPattern = /^rs\d{3,10}$/;
const dnaPattern = /^[ACGT]{20,}$/;
const datePattern = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;
const compactDatePattern = /^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
const landlinePattern = /^(?:\(?0\d{2,3}\)?[- ]?)\d{7,8}(?:-\d{1,5})?$/;
const decimalPattern = /^-?\d{1,3}\.\d{4,}$/;
const gpsPairPattern = /^(-?\d{1,2}\.\d{4,})\s*[,，\s]\s*(-?\d{1,3}\.\d{4,})$/;
const recordNumberPattern = /^[A-Z]{0,4}[-]?\d{5,14}$/;
const insuranceNumberPattern = /^[A-Z0-9]{8,24}$/;
const numberPattern = /^[<>≤≥]?-?\d+(?:\.\d+)?$/;
const numberWithUnitPattern = /^[<>≤≥]?-?\d+(?:\.\d+)?\s*(?:mmol\/L|μmol\/L|umol\/L|g\/L|mg\/L|mg\/dL|U\/L|IU\/L|×10\^9\/L|×10\^12\/L|10\^9\/L|ng\/mL|pg\/mL|mIU\/L|%)$/;
const genotypePattern = /^[ACGT]{1,2}\/[ACGT]{1,2}$|^[ACGT]{2}$/;
const cjkPattern = /^[\u4e00-\u9fff·]{2,5}$/;
const latinNamePattern = /^[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}$/;
const cjkAnywhere = /[\u4e00-\u9fff]/;
const latinWord = /[A-Za-z]{5}/;
const englishGender = new Set(['M', 'F', 'MALE', 'FEMALE', 'U', 'UNKNOWN', '0', '1', '2', '9']);
const chineseGender = new Set(['男', '女', '男性', '女性', '未知', '未说明']);

// Context words a span needs nearby (before it), by type.
const contextWords = {
  passport: ['护照', 'passport'],
  travelPermit: ['通行证', '回乡证', '台胞证', 'permit'],
  diagnosisCode: ['诊断', 'icd', '编码', 'diagnos', '疾病'],
  deviceId: ['imei', 'idfa', 'oaid', 'android', '设备', 'device'],
  wechatOpenId: ['openid', 'unionid', '微信', 'wechat'],
  geneticData: [...geneticContext.map((w) => w.toLowerCase())],
  landlinePhone: ['电话', '座机', 'tel', 'phone', '联系'],
} as const;

// Decoy context: the number is an order, transaction, specimen or invoice number.
const decoyWords = ['订单', '流水', '交易', '单号', '样本', '标本', '发票', '批号', '运单', '检验号', 'order', 'txn', 'trade', 'accession', 'invoice', 'tracking'];

// Characters that end a Chinese given name in running text (function words, punctuation).
const nameStopChars = new Set('因于在的是来入主男女性年今自诉反出已被和与及等、，,。；;：:（(）) 0123456789岁患，医护先女士之'.split(''));

const decoyPattern = new RegExp(decoyWords.join('|'), 'i');
// The number follows "订单号", "流水号", "order no." ...: a decoy, not a personal identifier.
const isDecoyContext = (text: string, start: number): boolean => decoyPattern.test(text.slice(Math.max(0, start - 16), start));

const versionBefore = /(?:版本号?|version|ver\.?|\bv)\s*[:：]?\s*$/i;

// Letters (and a hyphen) only: an ordinary word, not a code or identifier.
const isPlainWord = (t: string): boolean => {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i) | 0x20;
    if ((c < 97 || c > 122) && t.charCodeAt(i) !== 45) return false;
  }
  return true;
};

const hasAny = (window: string, words: readonly string[]): boolean => words.some((w) => window.includes(w));

const isAllDigits = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
};

const isPlausibleDate = (y: number, m: number, d: number): boolean => y >= 1900 && y <= 2100 && isCalendarDate(y, m, d);

const isDate = (s: string): boolean => {
  const m = datePattern.exec(s) ?? compactDatePattern.exec(s);
  if (m === null) return false;
  if (m[0].length === 8 && !s.includes('-')) return isPlausibleDate(Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6, 8)));
  return isPlausibleDate(Number(m[1]), Number(m[2]), Number(m[3]));
};

const isIpv4 = (s: string): boolean => {
  const m = ipv4Pattern.exec(s);
  if (m === null) return false;
  for (let i = 1; i <= 4; i++) if (Number(m[i]) > 255 || (m[i]!.length > 1 && m[i]!.startsWith('0'))) return false;
  return Number(m[1]) !== 0;
};

const isIpv6 = (s: string): boolean => {
  if (!/^[0-9A-Fa-f:]+$/.test(s) || s.length < 6) return false;
  const groups = s.split(':');
  if (groups.length < 3 || groups.length > 8) return false;
  if (groups.some((g) => g.length > 4)) return false;
  const hasDoubleColon = s.includes('::');
  if (!hasDoubleColon && groups.length !== 8) return false;
  return hasDoubleColon || /[A-Fa-f]/.test(s);
};

const isMobile = (digits: string): boolean =>
  digits.length === 11 && digits.charCodeAt(0) === 49 && mobilePrefixes.has(digits.slice(0, 3));

const stripCountryCode = (digits: string): string =>
  digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits.length === 15 && digits.startsWith('0086') ? digits.slice(4) : digits;

// Area codes: 010 and 02x are three digits; others are 03xx–09xx (GB/T 13667 style plan).
const isAreaCode = (code: string): boolean =>
  code === '010' || /^02\d$/.test(code) || /^0[3-9]\d{2}$/.test(code);

const isLandline = (value: string): boolean => {
  if (!landlinePattern.test(value)) return false;
  const digits = value.replace(/\D/g, '');
  const area = digits.startsWith('010') || digits.startsWith('02') ? digits.slice(0, 3) : digits.slice(0, 4);
  if (!isAreaCode(area)) return false;
  const local = value.split(/-(?=\d{1,5}$)/)[0]!.replace(/\D/g, '').slice(area.length);
  return (local.length === 7 || local.length === 8) && local[0] !== '0' && local[0] !== '1';
};

const binStrength = (digits: string): number =>
  bankBinPrefixes.some((p) => p.length >= 6 && digits.startsWith(p)) ? 0.9 : bankBinPrefixes.some((p) => digits.startsWith(p)) ? 0.8 : 0.5;

const isBankCard = (digits: string): boolean => digits.length >= 16 && digits.length <= 19 && isLuhnValid(digits);

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Keyword =
  | { readonly kind: 'diagnosis' | 'drug' | 'lab'; readonly isSpecial: boolean }
  | { readonly kind: 'ethnicity' | 'place' | 'nameBefore' | 'gender' | 'birth' | 'age' }
  | { readonly kind: 'nameAfter'; readonly strength: number };

// Two passes may find the same span (a date after "DOB" is seen by both): keep the first.
const dedupeSpans = (spans: TextMatch[]): readonly TextMatch[] => {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: TextMatch[] = [];
  const lastEnd = new Map<PiType, number>();
  for (const span of spans) {
    if (span.start < (lastEnd.get(span.type) ?? -1)) continue;
    lastEnd.set(span.type, span.end);
    out.push(span);
  }
  return out;
};

/**
 * Compiles the recognizers once (regexes, word sets). `todayIso` bounds birth dates in ID
 * numbers (an ID born in the future is a decoy).
 *
 * @example compileRecognizers('2026-01-01').matchValue('110102199101010078')[0]?.type // 'residentId'
 */
export const compileRecognizers = (todayIso: string): Recognizers => {
  const surnames = new Set(singleSurnames.split(''));
  const ethnic = new Set<string>(ethnicGroups);
  const ethnicShort = new Set(ethnicGroups.map((e) => e.slice(0, -1)));
  const diag = diagnosisTerms.map((t) => ({ ...t, re: t.term }));
  const drugsLatin = new Map(drugTerms.filter((d) => /^[a-z]/.test(d.term)).map((d) => [d.term, d.special === true]));
  const labLatin = new Map(labTerms.filter((d) => /^[A-Za-z]/.test(d.term)).map((d) => [d.term, d.special === true]));
  const genes = new Set<string>(geneNames);
  const diagSpecial = new Map(diagnosisTerms.map((d) => [d.term, d.special === true]));
  const drugSpecial = new Map(drugTerms.map((d) => [d.term, d.special === true]));
  const labSpecial = new Map(labTerms.map((d) => [d.term, d.special === true]));
  const fineMarkers = new Set(['路', '街', '巷', '弄', '号', '村', '栋', '幢', '室', '镇', '乡', '道', '区', '县']);
  const markerSet = new Set(addressMarkers.flatMap((m) => m.split('')));

  const keywords = new Map<string, Keyword>();
  for (const d of diagnosisTerms) keywords.set(d.term, { kind: 'diagnosis', isSpecial: d.special === true });
  for (const d of drugTerms) if (!/^[a-z]/.test(d.term)) keywords.set(d.term, { kind: 'drug', isSpecial: d.special === true });
  for (const d of labTerms) if (/[\u4e00-\u9fff]/.test(d.term)) keywords.set(d.term, { kind: 'lab', isSpecial: d.special === true });
  for (const e of ethnicGroups) keywords.set(e, { kind: 'ethnicity' });
  for (const p of [...provinces, ...cities]) keywords.set(p, { kind: 'place' });
  for (const w of ['姓名', '患者姓名', '联系人']) keywords.set(w, { kind: 'nameAfter', strength: 0.9 });
  for (const w of ['患者', '病人', '患儿', '医师', '医生', '护士', '家属', '产妇']) keywords.set(w, { kind: 'nameAfter', strength: 0.75 });
  for (const w of ['先生', '女士']) keywords.set(w, { kind: 'nameBefore' });
  keywords.set('性别', { kind: 'gender' });
  for (const w of ['出生日期', '出生于', '出生', '生日', 'DOB', 'Date of birth']) keywords.set(w, { kind: 'birth' });
  keywords.set('岁', { kind: 'age' });
  // Keyword matching: a table of first characters and a set of first-two-character codes find
  // candidates in one pass over the char codes; the words that start there are tried longest
  // first (what a sorted alternation would do, at many times the speed of a 400-way regex).
  const byFirstChar = new Map<number, string[]>();
  for (const word of [...keywords.keys()].sort((a, b) => b.length - a.length)) {
    const list = byFirstChar.get(word.charCodeAt(0)) ?? [];
    list.push(word);
    byFirstChar.set(word.charCodeAt(0), list);
  }
  const isFirstChar = new Uint8Array(65536);
  for (const c of byFirstChar.keys()) isFirstChar[c] = 1;
  const singleCharKeywords = new Set([...keywords.keys()].filter((w) => w.length === 1).map((w) => w.charCodeAt(0)));
  const keywordBigrams = new Set([...keywords.keys()].filter((w) => w.length > 1).map((w) => w.charCodeAt(0) * 65536 + w.charCodeAt(1)));
  const diagAlternation = new RegExp(`(?:${diag.map((d) => escapeRegex(d.re)).join('|')})`);
  const drugAlternation = new RegExp(`(?:${drugTerms.map((d) => escapeRegex(d.term)).join('|')})`, 'i');
  const labAlternation = new RegExp(`^(?:${labTerms.map((d) => escapeRegex(d.term)).join('|')})`);
  const unitSource = labUnits.map(escapeRegex).join('|');
  const labValueAfter = new RegExp(`^[\\s:：为是]{0,3}[<>≤≥]?-?\\d+(?:\\.\\d+)?\\s*(?:${unitSource})?`);

  const isChineseName = (v: string): boolean => {
    if (!cjkPattern.test(v)) return false;
    if (compoundSurnames.some((c) => v.startsWith(c))) return v.length >= 3 && v.length <= 4;
    return surnames.has(v[0]!) && v.length <= 3 && !keywords.has(v) && !diagAlternation.test(v);
  };

  const matchValue = (raw: string): readonly ValueMatch[] => {
    const v = raw.trim();
    const out: ValueMatch[] = [];
    const add = (type: PiType, strength: number, needsHint = false, isSpecial = false): void => {
      out.push({ type, strength, needsHint, isSpecial });
    };
    if (v.length === 0 || v.length > 4096) return out;
    const upper = v.toUpperCase();
    const compact = v.replace(/[\s-]/g, '');
    if (v.length <= 40) {
      if (compact.length === 18) {
        if (parseResidentId(compact.toUpperCase(), todayIso) !== undefined) add('residentId', 0.95);
        else if (isUsccValid(upper)) add('orgCreditCode', 0.95);
      }
      if (isAllDigits(compact.replace(/^\+/, ''))) {
        const digits = stripCountryCode(compact.replace(/^\+/, ''));
        if (isMobile(digits)) add('mobilePhone', /^\+?(?:86)?1\d{10}$|^1\d{2}[- ]\d{4}[- ]\d{4}$/.test(v.replace(/\s/g, '')) ? 0.85 : 0.7);
        if (isBankCard(digits)) add('bankCard', binStrength(digits));
        if (digits.length === 15 && isLuhnValid(digits)) add('deviceId', 0.5, true);
        if (isAllDigits(v) && digits.length >= 5 && digits.length <= 14) add('medicalRecordNumber', 0.3, true);
        if (isAllDigits(v) && digits.length >= 8) add('medicalInsuranceNumber', 0.3, true);
      }
      if (isLandline(v)) add('landlinePhone', v.includes('-') ? 0.85 : 0.6);
      if (emailPattern.test(v)) add('email', 0.95);
      if (isIpv4(v) || isIpv6(v)) add('ipAddress', 0.85);
      if (macPattern.test(v)) add('macAddress', 0.9);
      if (uuidPattern.test(v) || /^[0-9a-f]{16}$/i.test(v)) add('deviceId', 0.4, true);
      if (openIdPattern.test(v)) add('wechatOpenId', 0.6);
      if (passportPattern.test(upper)) add('passport', 0.5, true);
      if (permitPattern.test(upper)) add('travelPermit', 0.45, true);
      if (icd10Pattern.test(upper)) add('diagnosisCode', upper.includes('.') ? 0.7 : 0.55);
      if (isDate(v)) add('birthDate', 0.5, true);
      if (gpsPairPattern.test(v)) add('gpsCoordinate', 0.75);
      else if (decimalPattern.test(v) && Math.abs(Number(v)) <= 180) add('gpsCoordinate', 0.5, true);
      if (ethnic.has(v)) add('ethnicity', 0.9);
      else if (ethnicShort.has(v)) add('ethnicity', 0.5, true);
      if (chineseGender.has(v)) add('gender', 0.8);
      else if (englishGender.has(upper)) add('gender', 0.5, true);
      if (rsIdPattern.test(v) || hgvsPattern.test(v) || dnaPattern.test(v)) add('geneticData', 0.85);
      else if (genotypePattern.test(v)) add('geneticData', 0.4, true);
      else if (genes.has(upper)) add('geneticData', 0.5, true);
      if (isChineseName(v)) add('personName', 0.7);
      else if (latinNamePattern.test(v)) add('personName', 0.45, true);
      if (numberWithUnitPattern.test(v)) add('labResult', 0.55, true);
      else if (numberPattern.test(v)) {
        add('labResult', 0.3, true);
        add('wearableMetric', 0.4, true);
      }
      if (recordNumberPattern.test(upper) && !isAllDigits(v)) add('medicalRecordNumber', 0.4, true);
      if (insuranceNumberPattern.test(upper) && !isAllDigits(v)) add('medicalInsuranceNumber', 0.3, true);
    }
    // Dictionary tests are the costly part; most values (numbers, codes) cannot match them.
    if (v.length > 80) return out;
    const hasCjk = cjkAnywhere.test(v);
    if (hasCjk && v.length <= 60 && diagAlternation.test(v)) {
      const hit = diagnosisTerms.find((d) => v.includes(d.term));
      add('diagnosis', 0.85, false, hit?.special === true);
    } else if (hasCjk && /^[\u4e00-\u9fff]{2,12}(?:病|症|炎|癌|瘤|综合征|感染|损伤|骨折)$/.test(v)) add('diagnosis', 0.5, true);
    if ((hasCjk || latinWord.test(v)) && v.length <= 60 && drugAlternation.test(v)) {
      const hit = drugTerms.find((d) => v.toLowerCase().includes(d.term));
      add('drug', 0.85, false, hit?.special === true);
    } else if (hasCjk && /^[\u4e00-\u9fffA-Za-z]{2,16}(?:片|胶囊|注射液|颗粒|口服液|缓释片|软膏|滴眼液)$/.test(v)) add('drug', 0.6);
    if (labAlternation.test(v)) {
      const term = labTerms.find((t) => v.startsWith(t.term));
      if (term !== undefined && labValueAfter.test(v.slice(term.term.length))) add('labResult', 0.8, false, term.special === true);
    }
    if (hasCjk && isAddress(v)) add('address', 0.8);
    return out;
  };

  const isAddress = (v: string): boolean => {
    if (v.length < 6 || v.length > 80) return false;
    const startsWithPlace = provinces.some((p) => v.startsWith(p)) || cities.some((c) => v.startsWith(c));
    let markers = 0;
    let fine = 0;
    for (const ch of v) {
      if (markerSet.has(ch)) markers += 1;
      if (fineMarkers.has(ch)) fine += 1;
    }
    return (startsWithPlace && markers >= 2 && fine >= 1) || (markers >= 3 && fine >= 2 && /\d+号/.test(v));
  };

  // Free text: two passes. The token pass looks at every ASCII token (numbers, e-mail, codes);
  // the keyword pass at every dictionary word and context anchor.
  const tokenSource = '[0-9A-Za-z][0-9A-Za-z._:@>+\\-]*';

  const scanText = (text: string, offset = 0): readonly TextMatch[] => {
    const out: TextMatch[] = [];
    const push = (type: PiType, start: number, end: number, strength: number, isSpecial = false): void => {
      out.push({ type, start: start + offset, end: end + offset, strength, isSpecial });
    };
    const before = (start: number, width = 16): string => text.slice(Math.max(0, start - width), start).toLowerCase();
    const tokenRe = new RegExp(tokenSource, 'g');
    for (let m = tokenRe.exec(text); m !== null; m = tokenRe.exec(text)) {
      let t = m[0];
      while (t.length > 0 && '.-:>+'.includes(t[t.length - 1]!)) t = t.slice(0, -1);
      if (t.length < 3) continue;
      const s = m.index;
      const e = s + t.length;
      const c0 = t.charCodeAt(0);
      if (c0 >= 48 && c0 <= 57) {
        if (t.includes('@')) {
          if (emailPattern.test(t)) push('email', s, e, 0.95);
          continue;
        }
        const digitsOnly = isAllDigits(t);
        if (digitsOnly || /^\d{17}[Xx]$/.test(t)) {
          if (t.length === 3 && t[0] === '1' && mobilePrefixes.has(t)) {
            // "138 0013 8000": a mobile number written in groups.
            const rest = /^ \d{4} \d{4}(?!\d)/.exec(text.slice(e, e + 11));
            if (rest !== null && !isDecoyContext(text, s)) {
              push('mobilePhone', s, e + rest[0].length, 0.85);
              tokenRe.lastIndex = e + rest[0].length;
            }
            continue;
          }
          if (t.length < 10) continue;
          if (isDecoyContext(text, s)) continue;
          if (t.length === 18) {
            if (parseResidentId(t.toUpperCase(), todayIso) !== undefined) push('residentId', s, e, 0.95);
            else if (isUsccValid(t)) push('orgCreditCode', s, e, 0.9);
            else if (isBankCard(t)) push('bankCard', s, e, binStrength(t));
            continue;
          }
          const digits = stripCountryCode(t);
          if (isMobile(digits)) push('mobilePhone', s, e, 0.85);
          else if (t.length === 15 && isLuhnValid(t) && hasAny(before(s, 24), contextWords.deviceId)) push('deviceId', s, e, 0.8);
          else if (isBankCard(t)) push('bankCard', s, e, binStrength(t));
          else if (t[0] === '0' && isLandline(t) && hasAny(before(s), contextWords.landlinePhone)) push('landlinePhone', s, e, 0.75);
          continue;
        }
        if (t.includes('-')) {
          if (isLandline(t)) {
            if (!isDecoyContext(text, s)) push('landlinePhone', s, e, 0.8);
            continue;
          }
          const compact = t.replace(/-/g, '');
          if (isAllDigits(compact) && !isDecoyContext(text, s)) {
            if (isMobile(compact) && /^1\d{2}-\d{4}-\d{4}$/.test(t)) push('mobilePhone', s, e, 0.85);
            else if (isBankCard(compact)) push('bankCard', s, e, binStrength(compact));
            else if (isDate(t) && hasAny(before(s, 12), ['出生', '生日', 'birth', 'dob', 'born'])) push('birthDate', s, e, 0.85);
            continue;
          }
        }
        if (t.includes('.')) {
          if (isIpv4(t)) {
            // A dotted quad after "版本"/"version" is a version number, not an address.
            if (!versionBefore.test(text.slice(Math.max(0, s - 10), s))) push('ipAddress', s, e, 0.8);
            continue;
          }
          if (decimalPattern.test(t)) {
            const rest = /^\s*[,，]\s*(-?\d{1,3}\.\d{4,})/.exec(text.slice(e, e + 24));
            if (rest !== null) {
              push('gpsCoordinate', s, e + rest[0].length, 0.75);
              tokenRe.lastIndex = e + rest[0].length;
            }
            continue;
          }
        }
        if (t.includes(':') && macPattern.test(t)) push('macAddress', s, e, 0.9);
        else if (t.includes(':') && isIpv6(t)) push('ipAddress', s, e, 0.75);
        else if (t.includes('-') && macPattern.test(t)) push('macAddress', s, e, 0.9);
        continue;
      }
      // Letter-led tokens. Plain words (most of English text) only meet a few word lists.
      if (t.includes('@')) {
        const colon = t.lastIndexOf(':', t.indexOf('@'));
        const from = colon >= 0 ? colon + 1 : 0; // "email:a@b.com"
        if (emailPattern.test(t.slice(from))) push('email', s + from, e, 0.95);
        continue;
      }
      if (isPlainWord(t)) {
        if (t.length >= 20 && dnaPattern.test(t)) push('geneticData', s, e, 0.85);
        else if (genes.has(t)) {
          if (hasAny(text.slice(Math.max(0, s - 24), e + 24).toLowerCase(), contextWords.geneticData)) push('geneticData', s, e, 0.75);
        } else if (labLatin.has(t)) {
          const value = labValueAfter.exec(text.slice(e, e + 24));
          if (value !== null && /\d/.test(value[0])) push('labResult', s, e + value[0].length, 0.75, labLatin.get(t));
        } else if (t.length >= 7 && t.length <= 12) {
          const drugSpecialFlag = drugsLatin.get(t.toLowerCase());
          if (drugSpecialFlag !== undefined) push('drug', s, e, 0.75, drugSpecialFlag);
        }
        continue;
      }
      if (t.length === 9 || t.length === 11) {
        const u = t.toUpperCase();
        if (passportPattern.test(u) && hasAny(before(s, 20), contextWords.passport)) {
          push('passport', s, e, 0.85);
          continue;
        }
        if (permitPattern.test(u) && hasAny(before(s, 20), contextWords.travelPermit)) {
          push('travelPermit', s, e, 0.85);
          continue;
        }
      }
      if (t.length <= 8 && icd10Pattern.test(t)) {
        if (hasAny(before(s, 24), contextWords.diagnosisCode)) push('diagnosisCode', s, e, 0.8);
        continue;
      }
      if (t.length === 28 && openIdPattern.test(t)) {
        if (hasAny(before(s, 24), contextWords.wechatOpenId)) push('wechatOpenId', s, e, 0.85);
        continue;
      }
      if (t.length === 36 && uuidPattern.test(t)) {
        if (hasAny(before(s, 24), contextWords.deviceId)) push('deviceId', s, e, 0.8);
        continue;
      }
      if (t.includes(':') && (macPattern.test(t) || isIpv6(t))) {
        push(macPattern.test(t) ? 'macAddress' : 'ipAddress', s, e, 0.8);
        continue;
      }
      if (rsIdPattern.test(t) || hgvsPattern.test(t) || dnaPattern.test(t)) {
        push('geneticData', s, e, 0.85);
        continue;
      }
      if (genes.has(t) && hasAny(text.slice(Math.max(0, s - 24), e + 24).toLowerCase(), contextWords.geneticData)) {
        push('geneticData', s, e, 0.75);
        continue;
      }
      const lower = t.toLowerCase();
      const drugSpecialFlag = drugsLatin.get(lower);
      if (drugSpecialFlag !== undefined) {
        push('drug', s, e, 0.75, drugSpecialFlag);
        continue;
      }
      const labSpecialFlag = labLatin.get(t);
      if (labSpecialFlag !== undefined) {
        const value = labValueAfter.exec(text.slice(e, e + 24));
        if (value !== null && /\d/.test(value[0])) push('labResult', s, e + value[0].length, 0.75, labSpecialFlag);
        continue;
      }
      // "Tel:13800138000", "ID.110102…": a label glued to a value; scan again after the separator.
      const glue = t.search(/[:.]/);
      if (glue > 0 && glue < t.length - 1) tokenRe.lastIndex = s + glue + 1;
    }

    const resume = { at: 0 }; // where the keyword pass resumes (handlers move it past what they consumed)
    for (let s = 0; s < text.length; s = Math.max(s + 1, resume.at)) {
      const c0 = text.charCodeAt(s);
      if (isFirstChar[c0] === 0) continue;
      if (!singleCharKeywords.has(c0) && !keywordBigrams.has(c0 * 65536 + text.charCodeAt(s + 1))) continue;
      let word: string | undefined;
      for (const w of byFirstChar.get(c0)!) {
        if (text.startsWith(w, s)) {
          word = w;
          break;
        }
      }
      if (word === undefined) continue;
      const e = s + word.length;
      resume.at = e;
      const kw = keywords.get(word)!;
      switch (kw.kind) {
        case 'diagnosis':
          push('diagnosis', s, e, 0.85, kw.isSpecial || diagSpecial.get(word) === true);
          break;
        case 'drug':
          push('drug', s, e, 0.85, kw.isSpecial || drugSpecial.get(word) === true);
          break;
        case 'lab': {
          const value = labValueAfter.exec(text.slice(e, e + 24));
          if (value !== null && /\d/.test(value[0])) {
            push('labResult', s, e + value[0].length, 0.8, kw.isSpecial || labSpecial.get(word) === true);
            resume.at = e + value[0].length;
          } else if (/^[\s:：]{0,2}(?:阳性|阴性|\+|-)/.test(text.slice(e, e + 6))) {
            push('labResult', s, e + (/^[\s:：]{0,2}(?:阳性|阴性|\+|-)/.exec(text.slice(e, e + 6))![0].length), 0.8, kw.isSpecial);
          }
          break;
        }
        case 'ethnicity':
          push('ethnicity', s, e, hasAny(before(s, 6), ['民族']) ? 0.9 : 0.7);
          break;
        case 'place': {
          const run = /^[\u4e00-\u9fff0-9A-Za-z#-]{0,40}/.exec(text.slice(e, e + 40))![0];
          let markers = 0;
          let fine = 0;
          let last = -1;
          for (let i = 0; i < run.length; i++) {
            const ch = run[i]!;
            if (markerSet.has(ch)) {
              markers += 1;
              if (fineMarkers.has(ch)) fine += 1;
              last = i;
            }
          }
          if (markers >= 2 && fine >= 1 && last >= 0) {
            push('address', s, e + last + 1, 0.8);
            resume.at = e + last + 1;
          }
          break;
        }
        case 'nameAfter': {
          const after = text.slice(e, e + 8);
          const lead = /^[:：\s]{0,2}/.exec(after)![0].length;
          const name = extractName(after.slice(lead));
          if (name > 0) push('personName', e + lead, e + lead + name, kw.strength);
          break;
        }
        case 'nameBefore': {
          const back = text.slice(Math.max(0, s - 4), s);
          for (let len = Math.min(4, back.length); len >= 2; len--) {
            const cand = back.slice(back.length - len);
            if (extractName(cand) === len) {
              push('personName', s - len, s, 0.75);
              break;
            }
          }
          break;
        }
        case 'gender': {
          const g = /^[:：\s]{0,3}(男|女)/.exec(text.slice(e, e + 6));
          if (g !== null) push('gender', e + g[0].length - 1, e + g[0].length, 0.9);
          break;
        }
        case 'age': {
          const g = /(男|女)[，,、\s]{1,2}\d{1,3}$/.exec(text.slice(Math.max(0, s - 7), s));
          if (g !== null) {
            const at = s - g[0].length;
            push('gender', at, at + 1, 0.75);
          }
          break;
        }
        case 'birth': {
          const d = /^[:：\s于是为]{0,3}(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)/.exec(text.slice(e, e + 20));
          if (d !== null && isDate(d[1]!)) push('birthDate', e + d[0].length - d[1]!.length, e + d[0].length, 0.85);
          break;
        }
      }
    }
    return dedupeSpans(out);
  };

  // Length of a Chinese personal name at the start of `s` (0 when there is none).
  const extractName = (s: string): number => {
    let surname = 0;
    if (compoundSurnames.some((c) => s.startsWith(c))) surname = 2;
    else if (s.length > 0 && surnames.has(s[0]!)) surname = 1;
    if (surname === 0) return 0;
    let given = 0;
    while (given < 2 && surname + given < s.length) {
      const ch = s[surname + given]!;
      if (nameStopChars.has(ch) || !/[\u4e00-\u9fff]/.test(ch)) break;
      given += 1;
    }
    if (given === 0) return 0;
    const name = s.slice(0, surname + given);
    if (keywords.has(name) || diagAlternation.test(name)) return 0;
    return surname + given;
  };

  return Object.freeze({ matchValue, scanText });
};
