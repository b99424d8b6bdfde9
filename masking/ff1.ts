/**
 * FF1 format-preserving encryption, NIST SP 800-38G §5.1 (Algorithm 7 encrypt, Algorithm 8
 * decrypt) with AES from `node:crypto`. Written from the standard; proven on the NIST samples
 * and ACVP vectors (test/masking/ff1.test.ts). The npm `node-fpe` package is a substitution
 * table, not FPE, hence this implementation.
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import { MaskingError } from './errors.js';

/** An FF1 cipher bound to a key and an alphabet (radix = alphabet length). */
export interface Ff1Cipher {
  readonly radix: number;
  readonly alphabet: string;
  /** Smallest plaintext length with radix^minLength ≥ 1,000,000 (SP 800-38G §5.1). */
  readonly minLength: number;
  encrypt(plaintext: string, tweak?: Uint8Array): string;
  decrypt(ciphertext: string, tweak?: Uint8Array): string;
}

export interface Ff1Options {
  /** AES-128, -192 or -256 key (16, 24 or 32 bytes). Copied; the caller may zero its buffer. */
  readonly key: Uint8Array;
  /** Numerals in order; numeral i is `alphabet[i]`. Default: the 10 digits. */
  readonly alphabet?: string;
  /** Default tweak when `encrypt`/`decrypt` get none. */
  readonly tweak?: Uint8Array;
}

export const DIGITS = '0123456789';
export const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyz';
export const ALPHANUMERIC_CASED = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** SP 800-38G §5.1: radix^minlen ≥ 1,000,000. */
const MIN_DOMAIN = 1_000_000n;
/** SP 800-38G §5.1: 2 ≤ minlen ≤ maxlen < 2^32; we cap lengths far lower (one field). */
const MAX_LENGTH = 4096;
const MAX_TWEAK_BYTES = 1024;

const byteLengthOf = (x: bigint): number => {
  let bits = 0;
  while (x > 0n) {
    x >>= 8n;
    bits += 8;
  }
  return bits / 8;
};

/** NUM(X): bytes as a big-endian integer. */
const numBytes = (bytes: Uint8Array, from = 0, to = bytes.length): bigint => {
  let x = 0n;
  for (let i = from; i < to; i++) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
};

/** [x]^s: x as s big-endian bytes, into `out` at `offset`. */
const writeBytes = (x: bigint, s: number, out: Uint8Array, offset: number): void => {
  for (let i = s - 1; i >= 0; i--) {
    out[offset + i] = Number(x & 0xffn);
    x >>= 8n;
  }
};

/**
 * Creates an FF1 cipher. Throws `ERR_MASKING_INVALID_KEY` for a key that is not 16/24/32
 * bytes and `ERR_MASKING_FPE_ALPHABET` for alphabets with repeated or fewer than 2 numerals.
 *
 * @example
 * const ff1 = createFf1({ key: Buffer.from('2B7E151628AED2A6ABF7158809CF4F3C', 'hex') });
 * ff1.encrypt('0123456789') // '2433477484' (NIST FF1 sample 1)
 */
