import { randomFillSync } from 'node:crypto';

/** Randomness as an argument, like time: fills a buffer with random bytes. */
export type RandomSource = (size: number) => Uint8Array;

export const cryptoRandom: RandomSource = (size) => randomFillSync(new Uint8Array(size));
