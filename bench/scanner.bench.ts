// Scanner benchmark, single core: MB/s on free text and rows/s on tables, side by side with a
// naive regex-only baseline on the same input (both with their precision), and peak RSS while
// streaming a large file. `SCANNER_BENCH_BYTES=1073741824 npm run bench -- scanner` streams 1 GiB
// (default 128 MiB so the whole bench stays short); the file goes to a temp dir and is deleted.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { manualClock } from '../lib/clock.js';
import { classify, compileRecognizers, defaultRuleSet, isLuhnValid, isResidentIdValid, scan, type PiType } from '../scanner/index.js';
import { createRng, fake } from '../test/fixtures/scanner/corpus.js';
import { formatRate, ratio } from './harness.js';

const clock = manualClock(Date.parse('2026-11-26T00:00:00Z'));

// --- a synthetic text corpus with ground truth ------------------------------------------
type Truth = Map<string, Set<string>>; // type → values
const buildText = (targetChars: number): { text: string; truth: Truth } => {
  const rng = createRng(7);
  const f = fake(rng);
  const truth: Truth = new Map();
  const add = (t: string, v: string) => (truth.get(t) ?? truth.set(t, new Set()).get(t)!).add(v);
  const parts: string[] = [];
  let size = 0;
  const filler = [
    '患者一般情况可，精神食欲睡眠可，大小便正常，体重无明显变化。',
    '查体：神志清，精神可，双肺呼吸音清，未闻及干湿性啰音，心律齐，各瓣膜听诊区未闻及病理性杂音。',
    'Follow-up in two weeks; continue current medication and monitor blood pressure at home twice a day.',
    '既往史：否认肝炎、结核等传染病史，否认手术外伤史，否认输血史，否认食物药物过敏史。',
    '腹平软，无压痛及反跳痛，肝脾肋下未触及，移动性浊音阴性，双下肢无水肿。',
    '嘱低盐低脂饮食，适量运动，戒烟限酒，规律作息，如有不适随时就诊。',
  ];
  while (size < targetChars) {
    const id = f.residentId();
    const mobile = f.mobile();
    const card = f.bankCard();
    const email = f.email();
    const ip = f.ip();
    const order = f.badResidentId();
    const txn = f.badCard();
    add('residentId', id);
    add('mobilePhone', mobile);
    add('bankCard', card);
    add('email', email);
    add('ipAddress', ip);
    const note = `患者${f.name()}，${rng.pick(['男', '女'])}，${rng.int(20, 80)}岁。诊断：${rng.pick(['I10 高血压', 'E11.9 2型糖尿病', 'J18.9 肺炎'])}，予${rng.pick(['阿司匹林', '二甲双胍', '氨氯地平'])}口服。血红蛋白 ${rng.int(100, 160)} g/L。身份证${id}，手机${mobile}，银行卡${card}，邮箱${email}，登录IP ${ip}。订单号${order}，交易流水${txn}，版本 ${rng.int(1, 9)}.${rng.int(0, 9)}.${rng.int(0, 9)}.${rng.int(0, 99)}。${rng.pick(filler)}${rng.pick(filler)}${rng.pick(filler)}${rng.pick(filler)}\n`;
    parts.push(note);
    size += note.length;
  }
  return { text: parts.join(''), truth };
};

// --- the naive baseline: regexes only, no boundaries, no validators --------------------
const naive: [string, RegExp][] = [
  ['residentId', /\d{17}[\dXx]/g],
  ['mobilePhone', /1[3-9]\d{9}/g],
  ['bankCard', /\d{16,19}/g],
  ['email', /[\w.+-]+@[\w-]+\.[\w.]+/g],
  ['ipAddress', /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/g],
];
const naiveScan = (text: string, out?: [string, string][]): number => {
  let n = 0;
  for (const [type, re] of naive) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      n += 1;
      out?.push([type, m[0]]);
    }
  }
  return n;
};

