import { createPrivateKey, createPublicKey, hash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { auditError } from './errors.js';
import type { Checkpoint, TreeHead } from './types.js';

/**
 * Signed checkpoints in the C2SP formats: the note text is a tlog-checkpoint
 * (c2sp.org/tlog-checkpoint: origin, tree size, base64 root, extension lines), signed as a
 * signed note (c2sp.org/signed-note: blank line, then `— <key name> base64(key ID || sig)`).
 * Ed25519 keys use signature type 0x01, key ID = SHA-256(name || 0x0A || 0x01 || pubkey)[:4].
 * Keys are written in the golang.org/x/mod/sumdb/note encodings so that Go tooling reads them.
 */

/** Signs checkpoint notes. The local key file implements it; a kms-held key can too. */
export interface NoteSigner {
  /** Key name (no spaces or `+`), e.g. the log origin. */
  readonly name: string;
  /** The 4-byte key ID of the signed-note spec. */
  readonly keyId: Uint8Array;
  /** `name+hexkeyid+base64(0x01 || pubkey)`: what an auditor configures to verify. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Verifies signatures of one named key. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

const ed25519Type = 0x01;
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
const emDash = '\u2014';
const maxNoteBytes = 64 * 1024;

const isKeyName = (name: string): boolean => name.length > 0 && !/[\s+]/u.test(name) && Buffer.byteLength(name) <= 255;

/** c2sp.org/signed-note: key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]. */
export const ed25519KeyId = (name: string, publicKey: Uint8Array): Buffer =>
  hash('sha256', Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([ed25519Type]), publicKey]), 'buffer').subarray(0, 4);

const publicKeyObject = (raw: Uint8Array): KeyObject => createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' });

