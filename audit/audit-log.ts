import { dirname, join } from 'node:path';
import { systemClock, type Clock } from '../lib/clock.js';
import { cryptoRandom, type RandomSource } from '../lib/random.js';
import { parseVerifierKey, signCheckpoint, type NoteSigner, type NoteVerifier } from './checkpoint.js';
import { auditError } from './errors.js';
import { eventJson } from './events.js';
import { readWriterState, tailMoved, writeBatch, type WriterState } from './append-batch.js';
import { chainWriter, genesisHash, rowLeafHash, type ChainWriter } from './hash-chain.js';
import { logHasher, type LogHasher } from './hashing.js';
import { loadOrCreateKeyFile } from './log-key.js';
import { extendLevels, logTreeSource, tileWidth, type TileAccumulator, type TileLevels } from './log-tree.js';
import { consistencyPathFrom, inclusionPathFrom, type MerkleSource } from './merkle.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { startAppendThread, type AppendThread } from './sqlite/append-thread.js';
import type { AppendReply } from './sqlite/append-worker.js';
import type { AuditStore, StoredRow, StoredSeal, StoreTail } from './store.js';
import type { AppendResult, AuditEntry, AuditEvent, AuditQuery, Checkpoint, HashAlgorithm, VerifyReport } from './types.js';
import { verifyEntries } from './verify.js';
import { parallelPass } from './sqlite/parallel-verify.js';
import { openCheckpoint } from './checkpoint.js';
import { performance } from 'node:perf_hooks';

export interface AuditLogOptions {
  /** SQLite file of the log (created with its folder when missing). */
  readonly file: string;
  /** Hash of a new log (default sha256); an existing log keeps the one it was created with. */
  readonly hash?: HashAlgorithm;
  /**
   * While an fsync is in flight, how long a new append may wait for it to end before it is
   * committed anyway (default 2 ms). With no fsync in flight appends commit on the next turn.
   */
  readonly groupCommitMs?: number;
  /** Most events in one transaction (default 5,000). */
  readonly maxBatch?: number;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** Signs checkpoints; when absent a local Ed25519 key file is used (created on first use). */
  readonly signer?: NoteSigner;
  /** Local key file (default `audit-log.key` beside the database file). */
  readonly keyFile?: string;
  /** Checkpoint origin / log identity for a new log (default `custos.local/audit/<random id>`). */
  readonly origin?: string;
  /** Write a checkpoint this often while events arrive (default: only on demand and on close). */
  readonly checkpointIntervalMs?: number;
  /** Open for reading and verification only (no key needed, no writes). */
  readonly readonly?: boolean;
  /**
   * Commit large batches (a burst of at least 256 appends) in a writer thread with its own
   * connection, while this thread goes on checking events (default true for `openAuditLog`;
   * a log built on an injected store always writes inline). Small batches stay inline.
   */
  readonly writerThread?: boolean;
}

interface Pending {
  readonly json: string;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Options for `verify`: the auditor's trusted key and saved checkpoints. */
export interface VerifyOptions {
  /** Verifier keys (`name+id+key`) trusted out of band; default: the key the log itself records. */
  readonly verifierKeys?: readonly string[];
  /** Checkpoint notes the auditor saved earlier (detect rollback and truncation). */
  readonly savedCheckpoints?: readonly string[];
}

/** An inclusion proof of one entry against a tree size. */
export interface InclusionProof {
  readonly seq: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly proof: readonly string[];
}

const zeroHash = genesisHash;

/**
 * The append-only audit log: group-committed appends (many concurrent `append` calls share one
 * transaction and one fsync), a hash chain, an RFC 9162 Merkle tree with stored tiles, signed
 * checkpoints, proofs, query and verification. Create it with `openAuditLog`.
 */
export class AuditLog {
  readonly file: string;
  readonly origin: string;
  readonly algorithm: HashAlgorithm;
  readonly #store: AuditStore;
  readonly #hasher: LogHasher;
  readonly #writer: ChainWriter;
  readonly #clock: Clock;
  readonly #groupCommitMs: number;
  readonly #maxBatch: number;
  readonly #signer: NoteSigner | undefined;
  readonly #verifierKey: string | undefined;
  #pending: Pending[] = [];
  // Committed batches waiting for the next WAL fsync, and the fsync in flight (at most one).
  #committed: { readonly batch: Pending[]; readonly results: AppendResult[] }[] = [];
  #syncing: Promise<void> | undefined;
  #syncFailure: unknown;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #timerImmediate = false;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  // Writer state: mirrors the store's tail; re-read whenever another process wrote.
  #size = 0;
  #lastHash: Buffer = zeroHash;
  #lastTs = 0;
  #tiles: Buffer[] = [];
  #levels: TileLevels = [];
  readonly #tileLeaves = new Map<number, Buffer[]>();
  readonly #rangeMemo = new Map<string, Buffer>();
  // The incomplete tile's leaves (latin1 hash strings, see ChainWriter); undefined when the
  // writer thread appended since (re-read from the rows when needed).
  #chunk: TileAccumulator | undefined;
  // The writer thread (started on the first large batch) and the reply to its last batch.
  readonly #useThread: boolean;
  #thread: AppendThread | undefined;
  #lastPost: Promise<void> | undefined;
  // Set when this thread's view of tiles can no longer be trusted (re-read on next use).
  #stale = false;
  #checkpointedSize = -1;

