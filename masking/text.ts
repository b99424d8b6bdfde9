/**
 * Character-level helpers shared by the display masks. Everything here is table-driven and
 * allocation-light: masks run on every field a service returns (target ≥ 1,000,000/s).
 */

/** What a suppressed value shows (COMPLIANCE.md §4: diagnoses are shown or `***`). */
export const SUPPRESSED = '***';
export const MASK_CHAR = '*';

const STARS: readonly string[] = Object.freeze(Array.from({ length: 65 }, (_, i) => '*'.repeat(i)));

/** `n` mask characters. */
export const stars = (n: number): string => (n <= 0 ? '' : n < 65 ? STARS[n]! : '*'.repeat(n));

export const DIGIT = 1;
export const LETTER = 2;
export const X_CHECK = 4;
export const SEPARATOR = 8;
export const SPACE = 16;

/** Classes of ASCII code points (after full-width normalisation). */
export const CLASS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (let c = 48; c <= 57; c++) table[c] = DIGIT;
  for (let c = 65; c <= 90; c++) table[c] = LETTER;
  for (let c = 97; c <= 122; c++) table[c] = LETTER;
  table[88] = LETTER | X_CHECK;
  table[120] = LETTER | X_CHECK;
  for (const ch of '-.()/_,:#+') table[ch.charCodeAt(0)] = SEPARATOR;
  for (const ch of ' \t\r\n') table[ch.charCodeAt(0)] = SPACE;
  return table;
})();

/**
 * Full-width ASCII (U+FF01–U+FF5E, common in Chinese input methods: `１３８`, `Ｘ`, `＠`) to
 * ASCII; the ideographic space and no-break space to a space.
 */
export const normCode = (c: number): number =>
  c >= 0xff01 && c <= 0xff5e ? c - 0xfee0 : c === 0x3000 || c === 0xa0 ? 0x20 : c;

/** Class of a normalised code point; non-ASCII whitespace counts as space. */
export const classOf = (c: number): number => (c < 128 ? CLASS[c]! : c === 0x200b || c === 0xfeff ? SPACE : 0);

export const isWhitespace = (c: number): boolean => (c < 128 ? (CLASS[c]! & SPACE) !== 0 : c === 0x200b || c === 0xfeff);

/** Normalises width only when needed (most inputs are already ASCII or plain CJK). */
export const normalizeWidth = (s: string): string => {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (normCode(c) !== c) break;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) out += String.fromCharCode(normCode(s.charCodeAt(i)));
  return out;
};

/**
 * The text a display mask works on: strings as they are, finite numbers and bigints as
 * decimal text, `null`/`undefined` as `null`. Anything else (objects, booleans, NaN) gives
 * `undefined`: the caller suppresses it, because it cannot be shown partially.
 */
export const textOf = (value: unknown): string | null | undefined => {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint') return value.toString();
  return undefined;
};

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/**
 * Generic fallback: hides most characters of anything. Keeps whitespace, shows the first
 * ⌊n/6⌋ (at least one from 3 characters on) and the last ⌊n/6⌋ of n visible characters, so at
 * least two thirds are always hidden. Works on code points, never splits a surrogate pair.
 */
export const maskMost = (s: string): string => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isHighSurrogate(c)) i++;
    if (!isWhitespace(normCode(c))) n++;
  }
  const keepFirst = n >= 3 ? Math.max(1, Math.floor(n / 6)) : 0;
  const keepLast = n >= 6 ? Math.floor(n / 6) : 0;
  return maskCodePoints(s, keepFirst, keepLast);
};

/**
 * Keeps the first `keepFirst` and last `keepLast` non-whitespace code points and hides the
 * rest; whitespace stays. When nothing would be hidden, hides everything instead.
 */
export const maskCodePoints = (s: string, keepFirst: number, keepLast: number): string => {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isHighSurrogate(c)) i++;
    if (!isWhitespace(normCode(c))) n++;
  }
  if (n === 0) return s;
  if (keepFirst + keepLast >= n) {
    keepFirst = 0;
    keepLast = 0;
  }
  let out = '';
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    const c = normCode(s.charCodeAt(i));
    const width = isHighSurrogate(c) && i + 1 < s.length ? 2 : 1;
    if (isWhitespace(c)) {
      out += String.fromCharCode(c);
      continue;
    }
    out += k < keepFirst || k >= n - keepLast ? (width === 2 ? s.slice(i, i + 2) : String.fromCharCode(c)) : MASK_CHAR;
    k++;
    i += width - 1;
  }
  return out;
};

/**
 * Masks the "significant" characters (class bits in `significant`) of a formatted identifier,
 * keeping the first `keepFirst` and last `keepLast` of them and every separator in place:
 * `138 1234 5678` → `138 **** 5678`. A character that is neither significant nor a separator
 * means the value is not of the expected shape: the generic fallback hides most of it.
 * Lower-case `x` check characters (resident ID numbers) come out upper-case.
 */
export const maskSignificant = (s: string, significant: number, keepFirst: number, keepLast: number): string => {
  let n = 0;
  let needsNormalizing = false;
  for (let i = 0; i < s.length; i++) {
    const raw = s.charCodeAt(i);
    const c = normCode(raw);
    if (c !== raw || c === 120) needsNormalizing = true;
    const f = classOf(c);
    if ((f & significant) !== 0) n++;
    else if ((f & (SEPARATOR | SPACE)) === 0) return maskMost(s);
  }
  if (n === 0) return s;
  if (keepFirst + keepLast >= n) {
    keepFirst = 0;
    keepLast = 0;
  }
  if (!needsNormalizing) {
    // Fast path: kept parts are slices of the input; only the hidden span is rebuilt.
    let k = 0;
    let start = -1;
    let end = s.length;
    let separatorsInside = false;
    const lastHidden = n - keepLast - 1;
    for (let i = 0; i < s.length; i++) {
      if ((classOf(s.charCodeAt(i)) & significant) === 0) {
        if (start >= 0) separatorsInside = true;
        continue;
      }
      if (k === keepFirst) start = i;
      if (k === lastHidden) {
        end = i + 1;
        break;
      }
      k++;
    }
    if (!separatorsInside) return s.slice(0, start) + stars(n - keepFirst - keepLast) + s.slice(end);
    let middle = '';
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      middle += (classOf(c) & significant) !== 0 ? MASK_CHAR : s[i];
    }
    return s.slice(0, start) + middle + s.slice(end);
  }
  let out = '';
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    const c = normCode(s.charCodeAt(i));
    if ((classOf(c) & significant) !== 0) {
      out += k < keepFirst || k >= n - keepLast ? String.fromCharCode(c === 120 && (significant & LETTER) === 0 ? 88 : c) : MASK_CHAR;
      k++;
    } else out += String.fromCharCode(c);
  }
  return out;
};

/** The significant characters of `s` (normalised), e.g. the digits of a phone number. */
export const significantChars = (s: string, significant: number): string => {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = normCode(s.charCodeAt(i));
    if ((classOf(c) & significant) !== 0) out += String.fromCharCode(c);
  }
  return out;
};

/** True when every character of `s` is an ASCII digit (fast-path check). */
export const isAsciiDigits = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
};
