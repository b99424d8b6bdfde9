import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createFf1, ALPHANUMERIC_CASED, DIGITS } from '../../masking/ff1.js';

interface Vector {
  readonly name: string;
  readonly radix: number;
  readonly alphabet: string;
  readonly key: string;
  readonly tweak: string;
  readonly pt: string;
  readonly ct: string;
}

const repoRoot = join(import.meta.dirname, '..', '..');
const fpe = JSON.parse(readFileSync(join(repoRoot, '..', 'shared', 'vectors', 'fpe.json'), 'utf8')) as {
  ff1: { nist_samples: Vector[]; acvp: Vector[] };
};

const check = (v: Vector) => {
  const ff1 = createFf1({ key: Buffer.from(v.key, 'hex'), alphabet: v.alphabet });
  assert.equal(ff1.radix, v.radix);
  const tweak = Buffer.from(v.tweak, 'hex');
  assert.equal(ff1.encrypt(v.pt, tweak), v.ct);
  assert.equal(ff1.decrypt(v.ct, tweak), v.pt);
};

describe('FF1 known answers (NIST SP 800-38G)', () => {
  test('the vector file holds the 9 NIST samples and 12 ACVP cases', () => {
    assert.equal(fpe.ff1.nist_samples.length, 9);
    assert.equal(fpe.ff1.acvp.length, 12);
  });
  for (const v of fpe.ff1.nist_samples) test(v.name, () => check(v));
  for (const v of fpe.ff1.acvp) test(`${v.name} (radix ${v.radix}, ${v.pt.length} numerals)`, () => check(v));
});

describe('FF1 properties and refusals', () => {
  const key = Buffer.alloc(32, 7);
  test('decrypt(encrypt(x)) = x and the format is kept, for digits and mixed-case alphanumerics', () => {
    const digits = createFf1({ key, alphabet: DIGITS });
    const alnum = createFf1({ key, alphabet: ALPHANUMERIC_CASED });
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...DIGITS), minLength: 6, maxLength: 40 }),
        fc.string({ unit: fc.constantFrom(...ALPHANUMERIC_CASED), minLength: 4, maxLength: 40 }),
        fc.uint8Array({ maxLength: 40 }),
        (d, a, tweak) => {
          const cd = digits.encrypt(d, tweak);
          assert.match(cd, /^\d+$/);
          assert.equal(cd.length, d.length);
          assert.equal(digits.decrypt(cd, tweak), d);
          const ca = alnum.encrypt(a, tweak);
          assert.equal(ca.length, a.length);
          assert.equal(alnum.decrypt(ca, tweak), a);
        },
      ),
      { numRuns: 200 },
    );
  });
  test('the tweak changes the ciphertext', () => {
    const ff1 = createFf1({ key });
    assert.notEqual(ff1.encrypt('13812345678', Buffer.from('a')), ff1.encrypt('13812345678', Buffer.from('b')));
  });
  test('Precondition: radix^n ≥ 1,000,000 (SP 800-38G §5.1), so 5 digits are refused', () => {
    const ff1 = createFf1({ key });
    assert.equal(ff1.minLength, 6);
    assert.throws(() => ff1.encrypt('12345'), { code: 'ERR_MASKING_FPE_DOMAIN' });
    assert.equal(ff1.decrypt(ff1.encrypt('123456')), '123456');
    assert.equal(createFf1({ key, alphabet: ALPHANUMERIC_CASED }).minLength, 4);
  });
  test('characters outside the alphabet, bad keys and bad alphabets are refused with codes', () => {
    assert.throws(() => createFf1({ key }).encrypt('12345a789'), { code: 'ERR_MASKING_FPE_ALPHABET' });
    assert.throws(() => createFf1({ key: Buffer.alloc(15) }), { code: 'ERR_MASKING_INVALID_KEY' });
    assert.throws(() => createFf1({ key, alphabet: '0120' }), { code: 'ERR_MASKING_FPE_ALPHABET' });
    assert.throws(() => createFf1({ key, alphabet: '0' }), { code: 'ERR_MASKING_FPE_ALPHABET' });
  });
});
