import { maskValue } from '../masking/index.js';
import type { PiType } from './types.js';

// Display masks for the examples a finding shows (COMPLIANCE.md §4, Custos default profile).
// Types the masking module knows are masked by its `maskValue`; the others (MAC, passports,
// permits, OpenIDs, organisation codes, gender, ethnicity) by the local rules below. Either way
// a mask that returns the value unchanged is replaced by `***`: no raw value leaves the scanner.
const maskingTypes: Partial<Record<PiType, string>> = {
  personName: 'person_name',
  residentId: 'cn_resident_id',
  mobilePhone: 'phone_mobile',
  landlinePhone: 'phone_landline',
  bankCard: 'bank_card',
  email: 'email',
  address: 'address',
  birthDate: 'birth_date',
  ipAddress: 'ip_address',
  medicalInsuranceNumber: 'medical_insurance_no',
  medicalRecordNumber: 'medical_record_no',
  gpsCoordinate: 'gps',
  deviceId: 'device_id',
  diagnosis: 'diagnosis',
  diagnosisCode: 'diagnosis',
  drug: 'prescription',
  labResult: 'lab_result',
  geneticData: 'lab_result',
  wearableMetric: 'lab_result',
};

/**
 * Masks one detected value for display in a finding (default profile of COMPLIANCE.md §4).
 *
 * @example maskSample('mobilePhone', '13800138000') // '138****8000'
 */
export const maskSample = (type: PiType, raw: string): string => {
  const value = raw.trim();
  const shared = maskingTypes[type];
  let masked: string | null;
  try {
    masked = shared === undefined ? localMask(type, value) : maskValue(shared, value);
  } catch {
    masked = null;
  }
  return masked === null || masked.length === 0 || (value.length > 1 && masked.includes(value)) ? '***' : masked;
};

const stars = (n: number): string => '*'.repeat(Math.max(1, n));

const keepEnds = (v: string, head: number, tail: number): string => {
  if (v.length <= head + tail + 1) return v.length <= 2 ? stars(v.length) : `${v[0]}${stars(v.length - 1)}`;
  return `${v.slice(0, head)}${stars(v.length - head - tail)}${v.slice(v.length - tail)}`;
};

const lastOnly = (v: string, tail: number): string =>
  v.length <= tail * 2 ? stars(v.length) : `${stars(v.length - tail)}${v.slice(v.length - tail)}`;

/** The scanner's own display masks, for types the masking module does not name. */
export const localMask = (type: PiType, v: string): string => {
  switch (type) {
    case 'residentId':
      return keepEnds(v, 3, 4);
    case 'mobilePhone': {
      const digits = v.replace(/\D/g, '').slice(-11);
      return keepEnds(digits, 3, 4);
    }
    case 'landlinePhone': {
      const m = /^(\(?0\d{2,3}\)?[- ]?)(.*)$/.exec(v);
      return m === null ? lastOnly(v, 2) : `${m[1]}${lastOnly(m[2]!, 2)}`;
    }
    case 'bankCard': {
      const digits = v.replace(/\D/g, '');
      return keepEnds(digits, 6, 4);
    }
    case 'personName': {
      const chars = [...v];
      if (/^[\u4e00-\u9fff·]+$/.test(v)) return chars.length <= 2 ? `${chars[0]}*` : `${chars[0]}${stars(chars.length - 2)}${chars[chars.length - 1]}`;
      return `${chars[0]}${stars(chars.length - 1)}`;
    }
    case 'email': {
      const at = v.lastIndexOf('@');
      return at <= 0 ? stars(v.length) : `${v[0]}***${v.slice(at)}`;
    }
    case 'address': {
      const cut = v.search(/[区县](?!.*[区县])/);
      const keep = cut > 0 && cut < v.length / 2 + 2 ? cut + 1 : Math.min(6, Math.floor(v.length / 2));
      return `${v.slice(0, keep)}****`;
    }
    case 'birthDate':
      return /^\d{4}/.test(v) ? `${v.slice(0, 4)}-**-**` : stars(v.length);
    case 'ipAddress':
      return v.includes('.') ? v.replace(/\.\d+$/, '.*') : `${v.split(':').slice(0, 3).join(':')}:*`;
    case 'gpsCoordinate':
      return v.replace(/(\d+\.\d{2})\d+/g, '$1');
    case 'medicalInsuranceNumber':
    case 'medicalRecordNumber':
    case 'deviceId':
    case 'wechatOpenId':
    case 'macAddress':
    case 'passport':
    case 'travelPermit':
      return lastOnly(v, 4);
    case 'orgCreditCode':
      // Organisation identifiers are not personal; still shortened, as examples need no more.
      return keepEnds(v, 6, 2);
    default:
      // Health data, gender, ethnicity: no partial masking (COMPLIANCE.md §4): suppressed.
      return '***';
  }
};