// --- regexes with boundaries and validators (the middle ground the issue quotes) --------
const bounded: [string, RegExp, (v: string) => boolean][] = [
  ['residentId', /(?<!\d)\d{17}[\dXx](?!\d)/g, (v) => isResidentIdValid(v.toUpperCase())],
  ['mobilePhone', /(?<!\d)1[3-9]\d{9}(?!\d)/g, () => true],
  ['bankCard', /(?<!\d)\d{16,19}(?!\d)/g, isLuhnValid],
  ['email', /[\w.+-]+@[\w-]+\.[\w.]+/g, () => true],
  ['ipAddress', /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g, (v) => v.split('.').every((o) => Number(o) <= 255)],
];
const boundedScan = (text: string, out?: [string, string][]): number => {
  let n = 0;
  for (const [type, re, ok] of bounded) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (!ok(m[0])) continue;
      n += 1;
      out?.push([type, m[0]]);
    }
  }
  return n;
};

// --- the full scanner: all recognizers, context, aggregation and classification ---------
const rules = defaultRuleSet();
const recognizers = compileRecognizers('2026-11-26');
const chunkChars = 1 << 20;
const fullScan = (text: string, out?: [string, string][]): number => {
  const counts = new Map<PiType, number>();
  for (let at = 0; at < text.length; at += chunkChars) {
    const end = Math.min(text.length, text.lastIndexOf('\n', at + chunkChars) + 1 || text.length);
    const chunk = text.slice(at, end > at ? end : at + chunkChars);
    for (const m of recognizers.scanText(chunk, at)) {
      counts.set(m.type, (counts.get(m.type) ?? 0) + 1);
      out?.push([m.type, text.slice(m.start, m.end)]);
    }
    if (end > at) at = end - chunkChars;
  }
  for (const type of counts.keys()) classify(rules, type, { medicalContext: 'bench' });
  return [...counts.values()].reduce((a, b) => a + b, 0);
};

const precisionOf = (matches: [string, string][], truth: Truth, types: ReadonlySet<string>): number => {
  const relevant = matches.filter(([t]) => types.has(t));
  const tp = relevant.filter(([t, v]) => truth.get(t)?.has(v) === true).length;
  return relevant.length === 0 ? 1 : tp / relevant.length;
};

const mbPerSec = (name: string, fn: (text: string) => number, text: string, bytes: number, rounds = 5): number => {
  fn(text); // warm-up
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn(text);
    best = Math.min(best, performance.now() - t0);
  }
  const rate = bytes / 1e6 / (best / 1000);
  console.log(`${name}: ${rate.toFixed(1)} MB/s`);
  return rate;
};