  /** @internal use openAuditLog */
  constructor(options: AuditLogOptions, store: AuditStore, ownStore = false) {
    this.file = options.file;
    this.#useThread = ownStore && options.readonly !== true && options.writerThread !== false;
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
    this.#groupCommitMs = options.groupCommitMs ?? 2;
    this.#maxBatch = options.maxBatch ?? 5_000;
    const random = options.random ?? cryptoRandom;
    if (options.readonly === true) {
      const algorithm = store.getMeta('hash');
      const origin = store.getMeta('origin');
      if (algorithm === undefined || origin === undefined) {
        throw auditError('ERR_AUDIT_STORE', { message: `${options.file} is not a Custos audit log`, hint: 'check the --file / dataDir path' });
      }
      this.algorithm = algorithm as HashAlgorithm;
      this.origin = origin;
      this.#verifierKey = store.getMeta('verifierKey');
      this.#signer = undefined;
    } else {
      this.algorithm = store.initMeta('hash', options.hash ?? 'sha256') as HashAlgorithm;
      if (options.hash !== undefined && options.hash !== this.algorithm) {
        throw auditError('ERR_AUDIT_STORE', {
          message: `audit log ${options.file} was created with ${this.algorithm}, not ${options.hash}`,
          hint: 'a log keeps its hash algorithm for life; start a new log file to change it',
        });
      }
      this.origin = store.initMeta('origin', options.origin ?? `custos.local/audit/${Buffer.from(random(8)).toString('hex')}`);
      this.#signer = options.signer ?? loadOrCreateKeyFile(options.keyFile ?? join(dirname(options.file), 'audit-log.key'), this.origin, random);
      this.#verifierKey = store.initMeta('verifierKey', this.#signer.verifierKey);
    }
    this.#hasher = logHasher(this.algorithm);
    this.#writer = chainWriter(this.algorithm);
    this.#resync(store.tail());
    const last = store.checkpoints().at(-1);
    this.#checkpointedSize = last?.size ?? -1;
    if (options.checkpointIntervalMs !== undefined && options.checkpointIntervalMs > 0 && options.readonly !== true) {
      this.#checkpointTimer = setInterval(() => {
        if (this.#size !== this.#checkpointedSize) this.checkpoint().catch(() => undefined);
      }, options.checkpointIntervalMs);
      this.#checkpointTimer.unref();
    }
  }

  /** Number of entries ever appended (the Merkle tree size). */
  get size(): number {
    return this.#size;
  }

  /** The verifier key recorded in the log (`name+id+key`); auditors should keep their own copy. */
  get verifierKey(): string | undefined {
    return this.#verifierKey;
  }

