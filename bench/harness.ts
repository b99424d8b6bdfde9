// Shared benchmark helpers: every module's bench measures the same way and prints the same lines.
import { performance } from 'node:perf_hooks';

export interface Throughput {
  readonly name: string;
  readonly opsPerSec: number;
  readonly ops: number;
  readonly ms: number;
}

/**
 * Runs `fn` in batches for about `durationMs` after a warm-up and reports operations per second.
 * `fn` returns how many operations one call did (default 1), so batched work counts right.
 */
export const throughput = (name: string, fn: () => number | void, durationMs = 1000): Throughput => {
  const warmUntil = performance.now() + Math.min(200, durationMs / 4);
  while (performance.now() < warmUntil) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < 64; i++) ops += fn() ?? 1;
    now = performance.now();
  }
  const ms = now - start;
  const result = { name, opsPerSec: (ops * 1000) / ms, ops, ms };
  console.log(`${name}: ${formatRate(result.opsPerSec)} ops/s`);
  return result;
};

/** The same for async work, `concurrency` calls in flight. */
export const throughputAsync = async (
  name: string,
  fn: () => Promise<number | void>,
  durationMs = 1000,
  concurrency = 1,
): Promise<Throughput> => {
  let ops = 0;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < durationMs) ops += (await fn()) ?? 1;
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - start;
  const result = { name, opsPerSec: (ops * 1000) / ms, ops, ms };
  console.log(`${name}: ${formatRate(result.opsPerSec)} ops/s`);
  return result;
};

/** Latency percentiles of single calls, in microseconds. */
export const latency = (name: string, fn: () => void, samples = 20_000): { p50: number; p99: number } => {
  const times = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    fn();
    times[i] = (performance.now() - t0) * 1000;
  }
  times.sort();
  const p50 = times[Math.floor(samples * 0.5)]!;
  const p99 = times[Math.floor(samples * 0.99)]!;
  console.log(`${name}: p50 ${p50.toFixed(2)} µs, p99 ${p99.toFixed(2)} µs`);
  return { p50, p99 };
};

/** Prints the one comparison line the README promises: ours ÷ theirs, higher is better. */
export const ratio = (what: string, ours: number, theirs: number): number => {
  const value = ours / theirs;
  console.log(`ratio ${what}: ${value.toFixed(3)}`);
  return value;
};

export const formatRate = (n: number): string => Math.round(n).toLocaleString('en-US');
