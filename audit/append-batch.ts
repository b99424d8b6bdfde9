import { genesisHash, type ChainWriter } from './hash-chain.js';
import { tileAccumulator, tileWidth, type TileAccumulator } from './log-tree.js';
import type { AuditStore, StoredRow, StoreTail, WriteTransaction } from './store.js';

/** What a writer must know about the log's tail to append: mirrors the store, re-read on change. */
export interface WriterState {
  readonly size: number;
  readonly lastHash: Buffer;
  readonly lastTs: number;
  /** Complete tiles stored. */
  readonly tileCount: number;
  /** The incomplete tile's leaves. */
  readonly chunk: TileAccumulator;
}

/** One committed batch: the rows' seqs start at `firstSeq`; `hashes` holds their chain hashes. */
export interface BatchOutcome {
  readonly firstSeq: number;
  readonly hashes: Buffer;
  /** Tiles the batch completed, in order (their indexes follow the state's tileCount). */
  readonly newTiles: Buffer[];
  readonly state: WriterState;
}

/** True when the store's tail is not the one `state` describes (another writer appended). */
export const tailMoved = (tail: StoreTail, state: { readonly size: number; readonly lastHash: Buffer }): boolean =>
  tail.size !== state.size || !(tail.lastHash ?? genesisHash).equals(state.lastHash);

/** Reads the writer state from the store: its tail, tile count and the incomplete tile's leaves. */
export const readWriterState = (store: AuditStore, writer: ChainWriter, tail: StoreTail = store.tail()): WriterState => {
  const tileCount = store.tiles().length;
  const leaves: string[] = [];
  for (const row of store.rows(tileCount * tileWidth, tail.size)) leaves.push(writer.leaf(row.seq, row.ts, row.event));
  return { size: tail.size, lastHash: tail.lastHash ?? genesisHash, lastTs: tail.lastTs, tileCount, chunk: tileAccumulator(writer.node, leaves) };
};

/**
 * Appends canonical events inside a write transaction: leaf and chain hashes, rows, and the
 * tiles they complete. One timestamp per batch (it becomes durable at one moment), never
 * before the previous one. Returns the new state; the caller adopts it only once the
 * transaction committed.
 */
export const writeBatch = (tx: WriteTransaction, state: WriterState, writer: ChainWriter, jsons: readonly string[], now: number): BatchOutcome => {
  const chunk = state.chunk.copy();
  const newTiles: Buffer[] = [];
  const rows: StoredRow[] = new Array<StoredRow>(jsons.length);
  // One buffer for the batch's chain hashes; rows bind views of it, and each row's prev is
  // the view its predecessor binds as hash.
  const hashes = Buffer.allocUnsafe(32 * jsons.length);
  let prevBytes = state.lastHash;
  let prev = prevBytes.toString('latin1');
  let size = state.size;
  const ts = Math.max(state.lastTs, now);
  for (let i = 0; i < jsons.length; i++) {
    const json = jsons[i] as string;
    const leaf = writer.leaf(size, ts, json);
    const hash = writer.chain(prev, leaf);
    const at = 32 * i;
    hashes.write(hash, at, 'latin1');
    const hashBytes = hashes.subarray(at, at + 32);
    rows[i] = { seq: size, ts, event: json, prev: prevBytes, hash: hashBytes };
    const tile = chunk.push(leaf);
    if (tile !== undefined) {
      const tileHash = Buffer.from(tile, 'latin1');
      tx.insertTile(state.tileCount + newTiles.length, tileHash);
      newTiles.push(tileHash);
    }
    prev = hash;
    prevBytes = hashBytes;
    size += 1;
  }
  tx.insertRows(rows);
  return {
    firstSeq: state.size,
    hashes,
    newTiles,
    // A copy of the last hash, not a view: the batch's buffer goes with its rows.
    state: { size, lastHash: Buffer.from(prevBytes), lastTs: ts, tileCount: state.tileCount + newTiles.length, chunk },
  };
};
