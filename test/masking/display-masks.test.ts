import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MASK_PROFILES,
  PI_TYPES,
  keepFirstLast,
  maskAddress,
  maskBankCard,
  maskBefore,
  maskBirthDate,
  maskCoordinates,
  maskEmail,
  maskIpAddress,
  maskLandline,
  maskMobile,
  maskPersonName,
  maskRange,
  maskResidentId,
  maskValue,
  hasCompoundSurname,
  type MaskProfile,
} from '../../masking/index.js';

const table = (profile: MaskProfile, rows: readonly (readonly [string, unknown, string | null])[]) => {
  for (const [type, input, expected] of rows) {
    test(`${profile}: ${type} ${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(maskValue(type, input, profile), expected);
    });
  }
};

describe('default profile follows COMPLIANCE.md §4', () => {
  table('default', [
    ['person_name', '张三', '张*'],
    ['person_name', '张三丰', '张*丰'],
    ['person_name', '欧阳明', '欧*明'],
    ['person_name', '欧阳明华', '欧**华'],
    ['person_name', ' 张 三 ', '张*'],
    ['person_name', '阿卜杜·热合曼', '阿**·**曼'],
    ['person_name', '𠮷野家', '𠮷*家'],
    ['person_name', 'John Smith', 'J*** S****'],
    ['person_name', "Mary-Jane O'Neil", "M***-J*** O'N***"],
    ['cn_resident_id', '11010219910101007X', '110***********007X'],
    ['cn_resident_id', '44011320141005001x', '440***********001X'],
    ['cn_resident_id', '110102910101007', '110********1007'],
    ['cn_resident_id', '１１０１０２１９９１０１０１００７Ｘ', '110***********007X'],
    ['cn_resident_id', '110102 19910101 007X', '110*** ******** 007X'],
    ['phone_mobile', '13812345678', '138****5678'],
    ['phone_mobile', 13812345678, '138****5678'],
    ['phone_mobile', '+86 138 1234 5678', '+86 138 **** 5678'],
    ['phone_mobile', '+86-13812345678', '+86-138****5678'],
    ['phone_mobile', '008613812345678', '0086138****5678'],
    ['phone_mobile', '8613812345678', '86138****5678'],
    ['phone_mobile', '138-1234-5678', '138-****-5678'],
    ['phone_mobile', '１３８１２３４５６７８', '138****5678'],
    ['phone_landline', '0571-88886666', '0571-****6666'],
    ['phone_landline', '010-12345678', '010-****5678'],
    ['phone_landline', '(0571) 8888 6666', '(0571) **** 6666'],
    ['phone_landline', '+86 571 8888 6666', '+86 571 **** 6666'],
    ['phone_landline', '+86 10 1234 5678', '+86 10 **** 5678'],
    ['phone_landline', '88886666', '****6666'],
    ['bank_card', '6222021234567890123', '622202*********0123'],
    ['bank_card', '6222 0212 3456 7890', '6222 02** **** 7890'],
    ['medical_insurance_no', 'ZY2024000123', '********0123'],
    ['medical_record_no', 'MR-0098765', '**-***8765'],
    ['medical_record_no', '00098765', '****8765'],
    ['email', 'zhangsan@example.com', 'z***@example.com'],
    ['email', 'ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'z***@example.com'],
    ['address', '浙江省杭州市西湖区文三路90号', '浙江省杭州市西湖区****'],
    ['address', '北京市朝阳区建国路1号', '北京市朝阳区****'],
    ['address', '新疆维吾尔自治区乌鲁木齐市天山区解放路', '新疆维吾尔自治区乌鲁木齐市天山区****'],
    ['address', '浙江 杭州市 西湖区 文三路', '浙江杭州市西湖区****'],
    ['address', '浙江省金华市义乌市稠城街道', '浙江省金华市义乌市****'],
    ['ip_address', '10.12.3.45', '10.12.3.*'],
    ['ip_address', '2001:db8:85a3::8a2e:370:7334', '2001:db8:85a3::*'],
    ['birth_date', '1985-04-12', '1985-**-**'],
    ['birth_date', '19850412', '1985-**-**'],
    ['birth_date', '1985年4月12日', '1985-**-**'],
    ['birth_date', '1985-04-12T08:00:00+08:00', '1985-**-**'],
    ['gps', '30.274084, 120.155070', '30.27, 120.15'],
    ['gps', [120.15507, 30.274084], '120.15, 30.27'],
    ['gps', -33.868820, '-33.86'],
    ['gps', '30.274084°N, 120.155070°E', '30.27°N, 120.15°E'],
    ['diagnosis', 'J45.909 哮喘', '***'],
    ['prescription', { drug: 'x' }, '***'],
    ['lab_result', 'HIV 阳性', '***'],
    ['generic', 'ABCDEFGHIJKL', 'AB********KL'],
    ['no_such_type', 'secret', 's****t'],
    ['id_card', '11010219910101007X', '110***********007X'],
  ]);
});

describe('strict profile', () => {
  table('strict', [
    ['person_name', '张三', '*三'],
    ['person_name', '张三丰', '**丰'],
    ['person_name', '欧阳明', '**明'],
    ['person_name', 'John Smith', '**** S****'],
    ['cn_resident_id', '11010219910101007X', '1****************X'],
    ['cn_resident_id', '110102910101007', '1*************7'],
    ['phone_mobile', '13812345678', '*******5678'],
    ['phone_landline', '0571-88886666', '0571-********'],
    ['bank_card', '6222021234567890123', '***************0123'],
    ['medical_insurance_no', 'ZY2024000123', '************'],
    ['medical_record_no', '00098765', '********'],
    ['email', 'zhangsan@example.com', '***@example.com'],
    ['address', '浙江省杭州市西湖区文三路90号', '浙江省杭州市****'],
    ['ip_address', '10.12.3.45', '10.*.*.*'],
    ['birth_date', '1985-04-12', '198*-**-**'],
    ['gps', '30.274084, 120.155070', '30.2, 120.1'],
    ['diagnosis', 'J45.909', '***'],
  ]);
});

describe('patient self-view and queue-screen profiles', () => {
  table('patient_self_view', [
    ['person_name', '张三丰', '张**'],
    ['person_name', '欧阳明', '欧阳*'],
    ['person_name', '欧阳明华', '欧阳**'],
    ['person_name', '诸葛孔明', '诸葛**'],
    ['person_name', 'John Smith', 'J*** Smith'],
    ['bank_card', '6222021234567890123', '***************0123'],
    ['cn_resident_id', '11010219910101007X', '110***********007X'],
  ]);
  table('queue_screen', [
    ['person_name', '张三', '张*'],
    ['person_name', '张三丰', '张*丰'],
    ['person_name', '欧阳明', '欧阳*'],
    ['person_name', '欧阳明华', '欧阳*华'],
    ['person_name', '司马相如', '司马*如'],
    ['person_name', '上官婉儿', '上官*儿'],
    ['phone_mobile', '13812345678', '*******5678'],
    ['medical_record_no', 'MR-0098765', '**-***8765'],
    ['cn_resident_id', '11010219910101007X', '1****************X'],
  ]);
});

describe('compound surnames', () => {
  test('recognised in simplified and traditional forms', () => {
    for (const name of ['欧阳修', '司马光', '诸葛亮', '上官婉儿', '歐陽修', '司馬光', '慕容复', '皇甫谧']) {
      assert.equal(hasCompoundSurname(name), true, name);
    }
    for (const name of ['张三', '王小明', '欧']) assert.equal(hasCompoundSurname(name), false, name);
  });
  test('a surname-keeping style keeps the compound surname whole', () => {
    assert.equal(maskPersonName('司马光', 'surname'), '司马*');
    assert.equal(maskPersonName('司马光', 'first_last'), '司*光');
    assert.equal(maskPersonName('欧阳', 'surname'), '欧*');
  });
});

describe('odd inputs', () => {
  test('null and undefined give null; objects, booleans and NaN are suppressed', () => {
    for (const type of PI_TYPES) {
      assert.equal(maskValue(type, null), null);
      assert.equal(maskValue(type, undefined), null);
      assert.equal(maskValue(type, { a: 1 }), '***', type);
      assert.equal(maskValue(type, Number.NaN), '***', type);
    }
  });
  test('empty and whitespace stay as they are (nothing to hide)', () => {
    for (const type of PI_TYPES.filter((t) => !['diagnosis', 'prescription', 'lab_result'].includes(t))) {
      assert.equal(maskValue(type, ''), '', type);
      assert.equal(maskValue(type, '   '), '   ', type);
    }
  });
  test('values of the wrong shape fall back to the generic mask', () => {
    assert.equal(maskResidentId('hello world'), 'h**** ****d');
    assert.equal(maskMobile('not a phone'), 'n** * ****e');
    assert.equal(maskEmail('nope'), 'n***');
    assert.equal(maskBirthDate('unknown'), 'u*****n');
    assert.equal(maskIpAddress('localhost'), 'l*******t');
  });
  test('short identifiers are hidden whole rather than shown whole', () => {
    assert.equal(maskResidentId('1234567'), '*******');
    assert.equal(maskMobile('5678'), '****');
    assert.equal(maskBankCard('1234'), '****');
    assert.equal(maskLandline('1234'), '****');
  });
  test('generic helpers', () => {
    assert.equal(keepFirstLast('ABCDEFGH', 2, 2), 'AB****GH');
    assert.equal(keepFirstLast('AB', 2, 2), '**');
    assert.equal(maskRange('ABCDEFGH', 2, 5), 'AB***FGH');
    assert.equal(maskRange('ABCDEFGH', 2, -1), 'AB*****H');
    assert.equal(maskRange('张三丰', 1, 2), '张*丰');
    assert.equal(maskBefore('zhangsan@x.cn', '@'), '********@x.cn');
    assert.equal(maskBefore('zhangsan', '@'), 'z******n');
    assert.equal(maskAddress('1 Main St'), '1 **** *t');
    assert.equal(maskCoordinates('no digits'), 'n* *****s');
  });
  test('unknown profile is refused with a code', () => {
    assert.throws(() => maskValue('person_name', '张三', 'public' as MaskProfile), { code: 'ERR_MASKING_UNKNOWN_PROFILE' });
  });
});

describe('properties', () => {
  const anyValue = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: fc.constantFrom(...'0123456789０１２３４５６７８９Xx+- ()＠@.张三欧阳明·　') }),
    fc.integer(),
    fc.double(),
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.array(fc.double()),
  );
  test('every mask of every profile returns a string or null and never throws', () => {
    fc.assert(
      fc.property(anyValue, fc.constantFrom(...PI_TYPES), fc.constantFrom(...MASK_PROFILES), (value, type, profile) => {
        const out = maskValue(type, value, profile);
        assert.ok(out === null || typeof out === 'string');
        assert.equal(out === null, value === null || value === undefined);
      }),
      { numRuns: 3000 },
    );
  });
  test('a value long enough to mask never comes back unchanged (coordinates excepted)', () => {
    const types = PI_TYPES.filter((t) => t !== 'gps');
    const visible = /[\p{L}\p{N}]/gu;
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ minLength: 2 }), fc.string({ unit: fc.constantFrom(...'0123456789Xx+- 张三欧阳明a@.'), minLength: 2 })),
        fc.constantFrom(...types),
        fc.constantFrom(...MASK_PROFILES),
        (value, type, profile) => {
          fc.pre(!value.includes('*') && (value.match(visible) ?? []).length >= 2);
          assert.notEqual(maskValue(type, value, profile), value);
        },
      ),
      { numRuns: 3000 },
    );
  });
  test('masks preserve the length of well-formed identifiers', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^1[3-9]\d{9}$/), fc.stringMatching(/^\d{17}[\dX]$/), (mobile, id) => {
        assert.equal(maskMobile(mobile)!.length, 11);
        assert.equal(maskResidentId(id)!.length, 18);
        assert.equal(maskResidentId(id)!.slice(0, 3), id.slice(0, 3));
        assert.equal(maskResidentId(id)!.slice(14), id.slice(14));
      }),
      { numRuns: 500 },
    );
  });
});
