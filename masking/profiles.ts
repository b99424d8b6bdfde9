/**
 * Display profiles (COMPLIANCE.md §4): one table per profile from PI type to display mask,
 * built once at load time and frozen. A policy picks the profile by role and context.
 */
import { maskAddress } from './address.js';
import {
  maskBankCard,
  maskBirthDate,
  maskCoordinates,
  maskEmail,
  maskGeneric,
  maskIpAddress,
  maskKeepLast,
  maskLandline,
  maskMobile,
  maskResidentId,
  suppress,
} from './display-masks.js';
import { MaskingError } from './errors.js';
import { maskPersonName } from './person-name.js';
import type { DisplayMask, MaskProfile, PiType } from './types.js';

export const MASK_PROFILES: readonly MaskProfile[] = Object.freeze(['default', 'strict', 'patient_self_view', 'queue_screen']);

export const PI_TYPES: readonly PiType[] = Object.freeze([
  'person_name', 'cn_resident_id', 'phone_mobile', 'phone_landline', 'bank_card', 'email', 'address', 'birth_date',
  'ip_address', 'medical_insurance_no', 'medical_record_no', 'gps', 'device_id', 'diagnosis', 'prescription',
  'lab_result', 'generic',
]);

type ProfileTable = Readonly<Record<PiType, DisplayMask>>;

const clinical = { diagnosis: suppress, prescription: suppress, lab_result: suppress, generic: maskGeneric } as const;

/** Custos default column of COMPLIANCE.md §4. */
const DEFAULT: ProfileTable = Object.freeze({
  person_name: (v) => maskPersonName(v, 'first_last'),
  cn_resident_id: (v) => maskResidentId(v, 3, 4),
  phone_mobile: (v) => maskMobile(v, 3, 4),
  phone_landline: (v) => maskLandline(v, 4),
  bank_card: (v) => maskBankCard(v, 6, 4),
  email: (v) => maskEmail(v, true),
  address: (v) => maskAddress(v, 'district'),
  birth_date: (v) => maskBirthDate(v, false),
  ip_address: (v) => maskIpAddress(v, false),
  medical_insurance_no: (v) => maskKeepLast(v, 4),
  medical_record_no: (v) => maskKeepLast(v, 4),
  gps: (v) => maskCoordinates(v, 2),
  device_id: (v) => maskKeepLast(v, 4),
  ...clinical,
});

/** Strict column of COMPLIANCE.md §4. */
const STRICT: ProfileTable = Object.freeze({
  person_name: (v) => maskPersonName(v, 'last_only'),
  cn_resident_id: (v) => maskResidentId(v, 1, 1),
  phone_mobile: (v) => maskMobile(v, 0, 4),
  phone_landline: (v) => maskLandline(v, 0),
  bank_card: (v) => maskBankCard(v, 0, 4),
  email: (v) => maskEmail(v, false),
  address: (v) => maskAddress(v, 'city'),
  birth_date: (v) => maskBirthDate(v, true),
  ip_address: (v) => maskIpAddress(v, true),
  medical_insurance_no: (v) => maskKeepLast(v, 0),
  medical_record_no: (v) => maskKeepLast(v, 0),
  gps: (v) => maskCoordinates(v, 1),
  device_id: (v) => maskKeepLast(v, 0),
  ...clinical,
});

/**
 * The patient viewing their own record in the app: default masks, but bank cards last 4 only
 * (patient-facing) and the name with the whole surname kept (`张**`, `欧阳**`).
 */
const PATIENT_SELF_VIEW: ProfileTable = Object.freeze({
  ...DEFAULT,
  person_name: (v) => maskPersonName(v, 'surname'),
  bank_card: (v) => maskBankCard(v, 0, 4),
});

/**
 * Shared screens in waiting rooms (HLT-07: mask on shared screens): the hospital queue-screen
 * name convention with the whole surname (`张*丰`, `欧阳*华`), phone and cards last 4 only,
 * ID numbers strict, record numbers last 4 (patients recognise their number), address to city.
 */
const QUEUE_SCREEN: ProfileTable = Object.freeze({
  ...STRICT,
  person_name: (v) => maskPersonName(v, 'surname_last'),
  medical_record_no: (v) => maskKeepLast(v, 4),
  birth_date: (v) => maskBirthDate(v, false),
});

const PROFILES: Readonly<Record<MaskProfile, ProfileTable>> = Object.freeze({
  default: DEFAULT,
  strict: STRICT,
  patient_self_view: PATIENT_SELF_VIEW,
  queue_screen: QUEUE_SCREEN,
});

/** Other names the scanner and policies use for the same PI types. */
const ALIASES: Readonly<Record<string, PiType>> = Object.freeze({
  name: 'person_name',
  resident_id: 'cn_resident_id',
  id_card: 'cn_resident_id',
  id_card_no: 'cn_resident_id',
  mobile: 'phone_mobile',
  phone: 'phone_mobile',
  landline: 'phone_landline',
  bank_account: 'bank_card',
  dob: 'birth_date',
  date_of_birth: 'birth_date',
  ip: 'ip_address',
  social_security_no: 'medical_insurance_no',
  medical_insurance: 'medical_insurance_no',
  inpatient_no: 'medical_record_no',
  outpatient_no: 'medical_record_no',
  coordinates: 'gps',
  location: 'gps',
  lab_report: 'lab_result',
  medication: 'prescription',
});

const PI_TYPE_SET: ReadonlySet<string> = new Set(PI_TYPES);

/** The canonical PI type for a name or alias, or `undefined`. */
export const resolvePiType = (name: string): PiType | undefined =>
  PI_TYPE_SET.has(name) ? (name as PiType) : Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;

export const isMaskProfile = (name: unknown): name is MaskProfile =>
  typeof name === 'string' && Object.hasOwn(PROFILES, name);

/**
 * The display mask of a PI type under a profile; unknown PI types get the generic mask.
 *
 * @example displayMask('phone_mobile', 'strict')('13812345678') // '*******5678'
 */
export const displayMask = (piType: string, profile: MaskProfile = 'default'): DisplayMask => {
  if (!isMaskProfile(profile)) {
    throw new MaskingError('ERR_MASKING_UNKNOWN_PROFILE', {
      message: `unknown mask profile (${typeof profile === 'string' ? `"${profile}"` : typeof profile})`,
      hint: `use one of: ${MASK_PROFILES.join(', ')}`,
    });
  }
  const type = resolvePiType(piType);
  return PROFILES[profile][type ?? 'generic'];
};

/**
 * Masks one value for display: the entry point the scanner uses for samples and services use
 * for single fields. Never throws on odd values (only on an unknown profile name).
 *
 * @example maskValue('cn_resident_id', '11010219910101007X') // '110***********007X'
 * @example maskValue('person_name', '诸葛孔明', 'queue_screen') // '诸葛*明'
 */
export const maskValue = (piType: string, value: unknown, profile: MaskProfile = 'default'): string | null =>
  displayMask(piType, profile)(value);
