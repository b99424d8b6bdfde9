import type { NameStyle } from './types.js';
import { MASK_CHAR, isWhitespace, maskMost, normCode, stars, textOf, SUPPRESSED } from './text.js';

/**
 * Compound (two-character) Chinese surnames, from the Hundred Family Surnames (百家姓) and
 * common modern ones, simplified and traditional forms. A profile that keeps the surname keeps
 * these whole (`欧阳**`, not `欧**`).
 */
const COMPOUND_SURNAMES: ReadonlySet<string> = new Set(
  (
    '欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫 宗政 濮阳 ' +
    '公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 颛孙 ' +
    '壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 公户 公玉 ' +
    '公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 西门 公祖 第五 公乘 贯丘 公皙 南荣 东里 东宫 仲长 ' +
    '子书 子桑 即墨 达奚 褚师 ' +
    '歐陽 司馬 諸葛 東方 南宮 尉遲 公孫 長孫 鍾離 澹臺 軒轅 聞人 獨孤 鮮于 閭丘 顓孫 樂正 穀梁 東郭 ' +
    '南門 東里 東宮 仲長 子書'
  ).split(' '),
);

/** True when `name` starts with a recognised two-character compound surname. */
export const hasCompoundSurname = (name: string): boolean => name.length >= 2 && COMPOUND_SURNAMES.has(name.slice(0, 2));

const isCjk = (c: number): boolean =>
  (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xd800 && c <= 0xdbff);

/** Middle dots used in transliterated and minority names (阿卜杜·热合曼). */
const isNameDot = (c: number): boolean => c === 0xb7 || c === 0x2022 || c === 0x30fb || c === 0x2027 || c === 0xff0e;

/** Which significant positions of an n-character Chinese name stay visible, per style. */
const keptRange = (style: NameStyle, n: number, surnameLength: number): readonly [number, boolean] => {
  // [number of leading characters kept, is the last character kept]
  if (n <= 1) return [0, false];
  switch (style) {
    case 'first_last':
      return n === 2 ? [1, false] : [1, true];
    case 'last_only':
      return [0, true];
    case 'surname':
      return n <= surnameLength ? [surnameLength - 1, false] : [surnameLength, false];
    case 'surname_last':
      return n - surnameLength <= 1 ? [Math.min(surnameLength, n - 1), false] : [surnameLength, true];
  }
};

const maskCjkName = (s: string, style: NameStyle): string => {
  // Fast path: 2–4 BMP characters, no spaces or dots (almost every real name).
  const n0 = s.length;
  let plain = n0 >= 2 && n0 <= 4;
  for (let i = 0; plain && i < n0; i++) {
    const c = s.charCodeAt(i);
    if (!(c >= 0x3400 && c <= 0x9fff)) plain = false;
  }
  if (plain) {
    const [first, last] = keptRange(style, n0, hasCompoundSurname(s) ? 2 : 1);
    return s.slice(0, first) + stars(n0 - first - (last ? 1 : 0)) + (last ? s.slice(n0 - 1) : '');
  }
  // General path: code points, whitespace dropped (Chinese names carry none), dots kept.
  const chars: string[] = [];
  const isDot: boolean[] = [];
  for (const ch of s) {
    const c = normCode(ch.codePointAt(0)!);
    if (isWhitespace(c)) continue;
    chars.push(ch);
    isDot.push(isNameDot(c));
  }
  let n = 0;
  for (const d of isDot) if (!d) n++;
  if (n === 0) return chars.join('');
  const joined = chars.join('');
  const [first, last] = keptRange(style, n, hasCompoundSurname(joined) ? 2 : 1);
  let out = '';
  let k = 0;
  for (let i = 0; i < chars.length; i++) {
    if (isDot[i]) {
      out += chars[i];
      continue;
    }
    out += k < first || (last && k === n - 1) ? chars[i] : MASK_CHAR;
    k++;
  }
  return out;
};

const WHITESPACE_RUN = /\s+/u;

/** Latin-script (and other non-CJK) names: word by word, initials kept per style. */
const maskLatinName = (s: string, style: NameStyle): string => {
  const words = s.trim().split(WHITESPACE_RUN);
  const count = words.length;
  let out = '';
  for (let w = 0; w < count; w++) {
    const word = words[w]!;
    const isLast = w === count - 1;
    let shown: string;
    if (style === 'surname' && isLast && count > 1) shown = word;
    else if (style === 'last_only' && !isLast) shown = maskWord(word, 0);
    else shown = maskWord(word, 1);
    out += w === 0 ? shown : ` ${shown}`;
  }
  return out;
};

/** Keeps the first `keep` letters of each hyphen/apostrophe/dot-separated part of a word. */
const maskWord = (word: string, keep: number): string => {
  let out = '';
  let inPart = 0;
  for (const ch of word) {
    if (ch === '-' || ch === "'" || ch === '.' || ch === '’') {
      out += ch;
      inPart = 0;
      continue;
    }
    out += inPart < keep ? ch : MASK_CHAR;
    inPart++;
  }
  // A one-letter word shown whole would not be masked at all.
  return out === word && word.length > 0 ? maskMost(word) : out;
};

/**
 * Masks a person's name. Chinese names follow COMPLIANCE.md §4 (`张*`, `张*明`; compound
 * surnames recognised); other scripts are masked word by word keeping initials (`J*** S****`).
 *
 * @example maskPersonName('欧阳明华', 'surname') // '欧阳**'
 */
export const maskPersonName = (value: unknown, style: NameStyle = 'first_last'): string | null => {
  const text = textOf(value);
  if (text === null) return null;
  if (text === undefined) return SUPPRESSED;
  let hasVisible = false;
  let hasCjk = false;
  for (let i = 0; i < text.length; i++) {
    const c = normCode(text.charCodeAt(i));
    if (!isWhitespace(c)) hasVisible = true;
    if (isCjk(c)) {
      hasCjk = true;
      break;
    }
  }
  if (!hasVisible) return text;
  return hasCjk ? maskCjkName(text.trim(), style) : maskLatinName(text, style);
};
