/**
 * Date generalisation and consistent per-subject date shifting (GB/T 37964 generalisation and
 * randomisation techniques). Dates are read in the forms Chinese systems and FHIR write:
 * `1985-04-12`, `1985/4/12`, `1985.04.12`, `19850412`, `1985年4月12日`, ISO date-times, and
 * FHIR partial dates `1985` / `1985-04`.
 */
import { createHmac } from 'node:crypto';
import { MaskingError } from './errors.js';
import { keyFor } from './keys.js';
import { normalizeWidth, textOf, SUPPRESSED } from './text.js';
import type { KeySource } from './types.js';

/** A date read from text: year, month (0 when absent), day (0 when absent), and the rest. */
export interface ParsedDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Offset in the width-normalised, trimmed text where the date part ends (a time may follow). */
  readonly end: number;
}

const isDigitAt = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

const readInt = (s: string, from: number, maxDigits: number): [number, number] => {
  let i = from;
  let value = 0;
  while (i < s.length && i - from < maxDigits && isDigitAt(s, i)) value = value * 10 + (s.charCodeAt(i++) - 48);
  return [value, i];
};

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Parses the date forms above; `undefined` when `s` is not a date. */
export const parseDate = (input: string): ParsedDate | undefined => {
  const s = normalizeWidth(input).trim();
  let digits = 0;
  while (digits < s.length && isDigitAt(s, digits)) digits++;
  let year: number;
  let month = 0;
  let day = 0;
  let end: number;
  if (digits === 8) {
    year = Number(s.slice(0, 4));
    month = Number(s.slice(4, 6));
    day = Number(s.slice(6, 8));
    end = 8;
  } else if (digits === 4) {
    year = Number(s.slice(0, 4));
    end = 4;
    const sep = s[4];
    if (sep === '-' || sep === '/' || sep === '.' || sep === '年') {
      const [m, afterMonth] = readInt(s, 5, 2);
      if (afterMonth > 5) {
        month = m;
        end = afterMonth;
        if (s[end] === '月') end++;
        const sep2 = s[afterMonth];
        if (sep2 === sep || sep2 === '月') {
          const [d, afterDay] = readInt(s, afterMonth + 1, 2);
          if (afterDay > afterMonth + 1) {
            day = d;
            end = afterDay;
            if (s[end] === '日') end++;
          }
        }
      }
    }
  } else return undefined;
  if (month > 12 || (month === 0 && day !== 0) || (day !== 0 && day > daysInMonth(year, month))) return undefined;
  return { year, month, day, end };
};

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number): string => String(n).padStart(4, '0');

/**
 * Generalises a date to its year or month (`1985-04-12` → `1985` / `1985-04`, FHIR partial
 * dates). Text that is not a date is suppressed.
 *
 * @example generalizeDate('1985年4月12日', 'month') // '1985-04'
 */
export const generalizeDate = (value: unknown, to: 'year' | 'month' = 'year'): string | null => {
  const text = textOf(value);
  if (text === null) return null;
  const date = text === undefined ? undefined : parseDate(text);
  if (date === undefined) return text === '' ? '' : SUPPRESSED;
  if (to === 'year' || date.month === 0) return pad4(date.year);
  return `${pad4(date.year)}-${pad2(date.month)}`;
};

/**
 * Age band of a birth date (or an age in years) at `now`: `30-39` for width 10, `90+` from
 * `top` on. Ages are counted in whole years (birthday reached or not).
 *
 * @example ageBand('1985-04-12', { now: new Date('2026-01-01') }) // '40-49'
 */
export const ageBand = (value: unknown, options: { readonly now: Date; readonly width?: number; readonly top?: number }): string | null => {
  if (value === null || value === undefined) return null;
  const width = options.width ?? 10;
  const top = options.top ?? 90;
  if (!Number.isInteger(width) || width < 1 || !(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new MaskingError('ERR_MASKING_INVALID_PARAMS', {
      message: 'age bands need a valid `now` date and an integer width ≥ 1',
      hint: 'pass options.now (inject the clock) and e.g. width: 5 or 10',
    });
  }
  let age: number;
  if (typeof value === 'number') age = Math.floor(value);
  else {
    const date = typeof value === 'string' ? parseDate(value) : undefined;
    if (date === undefined) return SUPPRESSED;
    const now = options.now;
    const month = date.month || 1;
    const day = date.day || 1;
    age = now.getUTCFullYear() - date.year;
    if (now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day)) age--;
  }
  if (!Number.isFinite(age) || age < 0) return SUPPRESSED;
  if (age >= top) return `${top}+`;
  const low = Math.floor(age / width) * width;
  return `${low}-${Math.min(low + width - 1, top - 1)}`;
};

/**
 * The secret day offset of one data subject: HMAC-SHA256(key, subject) mapped to ±1..maxDays,
 * never 0. Every date of the subject moves by the same offset, so intervals between them
 * (length of stay, age at diagnosis in days) are preserved while the dates are not.
 *
 * @example dateShiftDays(key, 'patient-42') // e.g. -137, the same on every call with this key
 */
export const dateShiftDays = (key: KeySource, subjectId: string, maxDays = 365): number => {
  if (typeof subjectId !== 'string' || subjectId.length === 0) {
    throw new MaskingError('ERR_MASKING_MISSING_SUBJECT', {
      message: 'date shifting needs the data subject id (all dates of one subject shift together)',
      hint: 'pass options.subjectId, or apply to a FHIR resource whose subject is known',
    });
  }
  if (!Number.isInteger(maxDays) || maxDays < 1 || maxDays > 36500) {
    throw new MaskingError('ERR_MASKING_INVALID_PARAMS', { message: 'maxDays must be an integer from 1 to 36500', hint: 'e.g. maxDays: 365' });
  }
  const bytes = keyFor(key, 'date_shift');
  try {
    return shiftDaysWith(bytes, subjectId, maxDays);
  } finally {
    bytes.fill(0);
  }
};

/** As `dateShiftDays`, with the purpose key already derived. */
export const shiftDaysWith = (derivedKey: Uint8Array, subjectId: string, maxDays: number): number => {
  const mac = createHmac('sha256', derivedKey).update(subjectId).digest();
  const r = mac.readUInt32BE(0) % (2 * maxDays);
  return r < maxDays ? r - maxDays : r - maxDays + 1; // −maxDays..−1, 1..maxDays
};

/**
 * Shifts a date (or the date of a date-time, time and zone kept) by whole days. Partial dates
 * (`1985`, `1985-04`) carry no day to shift and come back generalised as they are; text that
 * is not a date is suppressed.
 *
 * @example shiftDate('2024-02-27T09:30:00+08:00', 3) // '2024-03-01T09:30:00+08:00'
 */
export const shiftDate = (value: unknown, days: number): string | null => {
  const text = textOf(value);
  if (text === null) return null;
  if (text === undefined) return SUPPRESSED;
  const date = parseDate(text);
  if (date === undefined) return text === '' ? '' : SUPPRESSED;
  if (date.day === 0) return generalizeDate(text, 'month');
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * 86_400_000);
  const iso = `${pad4(shifted.getUTCFullYear())}-${pad2(shifted.getUTCMonth() + 1)}-${pad2(shifted.getUTCDate())}`;
  const rest = normalizeWidth(text).trim().slice(date.end);
  return iso + rest;
};
