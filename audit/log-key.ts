import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cryptoRandom, type RandomSource } from '../lib/random.js';
import { ed25519KeyId, ed25519Signer, type NoteSigner } from './checkpoint.js';
import { auditError } from './errors.js';

/**
 * The log's local Ed25519 signing key, until the kms module holds it: one file
 * `PRIVATE+KEY+<name>+<hexkeyid>+base64(0x01 || seed)` (the golang.org/x/mod/sumdb/note signer
 * encoding), mode 0600, under the data directory. Never commit it.
 */
const prefix = 'PRIVATE+KEY+';

/** Parses a signer key text and returns a signer; zeroes the decoded seed. */
export const parseSignerKey = (text: string): NoteSigner => {
  const bad = (why: string) => auditError('ERR_AUDIT_KEY', { message: `malformed audit log key file: ${why}` });
  const trimmed = text.trim();
  if (!trimmed.startsWith(prefix)) throw bad(`expected it to start with ${prefix}`);
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/u.exec(trimmed.slice(prefix.length));
  if (m === null) throw bad('expected name+hexkeyid+base64key');
  const [, name, idHex, keyB64] = m as unknown as [string, string, string, string];
  const blob = Buffer.from(keyB64, 'base64');
  try {
    if (blob.length !== 33 || blob[0] !== 0x01) throw bad('only Ed25519 (type 0x01) keys are supported');
    const signer = ed25519Signer(name, blob.subarray(1));
    if (Buffer.from(signer.keyId).toString('hex') !== idHex) throw bad('key ID does not match the key');
    return signer;
  } finally {
    blob.fill(0);
  }
};

/**
 * Loads the signing key at `file`, or creates a new one named `name` when the file does not
 * exist (written with mode 0600, never overwritten).
 *
 * @example
 * const signer = loadOrCreateKeyFile('custos-data/audit/log.key', 'custos.local/audit');
 */
export const loadOrCreateKeyFile = (file: string, name: string, random: RandomSource = cryptoRandom): NoteSigner => {
  if (existsSync(file)) return parseSignerKey(readFileSync(file, 'utf8'));
  const seed = Buffer.from(random(32));
  try {
    const signer = ed25519Signer(name, seed);
    const publicKey = Buffer.from(signer.verifierKey.slice(name.length + 10), 'base64').subarray(1);
    const id = ed25519KeyId(name, publicKey).toString('hex');
    const blob = Buffer.concat([Buffer.from([0x01]), seed]);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${prefix}${name}+${id}+${blob.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    blob.fill(0);
    return signer;
  } finally {
    seed.fill(0);
  }
};
