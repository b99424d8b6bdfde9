// kms benchmark: field sealing under a cached data key, side by side with raw node:crypto on
// the same values; the SM4 suite against raw SM4-CTR + HMAC-SM3; blobs through the Encryption
// SDK with and without the caching materials manager; ciphertext sizes for a 32-byte field.
// Ours and the raw primitive run in alternating rounds and the best round of each counts,
// so that load from other processes on a shared machine hits both alike.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatRate, ratio } from './harness.js';
import { openKeystore, createFieldCipher, createEnvelope, type FieldBinding } from '../kms/index.js';

const dir = mkdtempSync(join(tmpdir(), 'custos-kms-bench-'));
const keystore = openKeystore({ file: join(dir, 'keystore.db'), rootKey: { kind: 'raw', key: randomBytes(32) }, create: true });
keystore.createKey({ id: 'records-kek', algorithm: 'aes-256', purpose: 'wrap' });
const value = '13800138000-张三-0123456789abcde'.slice(0, 32).padEnd(32, 'x');
const plaintext = Buffer.from(value, 'utf8');
const binding: FieldBinding = { recordType: 'Patient', recordId: 'p-1', fieldPath: 'telecom.0.value', subjectId: 'p-1' };
const ms = Number(process.env.BENCH_MS ?? 1000);
const rounds = 4;

/** Operations per second of `fn` over `durationMs` (async: awaited one at a time). */
const rate = async (fn: () => unknown, durationMs: number): Promise<number> => {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < 32; i++) await fn();
    ops += 32;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
};

/** Alternating rounds, best of each; prints both lines. */
const sideBySide = async (oursName: string, ours: () => unknown, rawName: string, raw: () => unknown): Promise<[number, number]> => {
  await rate(ours, 150);
  await rate(raw, 150);
  let best: [number, number] = [0, 0];
  for (let r = 0; r < rounds; r++) {
    const o = await rate(ours, ms / rounds);
    const w = await rate(raw, ms / rounds);
    best = [Math.max(best[0], o), Math.max(best[1], w)];
  }
  console.log(`${oursName}: ${formatRate(best[0])} ops/s`);
  console.log(`${rawName}: ${formatRate(best[1])} ops/s`);
  return best;
};

// --- AES-256-GCM ---
const aes = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
const sealedAes = await aes.sealField(value, binding);
const rawKey = randomBytes(32);
const [oursAes, rawAes] = await sideBySide(
  'field seal+open aes-256-gcm (custos, cached data key)',
  async () => aes.openField(await aes.sealField(value, binding), binding),
  'field encrypt+decrypt aes-256-gcm (raw node:crypto, new cipher per field)',
  () => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', rawKey, iv);
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    const tag = c.getAuthTag();
    const d = createDecipheriv('aes-256-gcm', rawKey, iv);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]).toString('utf8');
  },
);

// --- SM4-CTR + HMAC-SM3 ---
const sm4 = createFieldCipher({ keystore, wrappingKeyId: 'records-kek', suite: 'sm4-ctr-hmac-sm3' });
const sm4Binding = { ...binding, subjectId: 'p-sm4' };
const sealedSm4 = await sm4.sealField(value, sm4Binding);
const sm4Key = randomBytes(16);
const macKey = randomBytes(32);
const [oursSm4, rawSm4] = await sideBySide(
  'field seal+open sm4-ctr-hmac-sm3 (custos, cached data key)',
  async () => sm4.openField(await sm4.sealField(value, sm4Binding), sm4Binding),
  'field encrypt+decrypt sm4-ctr + hmac-sm3 (raw node:crypto)',
  () => {
    const iv = randomBytes(16);
    const ct = Buffer.concat([iv, createCipheriv('sm4-ctr', sm4Key, iv).update(plaintext)]);
    const mac = createHmac('sm3', macKey).update(ct).digest().subarray(0, 16);
    if (!timingSafeEqual(createHmac('sm3', macKey).update(ct).digest().subarray(0, 16), mac)) throw new Error('mac');
    return createDecipheriv('sm4-ctr', sm4Key, iv).update(ct.subarray(16)).toString('utf8');
  },
);

// --- blobs through the Encryption SDK ---
const blob = randomBytes(4096);
const context = { purpose: 'bench', tenant: 't-1' };
const cached = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: { maxAgeMs: 60_000, maxMessagesEncrypted: 1_000_000 } });
const uncached = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: false });
const [blobCached, blobUncached] = await sideBySide(
  'blob 4 KiB encrypt+decrypt, ESDK with caching CMM',
  async () => cached.decrypt(await cached.encrypt(blob, context), context),
  'blob 4 KiB encrypt+decrypt, ESDK without cache',
  async () => uncached.decrypt(await uncached.encrypt(blob, context), context),
);
const sdkField = await uncached.encrypt(plaintext, context);

console.log(
  `ciphertext bytes, 32-byte field: custos aes-256-gcm ${sealedAes.length} chars (binary overhead ${7 + 28} bytes), custos sm4-ctr-hmac-sm3 ${sealedSm4.length} chars (binary overhead ${7 + 32} bytes), ESDK message ${sdkField.length} bytes`,
);
ratio('field aes-256-gcm custos/raw (target >= 0.5)', oursAes, rawAes);
ratio('field sm4-ctr-hmac-sm3 custos/raw (target >= 0.5)', oursSm4, rawSm4);
ratio('field sm4 suite / aes suite (custos)', oursSm4, oursAes);
ratio('blob ESDK cached/uncached', blobCached, blobUncached);
ratio('field custos aes / ESDK blob (4 KiB, uncached)', oursAes, blobUncached);

aes.close();
sm4.close();
keystore.close();
rmSync(dir, { recursive: true, force: true });
