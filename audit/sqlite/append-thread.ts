import { Worker } from 'node:worker_threads';
import type { HashAlgorithm } from '../types.js';
import type { AppendReply, AppendTask, AppendWorkerData } from './append-worker.js';

/** The writer thread as the main thread sees it: batches in, replies in the same order. */
export interface AppendThread {
  /** Posts a batch; resolves with the worker's reply (rejects only if the thread died). */
  post(task: AppendTask): Promise<AppendReply>;
  /** Batches posted and not answered yet. */
  readonly inFlight: number;
  /** Closes the worker's connection and ends the thread. */
  close(): Promise<void>;
}

// The worker runs as TypeScript under tsx (tests, bench) and as JavaScript from dist/.
const isSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(`./append-worker${isSource ? '.ts' : '.js'}`, import.meta.url);

/**
 * Starts the writer thread for a log file. It holds the process open only while batches are in
 * flight (an idle log does not keep a process alive, as before).
 *
 * @example
 * const thread = startAppendThread('custos-data/audit/audit.db', 'sha256');
 */
export const startAppendThread = (file: string, algorithm: HashAlgorithm): AppendThread => {
  const data: AppendWorkerData = { file, algorithm };
  // From source the worker registers tsx itself before loading the .ts file.
  const worker = isSource
    ? new Worker(`import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(workerUrl.href)}); });`, { eval: true, workerData: data })
    : new Worker(workerUrl, { workerData: data });
  worker.unref();
  const waiting: { resolve: (reply: AppendReply) => void; reject: (error: unknown) => void }[] = [];
  let failure: unknown;
  const fail = (error: unknown): void => {
    failure ??= error;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (reply: AppendReply) => {
    waiting.shift()?.resolve(reply);
    if (waiting.length === 0) worker.unref();
  });
  worker.on('error', fail);
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      fail(new Error(`audit writer thread exited with ${code}`));
      resolve();
    });
  });
  return {
    post: (task) =>
      new Promise<AppendReply>((resolve, reject) => {
        if (failure !== undefined) {
          reject(failure);
          return;
        }
        if (waiting.length === 0) worker.ref();
        waiting.push({ resolve, reject });
        worker.postMessage(task);
      }),
    get inFlight() {
      return waiting.length;
    },
    close: async () => {
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
};
