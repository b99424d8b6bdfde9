import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileRecognizers, type PiType } from '../../scanner/index.js';
import { columnHints } from '../../scanner/column-hints.js';
import { scoreColumn } from '../../scanner/column-scan.js';

const r = compileRecognizers('2026-11-26');
const typesOf = (v: string, includeHinted = false): PiType[] =>
  r.matchValue(v).filter((m) => includeHinted || !m.needsHint).map((m) => m.type);
const spansOf = (text: string) => r.scanText(text).map((m) => ({ type: m.type, value: text.slice(m.start, m.end) }));
const column = (name: string, values: readonly string[]) => scoreColumn({ location: `t.${name}`, kind: 'column', name, container: 't', values, total: values.length }, r);

describe('value recognizers: valid and invalid', () => {
  const cases: [PiType, string[], string[]][] = [
    ['residentId', ['110102199101010078', '44011320141005001X', '44011320141005001x'], ['110102199101010079', '360426199113010079', '990426199112010074', '11010219910101007']],
    ['mobilePhone', ['13800138000', '+8613800138000', '138-0013-8000', '19912345678'], ['12800138000', '1380013800', '10012345678']],
    ['landlinePhone', ['0571-88886666', '010-62345678', '(021)62345678'], ['0571-0888666', '1234-5678900']],
    ['bankCard', ['6222021234567890128', '4111111111111111'], ['6222021234567890127', '1234567890']],
    ['email', ['zhang.san@example.com', 'a+b@mail.hospital.cn'], ['zhang@', '@example.com', 'a@b']],
    ['address', ['北京市朝阳区建国路88号', '浙江省杭州市西湖区文三路100号3栋201室'], ['北京', '朝阳区']],
    ['ipAddress', ['192.168.1.10', '2001:db8::1', 'fe80::1ff:fe23:4567:890a'], ['256.1.1.1', '1.2.3', '01.2.3.4']],
    ['macAddress', ['00:1A:2B:3C:4D:5E', '00-1a-2b-3c-4d-5e'], ['00:1A:2B:3C:4D', '00:1A-2B:3C:4D:5E']],
    ['wechatOpenId', ['oABCDEFGHIJKLMNOPQRSTUVWXYZ1'], ['xABCDEFGHIJKLMNOPQRSTUVWXYZ1', 'oABC']],
    ['ethnicity', ['汉族', '维吾尔族'], ['汉', '族']],
    ['gender', ['男', '女性'], ['男人']],
    ['diagnosisCode', ['I10', 'E11.9', 'J45.901'], ['U10', 'I1', '110']],
    ['diagnosis', ['高血压', '2型糖尿病', 'HIV感染'], ['头晕三天了吗']],
    ['drug', ['阿司匹林肠溶片', 'metformin', '布洛芬缓释胶囊'], ['维生素']],
    ['labResult', ['血红蛋白 120 g/L', '空腹血糖：6.1 mmol/L'], ['血红蛋白']],
    ['geneticData', ['rs80357713', 'c.68A>G', 'p.Arg175His', 'ACGTACGTACGTACGTACGTAC'], ['rs1', 'c.68']],
    ['gpsCoordinate', ['31.230416, 121.473701'], ['31.2, 121.4']],
    ['orgCreditCode', ['91310115MA1K3BTP2B'], ['91110000600037341N']],
    ['personName', ['张伟', '欧阳明华', '王芳'], ['高血压', '心内科', '张', '张三丰大侠']],
  ];
  for (const [type, valid, invalid] of cases) {
    it(`${type}: accepts valid values and rejects invalid ones`, () => {
      for (const v of valid) assert.ok(typesOf(v).includes(type), `${type} should match a valid value of ${v.length} chars`);
      for (const v of invalid) assert.ok(!typesOf(v).includes(type), `${type} should not match an invalid value of ${v.length} chars`);
    });
  }
  it('context-driven types match only as hinted candidates', () => {
    for (const [type, v] of [
      ['passport', 'E12345678'],
      ['travelPermit', 'C12345678'],
      ['birthDate', '1990-01-02'],
      ['medicalRecordNumber', 'MZ2024000123'],
      ['medicalInsuranceNumber', 'YB330100123456'],
      ['deviceId', '123e4567-e89b-42d3-a456-426614174000'],
      ['wearableMetric', '72'],
    ] as const) {
      assert.ok(!typesOf(v).includes(type), `${type} alone`);
      assert.ok(typesOf(v, true).includes(type), `${type} with a hint`);
    }
  });
  it('never throws on arbitrary strings (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      r.matchValue(s);
      for (const m of r.scanText(s)) assert.ok(m.start >= 0 && m.end <= s.length && m.start < m.end);
    }), { numRuns: 500 });
  });
});

