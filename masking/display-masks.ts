/**
 * Display masks for Chinese personal identifiers (COMPLIANCE.md §4). Each is a pure function
 * that never throws: `null`/`undefined` → `null`; objects, booleans, NaN → `***`; empty or
 * whitespace → unchanged; anything of an unexpected shape → the generic mask, which hides at
 * least two thirds. Full-width digits, `+86`/`0086` prefixes and separators are understood.
 */
import {
  DIGIT,
  LETTER,
  MASK_CHAR,
  SUPPRESSED,
  X_CHECK,
  classOf,
  isAsciiDigits,
  maskCodePoints,
  maskMost,
  maskSignificant,
  normCode,
  normalizeWidth,
  significantChars,
  stars,
  textOf,
} from './text.js';

const ID_CHARS = DIGIT | X_CHECK;
const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
const ALNUM = DIGIT | LETTER;

const isResidentIdFast = (s: string): boolean => {
  const n = s.length;
  if (n !== 18 && n !== 15) return false;
  for (let i = 0; i < n - 1; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const last = s.charCodeAt(n - 1);
  return (last >= 48 && last <= 57) || last === 88;
};

/**
 * Resident ID number (GB 11643-1999, 18 characters, or the old 15-digit form). Default keeps
 * the first 3 and last 4 (hides birth date and sequence); strict keeps the first and last one.
 *
 * @example maskResidentId('11010219910101007X') // '110***********007X'
 */
export const maskResidentId = (value: unknown, keepFirst = 3, keepLast = 4): string | null => {
  const s = textOf(value);
  if (s === null) return null;
  if (s === undefined) return SUPPRESSED;
  if (isResidentIdFast(s)) return s.slice(0, keepFirst) + stars(s.length - keepFirst - keepLast) + s.slice(s.length - keepLast);
  return maskSignificant(s, ID_CHARS, keepFirst, keepLast);
};

/**
 * Digit count and the first six digits of `s`, packed as `count * 1e6 + first6` (missing
 * leading digits count as 0): one pass, no allocation, for the phone-number masks.
 */
const digitStats = (s: string): number => {
  let count = 0;
  let lead = 0;
  for (let i = 0; i < s.length; i++) {
    const c = normCode(s.charCodeAt(i));
    if (c >= 48 && c <= 57) {
      if (count < 6) lead = lead * 10 + (c - 48);
      count++;
    }
  }
  for (let k = count; k < 6; k++) lead *= 10;
  return count * 1e6 + lead;
};

/** The digit at position `p` (0–5) of the packed first six digits. */
const leadDigit = (stats: number, p: number): number => Math.floor((stats % 1e6) / 10 ** (5 - p)) % 10;

/** Digits of a leading country code (`+86`, `0086`, `86` before a full national number), else 0. */
const countryPrefixDigits = (s: string, stats: number, nationalLength: number): number => {
  const count = Math.floor(stats / 1e6);
  if (count >= 4 && leadDigit(stats, 0) === 0 && leadDigit(stats, 1) === 0 && leadDigit(stats, 2) === 8 && leadDigit(stats, 3) === 6) return 4;
  if (!(count >= 2 && leadDigit(stats, 0) === 8 && leadDigit(stats, 1) === 6)) return 0;
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  const first = normCode(s.charCodeAt(i));
  if (first === 43) return 2; // written with `+`
  return count >= nationalLength + 2 ? 2 : 0;
};

/**
 * Mobile number: keeps the first 3 and last 4 (`138****5678`), country code kept as written.
 *
 * @example maskMobile('+86 138 1234 5678') // '+86 138 **** 5678'
 */
export const maskMobile = (value: unknown, keepFirst = 3, keepLast = 4): string | null => {
  const s = textOf(value);
  if (s === null) return null;
  if (s === undefined) return SUPPRESSED;
  if (s.length === 11 && isAsciiDigits(s)) return s.slice(0, keepFirst) + stars(11 - keepFirst - keepLast) + s.slice(11 - keepLast);
  const prefix = countryPrefixDigits(s, digitStats(s), 11);
  return maskSignificant(s, DIGIT, prefix + keepFirst, keepLast);
};

/** Length of the area code (with trunk `0`) after `from` country digits, else 0. */
const areaCodeLength = (stats: number, from: number): number => {
  const d0 = leadDigit(stats, from);
  if (from > 0) return d0 === 1 || d0 === 2 ? 2 : 3; // after +86: 10 and 2x are two digits, others three
  if (d0 !== 0) return 0;
  const d1 = leadDigit(stats, 1);
  return d1 === 1 || d1 === 2 ? 3 : 4; // 010, 02x; otherwise 0xxx
};

/**
 * Landline: keeps the country and area codes and the last `keepLast` digits (`0571-****5678`);
 * strict keeps the area code only.
 *
 * @example maskLandline('0571-88886666') // '0571-****6666'
 */
export const maskLandline = (value: unknown, keepLast = 4): string | null => {
  const s = textOf(value);
  if (s === null) return null;
  if (s === undefined) return SUPPRESSED;
  const stats = digitStats(s);
  const count = Math.floor(stats / 1e6);
  const country = countryPrefixDigits(s, stats, 10);
  const area = count > country + 1 ? areaCodeLength(stats, country) : 0;
  const local = count - country - area;
  const keep = local > keepLast ? keepLast : 0;
  return maskSignificant(s, DIGIT, country + area, keep);
};

/**
 * Bank card or account number: keeps the first 6 (BIN) and last 4; patient-facing and strict
 * profiles keep the last 4 only (COMPLIANCE.md §4, PCI DSS convention).
 *
 * @example maskBankCard('6222 0212 3456 7890') // '6222 02** **** 7890'
 */
export const maskBankCard = (value: unknown, keepFirst = 6, keepLast = 4): string | null => {
  const s = textOf(value);
  if (s === null) return null;
  if (s === undefined) return SUPPRESSED;
  if (s.length >= 12 && s.length <= 19 && isAsciiDigits(s)) {
    return s.slice(0, keepFirst) + stars(s.length - keepFirst - keepLast) + s.slice(s.length - keepLast);
  }
  return maskSignificant(s, DIGIT, keepFirst, keepLast);
};

/**
 * Identifiers shown by their last characters only: medical insurance / social-security card
 * numbers, medical record (病案号), inpatient and outpatient numbers, device ids.
 * `keepLast = 0` hides all of it.
 *
 * @example maskKeepLast('ZY2024000123', 4) // '********0123'
 */
export const maskKeepLast = (value: unknown, keepLast = 4): string | null => {
  const s = textOf(value);
  if (s === null) return null;
  if (s === undefined) return SUPPRESSED;
  return maskSignificant(s, ALNUM, 0, keepLast);
};

/**
 * E-mail: keeps the first character of the local part and the domain (`z***@example.com`);
 * `keepLocal = false` shows the domain only (`***@example.com`).
 *
 * @example maskEmail('zhangsan@example.com') // 'z***@example.com'
 */
export const maskEmail = (value: unknown, keepLocal = true): string | null => {
  const text = textOf(value);
  if (text === null) return null;
  if (text === undefined) return SUPPRESSED;
  const s = normalizeWidth(text).trim();
  const at = s.lastIndexOf('@');
  if (at < 0 || at === s.length - 1) return s.length === 0 ? text : maskMost(text);
  const domain = s.slice(at);
  if (!keepLocal || at === 0) return `***${domain}`;
  const first = s.codePointAt(0)!;
  return `${String.fromCodePoint(first)}***${domain}`;
};

const isIpv4 = (s: string): boolean => {
  let dots = 0;
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (run === 0) return false;
      dots++;
      run = 0;
    } else if (c >= 48 && c <= 57) {
      if (++run > 3) return false;
    } else return false;
  }
  return dots === 3 && run > 0;
};

