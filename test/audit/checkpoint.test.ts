import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ed25519Signer,
  openCheckpoint,
  parseCheckpointText,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
} from '../../audit/index.js';

// Known answer from the reference implementation of signed notes (golang.org/x/mod/sumdb/note
// documentation and tests): Ed25519 signatures are deterministic (RFC 8032), so ours must
// reproduce the published note byte for byte.
const skey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const signatureLine = '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';

test('signed-note known answer: key encodings, key ID and signature match the reference byte for byte', async () => {
  const signer = parseSignerKey(skey);
  assert.equal(signer.verifierKey, vkey);
  assert.equal(Buffer.from(signer.keyId).toString('hex'), 'c74f20a3');
  const signature = await signer.sign(Buffer.from(text));
  assert.equal(`\u2014 ${signer.name} ${Buffer.concat([signer.keyId, signature]).toString('base64')}`, signatureLine);
  const verifier = parseVerifierKey(vkey);
  assert.equal(Buffer.from(verifier.keyId).toString('hex'), 'c74f20a3');
  assert.ok(verifier.verify(Buffer.from(text), signature));
  assert.equal(verifier.verify(Buffer.from(text.replace('answer', 'Answer')), signature), false);
});

test('malformed verifier and signer keys are refused', () => {
  for (const bad of ['', 'PeterNeumann', 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'PeterNeumann+c74f20a3+AhpcAA==']) {
    assert.throws(() => parseVerifierKey(bad), { code: 'ERR_AUDIT_KEY' }, bad);
  }
  assert.throws(() => parseSignerKey(skey.replace('c74f20a3', 'c74f20a4')), { code: 'ERR_AUDIT_KEY' });
  assert.throws(() => parseSignerKey(vkey), { code: 'ERR_AUDIT_KEY' });
});

const signer = ed25519Signer('hospital.example/audit', Buffer.alloc(32, 3));
const other = ed25519Signer('witness.example', Buffer.alloc(32, 4));
const head = { origin: 'hospital.example/audit', size: 42, root: 'ab'.repeat(32), time: 1_700_000_000_000 };

test('checkpoints open with a trusted key; unknown co-signatures are ignored; a bad known signature rejects', async () => {
  const cp = await signCheckpoint(head, signer);
  const verifier = parseVerifierKey(signer.verifierKey);
  assert.deepEqual({ ...openCheckpoint(cp.note, [verifier]), note: undefined }, { ...head, note: undefined });
  // A witness co-signature from a key we do not know is ignored (c2sp.org/signed-note).
  const witnessLine = `\u2014 witness.example ${Buffer.concat([other.keyId, Buffer.alloc(64, 1)]).toString('base64')}\n`;
  assert.equal(openCheckpoint(cp.note + witnessLine, [verifier]).size, 42);
  // The same bad signature from a key we do know rejects the note.
  assert.throws(() => openCheckpoint(cp.note + witnessLine, [verifier, parseVerifierKey(other.verifierKey)]), { code: 'ERR_AUDIT_CHECKPOINT' });
  assert.throws(() => openCheckpoint(cp.note, [parseVerifierKey(other.verifierKey)]), /no signature from a trusted key/);
  assert.throws(() => openCheckpoint(cp.note.replace('\n42\n', '\n43\n'), [verifier]), /does not verify/);
});

test('malformed checkpoint notes are refused before any signature check', async () => {
  const cp = await signCheckpoint(head, signer);
  const verifier = parseVerifierKey(signer.verifierKey);
  const cases = [
    cp.note.replace('\n\n', '\n'),
    cp.note.replace('\u2014', '-'),
    cp.note.replace('hospital', 'hos\u0007pital'),
    cp.note.slice(0, -1),
    `${cp.note}\n`,
  ];
  for (const note of cases) assert.throws(() => openCheckpoint(note, [verifier]), { code: 'ERR_AUDIT_CHECKPOINT' }, JSON.stringify(note));
  for (const body of ['o\n42\n', 'o\n042\nq83vEjRWeJA=\n', 'o\n42\nnot-base64\n', `o\n-1\n${Buffer.alloc(32).toString('base64')}\n`, `o\n42\n${Buffer.alloc(31).toString('base64')}\n`, `o\n1\n${Buffer.alloc(32).toString('base64')}\n\n`]) {
    assert.throws(() => parseCheckpointText(body), { code: 'ERR_AUDIT_CHECKPOINT' }, JSON.stringify(body));
  }
  assert.equal(parseCheckpointText(`o\n0\n${Buffer.alloc(32).toString('base64')}\n`).size, 0);
});
