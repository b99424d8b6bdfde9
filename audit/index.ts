/**
 * custos/audit — the append-only, hash-chained audit log: canonical events, SQLite storage with
 * append-only triggers, RFC 9162 Merkle tree and proofs, C2SP signed checkpoints, query,
 * export bundles and verification. See audit/README.md.
 */
import { logHasher as makeHasher } from './hashing.js';

const logHasherDefault = makeHasher('sha256');

export { AuditLog, openAuditLog } from './audit-log.js';
export type { AuditLogOptions, InclusionProof, VerifyOptions } from './audit-log.js';
export {
  merkleRoot,
  inclusionProof,
  consistencyProof,
  verifyInclusion,
  verifyConsistency,
  rootFromInclusionProof,
  createFrontier,
} from './merkle.js';
export type { MerkleFrontier } from './merkle.js';
export { writeBundle, verifyBundle, bundleFormat } from './bundle.js';
export type { BundleHeader, BundleReport } from './bundle.js';
export { sealSegment } from './retention.js';
export type { SealResult } from './retention.js';
export { logHasher } from './hashing.js';
export type { LogHasher } from './hashing.js';
export { chainHash, genesisHash } from './hash-chain.js';
export { parseEvent, eventJson, entryText, personalDataKindOf } from './events.js';
export {
  ed25519Signer,
  ed25519KeyId,
  parseVerifierKey,
  signCheckpoint,
  openCheckpoint,
  parseCheckpointText,
  checkpointBody,
} from './checkpoint.js';
export type { NoteSigner, NoteVerifier } from './checkpoint.js';
export { loadOrCreateKeyFile, parseSignerKey } from './log-key.js';
export type { AuditErrorCode } from './errors.js';
export type {
  HashAlgorithm,
  EventBase,
  DecisionEvent,
  BreakGlassEvent,
  PolicyChangeEvent,
  KeyEvent,
  ScanEvent,
  ReportEvent,
  AdminEvent,
  ConsentEvent,
  AuditEvent,
  AuditEventKind,
  AppendResult,
  AuditEntry,
  TreeHead,
  Checkpoint,
  AuditQuery,
  Finding,
  FindingKind,
  VerifyReport,
} from './types.js';

/** Convenience: SHA-256 leaf hash (RFC 9162 §2.1.1, 0x00 prefix). */
export const hashLeaf = (data: Uint8Array): Buffer => logHasherDefault.hashLeaf(data);
/** Convenience: SHA-256 interior node hash (RFC 9162 §2.1.1, 0x01 prefix). */
export const hashChildren = (left: Uint8Array, right: Uint8Array): Buffer => logHasherDefault.hashChildren(left, right);
