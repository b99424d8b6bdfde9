import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isLuhnValid, isResidentIdValid, isUsccValid, iso7064Mod11_2, parseResidentId } from '../../scanner/index.js';
import { luhnCheckDigit } from '../../scanner/check-digits.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const vectors = JSON.parse(readFileSync(join(repoRoot, '..', 'shared', 'vectors', 'cn-identifiers.json'), 'utf8')) as {
  iso7064_mod11_2: { payload: string; check: string }[];
  resident_id: { valid: string[]; invalid: { value: string; reason: string }[]; lowercase_x_normalises_to: Record<string, string> };
  uscc: { valid: string[]; invalid: { value: string; reason: string }[] };
  luhn: { valid: string[]; invalid: string[]; calc_check_digit: Record<string, string> };
};

describe('ISO 7064 MOD 11-2 (GB 11643 check character)', () => {
  it('computes the published check characters', () => {
    for (const v of vectors.iso7064_mod11_2) assert.equal(iso7064Mod11_2(v.payload), v.check, v.payload);
  });
});

describe('resident ID number (GB 11643-1999)', () => {
  it('accepts every valid vector', () => {
    for (const v of vectors.resident_id.valid) assert.equal(isResidentIdValid(v), true, v);
  });
  it('accepts a lower-case x check character', () => {
    for (const v of Object.keys(vectors.resident_id.lowercase_x_normalises_to)) assert.equal(isResidentIdValid(v), true);
  });
  it('rejects bad checksum, impossible birth date, unknown province and bad format', () => {
    for (const v of vectors.resident_id.invalid) {
      // Region-history checks need the full GB/T 2260 history (python-stdnum loc.dat), which
      // Custos does not ship: those two vectors pass the province, date and checksum checks.
      if (v.reason.includes('loc.dat')) continue;
      assert.equal(isResidentIdValid(v.value), false, `${v.reason}`);
    }
  });
  it('does not check county codes against the GB/T 2260 history (documented limitation)', () => {
    const history = vectors.resident_id.invalid.filter((v) => v.reason.includes('loc.dat'));
    assert.equal(history.length, 2);
    for (const v of history) assert.equal(isResidentIdValid(v.value), true);
  });
  it('rejects a birth date after today', () => {
    const body = '11010220300101007';
    assert.equal(isResidentIdValid(body + iso7064Mod11_2(body), '2026-11-26'), false);
    assert.equal(isResidentIdValid(body + iso7064Mod11_2(body), '2031-01-01'), true);
  });
  it('knows leap years (29 February 2000 and 2004, not 1900 or 2001)', () => {
    const id = (date: string) => {
      const body = `110101${date}001`;
      return body + iso7064Mod11_2(body);
    };
    assert.equal(isResidentIdValid(id('20000229')), true);
    assert.equal(isResidentIdValid(id('20040229')), true);
    assert.equal(isResidentIdValid(id('19000229')), false);
    assert.equal(isResidentIdValid(id('20010229')), false);
    assert.equal(isResidentIdValid(id('20010431')), false);
  });
  it('reads birth date and sex from the number', () => {
    assert.deepEqual(parseResidentId('110102199101010078'), { birthDate: '1991-01-01', sex: 'male', provinceCode: '11' });
    assert.equal(parseResidentId('44011320141005001X')?.birthDate, '2014-10-05');
  });
  it('detects every single-digit change (property)', () => {
    const arb = fc.record({
      region: fc.constantFrom('110101', '310104', '440106', '510107'),
      y: fc.integer({ min: 1900, max: 2020 }),
      m: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
      seq: fc.integer({ min: 0, max: 999 }),
      pos: fc.integer({ min: 14, max: 16 }),
      delta: fc.integer({ min: 1, max: 9 }),
    });
    fc.assert(
      fc.property(arb, ({ region, y, m, d, seq, pos, delta }) => {
        const body = `${region}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
        const id = body + iso7064Mod11_2(body);
        assert.equal(isResidentIdValid(id, '2026-11-26'), true);
        const changed = id.slice(0, pos) + String((Number(id[pos]) + delta) % 10) + id.slice(pos + 1);
        assert.equal(isResidentIdValid(changed, '2026-11-26'), false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts every valid vector', () => {
    for (const v of vectors.uscc.valid) assert.equal(isUsccValid(v), true, v);
  });
  it('rejects checksum, alphabet and length errors', () => {
    for (const v of vectors.uscc.invalid) assert.equal(isUsccValid(v.value), false, v.reason);
  });
  it('accepts a letter as registration-authority code in position 1, as the standard allows', () => {
    // Same payload as 91110000600037341? with a letter in position 1; check character recomputed.
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    const body = 'A1110000600037341';
    const sum = [...body].reduce((s, ch, i) => s + alphabet.indexOf(ch) * weights[i]!, 0);
    const code = body + alphabet[(31 - (sum % 31)) % 31];
    assert.equal(isUsccValid(code), true);
    assert.equal(isUsccValid(code.slice(0, 17) + (code[17] === '0' ? '1' : '0')), false);
  });
});

describe('Luhn (ISO/IEC 7812-1)', () => {
  it('accepts valid and rejects invalid vectors', () => {
    for (const v of vectors.luhn.valid) assert.equal(isLuhnValid(v), true, v);
    for (const v of vectors.luhn.invalid) assert.equal(isLuhnValid(v), false, v);
  });
  it('computes check digits', () => {
    for (const [payload, check] of Object.entries(vectors.luhn.calc_check_digit)) assert.equal(luhnCheckDigit(payload), check);
  });
  it('detects every single-digit change (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 18 }), fc.nat(), fc.integer({ min: 1, max: 9 }), (digits, at, delta) => {
        const body = digits.join('');
        const card = body + luhnCheckDigit(body);
        assert.equal(isLuhnValid(card), true);
        const i = at % card.length;
        const changed = card.slice(0, i) + String((Number(card[i]) + delta) % 10) + card.slice(i + 1);
        assert.equal(isLuhnValid(changed), false);
      }),
      { numRuns: 300 },
    );
  });
});