export const createFf1 = (options: Ff1Options): Ff1Cipher => {
  const { key } = options;
  if (!(key instanceof Uint8Array) || ![16, 24, 32].includes(key.length)) {
    throw new MaskingError('ERR_MASKING_INVALID_KEY', {
      message: `FF1 needs an AES key of 16, 24 or 32 bytes, got ${key instanceof Uint8Array ? `${key.length} bytes` : typeof key}`,
      hint: 'pass the key bytes from the kms module (e.g. a 32-byte data key)',
    });
  }
  const alphabet = options.alphabet ?? DIGITS;
  const numerals = Array.from(alphabet);
  const radix = numerals.length;
  const index = new Map<string, number>();
  numerals.forEach((ch, i) => index.set(ch, i));
  // SP 800-38G §5.1: radix ∈ [2 .. 2^16]
  if (radix < 2 || radix > 65536 || index.size !== radix) {
    throw new MaskingError('ERR_MASKING_FPE_ALPHABET', {
      message: `FF1 alphabet must have 2 to 65536 distinct characters, got ${radix} with ${radix - index.size} repeated`,
      hint: 'use DIGITS, ALPHANUMERIC or another list of distinct characters',
    });
  }
  const bigRadix = BigInt(radix);
  let minLength = 2;
  while (bigRadix ** BigInt(minLength) < MIN_DOMAIN) minLength++;
  const asciiIndex = new Int32Array(128).fill(-1);
  numerals.forEach((ch, i) => {
    if (ch.length === 1 && ch.charCodeAt(0) < 128) asciiIndex[ch.charCodeAt(0)] = i;
  });
  const isAsciiAlphabet = numerals.every((ch) => ch.length === 1 && ch.charCodeAt(0) < 128);

  // One ECB cipher reused for every block: ECB without padding keeps no state between
  // update() calls, so CBC-MAC (the PRF of §4.3) is built from it block by block.
  const keyCopy = Buffer.from(key);
  const ecb: Cipher = createCipheriv(`aes-${key.length * 8}-ecb`, keyCopy, null);
  ecb.setAutoPadding(false);
  keyCopy.fill(0);
  const ciph = (block: Uint8Array): Buffer => ecb.update(block);

  const toNumerals = (x: string): number[] => {
    const out: number[] = [];
    if (isAsciiAlphabet) {
      for (let i = 0; i < x.length; i++) {
        const c = x.charCodeAt(i);
        const d = c < 128 ? asciiIndex[c]! : -1;
        if (d < 0) throw notInAlphabet();
        out.push(d);
      }
      return out;
    }
    for (const ch of x) {
      const d = index.get(ch);
      if (d === undefined) throw notInAlphabet();
      out.push(d);
    }
    return out;
  };
  /** NUM_radix(X) over numerals[from..to) (§4.5 Algorithm 1). */
  const num = (xs: readonly number[], from: number, to: number): bigint => {
    let x = 0n;
    for (let i = from; i < to; i++) x = x * bigRadix + BigInt(xs[i]!);
    return x;
  };
  /** STR^m_radix(x) (§4.5 Algorithm 3) into xs[from..from+m). */
  const str = (x: bigint, m: number, xs: number[], from: number): void => {
    for (let i = m - 1; i >= 0; i--) {
      xs[from + i] = Number(x % bigRadix);
      x /= bigRadix;
    }
  };

  const run = (text: string, tweak: Uint8Array, isEncrypt: boolean): string => {
    const xs = toNumerals(text);
    const n = xs.length;
    // Precondition: radix^n ≥ 1,000,000 and n ≤ maxlen (SP 800-38G §5.1).
    if (n < minLength || n > MAX_LENGTH) {
      throw new MaskingError('ERR_MASKING_FPE_DOMAIN', {
        message: `FF1 input of ${n} numerals is outside the allowed lengths ${minLength}..${MAX_LENGTH} for radix ${radix}`,
        hint: `radix^length must be at least 1,000,000 (SP 800-38G §5.1); use a longer value or another operator`,
      });
    }
    if (tweak.length > MAX_TWEAK_BYTES) {
      throw new MaskingError('ERR_MASKING_INVALID_PARAMS', {
        message: `FF1 tweak of ${tweak.length} bytes is longer than ${MAX_TWEAK_BYTES}`,
        hint: 'use a short tweak such as a field name',
      });
    }
    const t = tweak.length;
    // Steps 1–4
    const u = Math.floor(n / 2);
    const v = n - u;
    const b = byteLengthOf(bigRadix ** BigInt(v) - 1n) || 1;
    const d = 4 * Math.ceil(b / 4) + 4;
    // Step 5: P = [1]^1 || [2]^1 || [1]^1 || [radix]^3 || [10]^1 || [u mod 256]^1 || [n]^4 || [t]^4
    const p = new Uint8Array(16);
    p[0] = 1;
    p[1] = 2;
    p[2] = 1;
    writeBytes(BigInt(radix), 3, p, 3);
    p[6] = 10;
    p[7] = u % 256;
    writeBytes(BigInt(n), 4, p, 8);
    writeBytes(BigInt(t), 4, p, 12);
    const cipherP = ciph(p);
    // Q = T || [0]^((−t−b−1) mod 16) || [i]^1 || [NUM_radix(B)]^b
    const pad = (((-t - b - 1) % 16) + 16) % 16;
    const qLength = t + pad + 1 + b;
    const q = new Uint8Array(qLength);
    q.set(tweak, 0);
    const block = new Uint8Array(16);
    const extraBlocks = Math.ceil(d / 16) - 1;
    const s = new Uint8Array(16 * (extraBlocks + 1));
    const modulusU = bigRadix ** BigInt(u);
    const modulusV = bigRadix ** BigInt(v);
    // A = X[1..u], B = X[u+1..n]; kept as numerals in place: A at 0..u−1 (or v), B after.
    let a = xs.slice(0, u);
    let bb = xs.slice(u);
    for (let step = 0; step < 10; step++) {
      const i = isEncrypt ? step : 9 - step;
      q[qLength - b - 1] = i;
      const source = isEncrypt ? bb : a;
      writeBytes(num(source, 0, source.length), b, q, qLength - b);
      // R = PRF(P || Q): CBC-MAC with a zero IV; the first block's output is CIPH(P).
      let y = cipherP;
      for (let off = 0; off < qLength; off += 16) {
        for (let j = 0; j < 16; j++) block[j] = y[j]! ^ q[off + j]!;
        y = ciph(block);
      }
      // S = first d bytes of R || CIPH(R ⊕ [1]^16) || CIPH(R ⊕ [2]^16) || …
      s.set(y, 0);
      for (let j = 1; j <= extraBlocks; j++) {
        block.set(y);
        writeBytes(BigInt(j) ^ numBytes(y, 12, 16), 4, block, 12);
        s.set(ciph(block), 16 * j);
      }
      const yNum = numBytes(s, 0, d);
      const m = i % 2 === 0 ? u : v;
      const modulus = m === u ? modulusU : modulusV;
      if (isEncrypt) {
        // c = (NUM_radix(A) + y) mod radix^m; A ← B; B ← C
        const c = (num(a, 0, a.length) + yNum) % modulus;
        const next = new Array<number>(m);
        str(c, m, next, 0);
        a = bb;
        bb = next;
      } else {
        // c = (NUM_radix(B) − y) mod radix^m; B ← A; A ← C
        let c = (num(bb, 0, bb.length) - yNum) % modulus;
        if (c < 0n) c += modulus;
        const next = new Array<number>(m);
        str(c, m, next, 0);
        bb = a;
        a = next;
      }
    }
    let out = '';
    for (const x of a) out += numerals[x];
    for (const x of bb) out += numerals[x];
    return out;
  };

  const defaultTweak = options.tweak === undefined ? new Uint8Array(0) : Uint8Array.from(options.tweak);
  return Object.freeze({
    radix,
    alphabet,
    minLength,
    encrypt: (plaintext: string, tweak?: Uint8Array) => run(plaintext, tweak ?? defaultTweak, true),
    decrypt: (ciphertext: string, tweak?: Uint8Array) => run(ciphertext, tweak ?? defaultTweak, false),
  });
};

