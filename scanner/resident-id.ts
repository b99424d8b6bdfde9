import { iso7064Mod11_2 } from './check-digits.js';

// GB/T 2260 province-level codes: the first two digits of a resident ID number.
const provinceCodes = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62,
  63, 64, 65, 71, 81, 82, 83,
]);

export interface ResidentIdFacts {
  readonly birthDate: string;
  readonly sex: 'male' | 'female';
  readonly provinceCode: string;
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** True for a real Gregorian date (leap years included). */
export const isCalendarDate = (year: number, month: number, day: number): boolean => {
  if (month < 1 || month > 12 || day < 1) return false;
  const isLeap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && isLeap ? 29 : monthDays[month - 1]!);
};

/**
 * Parses an 18-character resident ID number (GB 11643-1999): province code, a real birth date
 * no later than `today` and not before 1900, and the ISO 7064 MOD 11-2 check character (a
 * lower-case `x` is accepted). Returns undefined when any part fails. County-level codes are
 * not checked against the full GB/T 2260 history (that table is too large to ship).
 *
 * @example parseResidentId('110102199101010078')?.birthDate // '1991-01-01'
 */
export const parseResidentId = (value: string, todayIso = '2100-12-31'): ResidentIdFacts | undefined => {
  if (value.length !== 18) return undefined;
  const body = value.slice(0, 17);
  if (!/^\d{17}$/.test(body)) return undefined;
  const last = value[17] === 'x' ? 'X' : value[17];
  if (!provinceCodes.has(Number(body.slice(0, 2)))) return undefined;
  const year = Number(body.slice(6, 10));
  const month = Number(body.slice(10, 12));
  const day = Number(body.slice(12, 14));
  if (year < 1900 || !isCalendarDate(year, month, day)) return undefined;
  const birthDate = `${body.slice(6, 10)}-${body.slice(10, 12)}-${body.slice(12, 14)}`;
  if (birthDate > todayIso) return undefined;
  if (iso7064Mod11_2(body) !== last) return undefined;
  return { birthDate, sex: Number(body[16]) % 2 === 1 ? 'male' : 'female', provinceCode: body.slice(0, 2) };
};

/** True when `value` is a valid resident ID number (see `parseResidentId`). */
export const isResidentIdValid = (value: string, todayIso?: string): boolean =>
  parseResidentId(value, todayIso) !== undefined;

/** Whole years between an ISO birth date and an ISO day. */
export const ageOn = (birthIso: string, dayIso: string): number => {
  const [by, bm, bd] = birthIso.split('-').map(Number) as [number, number, number];
  const [y, m, d] = dayIso.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
};