describe('column names (Chinese, English, pinyin abbreviations)', () => {
  it('reads pinyin abbreviations and Chinese names', () => {
    assert.ok(columnHints('sfzh').types.has('residentId'));
    assert.ok(columnHints('patient_idCard').types.has('residentId'));
    assert.ok(columnHints('身份证号码').types.has('residentId'));
    assert.ok(columnHints('hzxm').types.has('personName'));
    assert.ok(columnHints('csrq').types.has('birthDate'));
    assert.ok(columnHints('lxdh').types.has('mobilePhone'));
    assert.ok(!columnHints('dept_name').types.has('personName'));
  });
  it('marks decoy names (orders, transactions, accession numbers)', () => {
    for (const n of ['order_no', '订单号', 'txn_id', 'accession_no', 'jylsh']) assert.equal(columnHints(n).isDecoy, true, n);
  });
});

describe('decoys', () => {
  it('order numbers shaped like ID numbers fail the check digit and are not reported', () => {
    const result = column('ref_no', ['110102199101010079', '310104198803150012', '440106200002291234']);
    assert.ok(!result.some((d) => d.piType === 'residentId'));
  });
  it('valid-looking numbers in an order-number column are not personal identifiers', () => {
    const result = column('order_no', ['110102199101010078', '13800138000', '13912345678']);
    assert.deepEqual(result.filter((d) => d.piType === 'residentId' || d.piType === 'mobilePhone'), []);
  });
  it('11-digit serials with unallocated prefixes are not mobile numbers', () => {
    assert.deepEqual(column('serial', ['12012345678', '10098765432', '11122223333']), []);
  });
  it('16-19 digit transaction numbers that fail Luhn are not bank cards', () => {
    assert.deepEqual(column('ref', ['6222021234567890127', '6217001234567890121']).filter((d) => d.piType === 'bankCard'), []);
  });
  it('numbers after 订单号/流水号 in text are not reported', () => {
    const spans = spansOf('订单号110102199101010078，流水号13800138000');
    assert.deepEqual(spans.filter((s) => s.type === 'residentId' || s.type === 'mobilePhone'), []);
  });
  it('unified social credit codes are recognised as organisation identifiers, not resident IDs', () => {
    const result = column('tyshxydm', ['91310115MA1K3BTP2B', '91340600MA2PBM9HXD']);
    assert.equal(result[0]?.piType, 'orgCreditCode');
  });
});