const notInAlphabet = (): MaskingError =>
  new MaskingError('ERR_MASKING_FPE_ALPHABET', {
    message: 'FF1 input has a character outside the cipher alphabet',
    hint: 'keep only alphabet characters (formatPreservingEncrypt keeps separators in place for you)',
  });

/**
 * Encrypts (or decrypts) only the characters of `value` that belong to the cipher's alphabet,
 * leaving separators in place: `138-1234-5678` → `749-0387-1126`. Throws
 * `ERR_MASKING_FPE_DOMAIN` when fewer than `minLength` alphabet characters remain.
 *
 * @example formatPreserving(ff1, '110102199101010078', tweak, true)
 */
export const formatPreserving = (ff1: Ff1Cipher, value: string, tweak: Uint8Array | undefined, isEncrypt: boolean): string => {
  const chars = Array.from(value);
  const inAlphabet = new Set(Array.from(ff1.alphabet));
  let numerals = '';
  for (const ch of chars) if (inAlphabet.has(ch)) numerals += ch;
  if (numerals.length === chars.length) return isEncrypt ? ff1.encrypt(value, tweak) : ff1.decrypt(value, tweak);
  const done = Array.from(isEncrypt ? ff1.encrypt(numerals, tweak) : ff1.decrypt(numerals, tweak));
  let k = 0;
  let out = '';
  for (const ch of chars) out += inAlphabet.has(ch) ? done[k++] : ch;
  return out;
};
