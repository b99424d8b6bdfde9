import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  ageBand,
  applyMasks,
  createAesGcmVault,
  createFf1,
  dateShiftDays,
  generalizeAddress,
  generalizeDate,
  pseudonymize,
  shiftDate,
  SUPPRESSED,
  type KeyProvider,
} from '../../masking/index.js';
import { keyFor } from '../../masking/keys.js';

const keyA = new Uint8Array(32).fill(1);
const keyB = new Uint8Array(32).fill(2);

describe('keyed pseudonyms', () => {
  test('stable per key: the same value and key give the same pseudonym every time', () => {
    const a = pseudonymize('11010219910101007X', { key: keyA });
    assert.match(a!, /^[0-9a-f]{32}$/);
    assert.equal(pseudonymize('11010219910101007X', { key: keyA }), a);
    assert.equal(pseudonymize('１１０１０２１９９１０１０１００７X ', { key: keyA }), a, 'width and surrounding spaces normalised');
  });
  test('key separation: another key, domain or algorithm gives an unrelated pseudonym', () => {
    const a = pseudonymize('13812345678', { key: keyA });
    assert.notEqual(pseudonymize('13812345678', { key: keyB }), a);
    assert.notEqual(pseudonymize('13812345678', { key: keyA, domain: 'study-2026' }), a);
    assert.notEqual(pseudonymize('13812345678', { key: keyA, algorithm: 'hmac-sm3' }), a);
    assert.notEqual(pseudonymize('13812345678', { key: keyA, keyId: 'v2' }), a);
  });
  test('known answer: HMAC over the HKDF-derived pseudonym key (SHA-256 and SM3)', () => {
    const derived = keyFor(keyA, 'pseudonym');
    for (const [algorithm, hash] of [['hmac-sha256', 'sha256'], ['hmac-sm3', 'sm3']] as const) {
      const expected = createHmac(hash, derived).update('d\0v').digest('hex').slice(0, 40);
      assert.equal(pseudonymize('v', { key: keyA, algorithm, domain: 'd', length: 40 }), expected);
    }
  });
  test('a key provider is asked per purpose, and the raw key never reaches HMAC underived', () => {
    const asked: string[] = [];
    const provider: KeyProvider = { keyFor: (purpose, keyId) => (asked.push(`${purpose}:${keyId ?? ''}`), new Uint8Array(32).fill(5)) };
    const viaProvider = pseudonymize('x', { key: provider, keyId: 'k1' });
    assert.deepEqual(asked, ['pseudonym:k1']);
    assert.equal(viaProvider, createHmac('sha256', new Uint8Array(32).fill(5)).update('\0x').digest('hex').slice(0, 32));
    assert.notEqual(pseudonymize('x', { key: new Uint8Array(32).fill(5) }), viaProvider);
  });
  test('distinct values never collide in a sample (128-bit pseudonyms)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 2, maxLength: 50 }), (values) => {
        const out = new Set(values.map((v) => pseudonymize(v.trim(), { key: keyA })));
        assert.equal(out.size, new Set(values.map((v) => v.trim())).size);
      }),
      { numRuns: 100 },
    );
  });
  test('short keys and bad params are refused with codes', () => {
    assert.throws(() => pseudonymize('x', { key: new Uint8Array(8) }), { code: 'ERR_MASKING_INVALID_KEY' });
    assert.throws(() => pseudonymize('x', { key: keyA, length: 8 }), { code: 'ERR_MASKING_INVALID_PARAMS' });
    assert.equal(pseudonymize(null, { key: keyA }), null);
  });
});

describe('reversible tokens', () => {
  const vault = createAesGcmVault(keyA);
  test('round trip, bound to the field', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const token = vault.seal(value, { fieldPath: 'phone' }) as string;
        assert.equal(vault.open(token, { fieldPath: 'phone' }), value);
      }),
      { numRuns: 200 },
    );
    const token = vault.seal('13812345678', { fieldPath: 'phone', recordId: 'r1' }) as string;
    assert.throws(() => vault.open(token, { fieldPath: 'email', recordId: 'r1' }), { code: 'ERR_MASKING_OPERATOR_FAILED' });
    assert.throws(() => vault.open(token, { fieldPath: 'phone', recordId: 'r2' }), { code: 'ERR_MASKING_OPERATOR_FAILED' });
    assert.throws(() => createAesGcmVault(keyB).open(token, { fieldPath: 'phone', recordId: 'r1' }), { code: 'ERR_MASKING_OPERATOR_FAILED' });
  });
  test('any altered character is detected', () => {
    const token = vault.seal('11010219910101007X', { fieldPath: 'id' }) as string;
    fc.assert(
      fc.property(fc.integer({ min: 5, max: token.length - 2 }), (i) => {
        const altered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
        assert.throws(() => vault.open(altered, { fieldPath: 'id' }), { code: 'ERR_MASKING_OPERATOR_FAILED' });
      }),
      { numRuns: 100 },
    );
  });
});

