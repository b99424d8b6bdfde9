// Worker thread of the audit writer: owns a connection of its own and commits the batches the
// main thread posts (leaf, chain and tile hashes, multi-row INSERTs, commit), so that the main
// thread only checks events and resolves appends. The fsync stays on the main thread (it
// flushes the WAL's inode, whichever connection wrote the frames).
import { parentPort, workerData } from 'node:worker_threads';
import { readWriterState, tailMoved, writeBatch, type WriterState } from '../append-batch.js';
import { chainWriter } from '../hash-chain.js';
import type { HashAlgorithm } from '../types.js';
import { openSqliteStore } from './sqlite-store.js';

export interface AppendWorkerData {
  readonly file: string;
  readonly algorithm: HashAlgorithm;
}

export interface AppendTask {
  readonly jsons: readonly string[];
  readonly now: number;
}

export type AppendReply =
  | {
      readonly ok: true;
      readonly firstSeq: number;
      readonly hashes: Uint8Array;
      readonly newTiles: Uint8Array[];
      readonly lastTs: number;
    }
  | { readonly ok: false; readonly code: string | undefined; readonly message: string };

const run = (): void => {
  const port = parentPort;
  if (port === null) return;
  const { file, algorithm } = workerData as AppendWorkerData;
  const store = openSqliteStore(file);
  const writer = chainWriter(algorithm);
  let state: WriterState | undefined;
  port.on('message', (task: AppendTask | 'close') => {
    if (task === 'close') {
      store.close();
      port.close();
      return;
    }
    let reply: AppendReply;
    try {
      const outcome = store.write((tx) => {
        const tail = tx.tail();
        if (state === undefined || tailMoved(tail, state)) state = readWriterState(store, writer, tail);
        return writeBatch(tx, state, writer, task.jsons, task.now);
      });
      state = outcome.state;
      reply = { ok: true, firstSeq: outcome.firstSeq, hashes: outcome.hashes, newTiles: outcome.newTiles, lastTs: outcome.state.lastTs };
    } catch (error) {
      state = undefined;
      reply = { ok: false, code: (error as { code?: string }).code, message: (error as Error).message };
    }
    port.postMessage(reply);
  });
};

run();