  /**
   * Appends one event; resolves once it is durable: its transaction committed, then an fsync of
   * the WAL that started after the commit finished (off the event loop, on the threadpool).
   * Rejects with ERR_AUDIT_PERSONAL_DATA or ERR_AUDIT_INVALID_EVENT for bad events.
   *
   * @example
   * const { seq } = await log.append({ kind: 'admin', operation: 'keys.rotate', result: 'success' });
   */
  append(event: AuditEvent): Promise<AppendResult> {
    const refused = this.#refusal();
    if (refused !== undefined) return Promise.reject(refused);
    let json: string;
    try {
      json = eventJson(event);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.#pending.push({ json, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * A burst of appends (the sidecar under load, a bulk import) is streamed to the writer thread
   * while it lasts: every `streamBatch` appends go out at once, so the thread commits them while
   * this thread checks the next events.
   */
  #stream(): void {
    if (this.#useThread && this.#pending.length >= streamBatch && this.#maxBatch >= streamBatch) {
      this.#cancelTimer();
      this.#flushBatch();
    }
  }

  /** Appends several events; all or none are checked before any is queued. */
  appendMany(events: readonly AuditEvent[]): Promise<AppendResult[]> {
    const refused = this.#refusal();
    if (refused !== undefined) return Promise.reject(refused);
    let jsons: string[];
    try {
      jsons = events.map((e) => eventJson(e));
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.all(
      jsons.map(
        (json) =>
          new Promise<AppendResult>((resolve, reject) => {
            this.#pending.push({ json, resolve, reject });
            this.#schedule();
          }),
      ),
    );
  }

  #refusal(): Error | undefined {
    if (this.#closed || this.#closing !== undefined) return auditError('ERR_AUDIT_CLOSED', { message: 'audit log is closed' });
    if (this.#syncFailure !== undefined) {
      return auditError('ERR_AUDIT_STORE', {
        message: `an fsync of audit log ${this.file} failed; later appends cannot be acknowledged as durable`,
        cause: this.#syncFailure,
        hint: 'check the disk, then reopen the log (and run custos audit verify)',
      });
    }
    return undefined;
  }

  /**
   * Adaptive group commit. With no fsync in flight, pending appends commit on the next turn of
   * the event loop (every append of the current turn joins) and their fsync starts at once:
   * an idle sidecar pays one commit and one fsync of latency, no timer. While an fsync is in
   * flight, appends gather: they commit when it ends (and share the next fsync), or after
   * `groupCommitMs` if it is slow, or at once when `maxBatch` are waiting.
   */
  #schedule(): void {
    this.#stream();
    if (this.#pending.length === 0) return;
    const now = this.#pending.length >= this.#maxBatch || this.#syncing === undefined || this.#groupCommitMs === 0;
    if (this.#timer !== undefined) {
      if (!now || this.#timerImmediate) return;
      this.#cancelTimer();
    }
    this.#timerImmediate = now;
    this.#timer = now ? setImmediate(() => this.#runFlush()) : setTimeout(() => this.#runFlush(), this.#groupCommitMs);
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    if (this.#timerImmediate) clearImmediate(this.#timer as NodeJS.Immediate);
    else clearTimeout(this.#timer as NodeJS.Timeout);
    this.#timer = undefined;
  }

  #runFlush(): void {
    this.#timer = undefined;
    this.#flushBatch();
    if (this.#pending.length > 0) this.#schedule();
  }

  /** Commits the pending appends now (what the timer does); returns when they are durable. */
  async flush(): Promise<void> {
    this.#cancelTimer();
    while (this.#pending.length > 0) this.#flushBatch();
    // Replies come in posting order: the last one means every batch was answered.
    await this.#lastPost;
    await this.#durable();
  }

  /**
   * The fsync pipeline. A batch is acknowledged only when an fsync that started after its
   * commit has finished: `#committed` is taken as a whole when an fsync starts, and batches
   * committed while it runs wait for the next one, which covers them all (coalescing). The
   * fsync runs on the libuv threadpool, so the event loop keeps serving meanwhile.
   */
  #startSync(): void {
    if (this.#syncing !== undefined || this.#committed.length === 0) return;
    const covered = this.#committed;
    this.#committed = [];
    this.#syncing = this.#store.sync().then(
      () => {
        for (const { batch, results } of covered) {
          for (let i = 0; i < batch.length; i++) (batch[i] as Pending).resolve(results[i] as AppendResult);
        }
      },
      (error: unknown) => {
        // After a failed fsync the kernel may have dropped the dirty pages; a later fsync
        // succeeding proves nothing about them. Refuse to acknowledge anything from now on.
        this.#syncFailure = error;
        const failure = this.#refusal();
        for (const { batch } of [...covered, ...this.#committed]) for (const p of batch) p.reject(failure);
        this.#committed = [];
      },
    ).finally(() => {
      this.#syncing = undefined;
      // Appends that gathered during the fsync commit now and share the next one.
      if (this.#pending.length > 0) {
        this.#cancelTimer();
        this.#runFlush();
      }
      this.#startSync();
    });
  }

  /** Resolves once every batch committed so far is durable (or was rejected). */
  async #durable(): Promise<void> {
    this.#startSync();
    while (this.#syncing !== undefined) await this.#syncing;
  }

  #flushBatch(): void {
    const batch = this.#pending.splice(0, this.#maxBatch);
    if (batch.length === 0) return;
    if (this.#syncFailure !== undefined) {
      const failure = this.#refusal();
      for (const p of batch) p.reject(failure);
      return;
    }
    if (this.#useThread && (batch.length >= streamBatch || (this.#thread?.inFlight ?? 0) > 0)) {
      // Also small batches while the thread has batches in flight: seqs follow append order.
      this.#post(batch);
      return;
    }
    let results: AppendResult[];
    try {
      results = this.#store.write((tx) => {
        const tail = tx.tail();
        this.#catchUp(tail);
        const outcome = writeBatch(tx, this.#writerState(), this.#writer, batch.map((p) => p.json), this.#clock.now());
        // Postcondition: state is only updated once the transaction body succeeded; the commit
        // follows immediately, and a failed commit resyncs from the store below.
        this.#adopt(outcome.firstSeq, batch.length, outcome.hashes, outcome.newTiles, outcome.state.lastTs);
        this.#chunk = outcome.state.chunk;
        return resultsOf(outcome.firstSeq, outcome.hashes, batch.length);
      });
    } catch (error) {
      this.#resync(this.#store.tail());
      for (const p of batch) p.reject(error);
      return;
    }
    this.#committed.push({ batch, results });
    this.#startSync();
  }

  /** Sends a batch to the writer thread; its reply joins the fsync pipeline like an inline commit. */
  #post(batch: Pending[]): void {
    this.#thread ??= startAppendThread(this.file, this.algorithm);
    // This thread's copy of the incomplete tile is stale from now on.
    this.#chunk = undefined;
    const posted = this.#thread.post({ jsons: batch.map((p) => p.json), now: this.#clock.now() });
    this.#lastPost = posted.then(
      (reply) => this.#onReply(batch, reply),
      (error: unknown) => this.#onReply(batch, { ok: false, code: undefined, message: error instanceof Error ? error.message : 'writer thread failed' }),
    );
  }

  #onReply(batch: Pending[], reply: AppendReply): void {
    if (!reply.ok) {
      const error = auditError(reply.code === 'ERR_AUDIT_BUSY' ? 'ERR_AUDIT_BUSY' : 'ERR_AUDIT_STORE', {
        message: `audit log ${this.file}: a batch of appends could not be committed (${reply.message})`,
        hint: reply.code === 'ERR_AUDIT_BUSY' ? 'another process holds the write lock; retry' : 'check the disk and the file, then run custos audit verify',
      });
      this.#stale = true;
      for (const p of batch) p.reject(error);
      return;
    }
    const hashes = Buffer.from(reply.hashes.buffer, reply.hashes.byteOffset, reply.hashes.byteLength);
    this.#adopt(reply.firstSeq, batch.length, hashes, reply.newTiles.map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength)), reply.lastTs);
    if (this.#syncFailure !== undefined) {
      // Committed, but never to be acknowledged: the fsync pipeline already failed.
      const failure = this.#refusal();
      for (const p of batch) p.reject(failure);
      return;
    }
    this.#committed.push({ batch, results: resultsOf(reply.firstSeq, hashes, batch.length) });
    this.#startSync();
  }

  /** Mirrors a committed batch in this thread's view of the tail (tiles and levels for proofs). */
  #adopt(firstSeq: number, count: number, hashes: Buffer, newTiles: readonly Buffer[], lastTs: number): void {
    // Another writer appended before this batch: its tiles are not in this view; re-read.
    if (firstSeq !== this.#size) this.#stale = true;
    this.#size = firstSeq + count;
    this.#lastHash = Buffer.from(hashes.subarray(32 * (count - 1), 32 * count));
    this.#lastTs = lastTs;
    if (newTiles.length === 0 || this.#stale) return;
    if (Math.floor(firstSeq / tileWidth) !== this.#tiles.length) {
      this.#stale = true;
      return;
    }
    this.#tiles.push(...newTiles);
    extendLevels(this.#levels, this.#tiles, this.#hasher);
  }

  /** Brings this thread's view up to the store's tail before writing or proving. */
  #catchUp(tail: StoreTail): void {
    if (this.#stale || tailMoved(tail, { size: this.#size, lastHash: this.#lastHash })) this.#resync(tail);
    else if (this.#chunk === undefined) this.#chunk = readWriterState(this.#store, this.#writer, tail).chunk;
  }

  #writerState(): WriterState {
    return { size: this.#size, lastHash: this.#lastHash, lastTs: this.#lastTs, tileCount: this.#tiles.length, chunk: this.#chunk as TileAccumulator };
  }

  /** Re-reads the writer state from the store (after another process appended, or a failure). */
  #resync(tail: StoreTail): void {
    const state = readWriterState(this.#store, this.#writer, tail);
    this.#size = state.size;
    this.#lastHash = state.lastHash;
    this.#lastTs = state.lastTs;
    this.#tiles = this.#store.tiles();
    this.#levels = extendLevels([], this.#tiles, this.#hasher);
    this.#chunk = state.chunk;
    this.#stale = false;
  }

  #source(size: number): MerkleSource {
    this.#catchUp(this.#store.tail());
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#size) {
      throw auditError('ERR_AUDIT_NOT_FOUND', { message: `tree size ${size} is beyond the log's ${this.#size} entries` });
    }
    const leavesOfTile = (index: number): Buffer[] => {
      if (index === this.#tiles.length) return (this.#chunk as TileAccumulator).leaves.map((leaf) => Buffer.from(leaf, 'latin1'));
      const cached = this.#tileLeaves.get(index);
      if (cached !== undefined) return cached;
      const leaves: Buffer[] = [];
      for (const row of this.#store.rows(index * tileWidth, index * tileWidth + tileWidth)) {
        leaves.push(rowLeafHash(this.#hasher, row.seq, row.ts, row.event));
      }
      if (leaves.length !== tileWidth) {
        throw auditError('ERR_AUDIT_NOT_FOUND', { message: `entries of tile ${index} are not in the live log (sealed into an archive?)`, hint: 'use the archive bundle for proofs of sealed entries' });
      }
      // A small cache of complete tiles' leaves: exports and proofs near each other reuse them.
      if (this.#tileLeaves.size >= 32) this.#tileLeaves.delete(this.#tileLeaves.keys().next().value as number);
      this.#tileLeaves.set(index, leaves);
      return leaves;
    };
    return logTreeSource(size, this.#levels, leavesOfTile, this.#hasher, this.#rangeMemo);
  }

  /** The Merkle root (hex) of the first `size` entries (default: all). */
  root(size: number = this.#size): string {
    return this.#source(size).rangeHash(0, size).toString('hex');
  }

  /**
   * The RFC 9162 inclusion proof of entry `seq` in the tree of `treeSize` entries.
   *
   * @example
   * const p = log.inclusionProof(41); verifyInclusion(p.seq, p.treeSize, leaf, proofBytes, root);
   */
  inclusionProof(seq: number, treeSize: number = this.#size): InclusionProof {
    const source = this.#source(treeSize);
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= treeSize) {
      throw auditError('ERR_AUDIT_NOT_FOUND', { message: `no entry ${seq} in a tree of ${treeSize}` });
    }
    const leaf = source.rangeHash(seq, seq + 1);
    return Object.freeze({ seq, treeSize, leafHash: leaf.toString('hex'), proof: Object.freeze(inclusionPathFrom(source, seq, treeSize).map((h) => h.toString('hex'))) });
  }

  /** The RFC 9162 consistency proof between tree sizes (hex hashes). */
  consistencyProof(size1: number, size2: number = this.#size): string[] {
    return consistencyPathFrom(this.#source(size2), size1, size2).map((h) => h.toString('hex'));
  }

  /**
   * Signs and stores a checkpoint of the current tree (C2SP tlog-checkpoint signed note).
   *
   * @example
   * const cp = await log.checkpoint(); writeFileSync('saved.checkpoint', cp.note);
   */
  async checkpoint(): Promise<Checkpoint> {
    if (this.#signer === undefined) throw auditError('ERR_AUDIT_KEY', { message: 'a read-only audit log cannot sign checkpoints' });
    await this.flush();
    const size = this.#store.tail().size;
    const root = this.root(size);
    const cp = await signCheckpoint({ origin: this.origin, size, root, time: this.#clock.now() }, this.#signer);
    this.#store.insertCheckpoint(cp.size, cp.time, Buffer.from(cp.root, 'hex'), cp.note);
    await this.#store.sync();
    this.#checkpointedSize = size;
    return cp;
  }

  /** Stored checkpoints, oldest first. */
  checkpoints(): { size: number; time: number; note: string }[] {
    return this.#store.checkpoints().map(({ size, time, note }) => ({ size, time, note }));
  }

  /** Entries matching a query, in seq order. */
  query(query: AuditQuery = {}): AuditEntry[] {
    return this.#store.query(query).map(toEntry);
  }

  /** Raw stored rows (for export and archives). */
  rows(from = 0, to: number = this.#size): IterableIterator<StoredRow> {
    return this.#store.rows(from, to);
  }

  /**
   * Recomputes chain, tiles and tree, checks every stored (and saved) checkpoint, and locates
   * any alteration. Reads a consistent snapshot; appends may continue meanwhile.
   *
   * @example
   * const report = log.verify({ verifierKeys: [trustedKey] }); if (!report.ok) process.exitCode = 3;
   */
  verify(options: VerifyOptions = {}): VerifyReport {
    const verifiers: NoteVerifier[] = [];
    for (const key of options.verifierKeys ?? (this.#verifierKey === undefined ? [] : [this.#verifierKey])) verifiers.push(parseVerifierKey(key));
    const seals = this.#store.seals();
    const lastSeal = seals.at(-1);
    const firstSeq = lastSeal?.endSeq ?? 0;
    const tiles = this.#store.tiles();
    return verifyEntries({
      hasher: this.#hasher,
      origin: this.origin,
      firstSeq,
      firstPrev: lastSeal?.lastHash ?? zeroHash,
      sealedTiles: tiles.slice(0, firstSeq / tileWidth),
      storedTiles: tiles,
      rows: () => this.#store.rows(firstSeq, Number.MAX_SAFE_INTEGER),
      checkpoints: [
        ...this.#store.checkpoints().map((c) => ({ note: c.note, external: false })),
        ...(options.savedCheckpoints ?? []).map((note) => ({ note, external: true })),
      ],
      verifiers,
      missingTriggers: this.#store.missingTriggers(),
    });
  }

  /**
   * The same verification as `verify`, with the hashing spread over worker threads (a read-only
   * connection each). A clean log is confirmed from the workers' results; anything irregular
   * falls back to the sequential pass, which locates and classifies it.
   *
   * @example
   * const report = await log.verifyParallel({ verifierKeys: [trustedKey] });
   */
  async verifyParallel(options: VerifyOptions & { readonly threads?: number } = {}): Promise<VerifyReport> {
    const started = performance.now();
    await this.flush();
    const seals = this.#store.seals();
    const firstSeq = seals.at(-1)?.endSeq ?? 0;
    const firstPrev = seals.at(-1)?.lastHash ?? zeroHash;
    const end = this.#store.tail().size;
    const missingTriggers = this.#store.missingTriggers();
    if (missingTriggers.length > 0 || end - firstSeq < 4 * tileWidth) return this.verify(options);
    const pass = await parallelPass(this.file, this.algorithm, firstSeq, end, firstPrev, options.threads);
    const storedTiles = this.#store.tiles();
    const tiles = [...storedTiles.slice(0, firstSeq / tileWidth), ...pass.tiles];
    const tilesMatch = storedTiles.length === tiles.length && tiles.every((t, i) => t.equals(storedTiles[i] as Buffer));
    if (!pass.clean || !tilesMatch) return this.verify(options);
    const verifiers: NoteVerifier[] = (options.verifierKeys ?? (this.#verifierKey === undefined ? [] : [this.#verifierKey])).map((k) => parseVerifierKey(k));
    const leavesOfTile = (index: number): Buffer[] => {
      const leaves: Buffer[] = [];
      for (const row of this.#store.rows(index * tileWidth, Math.min(end, index * tileWidth + tileWidth))) leaves.push(rowLeafHash(this.#hasher, row.seq, row.ts, row.event));
      return leaves;
    };
    const source = logTreeSource(end, extendLevels([], tiles, this.#hasher), leavesOfTile, this.#hasher);
    const notes = [...this.#store.checkpoints().map((c) => c.note), ...(options.savedCheckpoints ?? [])];
    let checked = 0;
    for (const note of notes) {
      let head: Checkpoint;
      try {
        head = openCheckpoint(note, verifiers);
      } catch {
        return this.verify(options);
      }
      if (head.origin !== this.origin || head.size > end) return this.verify(options);
      if (head.size < firstSeq) continue;
      if (source.rangeHash(0, head.size).toString('hex') !== head.root) return this.verify(options);
      checked += 1;
    }
    return Object.freeze({
      ok: true,
      algorithm: this.algorithm,
      entries: pass.count,
      firstSeq,
      checkpointsChecked: checked,
      root: source.rangeHash(0, end).toString('hex'),
      findings: Object.freeze([]),
      ms: performance.now() - started,
    });
  }

  /** Sealed segments (archived rows no longer in the live database). */
  seals(): { firstSeq: number; endSeq: number; archive: string; archiveDigest: string; time: number }[] {
    return this.#store.seals().map(({ firstSeq, endSeq, archive, archiveDigest, time }) => ({ firstSeq, endSeq, archive, archiveDigest, time }));
  }

  /** @internal records a seal (rows below it leave the live database) and drops cached leaves. */
  recordSeal(seal: StoredSeal): void {
    this.#store.seal(seal);
    this.#tileLeaves.clear();
  }

  /** @internal for sealing */
  get store(): AuditStore {
    return this.#store;
  }

  /** @internal */
  get hasher(): LogHasher {
    return this.#hasher;
  }

  /** Database size on disk (file plus WAL), for the bytes-per-event figure. */
  bytes(): number {
    return this.#store.bytes();
  }

  /** Flushes pending appends, writes a final checkpoint when entries were added, and closes. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    // Appends arriving while close waits for the last fsync are refused, not left to a closed
    // store; a second close waits for the first.
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#checkpointTimer !== undefined) clearInterval(this.#checkpointTimer);
    try {
      await this.flush();
      // After a failed fsync nothing more is signed: the log cannot vouch for its own tail.
      if (this.#syncFailure === undefined && this.#signer !== undefined && this.#size !== this.#checkpointedSize && this.#size > 0) await this.checkpoint();
    } finally {
      this.#closed = true;
      await this.#thread?.close();
      this.#store.close();
    }
  }
}

// Appends of one burst posted to the writer thread together (one transaction there).
const streamBatch = 256;

const resultsOf = (firstSeq: number, hashes: Buffer, count: number): AppendResult[] => {
  const out = new Array<AppendResult>(count);
  for (let i = 0; i < count; i++) out[i] = { seq: firstSeq + i, hash: hashes.toString('hex', 32 * i, 32 * i + 32) };
  return out;
};

const toEntry = (row: StoredRow): AuditEntry =>
  Object.freeze({ seq: row.seq, ts: row.ts, event: JSON.parse(row.event) as AuditEvent, prevHash: row.prev.toString('hex'), hash: row.hash.toString('hex') });

/**
 * Opens (or creates) an audit log.
 *
 * @example
 * const log = openAuditLog({ file: 'custos-data/audit.db' });
 * await log.append({ kind: 'decision', decisionId, subjectId: 'u1', subjectType: 'doctor', action: 'read',
 *   resourceType: 'record', resourceId: 'r1', patientId: 'p1', decision: 'permit', reasons: ['rule-1'],
 *   obligations: [], policyVersion: 'v3' });
 * await log.close();
 */
export const openAuditLog = (options: AuditLogOptions): AuditLog => {
  if (typeof options?.file !== 'string' || options.file.length === 0) throw new TypeError('openAuditLog needs { file }');
  const store = openSqliteStore(options.file, { readonly: options.readonly === true });
  try {
    return new AuditLog(options, store, true);
  } catch (error) {
    store.close();
    throw error;
  }
};