describe('free text spans (JavaScript string indices)', () => {
  const note = '患者张伟，男，45岁，汉族，身份证号110102199101010078，手机13800138000，住北京市朝阳区建国路88号。诊断：I10 高血压，予阿司匹林。血红蛋白 120 g/L。护照E12345678。BRCA1 基因突变 rs80357713。坐标 31.230416, 121.473701。MAC 00:1A:2B:3C:4D:5E，IP 10.1.2.3，微信openid oABCDEFGHIJKLMNOPQRSTUVWXYZ1，邮箱 a.b@example.com，电话 0571-88886666，出生日期 2015年3月5日。';
  const spans = spansOf(note);
  const expect: [PiType, string][] = [
    ['personName', '张伟'],
    ['gender', '男'],
    ['ethnicity', '汉族'],
    ['residentId', '110102199101010078'],
    ['mobilePhone', '13800138000'],
    ['address', '北京市朝阳区建国路88号'],
    ['diagnosisCode', 'I10'],
    ['diagnosis', '高血压'],
    ['drug', '阿司匹林'],
    ['labResult', '血红蛋白 120 g/L'],
    ['passport', 'E12345678'],
    ['geneticData', 'rs80357713'],
    ['geneticData', 'BRCA1'],
    ['gpsCoordinate', '31.230416, 121.473701'],
    ['macAddress', '00:1A:2B:3C:4D:5E'],
    ['ipAddress', '10.1.2.3'],
    ['wechatOpenId', 'oABCDEFGHIJKLMNOPQRSTUVWXYZ1'],
    ['email', 'a.b@example.com'],
    ['landlinePhone', '0571-88886666'],
    ['birthDate', '2015年3月5日'],
  ];
  for (const [type, value] of expect) {
    it(`finds ${type} with exact offsets`, () => {
      assert.ok(spans.some((s) => s.type === type && s.value === value), `${type} span`);
    });
  }
  it('offsets count UTF-16 code units, also after astral characters', () => {
    const text = '😀😀 联系电话13800138000';
    const m = r.scanText(text).find((x) => x.type === 'mobilePhone')!;
    assert.equal(text.slice(m.start, m.end), '13800138000');
    assert.equal(m.start, text.indexOf('138'));
  });
  it('separates labels glued to values (Tel:…, ID:…, email:…)', () => {
    const spans = spansOf('Tel:13800138000 ID:110102199101010078 email:a@example.com');
    assert.deepEqual(spans.map((x) => [x.type, x.value]), [['mobilePhone', '13800138000'], ['residentId', '110102199101010078'], ['email', 'a@example.com']]);
  });
  it('finds mobile numbers written in groups', () => {
    assert.deepEqual(spansOf('请拨打 138 0013 8000 联系').map((x) => [x.type, x.value]), [['mobilePhone', '138 0013 8000']]);
    assert.deepEqual(spansOf('共 138 0013 80000 元').filter((x) => x.type === 'mobilePhone'), []);
  });
  it('adds the chunk offset', () => {
    const m = r.scanText('手机13800138000', 1000).find((x) => x.type === 'mobilePhone')!;
    assert.deepEqual([m.start, m.end], [1002, 1013]);
  });
  it('does not take identifiers without context for passports or ICD codes', () => {
    assert.deepEqual(spansOf('型号E12345678，编号I10X').filter((s) => s.type === 'passport'), []);
    assert.deepEqual(spansOf('房间 A12 号').filter((s) => s.type === 'diagnosisCode'), []);
  });
});

describe('column scoring', () => {
  it('a name hint plus agreeing values gives high confidence', () => {
    const [top] = column('sfzh', ['110102199101010078', '44011320141005001X', '412723199010050012']);
    assert.equal(top?.piType, 'residentId');
    assert.ok(top!.confidence >= 0.95);
    assert.equal(top!.matched, 3);
  });
  it('context-driven types need the column name', () => {
    assert.deepEqual(column('c1', ['MZ2024000123', 'MZ2024000456']), []);
    assert.equal(column('bah', ['MZ2024000123', 'MZ2024000456'])[0]?.piType, 'medicalRecordNumber');
    assert.equal(column('ybkh', ['YB330100123456', 'YB330100654321'])[0]?.piType, 'medicalInsuranceNumber');
    assert.equal(column('heart_rate', ['72', '88', '65'])[0]?.piType, 'wearableMetric');
    assert.deepEqual(column('amount', ['72', '88', '65']), []);
  });
  it('a mixed column reports each type that most values agree on', () => {
    const types = column('telecom', ['13800138000', 'a@example.com', '13912345678', 'b@example.com']).map((d) => d.piType).sort();
    assert.deepEqual(types, ['email', 'mobilePhone']);
  });
  it('free-text columns are scanned for spans with row indices', () => {
    const result = column('note', ['患者张伟，男，45岁，诊断高血压。', '手机13800138000，予阿司匹林。']);
    const mobile = result.find((d) => d.piType === 'mobilePhone')!;
    assert.deepEqual(mobile.spans, [{ start: 2, end: 13, row: 1 }]);
    assert.ok(result.some((d) => d.piType === 'diagnosis'));
  });
});
