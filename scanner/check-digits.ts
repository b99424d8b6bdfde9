// Check-digit algorithms the recognizers validate with. Pure functions over ASCII strings.

/**
 * ISO 7064 MOD 11-2 check character of a digit string (GB 11643-1999 uses it for the 18th
 * character of the resident ID number).
 *
 * @example iso7064Mod11_2('0794') // '0'
 */
export const iso7064Mod11_2 = (payload: string): string => {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    const digit = payload.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return '';
    sum = ((sum + digit) * 2) % 11;
  }
  const check = (12 - sum) % 11;
  return check === 10 ? 'X' : String(check);
};

/**
 * True when the digit string passes the Luhn check (ISO/IEC 7812-1 Annex B): bank cards, IMEI.
 *
 * @example isLuhnValid('49927398716') // true
 */
export const isLuhnValid = (digits: string): boolean => {
  if (digits.length < 2) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
};

/** The Luhn check digit to append to `digits`. */
export const luhnCheckDigit = (digits: string): string => {
  for (let c = 0; c < 10; c++) if (isLuhnValid(digits + String(c))) return String(c);
  return '';
};

// GB 32100-2015 §4: 31 characters, without I, O, Z, S, V.
const usccAlphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const usccPattern = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/**
 * True for a valid unified social credit code (统一社会信用代码, GB 32100-2015): an
 * organisation identifier, which the scanner reports as *not* personal. Position 1 may be a
 * letter (registration authority code), as the standard allows.
 *
 * @example isUsccValid('91310115MA1K3BTP2B') // true
 */
export const isUsccValid = (code: string): boolean => {
  if (!usccPattern.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += usccAlphabet.indexOf(code[i]!) * usccWeights[i]!;
  const check = (31 - (sum % 31)) % 31; // GB 32100-2015 §5.2
  return usccAlphabet[check] === code[17];
};
