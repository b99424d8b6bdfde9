import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { applyMasks, applyMasksAsync, compileMasks, createAesGcmVault, SUPPRESSED } from '../../masking/index.js';

const bundle = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'masking', 'patient-bundle.json'), 'utf8')) as Record<
  string,
  unknown
>;
const key = new Uint8Array(32).fill(9);

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

type AnyJson = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('plain JSON by path', () => {
  const record = deepFreeze({
    name: '张三丰',
    idNumber: '11010219910101007X',
    contacts: [
      { relation: 'spouse', mobile: '13812345678' },
      { relation: 'son', mobile: '13987654321' },
    ],
    visits: { a: { date: '2024-01-01' }, b: { date: '2024-02-01' } },
    note: 'kept',
  });
  test('a decision masks map applies display masks by dotted path with wildcards', () => {
    const { document, issues } = applyMasks(record, {
      name: 'person_name',
      idNumber: 'cn_resident_id',
      'contacts[*].mobile': 'phone_mobile',
      'visits.*.date': 'generalize_year',
    });
    assert.deepEqual(issues, []);
    assert.deepEqual(document, {
      name: '张*丰',
      idNumber: '110***********007X',
      contacts: [
        { relation: 'spouse', mobile: '138****5678' },
        { relation: 'son', mobile: '139****4321' },
      ],
      visits: { a: { date: '2024' }, b: { date: '2024' } },
      note: 'kept',
    });
  });
  test('arrays are traversed without [*] too, and [n] picks one element', () => {
    assert.equal((applyMasks(record, { 'contacts.mobile': 'phone_mobile' }).document as AnyJson).contacts[1].mobile, '139****4321');
    const one = applyMasks(record, { 'contacts[1].mobile': 'suppress' }).document as AnyJson;
    assert.deepEqual([one.contacts[0].mobile, one.contacts[1].mobile], ['13812345678', SUPPRESSED]);
  });
  test('a list of specs with params and a profile per rule', () => {
    const { document } = applyMasks(record, [
      { path: 'name', rule: 'person_name@queue_screen' },
      { path: 'idNumber', rule: 'keep_first_last', params: { first: 2, last: 2 } },
      { path: 'contacts[*].mobile', rule: 'phone_mobile', params: { profile: 'strict' } },
    ]) as { document: AnyJson };
    assert.equal(document.name, '张*丰');
    assert.equal(document.idNumber, '11**************7X');
    assert.equal(document.contacts[0].mobile, '*******5678');
  });
  test('obligations from a decision are accepted; other obligation types are ignored', () => {
    const { document } = applyMasks(record, [
      { type: 'mask', field: 'idNumber', rule: 'cn_resident_id' },
      { type: 'deidentify', field: 'name', rule: 'pseudonymize', params: { algorithm: 'hmac-sm3' } },
      { type: 'notify_security_officer' },
    ], { key }) as { document: AnyJson };
    assert.equal(document.idNumber, '110***********007X');
    assert.match(document.name, /^[0-9a-f]{32}$/);
  });
  test('unknown rule names fail closed: the field is suppressed and reported', () => {
    const { document, issues } = applyMasks(record, { name: 'no_such_rule', 'contacts[*]': 'also_unknown', missing: 'nope' }) as {
      document: AnyJson;
      issues: readonly AnyJson[];
    };
    assert.equal(document.name, SUPPRESSED);
    assert.deepEqual(document.contacts, [SUPPRESSED, SUPPRESSED]);
    assert.deepEqual(
      issues.map((i) => [i.code, i.path, i.count]),
      [
        ['ERR_MASKING_UNKNOWN_RULE', 'name', 1],
        ['ERR_MASKING_UNKNOWN_RULE', 'contacts[*]', 2],
        ['ERR_MASKING_UNKNOWN_RULE', 'missing', 0],
      ],
    );
    assert.ok(!JSON.stringify(issues).includes('张三丰'));
  });
  test('keyed rules without a key fail closed with ERR_MASKING_MISSING_KEY', () => {
    const { document, issues } = applyMasks(record, { idNumber: 'pseudonymize' }) as { document: AnyJson; issues: readonly AnyJson[] };
    assert.equal(document.idNumber, SUPPRESSED);
    assert.equal(issues[0].code, 'ERR_MASKING_MISSING_KEY');
  });
  test('redact removes the field, or the array element', () => {
    const { document } = applyMasks(record, { idNumber: 'redact', 'contacts[0]': 'redact' }) as { document: AnyJson };
    assert.equal('idNumber' in document, false);
    assert.deepEqual(document.contacts, [{ relation: 'son', mobile: '13987654321' }]);
  });
  test('nullify, label and suppress', () => {
    const { document } = applyMasks(record, [
      { path: 'name', rule: 'nullify' },
      { path: 'idNumber', rule: 'label', params: { label: 'ID_CARD' } },
      { path: 'contacts', rule: 'suppress' },
    ]) as { document: AnyJson };
    assert.deepEqual([document.name, document.idNumber, document.contacts], [null, '[ID_CARD]', SUPPRESSED]);
  });
  test('invalid paths are refused with ERR_MASKING_INVALID_PATH', () => {
    for (const path of ['a..b', '__proto__.x', 'a[x]', 'a.where(b)', "a.where(b='c'", '']) {
      assert.throws(() => applyMasks(record, { [path]: 'suppress' }), { code: 'ERR_MASKING_INVALID_PATH' }, path);
    }
  });
  test('an own __proto__ key in the document stays data and is not followed as a prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": "yes"}, "name": "张三"}') as object;
    const { document } = applyMasks(parsed, { name: 'person_name' });
    assert.equal(({} as AnyJson).polluted, undefined);
    assert.equal(Object.getPrototypeOf(document), Object.prototype);
    assert.deepEqual(Object.keys(document as object), ['__proto__', 'name']);
  });
});

