import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { tileWidth } from '../log-tree.js';
import type { HashAlgorithm } from '../types.js';
import type { RangeResult, RangeTask } from './verify-worker.js';

/** What the parallel pass found: either a clean, contiguous chain with its tile roots, or "look closer". */
export interface ParallelPass {
  readonly clean: boolean;
  readonly count: number;
  /** Recomputed tile roots of every complete tile from `from`. */
  readonly tiles: readonly Buffer[];
  readonly lastHash: Buffer | undefined;
}

// The worker runs as TypeScript under tsx (tests, bench) and as JavaScript from dist/.
const isSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(`./verify-worker${isSource ? '.ts' : '.js'}`, import.meta.url);

const runWorker = (task: RangeTask): Promise<RangeResult> =>
  new Promise((resolve, reject) => {
    // From source (tests, bench under tsx) the worker registers tsx itself before loading the .ts file.
    const worker = isSource
      ? new Worker(`import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(workerUrl.href)}); });`, { eval: true, workerData: task })
      : new Worker(workerUrl, { workerData: task });
    worker.once('message', (result: RangeResult) => resolve({ ...result, firstPrev: result.firstPrev && Buffer.from(result.firstPrev), lastHash: result.lastHash && Buffer.from(result.lastHash), tiles: result.tiles.map((t) => Buffer.from(t)) }));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`verify worker exited with ${code}`));
    });
  });

/**
 * Recomputes leaf and chain hashes of seqs from..to-1 in worker threads (ranges aligned to
 * tiles), then checks the links between ranges. Any irregularity makes the pass unclean and
 * the caller runs the sequential verifier, which locates and classifies it.
 */
export const parallelPass = async (
  file: string,
  algorithm: HashAlgorithm,
  from: number,
  to: number,
  firstPrev: Buffer,
  threads: number = Math.max(1, Math.min(4, availableParallelism())),
): Promise<ParallelPass> => {
  const tilesTotal = Math.ceil((to - from) / tileWidth);
  const perWorker = Math.ceil(tilesTotal / threads) * tileWidth;
  const tasks: RangeTask[] = [];
  for (let start = from; start < to; start += perWorker) tasks.push({ file, algorithm, from: start, to: Math.min(to, start + perWorker) });
  const results = await Promise.all(tasks.map(runWorker));
  let clean = true;
  let prev: Buffer | undefined = firstPrev;
  let count = 0;
  const tiles: Buffer[] = [];
  for (const [i, r] of results.entries()) {
    const task = tasks[i] as RangeTask;
    if (r.anomalies > 0 || r.count !== task.to - task.from) clean = false;
    if (r.count > 0 && (prev === undefined || r.firstPrev === undefined || !r.firstPrev.equals(prev))) clean = false;
    prev = r.lastHash ?? prev;
    count += r.count;
    tiles.push(...r.tiles);
  }
  return { clean, count, tiles, lastHash: prev };
};