describe('format-preserving encryption operator', () => {
  test('fpe keeps separators and length, and decrypts with the same derived key and tweak', () => {
    const { document } = applyMasks({ phone: '138-1234-5678', id: '11010219910101007X' }, [
      { path: 'phone', rule: 'fpe' },
      { path: 'id', rule: 'fpe', params: { alphabet: 'alphanumeric' } },
    ], { key: keyA }) as { document: { phone: string; id: string } };
    assert.match(document.phone, /^\d{3}-\d{4}-\d{4}$/);
    assert.notEqual(document.phone, '138-1234-5678');
    assert.equal(document.id.length, 18);
    const ff1 = createFf1({ key: keyFor(keyA, 'fpe') });
    assert.equal(ff1.decrypt(document.phone.replaceAll('-', ''), Buffer.from('phone')), '13812345678');
  });
  test('values too short for the FF1 domain are suppressed and reported', () => {
    const { document, issues } = applyMasks({ pin: '12345' }, { pin: 'fpe' }, { key: keyA });
    assert.equal(document.pin, SUPPRESSED);
    assert.equal(issues[0]!.code, 'ERR_MASKING_FPE_DOMAIN');
  });
});

describe('generalisation', () => {
  test('dates to year or month, in the forms Chinese systems write', () => {
    assert.equal(generalizeDate('1985-04-12'), '1985');
    assert.equal(generalizeDate('1985/4/12', 'month'), '1985-04');
    assert.equal(generalizeDate('1985年4月12日', 'month'), '1985-04');
    assert.equal(generalizeDate('19850412', 'month'), '1985-04');
    assert.equal(generalizeDate('2024-02-27T09:30:00+08:00', 'month'), '2024-02');
    assert.equal(generalizeDate('1985', 'month'), '1985');
    assert.equal(generalizeDate('not a date'), SUPPRESSED);
    assert.equal(generalizeDate('1985-13-01'), SUPPRESSED);
    assert.equal(generalizeDate(null), null);
  });
  test('age bands at an injected date', () => {
    const now = new Date('2026-04-11T00:00:00Z');
    assert.equal(ageBand('1985-04-12', { now }), '40-49'); // 40 the day before the 41st birthday
    assert.equal(ageBand('1986-04-12', { now }), '30-39'); // turns 40 tomorrow
    assert.equal(ageBand('1986-04-11', { now }), '40-49');
    assert.equal(ageBand(37, { now, width: 5 }), '35-39');
    assert.equal(ageBand('1920-01-01', { now }), '90+');
    assert.equal(ageBand('garbage', { now }), SUPPRESSED);
    assert.throws(() => ageBand('1985-04-12', { now: new Date('x') }), { code: 'ERR_MASKING_INVALID_PARAMS' });
  });
  test('addresses to province, city or district', () => {
    const a = '浙江省杭州市西湖区文三路90号';
    assert.equal(generalizeAddress(a, 'province'), '浙江省');
    assert.equal(generalizeAddress(a, 'city'), '浙江省杭州市');
    assert.equal(generalizeAddress(a, 'district'), '浙江省杭州市西湖区');
    assert.equal(generalizeAddress('广西壮族自治区南宁市青秀区民族大道', 'city'), '广西壮族自治区南宁市');
    assert.equal(generalizeAddress('上海市浦东新区世纪大道100号', 'city'), '上海市');
    assert.equal(generalizeAddress('上海市浦东新区世纪大道100号', 'district'), '上海市浦东新区');
    assert.equal(generalizeAddress('somewhere'), SUPPRESSED);
  });
});

describe('consistent per-subject date shifting', () => {
  test('the offset is stable per key and subject, never 0, within ±maxDays, and differs across keys', () => {
    const d = dateShiftDays(keyA, 'patient-1');
    assert.equal(dateShiftDays(keyA, 'patient-1'), d);
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 1000 }), (subject, maxDays) => {
        const days = dateShiftDays(keyA, subject, maxDays);
        assert.ok(days !== 0 && Math.abs(days) <= maxDays);
      }),
      { numRuns: 300 },
    );
    const offsets = new Set(Array.from({ length: 20 }, (_, i) => dateShiftDays(keyB, `patient-${i}`)));
    assert.ok(offsets.size > 10, 'subjects get different offsets');
    assert.throws(() => dateShiftDays(keyA, ''), { code: 'ERR_MASKING_MISSING_SUBJECT' });
  });
  test('intervals between the dates of one subject are preserved', () => {
    const day = (iso: string) => Date.parse(iso.slice(0, 10)) / 86_400_000;
    const date = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms).toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, date, fc.string({ minLength: 1 }), (a, b, subject) => {
        const days = dateShiftDays(keyA, subject);
        const sa = shiftDate(a, days)!;
        const sb = shiftDate(b, days)!;
        assert.equal(day(sb) - day(sa), day(b) - day(a));
        assert.equal(day(sa) - day(a), days);
      }),
      { numRuns: 500 },
    );
  });
  test('date-times keep their time and zone; partial dates are not shifted; others suppressed', () => {
    assert.equal(shiftDate('2024-02-27T09:30:00+08:00', 3), '2024-03-01T09:30:00+08:00');
    assert.equal(shiftDate('2024年2月28日', 1), '2024-02-29');
    assert.equal(shiftDate('2024-02', 10), '2024-02');
    assert.equal(shiftDate('yesterday', 10), SUPPRESSED);
  });
  test('plain documents need a subject id; without one the dates are suppressed and reported', () => {
    const record = { admitted: '2024-01-01', discharged: '2024-01-09' };
    const ok = applyMasks(record, { admitted: 'date_shift', discharged: 'date_shift' }, { key: keyA, subjectId: 'p-9' }).document;
    assert.equal(Date.parse(ok.discharged) - Date.parse(ok.admitted), 8 * 86_400_000);
    const { document, issues } = applyMasks(record, { admitted: 'date_shift' }, { key: keyA });
    assert.equal(document.admitted, SUPPRESSED);
    assert.equal(issues[0]!.code, 'ERR_MASKING_MISSING_SUBJECT');
  });
});
