// Masking benchmark: display masks, applyMasks on a FHIR bundle, FF1 — each beside a baseline
// measured in the same run (plain slice+concat for masks; raw AES block encryptions for FF1).
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyMasks, compileMasks, createFf1, displayMask, pseudonymize } from '../masking/index.js';
import { formatRate, ratio, throughput } from './harness.js';

const ms = Number(process.env.BENCH_MS ?? 500);
const samples: Record<string, readonly string[]> = {
  person_name: ['张三', '张三丰', '欧阳明华', '李小龙', 'John Smith'],
  cn_resident_id: ['11010219910101007X', '440113201410050013', '360426199101010071', '110102910101007'],
  phone_mobile: ['13812345678', '13987654321', '+86 138 1234 5678', '15000000000'],
  phone_landline: ['0571-88886666', '010-12345678', '(0571) 8888 6666'],
  bank_card: ['6222021234567890123', '6222 0212 3456 7890', '4111111111111111'],
  email: ['zhangsan@example.com', 'li.si@hospital.cn'],
  address: ['浙江省杭州市西湖区文三路90号', '北京市朝阳区建国路1号', '广东省广州市天河区天河路385号'],
  birth_date: ['1985-04-12', '19900101', '1985年4月12日'],
  ip_address: ['10.12.3.45', '192.168.100.200'],
  medical_insurance_no: ['ZY2024000123', 'SB330100198501'],
  medical_record_no: ['MR-0098765', '00098765'],
  gps: ['30.274084, 120.155070', '39.904200, 116.407396'],
  diagnosis: ['J45.909 哮喘'],
};

// Baseline: the naive slice-and-concat every codebase writes first (no validation, no odd inputs).
let sink = 0;
let j = 0;
const baseValues = samples.phone_mobile!.filter((s) => s.length === 11);
const base = throughput('baseline slice+concat (mobile 3+4)', () => {
  const s = baseValues[j++ % baseValues.length]!;
  sink += (s.slice(0, 3) + '****' + s.slice(7)).length;
}, ms);

const rates: number[] = [];
for (const [type, values] of Object.entries(samples)) {
  const mask = displayMask(type, 'default');
  let i = 0;
  const r = throughput(`display mask ${type}`, () => {
    sink += mask(values[i++ % values.length]!)?.length ?? 0;
  }, ms);
  rates.push(r.opsPerSec);
}
const slowest = Math.min(...rates);
console.log(`slowest display mask: ${formatRate(slowest)} masks/s (target ≥ 1,000,000)`);
ratio('display mask (slowest) vs slice+concat', slowest, base.opsPerSec);
ratio('display mask (mobile) vs slice+concat', rates[2]!, base.opsPerSec);

// applyMasks on a realistic FHIR Patient bundle (2 patients, encounter, condition).
const bundle = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'masking', 'patient-bundle.json'), 'utf8')) as unknown;
const masks = {
  "Patient.identifier.where(system='urn:oid:2.16.156.10011.1.3')": 'cn_resident_id',
  'Patient.name': 'person_name',
  'Patient.telecom': 'phone_mobile',
  'Patient.address': 'address',
  'Patient.birthDate': 'birth_date',
  'Condition.code': 'diagnosis',
};
const compiled = compileMasks(masks);
const applied = throughput('applyMasks FHIR bundle (compiled once)', () => {
  sink += compiled.apply(bundle).applied;
}, ms);
throughput('applyMasks FHIR bundle (compile per call)', () => {
  sink += applyMasks(bundle, masks).applied;
}, ms);
const cloned = throughput('baseline structuredClone of the bundle', () => {
  sink += (structuredClone(bundle) as { entry: unknown[] }).entry.length;
}, ms);
ratio('applyMasks bundle vs structuredClone', applied.opsPerSec, cloned.opsPerSec);

// FF1: one encryption = 10 Feistel rounds, each at least one AES block (more for long tweaks/inputs).
const key = Buffer.alloc(16, 0x2b);
const ff1 = createFf1({ key });
const tweak = Buffer.from('phone');
let n = 0;
const ff1Rate = throughput('FF1 encrypt 11 digits (AES-128)', () => {
  sink += ff1.encrypt(`138${String(10_000_000 + (n++ % 89_999_999))}`, tweak).length;
}, ms);
throughput('FF1 encrypt 18 digits (AES-128)', () => {
  sink += ff1.encrypt(`11010219910101${String(1000 + (n++ % 8999))}`, tweak).length;
}, ms);
const ecb = createCipheriv('aes-128-ecb', key, null);
ecb.setAutoPadding(false);
const block = Buffer.alloc(16);
const aes = throughput('baseline raw AES-128 block ×20 (two blocks per FF1 round)', () => {
  for (let r = 0; r < 20; r++) {
    block[0] = r;
    sink += ecb.update(block)[0]!;
  }
}, ms);
ratio('FF1 encryption vs 20 raw AES blocks', ff1Rate.opsPerSec, aes.opsPerSec);

const pkey = new Uint8Array(32).fill(3);
throughput('pseudonymize HMAC-SHA256 (key derived per call)', () => {
  sink += pseudonymize('11010219910101007X', { key: pkey })!.length;
}, ms);
const pseudo = compileMasks({ id: 'pseudonymize' }, { key: pkey });
throughput('pseudonymize via compiled mask', () => {
  sink += pseudo.apply({ id: '11010219910101007X' }).applied;
}, ms);
pseudo.dispose();
if (sink === -1) console.log('');