/**
 * IP address: IPv4 hides the last octet (`10.12.3.*`), strict keeps the first octet only;
 * IPv6 keeps the first 48 bits (three groups), strict the first group.
 *
 * @example maskIpAddress('10.12.3.45') // '10.12.3.*'
 */
export const maskIpAddress = (value: unknown, strict = false): string | null => {
  const text = textOf(value);
  if (text === null) return null;
  if (text === undefined) return SUPPRESSED;
  const s = normalizeWidth(text).trim();
  if (s.length === 0) return text;
  if (isIpv4(s)) {
    if (strict) return `${s.slice(0, s.indexOf('.'))}.*.*.*`;
    return `${s.slice(0, s.lastIndexOf('.'))}.*`;
  }
  if (s.includes(':')) {
    const groups = s.split(':');
    const keep = strict ? 1 : 3;
    let out = '';
    for (let i = 0; i < keep && i < groups.length; i++) {
      const g = groups[i]!;
      if (g.length === 0 || g.length > 4 || significantChars(g, DIGIT | LETTER).length !== g.length) break;
      out += i === 0 ? g : `:${g}`;
    }
    if (out.length > 0) return `${out}::*`;
  }
  return maskMost(text);
};

/**
 * Date of birth generalised to the year (`1985-**-**`); strict generalises to the decade
 * (`198*-**-**`). Understands `1985-04-12`, `1985/4/12`, `19850412`, `1985年4月12日`, ISO
 * date-times and FHIR partial dates.
 *
 * @example maskBirthDate('1985-04-12') // '1985-**-**'
 */
