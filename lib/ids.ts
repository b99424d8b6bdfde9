import { systemClock, type Clock } from './clock.js';
import { cryptoRandom, type RandomSource } from './random.js';

export interface IdDeps {
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Returns a generator of UUIDv7 ids (RFC 9562 §5.7): 48-bit Unix milliseconds, then random
 * bits, so ids sort by creation time. Within one millisecond the generator keeps ids strictly
 * increasing by using the 12-bit `rand_a` field as a counter (RFC 9562 §6.2, method 1).
 *
 * @example
 * const newId = uuidv7Generator();
 * newId(); // '0190f4c4-6b1e-7a3c-9d2e-4f1a2b3c4d5e'
 */
export const uuidv7Generator = (deps: IdDeps = {}): (() => string) => {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? cryptoRandom;
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = Math.max(clock.now(), lastMs);
    const bytes = random(16);
    if (ms === lastMs) {
      counter += 1;
      if (counter > 0xfff) {
        // Counter exhausted within one millisecond: borrow the next millisecond (RFC 9562 §6.2).
        ms += 1;
        counter = (bytes[6]! & 0x07) << 8 | bytes[7]!;
      }
    } else {
      counter = (bytes[6]! & 0x07) << 8 | bytes[7]!; // start low so the counter has room to grow
    }
    lastMs = ms;
    writeUuidv7(bytes, ms, counter);
    return formatUuid(bytes);
  };
};

const writeUuidv7 = (bytes: Uint8Array, ms: number, counter: number): void => {
  const high = Math.floor(ms / 2 ** 16);
  bytes[0] = (high >>> 24) & 0xff;
  bytes[1] = (high >>> 16) & 0xff;
  bytes[2] = (high >>> 8) & 0xff;
  bytes[3] = high & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
};

const formatUuid = (b: Uint8Array): string => {
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += hex[b[i]!];
  }
  return out;
};

/** Milliseconds encoded in a UUIDv7, or undefined when the string is not one. */
export const uuidv7Time = (id: string): number | undefined => {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
};