describe('FHIR R4 resources and bundles', () => {
  const frozen = deepFreeze(structuredClone(bundle));
  const masks = {
    "Patient.identifier.where(system='urn:oid:2.16.156.10011.1.3')": 'cn_resident_id',
    "Patient.identifier.where(system='urn:cn:medical-insurance').value": 'medical_insurance_no',
    'Patient.name': 'person_name',
    "Patient.telecom.where(system='phone' and use='mobile')": 'phone_mobile',
    "Patient.telecom.where(system='phone' and use='home')": 'phone_landline',
    "Patient.telecom.where(system='email')": 'email',
    'Patient.address': 'address',
    'Patient.birthDate': 'birth_date',
    'Condition.code': 'diagnosis',
  };
  test('masks every Patient of a bundle by FHIR path and never mutates the input', () => {
    const before = JSON.stringify(frozen);
    const { document, issues } = applyMasks(frozen, masks) as { document: AnyJson; issues: readonly unknown[] };
    assert.deepEqual(issues, []);
    assert.equal(JSON.stringify(frozen), before);
    const [p1, p2, encounter, condition] = document.entry.map((e: AnyJson) => e.resource);
    assert.deepEqual(p1.identifier.map((i: AnyJson) => i.value), ['110***********007X', '********0123', 'MR-0098765']);
    assert.equal(p1.identifier[0].type.text, '居民身份证');
    assert.deepEqual(p1.name[0], { use: 'official', family: '欧*', given: ['*华'], text: '欧**华' });
    assert.deepEqual(p1.telecom.map((t: AnyJson) => t.value), ['+86 138 **** 5678', '0571-****6666', 'o***@example.com']);
    assert.deepEqual(p1.telecom.map((t: AnyJson) => t.system), ['phone', 'phone', 'email']);
    assert.equal(p1.birthDate, '1985-**-**');
    assert.deepEqual(p1.address[0], {
      use: 'home',
      text: '浙江省杭州市西湖区****',
      line: ['****'],
      district: '西湖区',
      city: '杭州市',
      state: '浙江省',
      postalCode: '******',
      country: 'CN',
    });
    assert.equal(p2.identifier[0].value, '440***********001X');
    assert.deepEqual(p2.name[0], { family: '张', given: ['*丰'] });
    assert.equal(p2.telecom[0].value, '139****5678');
    assert.deepEqual(encounter, (bundle as AnyJson).entry[2].resource);
    assert.equal(condition.code, SUPPRESSED);
  });
  test('a profile that keeps the surname keeps a compound one whole in a HumanName', () => {
    const { document } = applyMasks(frozen, { 'Patient.name': 'person_name' }, { profile: 'patient_self_view' }) as { document: AnyJson };
    assert.deepEqual(document.entry[0].resource.name[0], { use: 'official', family: '欧阳', given: ['**'], text: '欧阳**' });
  });
  test('generalisation drops street, postal code and district', () => {
    const { document } = applyMasks(frozen, { 'Patient.address': 'generalize_city', 'Patient.birthDate': 'generalize_year' }) as {
      document: AnyJson;
    };
    assert.deepEqual(document.entry[0].resource.address[0], { use: 'home', text: '浙江省杭州市', city: '杭州市', state: '浙江省', country: 'CN' });
    assert.equal(document.entry[1].resource.birthDate, '2014');
  });
  test('unquoted where() values may hold dots and colons; label defaults to the field name', () => {
    const { document } = applyMasks(frozen, [
      { path: 'Patient.identifier.where(system=urn:oid:2.16.156.10011.1.3).value', rule: 'label' },
      { path: "Patient.telecom.where(system='email')", rule: 'label' },
    ]) as { document: AnyJson };
    const p1 = document.entry[0].resource;
    assert.equal(p1.identifier[0].value, '[VALUE]');
    assert.equal(p1.identifier[1].value, 'ZY2024000123');
    assert.equal(p1.telecom[2], '[TELECOM]');
  });
  test('a single resource works like a bundle entry', () => {
    const patient = (frozen as AnyJson).entry[1].resource;
    const { document } = applyMasks(patient, { 'Patient.telecom.value': 'phone_mobile' }) as { document: AnyJson };
    assert.equal(document.telecom[0].value, '139****5678');
  });
  test('date_shift moves every date of a patient by the same offset across resources', () => {
    const { document } = applyMasks(
      frozen,
      { 'Patient.birthDate': 'date_shift', 'Encounter.period.start': 'date_shift', 'Encounter.period.end': 'date_shift', 'Condition.onsetDateTime': 'date_shift' },
      { key },
    ) as { document: AnyJson };
    const [p1, , encounter, condition] = document.entry.map((e: AnyJson) => e.resource);
    const day = (s: string) => Date.parse(s.slice(0, 10)) / 86_400_000;
    const shift = day(p1.birthDate) - day('1985-04-12');
    assert.notEqual(shift, 0);
    assert.equal(day(encounter.period.start) - day('2024-02-27'), shift);
    assert.equal(day(encounter.period.end) - day('2024-03-02'), shift);
    assert.equal(day(condition.onsetDateTime) - day('2024-02-25'), shift);
    assert.equal(encounter.period.start.slice(10), 'T09:30:00+08:00');
  });
});