const streamChild = (bytes: number): void => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
  const file = join(dir, 'big.txt');
  try {
    const t0 = performance.now();
    const out = createWriteStream(file);
    const { text } = buildText(4 << 20);
    const block = Buffer.from(text);
    const write = async () => {
      for (let written = 0; written < bytes; written += block.length) {
        if (!out.write(written + block.length > bytes ? block.subarray(0, bytes - written) : block)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await new Promise<void>((r) => out.end(r));
    };
    void write().then(async () => {
      const written = performance.now() - t0;
      const t1 = performance.now();
      const report = await scan([file], { sampleSize: 1000, minConfidence: 0.5 }, { clock });
      const ms = performance.now() - t1;
      const maxRssMb = process.resourceUsage().maxRSS / 1024;
      const spans = report.findings.reduce((a, f) => a + f.spanCount, 0);
      console.log(`stream ${(bytes / 2 ** 20).toFixed(0)} MiB text file: ${((bytes / 1e6) / (ms / 1000)).toFixed(1)} MB/s end to end (read + scan + classify), ${spans} spans, peak RSS ${maxRssMb.toFixed(0)} MiB (file written in ${(written / 1000).toFixed(1)} s)`);
      rmSync(dir, { recursive: true, force: true });
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
};

const main = async (): Promise<void> => {
  if (process.argv[2] === '--stream') {
    streamChild(Number(process.argv[3]));
    return;
  }
  // 1. Free text, in memory, single core.
  const { text, truth } = buildText(16 << 20);
  const bytes = Buffer.byteLength(text);
  const identifiers = [...truth.values()].reduce((a, v) => a + v.size, 0);
  console.log(`text corpus: ${(bytes / 1e6).toFixed(1)} MB of synthetic clinical notes; ${identifiers} distinct true identifiers (about ${((identifiers * 1000) / bytes).toFixed(1)} per KB) plus order-number, transaction-number and version-number decoys`);
  const comparable = new Set(naive.map(([t]) => t));
  const naiveMatches: [string, string][] = [];
  naiveScan(text, naiveMatches);
  const boundedMatches: [string, string][] = [];
  boundedScan(text, boundedMatches);
  const fullMatches: [string, string][] = [];
  fullScan(text, fullMatches);
  const naiveRate = mbPerSec('text naive regex-only baseline', naiveScan, text, bytes);
  const boundedRate = mbPerSec('text regexes with boundaries and validators', boundedScan, text, bytes);
  const fullRate = mbPerSec('text full scanner (all recognizers, context, classification)', fullScan, text, bytes);
  console.log(`precision on the 5 types all three detect: naive ${precisionOf(naiveMatches, truth, comparable).toFixed(3)}, bounded ${precisionOf(boundedMatches, truth, comparable).toFixed(3)}, full scanner ${precisionOf(fullMatches, truth, comparable).toFixed(3)}`);
  console.log(`full scanner finds ${new Set(fullMatches.map(([t]) => t)).size} types, the naive baseline ${comparable.size}`);
  ratio('text MB/s full scanner / naive regex', fullRate, naiveRate);
  ratio('text MB/s full scanner / bounded regex', fullRate, boundedRate);

  // 2. Tables: rows/s, scoring every row of a CSV (sample size = all rows).
  const dir = mkdtempSync(join(tmpdir(), 'custos-bench-'));
  try {
    const rng = createRng(11);
    const f = fake(rng);
    const rows = 50_000;
    const lines = ['xm,sfzh,sjhm,email,jtdz,order_no,amount'];
    for (let i = 0; i < rows; i++) lines.push([f.name(), f.residentId(), f.mobile(), f.email(), f.address(), f.badResidentId(), String(rng.int(1, 9999))].join(','));
    const csv = join(dir, 'patients.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const cells = lines.slice(1).map((l) => l.split(','));
    const t0 = performance.now();
    let naiveHits = 0;
    for (const row of cells) for (const cell of row) for (const [, re] of naive) {
      re.lastIndex = 0;
      if (re.test(cell)) naiveHits += 1;
    }
    const naiveRows = rows / ((performance.now() - t0) / 1000);
    const t1 = performance.now();
    const report = await scan([csv], { sampleSize: rows, minConfidence: 0.5 }, { clock });
    const fullRows = rows / ((performance.now() - t1) / 1000);
    console.log(`table naive regex-only baseline: ${formatRate(naiveRows)} rows/s (${naiveHits} cell hits; flags order_no as ID numbers)`);
    console.log(`table full scanner (read CSV, score every row, distinct counts, classify): ${formatRate(fullRows)} rows/s, ${report.findings.length} column findings (order_no: ${report.findings.some((x) => x.location === 'order_no') ? 'reported' : 'not reported'})`);
    ratio('table rows/s full scanner / naive regex', fullRows, naiveRows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // 3. Streaming a large file in a fresh process: peak RSS.
  const size = Number(process.env.SCANNER_BENCH_BYTES ?? 128 * 2 ** 20);
  const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--stream', String(size)], { stdio: 'inherit' });
  if (child.status !== 0) process.exitCode = 1;
};

await main();
