import type { PiType } from './types.js';

// Column and field names that hint at a type: English, Chinese and pinyin abbreviations as
// Chinese hospital information systems name columns (sfzh = 身份证号, xm = 姓名, ...).
// Latin hints match whole name tokens (or the whole name with separators removed); Chinese
// hints match as substrings; Latin hints of five letters or more also match inside a name.
const hints: Readonly<Record<PiType, readonly string[]>> = {
  personName: ['name', 'xm', 'xingming', 'hzxm', 'brxm', 'ysxm', 'lxrxm', 'fullname', 'patientname', 'family', 'given', 'surname', '姓名', '名字', '联系人'],
  residentId: ['sfzh', 'sfz', 'sfzhm', 'zjhm', 'idcard', 'idno', 'idnumber', 'citizenid', 'identity', 'nationalid', '身份证', '证件号'],
  mobilePhone: ['mobile', 'phone', 'cellphone', 'tel', 'telephone', 'sjh', 'sjhm', 'lxdh', 'dh', 'telecom', 'contact', '手机', '电话', '联系方式'],
  landlinePhone: ['landline', 'tel', 'telephone', 'phone', 'gddh', 'zj', 'lxdh', 'dh', 'telecom', '座机', '固话', '电话'],
  bankCard: ['bankcard', 'cardno', 'cardnumber', 'yhkh', 'yhzh', 'account', 'acct', 'pan', '银行卡', '卡号', '账号'],
  email: ['email', 'mail', 'yx', 'dzyx', 'telecom', '邮箱', '邮件'],
  address: ['address', 'addr', 'dz', 'jtdz', 'xzz', 'hjdz', 'zz', 'line', 'street', '地址', '住址', '户籍'],
  birthDate: ['birth', 'birthday', 'birthdate', 'dob', 'csrq', 'bday', '出生', '生日'],
  passport: ['passport', 'hzhm', 'hzh', 'passportno', '护照'],
  travelPermit: ['permit', 'gatxz', 'twtxz', 'hxz', 'tbz', 'hkmo', '通行证', '台胞证', '回乡证'],
  medicalInsuranceNumber: ['ybkh', 'yibao', 'ybbh', 'sbkh', 'shbzh', 'insurance', 'insuranceno', 'medicare', 'sscard', '医保', '社保'],
  medicalRecordNumber: ['mrn', 'bah', 'zyh', 'mzh', 'blh', 'medicalrecord', 'inpatientno', 'outpatientno', 'caseno', '病案号', '住院号', '门诊号', '病历号'],
  ipAddress: ['ip', 'ipaddr', 'ipaddress', 'clientip', 'remoteip', 'ipdz'],
  macAddress: ['mac', 'macaddr', 'macaddress', 'wifimac'],
  deviceId: ['imei', 'idfa', 'oaid', 'androidid', 'deviceid', 'device', 'udid', 'sbh', 'sbbh', '设备'],
  gpsCoordinate: ['lat', 'lng', 'lon', 'latitude', 'longitude', 'gps', 'jd', 'wd', 'coordinates', 'location', 'position', '经度', '纬度', '坐标', '定位'],
  wechatOpenId: ['openid', 'unionid', 'wxopenid', 'wxid', 'wechat', '微信'],
  ethnicity: ['mz', 'minzu', 'nation', 'nationality', 'ethnic', 'ethnicity', '民族'],
  gender: ['gender', 'sex', 'xb', 'xingbie', '性别'],
  diagnosisCode: ['icd', 'icd10', 'zddm', 'jbbm', 'diagcode', 'diagnosiscode', 'code', 'coding', '编码'],
  diagnosis: ['diagnosis', 'diag', 'zd', 'zdmc', 'jbmc', 'condition', 'disease', 'complaint', 'zs', '诊断', '疾病', '主诉'],
  drug: ['drug', 'medication', 'medicine', 'yp', 'ypmc', 'yw', 'prescription', 'cf', 'rx', '药品', '药物', '用药', '处方'],
  labResult: ['lab', 'jyjg', 'jcjg', 'jyxm', 'assay', 'valuequantity', 'labresult', 'testresult', '检验', '化验', '检查结果'],
  geneticData: ['gene', 'genetic', 'genotype', 'variant', 'snp', 'dna', 'rsid', 'hgvs', 'jyjc', '基因', '遗传'],
  wearableMetric: ['heartrate', 'hr', 'steps', 'stepcount', 'bushu', 'spo2', 'sleep', 'sleepminutes', 'xl', 'xy', 'bloodoxygen', 'systolic', 'diastolic', '步数', '心率', '血氧', '睡眠', '血压'],
  orgCreditCode: ['uscc', 'tyshxydm', 'creditcode', 'orgcode', 'xydm', '信用代码', '机构代码'],
};

// Names of decoy columns: identifiers of orders, payments and specimens that look like IDs or
// phones. A column with one of these names is not scored as a personal identifier.
const decoyHints = ['order', 'orderno', 'ddh', 'ddbh', 'trade', 'txn', 'transaction', 'jylsh', 'lsh', 'serial', 'accession', 'barcode', 'sku', 'invoice', 'fph', 'batch', 'tracking', 'waybill', 'ydh', 'specimen', 'ybbm', '订单', '流水', '交易', '样本', '标本', '发票', '批号', '运单'];

// Words that turn a `name` column into something other than a person's name.
const nonPersonNameWords = ['dept', 'department', 'ks', 'ksmc', 'drug', 'yp', 'ypmc', 'hospital', 'yy', 'yymc', 'org', 'jg', 'jgmc', 'product', 'item', 'xmmc', 'file', 'host', 'device', 'test', 'display', 'code', 'table', 'user', 'username', '科室', '药品', '医院', '机构', '项目'];

/** Splits a column or field name into lower-case tokens: `patient_idCard` → patient, id, card. */
export const nameTokens = (name: string): readonly string[] =>
  name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9\u4e00-\u9fff]+/)
    .filter((t) => t.length > 0);

const isCjk = (s: string): boolean => /[\u4e00-\u9fff]/.test(s);

const matchesAny = (tokens: readonly string[], joined: string, words: readonly string[]): boolean =>
  words.some((w) => (isCjk(w) ? joined.includes(w) : tokens.includes(w) || (w.length >= 5 && joined.includes(w))));

/** The hint facts of one name, computed once per column. */
export interface NameHints {
  readonly types: ReadonlySet<PiType>;
  readonly isDecoy: boolean;
}

/**
 * What a column or field name says about its content.
 *
 * @example columnHints('patient_sfzh').types.has('residentId') // true
 */
export const columnHints = (name: string): NameHints => {
  const tokens = nameTokens(name);
  const joined = tokens.join('');
  const types = new Set<PiType>();
  for (const [type, words] of Object.entries(hints) as [PiType, readonly string[]][]) {
    if (matchesAny(tokens, joined, words)) types.add(type);
  }
  if (types.has('personName') && matchesAny(tokens, joined, nonPersonNameWords)) types.delete('personName');
  return { types, isDecoy: matchesAny(tokens, joined, decoyHints) };
};