describe('asynchronous vaults and compiled masks', () => {
  test('tokenize with a vault round-trips through applyMasksAsync', async () => {
    const vault = createAesGcmVault(key);
    const asyncVault = { seal: async (v: string, c: AnyJson) => vault.seal(v, c), open: async (t: string, c: AnyJson) => vault.open(t, c) };
    const record = { phone: '13812345678' };
    const { document } = await applyMasksAsync(record, { phone: 'tokenize' }, { vault: asyncVault });
    assert.match(document.phone, /^tok1\./);
    assert.equal(await asyncVault.open(document.phone, { fieldPath: 'phone' }), '13812345678');
    const sync = applyMasks(record, { phone: 'tokenize' }, { vault: asyncVault });
    assert.equal(sync.document.phone, SUPPRESSED);
    assert.equal(sync.issues[0]!.code, 'ERR_MASKING_ASYNC_OPERATOR');
  });
  test('compiled masks give the same result on many documents and never touch their input', () => {
    const compiled = compileMasks({ 'rows[*].phone': 'phone_mobile', 'rows[*].name': 'person_name' });
    fc.assert(
      fc.property(
        fc.array(fc.record({ phone: fc.stringMatching(/^1[3-9]\d{9}$/), name: fc.string(), other: fc.jsonValue() }, { noNullPrototype: true }), {
          maxLength: 8,
        }),
        (rows) => {
          const input = { rows };
          const snapshot = structuredClone(input);
          const { document } = compiled.apply(input);
          assert.deepEqual(input, snapshot);
          document.rows.forEach((row, i) => {
            assert.equal(row.phone, `${rows[i]!.phone.slice(0, 3)}****${rows[i]!.phone.slice(7)}`);
            assert.deepEqual(row.other, rows[i]!.other);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('robustness', () => {
  test('any JSON document under any registered rule: never throws, never mutates, issues carry no values', async () => {
    const { MASK_RULES } = await import('../../masking/index.js');
    const rules = MASK_RULES.map((r) => r.name);
    const vault = createAesGcmVault(key);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.jsonValue({ maxDepth: 3 }), { noNullPrototype: true }),
        fc.constantFrom('a', 'b', 'a[*]', 'a.*', 'b.c', '*'),
        fc.constantFrom(...rules, 'unknown_rule'),
        (document, path, rule) => {
          const snapshot = structuredClone(document);
          const { issues } = applyMasks(document, { [path]: rule }, { key, vault, subjectId: 's-1', now: new Date('2026-01-01') });
          assert.deepEqual(document, snapshot);
          for (const issue of issues) assert.deepEqual(Object.keys(issue).sort(), ['code', 'count', 'message', 'path', 'rule']);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('the hospital policy’s rule names', () => {
  test('short operator names resolve: pseudonym, year, city (and name for person_name)', () => {
    const record = { patientName: '欧阳明华', idCardNo: '11010219910101007X', birthDate: '1985-04-12', address: '浙江省杭州市西湖区文三路90号' };
    const { document, issues } = applyMasks(
      record,
      [
        { type: 'deidentify', field: 'patientName', rule: 'pseudonym' },
        { type: 'deidentify', field: 'idCardNo', rule: 'pseudonym' },
        { type: 'deidentify', field: 'birthDate', rule: 'year' },
        { type: 'deidentify', field: 'address', rule: 'city' },
      ],
      { key },
    );
    assert.deepEqual(issues, []);
    assert.match(document.patientName, /^[0-9a-f]{32}$/);
    assert.equal(document.birthDate, '1985');
    assert.equal(document.address, '浙江省杭州市');
    assert.equal(applyMasks(record, { patientName: 'name' }).document.patientName, '欧**华');
  });
  test('every mask and de-identification rule named in examples/hospital/policy resolves', async () => {
    const { readdirSync, existsSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const { resolveRule } = await import('../../masking/index.js');
    const dir = join(import.meta.dirname, '..', '..', 'examples', 'hospital', 'policy');
    if (!existsSync(dir)) return;
    const names = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (typeof node === 'object' && node !== null) {
        const o = node as Record<string, unknown>;
        if (typeof o.pi === 'string' && typeof o.mask === 'string') names.add(o.mask);
        if (typeof o.deidentify === 'object' && o.deidentify !== null) for (const v of Object.values(o.deidentify)) if (typeof v === 'string') names.add(v);
        Object.values(o).forEach(visit);
      }
    };
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) visit(parse(readFileSync(join(dir, file), 'utf8')));
    assert.ok(names.size > 0);
    for (const name of names) assert.ok(resolveRule(name, {}, { key, now: new Date() }) !== undefined, `rule "${name}" is not in the masking registry`);
  });
  test('FHIR Address under the alias city is generalised (parts dropped), not display-masked', () => {
    const patient = { resourceType: 'Patient', id: 'p', address: [{ line: ['文三路90号'], city: '杭州市', district: '西湖区', state: '浙江省', postalCode: '310012' }] };
    assert.deepEqual(applyMasks(patient, { 'Patient.address': 'city' }).document.address, [{ city: '杭州市', state: '浙江省' }]);
  });
});