export const maskBirthDate = (value: unknown, strict = false): string | null => {
  const text = textOf(value);
  if (text === null) return null;
  if (text === undefined) return SUPPRESSED;
  const s = normalizeWidth(text).trim();
  if (s.length === 0) return text;
  let digits = 0;
  while (digits < s.length && (classOf(s.charCodeAt(digits)) & DIGIT) !== 0) digits++;
  if (digits === 4 || digits === 8) {
    return strict ? `${s.slice(0, 3)}*-**-**` : `${s.slice(0, 4)}-**-**`;
  }
  return maskMost(text);
};

/**
 * Coordinates truncated to `decimals` decimal places (2 ≈ 1 km; 1 ≈ 11 km, city level).
 * Accepts `"30.274084, 120.155070"`, a number, or a `[lng, lat]` array.
 *
 * @example maskCoordinates('30.274084,120.155070') // '30.27,120.15'
 */
export const maskCoordinates = (value: unknown, decimals = 2): string | null => {
  if (Array.isArray(value)) {
    let out = '';
    for (let i = 0; i < value.length; i++) {
      const part = typeof value[i] === 'number' ? maskCoordinates(value[i], decimals) : SUPPRESSED;
      out += i === 0 ? part : `, ${part}`;
    }
    return out;
  }
  const text = textOf(value);
  if (text === null) return null;
  if (text === undefined) return SUPPRESSED;
  const s = normalizeWidth(text);
  let out = '';
  let from = 0; // start of the not yet copied part of `s`
  let sawDigit = false;
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      sawDigit = true;
      i++;
      continue;
    }
    if (c === 46 && i > 0 && isDigitCode(s.charCodeAt(i - 1))) {
      // a fraction: keep the point and `decimals` digits, drop the rest (truncation, not rounding)
      let j = i + 1;
      while (j < s.length && isDigitCode(s.charCodeAt(j))) j++;
      out += s.slice(from, decimals > 0 ? Math.min(j, i + 1 + decimals) : i);
      from = j;
      i = j;
      continue;
    }
    if (classOf(c) === 0 && c !== 59 && c !== 0xb0) return maskMost(text); // `;` and `°` also appear
    i++;
  }
  out += s.slice(from);
  return sawDigit ? out : maskMost(text);
};

/**
 * Diagnoses, prescriptions and lab results are never partially masked: masked means
 * suppressed (COMPLIANCE.md §4, GB/T 39725 level logic).
 *
 * @example suppress('J45.909 哮喘') // '***'
 */
export const suppress = (value: unknown): string | null => (value === null || value === undefined ? null : SUPPRESSED);

/**
 * Generic: keeps the first `first` and last `last` characters (code points) and hides the rest;
 * hides everything when nothing would be left to hide.
 *
 * @example keepFirstLast('ABCDEFGH', 2, 2) // 'AB****GH'
 */
export const keepFirstLast = (value: unknown, first: number, last: number): string | null => {
  const s = textOf(value);
  if (s === null) return null;
  if (s === undefined) return SUPPRESSED;
  return maskCodePoints(s, Math.max(0, first | 0), Math.max(0, last | 0));
};

/**
 * Generic: hides code points `start` (inclusive) to `end` (exclusive); negative `end` counts
 * from the end.
 *
 * @example maskRange('ABCDEFGH', 2, 5) // 'AB***FGH'
 */
export const maskRange = (value: unknown, start: number, end: number): string | null => {
  const s = textOf(value);
  if (s === null) return null;
  if (s === undefined) return SUPPRESSED;
  const chars = Array.from(s);
  const n = chars.length;
  const from = Math.max(0, Math.min(n, start | 0));
  const to = end < 0 ? Math.max(from, n + (end | 0)) : Math.max(from, Math.min(n, end | 0));
  for (let i = from; i < to; i++) chars[i] = MASK_CHAR;
  return chars.join('');
};

/**
 * Generic: hides everything before the first `marker` character (`zhangsan@x.cn` with `@` →
 * `********@x.cn`); without the marker, the generic mask.
 *
 * @example maskBefore('zhangsan@x.cn', '@') // '********@x.cn'
 */
export const maskBefore = (value: unknown, marker: string): string | null => {
  const s = textOf(value);
  if (s === null) return null;
  if (s === undefined) return SUPPRESSED;
  const at = marker.length === 0 ? -1 : s.indexOf(marker);
  if (at < 0) return maskMost(s);
  return stars(Array.from(s.slice(0, at)).length) + s.slice(at);
};

/**
 * Generic fallback for any PI type without a dedicated mask: hides at least two thirds.
 *
 * @example maskGeneric('ABCDEFGHIJKL') // 'AB********KL'
 */
export const maskGeneric = (value: unknown): string | null => {
  const s = textOf(value);
  if (s === null) return null;
  if (s === undefined) return SUPPRESSED;
  return maskMost(s);
};