const privateKeyObject = (seed: Uint8Array): KeyObject => {
  const der = Buffer.concat([pkcs8Prefix, seed]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
};

/**
 * An Ed25519 note signer from a 32-byte seed (RFC 8032). The seed is copied into a KeyObject;
 * the caller zeroes its own buffer.
 *
 * @example
 * const signer = ed25519Signer('custos.local/audit', seed);
 */
export const ed25519Signer = (name: string, seed: Uint8Array): NoteSigner => {
  if (!isKeyName(name)) throw auditError('ERR_AUDIT_KEY', { message: 'signing key name must be non-empty, without spaces or "+"' });
  if (seed.length !== 32) throw auditError('ERR_AUDIT_KEY', { message: `an Ed25519 seed has 32 bytes; got ${seed.length}` });
  const key = privateKeyObject(seed);
  const publicKey = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(spkiPrefix.length);
  const keyId = ed25519KeyId(name, publicKey);
  return Object.freeze({
    name,
    keyId,
    verifierKey: `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ed25519Type]), publicKey]).toString('base64')}`,
    sign: (message: Uint8Array) => cryptoSign(null, message, key),
  });
};

/**
 * Parses a verifier key `name+hexkeyid+base64(0x01 || pubkey)` (golang.org/x/mod/sumdb/note),
 * checking that the key ID matches the name and key.
 *
 * @example
 * const verifier = parseVerifierKey(signer.verifierKey);
 */
export const parseVerifierKey = (text: string): NoteVerifier => {
  const bad = (why: string) => auditError('ERR_AUDIT_KEY', { message: `malformed verifier key: ${why}`, hint: 'expected name+hexkeyid+base64key, as written by `custos audit key`' });
  // The base64 part may itself contain "+": split on the first two only.
  const m = typeof text === 'string' ? /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/u.exec(text.trim()) : null;
  if (m === null) throw bad('expected name+hexkeyid+base64key');
  const [, name, idHex, keyB64] = m as unknown as [string, string, string, string];
  const key = Buffer.from(keyB64, 'base64');
  if (key.length !== 33 || key[0] !== ed25519Type) throw bad('only Ed25519 (type 0x01) keys are supported');
  const raw = key.subarray(1);
  const keyId = ed25519KeyId(name, raw);
  if (keyId.toString('hex') !== idHex) throw bad('key ID does not match name and key');
  const keyObject = publicKeyObject(raw);
  return Object.freeze({
    name,
    keyId,
    verify: (message: Uint8Array, signature: Uint8Array) => signature.length === 64 && cryptoVerify(null, message, keyObject, signature),
  });
};

/** The note text of a checkpoint (c2sp.org/tlog-checkpoint), ending in a newline. */
export const checkpointBody = (head: TreeHead): string => {
  if (!isKeyName(head.origin)) throw auditError('ERR_AUDIT_CHECKPOINT', { message: 'checkpoint origin must be non-empty, without spaces or "+"' });
  // The time goes in one extension line: extension lines are allowed (and signed) though "NOT
  // RECOMMENDED" by tlog-checkpoint; witnesses that do not know it ignore it.
  return `${head.origin}\n${head.size}\n${Buffer.from(head.root, 'hex').toString('base64')}\ntime ${head.time}\n`;
};

/**
 * Signs a tree head: returns the checkpoint with its signed note.
 *
 * @example
 * const cp = await signCheckpoint({ origin, size: 8, root, time: Date.now() }, signer);
 */
export const signCheckpoint = async (head: TreeHead, signer: NoteSigner): Promise<Checkpoint> => {
  const body = checkpointBody(head);
  const signature = await signer.sign(Buffer.from(body, 'utf8'));
  const line = `${emDash} ${signer.name} ${Buffer.concat([signer.keyId, signature]).toString('base64')}\n`;
  return Object.freeze({ ...head, note: `${body}\n${line}` });
};

/** A parsed, not yet trusted, signed note. */
interface ParsedNote {
  readonly text: string;
  readonly signatures: readonly { readonly name: string; readonly keyId: Buffer; readonly signature: Buffer }[];
}

const parseNote = (note: string): ParsedNote => {
  const bad = (why: string) => auditError('ERR_AUDIT_CHECKPOINT', { message: `malformed signed note: ${why}` });
  if (typeof note !== 'string' || Buffer.byteLength(note) > maxNoteBytes) throw bad('not a string or too large');
  // c2sp.org/signed-note: valid UTF-8, no control characters other than newline.
  for (let i = 0; i < note.length; i++) {
    const c = note.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw bad('control characters');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw bad('no blank line before signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures = lines.map((line) => {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (m === null) throw bad('bad signature line');
    const blob = Buffer.from(m[2] as string, 'base64');
    if (blob.length < 5) throw bad('signature too short');
    return { name: m[1] as string, keyId: blob.subarray(0, 4), signature: blob.subarray(4) };
  });
  if (signatures.length === 0 || signatures.length > 100) throw bad('needs 1 to 100 signatures');
  return { text, signatures };
};

/**
 * Verifies a signed checkpoint note with the trusted `verifiers` and parses its tree head.
 * Signatures from unknown keys are ignored; one known key that fails rejects the note; at
 * least one known key must verify (c2sp.org/signed-note).
 *
 * @example
 * const head = openCheckpoint(note, [parseVerifierKey(vkey)]);
 */
export const openCheckpoint = (note: string, verifiers: readonly NoteVerifier[]): Checkpoint => {
  const parsed = parseNote(note);
  const message = Buffer.from(parsed.text, 'utf8');
  let verified = 0;
  for (const sig of parsed.signatures) {
    const verifier = verifiers.find((v) => v.name === sig.name && Buffer.compare(Buffer.from(v.keyId), sig.keyId) === 0);
    if (verifier === undefined) continue;
    if (!verifier.verify(message, sig.signature)) {
      throw auditError('ERR_AUDIT_CHECKPOINT', { message: `checkpoint signature by key "${sig.name}" does not verify`, hint: 'the checkpoint was altered or forged' });
    }
    verified += 1;
  }
  if (verified === 0) {
    throw auditError('ERR_AUDIT_CHECKPOINT', { message: 'checkpoint carries no signature from a trusted key', hint: 'pass the log\'s verifier key (custos audit key)' });
  }
  return Object.freeze({ ...parseCheckpointText(parsed.text), note });
};

/** Parses tlog-checkpoint note text (without verifying anything). */
export const parseCheckpointText = (text: string): TreeHead => {
  const bad = (why: string) => auditError('ERR_AUDIT_CHECKPOINT', { message: `malformed checkpoint: ${why}` });
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw bad('needs origin, size and root lines');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin.length === 0) throw bad('empty origin');
  if (!/^(0|[1-9]\d{0,15})$/u.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw bad('bad tree size');
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText) throw bad('root hash must be 32 bytes of base64');
  let time = 0;
  for (const extension of lines.slice(3, -1)) {
    if (extension.length === 0) throw bad('empty extension line');
    const m = /^time (\d{1,16})$/u.exec(extension);
    if (m !== null) time = Number(m[1]);
  }
  return Object.freeze({ origin, size: Number(sizeText), root: root.toString('hex'), time });
};
