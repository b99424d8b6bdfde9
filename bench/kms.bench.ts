// kms benchmark: field sealing under a cached data key, side by side with raw node:crypto on
// the same values; the SM4 suite against raw SM4-CTR + HMAC-SM3; blobs through the Encryption
// SDK with and without the caching materials manager; ciphertext sizes for a 32-byte field.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { throughput, throughputAsync, ratio } from './harness.js';
import { openKeystore, createFieldCipher, createEnvelope, type FieldBinding } from '../kms/index.js';

const dir = mkdtempSync(join(tmpdir(), 'custos-kms-bench-'));
const keystore = openKeystore({ file: join(dir, 'keystore.db'), rootKey: { kind: 'raw', key: randomBytes(32) }, create: true });
keystore.createKey({ id: 'records-kek', algorithm: 'aes-256', purpose: 'wrap' });
const value = '13800138000-张三-0123456789abcde'.slice(0, 32).padEnd(32, 'x');
const plaintext = Buffer.from(value, 'utf8');
const binding: FieldBinding = { recordType: 'Patient', recordId: 'p-1', fieldPath: 'telecom.0.value', subjectId: 'p-1' };
const ms = Number(process.env.BENCH_MS ?? 1000);

// --- AES-256-GCM ---
const aes = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
const sealedAes = await aes.sealField(value, binding);
const oursAes = await throughputAsync('field seal+open aes-256-gcm (custos, cached data key)', async () => {
  await aes.openField(await aes.sealField(value, binding), binding);
}, ms);
const rawKey = randomBytes(32);
const rawAes = throughput('field encrypt+decrypt aes-256-gcm (raw node:crypto)', () => {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', rawKey, iv);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  const tag = c.getAuthTag();
  const d = createDecipheriv('aes-256-gcm', rawKey, iv);
  d.setAuthTag(tag);
  Buffer.concat([d.update(ct), d.final()]).toString('utf8');
}, ms);

// --- SM4-CTR + HMAC-SM3 ---
const sm4 = createFieldCipher({ keystore, wrappingKeyId: 'records-kek', suite: 'sm4-ctr-hmac-sm3' });
const sm4Binding = { ...binding, subjectId: 'p-sm4' };
const sealedSm4 = await sm4.sealField(value, sm4Binding);
const oursSm4 = await throughputAsync('field seal+open sm4-ctr-hmac-sm3 (custos, cached data key)', async () => {
  await sm4.openField(await sm4.sealField(value, sm4Binding), sm4Binding);
}, ms);
const sm4Key = randomBytes(16);
const macKey = randomBytes(32);
const rawSm4 = throughput('field encrypt+decrypt sm4-ctr + hmac-sm3 (raw node:crypto)', () => {
  const iv = randomBytes(16);
  const ct = Buffer.concat([iv, createCipheriv('sm4-ctr', sm4Key, iv).update(plaintext)]);
  const mac = createHmac('sm3', macKey).update(ct).digest().subarray(0, 16);
  if (!timingSafeEqual(createHmac('sm3', macKey).update(ct).digest().subarray(0, 16), mac)) throw new Error('mac');
  createDecipheriv('sm4-ctr', sm4Key, iv).update(ct.subarray(16)).toString('utf8');
}, ms);

// --- blobs through the Encryption SDK ---
const blob = randomBytes(4096);
const context = { purpose: 'bench', tenant: 't-1' };
const cached = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: { maxAgeMs: 60_000, maxMessagesEncrypted: 1_000_000 } });
const uncached = await createEnvelope({ keystore, keyIds: ['records-kek'], cache: false });
const blobUncached = await throughputAsync('blob 4 KiB encrypt+decrypt, ESDK without cache', async () => {
  await uncached.decrypt(await uncached.encrypt(blob, context), context);
}, ms);
const blobCached = await throughputAsync('blob 4 KiB encrypt+decrypt, ESDK with caching CMM', async () => {
  await cached.decrypt(await cached.encrypt(blob, context), context);
}, ms);
const sdkField = await uncached.encrypt(plaintext, context);

console.log(`ciphertext bytes, 32-byte field: custos aes-256-gcm ${sealedAes.length} chars (${sealedAes.length - 32} over plaintext; binary overhead ${7 + 28}), custos sm4-ctr ${sealedSm4.length} chars (binary overhead ${7 + 32}), ESDK message ${sdkField.length} bytes`);
ratio('field aes-256-gcm custos/raw (target >= 0.5)', oursAes.opsPerSec, rawAes.opsPerSec);
ratio('field sm4-ctr-hmac-sm3 custos/raw (target >= 0.5)', oursSm4.opsPerSec, rawSm4.opsPerSec);
ratio('field sm4 suite / aes suite (custos)', oursSm4.opsPerSec, oursAes.opsPerSec);
ratio('blob ESDK cached/uncached', blobCached.opsPerSec, blobUncached.opsPerSec);
ratio('field custos aes / ESDK per field (uncached, 4 KiB)', oursAes.opsPerSec, blobUncached.opsPerSec);

aes.close();
sm4.close();
keystore.close();
rmSync(dir, { recursive: true, force: true });
