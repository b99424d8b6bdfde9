import { isWhitespace, maskMost, normCode, textOf, SUPPRESSED } from './text.js';

/** Administrative levels of a Chinese address that a mask or generalisation may keep. */
export type AddressLevel = 'province' | 'city' | 'district';

const PROVINCES: readonly string[] = [
  '黑龙江', '内蒙古', '北京', '天津', '上海', '重庆', '河北', '山西', '辽宁', '吉林', '江苏', '浙江', '安徽',
  '福建', '江西', '山东', '河南', '湖北', '湖南', '广东', '海南', '四川', '贵州', '云南', '陕西', '甘肃',
  '青海', '台湾', '广西', '西藏', '宁夏', '新疆', '香港', '澳门',
];
const MUNICIPALITIES: ReadonlySet<string> = new Set(['北京', '天津', '上海', '重庆']);
const PROVINCE_SUFFIXES: readonly string[] = ['特别行政区', '维吾尔自治区', '壮族自治区', '回族自治区', '自治区', '省', '市'];
const CITY_SUFFIXES: readonly string[] = ['自治州', '地区', '市', '盟'];
const DISTRICT_SUFFIXES: readonly string[] = ['区', '县', '市', '旗'];
/** Longest administrative name searched for after the previous level (e.g. 巴音郭楞蒙古自治州). */
const WINDOW = 10;

/** End offsets of the province, city and district parts of `s` (−1 when absent). */
export interface AddressParts {
  readonly province: number;
  readonly city: number;
  readonly district: number;
}

/** Suffixes grouped by their first character, so the scan tests one Map lookup per position. */
const byFirstChar = (words: readonly string[]): ReadonlyMap<string, readonly string[]> => {
  const map = new Map<string, string[]>();
  for (const w of words) {
    const list = map.get(w[0]!) ?? [];
    list.push(w);
    map.set(w[0]!, list);
  }
  return map;
};
const PROVINCE_BY_CHAR = byFirstChar(PROVINCES);
const CITY_BY_CHAR = byFirstChar(CITY_SUFFIXES);
const DISTRICT_BY_CHAR = byFirstChar(DISTRICT_SUFFIXES);
const PROVINCE_LEVEL_BY_CHAR = byFirstChar(['省', '自治区', '特别行政区']);

const findSuffix = (s: string, from: number, suffixes: ReadonlyMap<string, readonly string[]>): number => {
  const limit = Math.min(s.length, from + WINDOW);
  for (let i = from + 1; i < limit; i++) {
    const candidates = suffixes.get(s[i]!);
    if (candidates === undefined) continue;
    for (const suffix of candidates) if (suffix.length === 1 || s.startsWith(suffix, i)) return i + suffix.length;
  }
  return -1;
};

/** Splits a Chinese address into its administrative prefix levels (GB/T 2260 naming). */
export const parseAddress = (s: string): AddressParts => {
  let province = -1;
  let municipality = false;
  for (const name of PROVINCE_BY_CHAR.get(s[0] ?? '') ?? []) {
    if (s.startsWith(name)) {
      province = name.length;
      municipality = MUNICIPALITIES.has(name);
      for (const suffix of PROVINCE_SUFFIXES) {
        if (s.startsWith(suffix, province)) {
          province += suffix.length;
          break;
        }
      }
      break;
    }
  }
  if (province < 0) province = findSuffix(s, 0, PROVINCE_LEVEL_BY_CHAR);
  const city = municipality ? province : findSuffix(s, Math.max(province, 0), CITY_BY_CHAR);
  const district = findSuffix(s, Math.max(city, province, 0), DISTRICT_BY_CHAR);
  return { province, city, district };
};

/** Where the kept prefix of `s` ends for a level, falling back to the coarser levels found. */
export const addressPrefixEnd = (s: string, level: AddressLevel): number => {
  const parts = parseAddress(s);
  if (level === 'province') return parts.province;
  if (level === 'city') return parts.city > 0 ? parts.city : parts.province;
  return parts.district > 0 ? parts.district : parts.city > 0 ? parts.city : parts.province;
};

const compact = (s: string): string => {
  let clean = true;
  for (let i = 0; clean && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (normCode(c) !== c || isWhitespace(c)) clean = false;
  }
  if (clean) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = normCode(s.charCodeAt(i));
    if (!isWhitespace(c)) out += String.fromCharCode(c);
  }
  return out;
};

/**
 * Masks an address: keeps province, city and district (or fewer levels) and hides the rest as
 * `****` (COMPLIANCE.md §4). Addresses without recognisable Chinese levels get the generic mask.
 *
 * @example maskAddress('浙江省杭州市西湖区文三路90号') // '浙江省杭州市西湖区****'
 */
export const maskAddress = (value: unknown, level: AddressLevel = 'district'): string | null => {
  const text = textOf(value);
  if (text === null) return null;
  if (text === undefined) return SUPPRESSED;
  const s = compact(text);
  if (s.length === 0) return text;
  const end = addressPrefixEnd(s, level);
  return end > 0 ? `${s.slice(0, end)}****` : maskMost(text);
};

/**
 * Generalises an address to a level (GB/T 37964 generalisation): `浙江省杭州市西湖区文三路` →
 * `浙江省杭州市` at `city`. Unrecognised addresses are suppressed.
 *
 * @example generalizeAddress('浙江省杭州市西湖区文三路90号', 'city') // '浙江省杭州市'
 */
export const generalizeAddress = (value: unknown, level: AddressLevel = 'city'): string | null => {
  const text = textOf(value);
  if (text === null) return null;
  if (text === undefined) return SUPPRESSED;
  const s = compact(text);
  if (s.length === 0) return text;
  const end = addressPrefixEnd(s, level);
  return end > 0 ? s.slice(0, end) : SUPPRESSED;
};
