// File and folder sources: CSV/TSV, JSON, NDJSON, FHIR R4 (bundles, resources, bulk NDJSON),
// plain text and Markdown. Tables stream: the first `sampleSize` rows are sampled, the rest are
// only counted, and `walk` streams the file again for distinct counts. Text streams in chunks.
import { createReadStream, openSync, readSync, closeSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ScannerError } from '../errors.js';
import type { ColumnSample, ProgressEvent, SourceType, SourceUnit, TextChunk, TextDocument } from '../types.js';
import { createCsvParser } from '../../lib/csv.js';
import { recordsOf } from './json-fields.js';

/** JSON documents are parsed whole; larger ones must be NDJSON (FHIR bulk export format). */
export const maxJsonBytes = 64 * 1024 * 1024;
const textChunkChars = 1 << 20;
const maxCarryChars = 1 << 20;

export type FileKind = 'csv' | 'tsv' | 'json' | 'ndjson' | 'text' | 'markdown' | 'sqlite';

const sqliteMagic = 'SQLite format 3\u0000';

/** What a file is, from its first bytes and its extension; undefined when unsupported. */
export const fileKindOf = (path: string): FileKind | undefined => {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw unreadable(path, err);
  }
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n === 16 && head.toString('latin1') === sqliteMagic) return 'sqlite';
  } finally {
    closeSync(fd);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv') return 'tsv';
  if (ext === '.json') return 'json';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.txt' || ext === '.log' || ext === '.text') return 'text';
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  return undefined;
};

/** Every supported file under a path (a file or a folder, recursively, sorted). */
export const listFiles = (path: string): string[] => {
  const stat = statSync(path);
  if (stat.isFile()) return [path];
  if (!stat.isDirectory()) return [];
  return readdirSync(path)
    .sort()
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => listFiles(join(path, name)));
};

const unreadable = (path: string, cause: unknown): ScannerError =>
  new ScannerError('ERR_SCANNER_UNREADABLE_INPUT', {
    message: `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
    at: { file: path },
    hint: 'check the path and its permissions',
    cause,
  });

interface TableCollector {
  readonly columns: Map<string, string[]>;
  readonly rows: Record<string, string>[];
  readonly totals: Map<string, number>;
  readonly names: Map<string, string>;
}

const newCollector = (): TableCollector => ({ columns: new Map(), rows: [], totals: new Map(), names: new Map() });

const addRecord = (c: TableCollector, record: ReadonlyMap<string, readonly string[]>, sampleSize: number): void => {
  const isSampled = c.rows.length < sampleSize;
  const row: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [location, values] of record) {
    c.totals.set(location, (c.totals.get(location) ?? 0) + values.length);
    if (!isSampled) continue;
    let list = c.columns.get(location);
    if (list === undefined) {
      list = [];
      c.columns.set(location, list);
    }
    for (const v of values) if (list.length < sampleSize) list.push(v);
    row[location] = values[0] ?? '';
  }
  if (isSampled) c.rows.push(row);
};

const unitOf = (
  c: TableCollector,
  source: string,
  sourceType: SourceType,
  container: string,
  kind: 'column' | 'field',
  walk: SourceUnit['walk'],
): SourceUnit => ({
  kind: 'table',
  source,
  sourceType,
  container,
  columns: [...c.columns.entries()].map(
    ([location, values]): ColumnSample => ({
      location,
      kind,
      name: kind === 'field' ? location.replace(/^[A-Z][A-Za-z]+\./, '') : location,
      container,
      values,
      total: c.totals.get(location) ?? values.length,
    }),
  ),
  rows: c.rows,
  rowCount: c.rows.length === 0 ? 0 : Math.max(...c.totals.values(), c.rows.length),
  ...(walk === undefined ? {} : { walk }),
});

const progressReporter = (path: string, total: number, onProgress?: (e: ProgressEvent) => void) => {
  let done = 0;
  return (bytes: number): void => {
    done += bytes;
    onProgress?.({ source: path, done: Math.min(done, total), total, unit: 'bytes' });
  };
};

async function* csvRecords(path: string, delimiter: string, onBytes?: (n: number) => void): AsyncGenerator<string[]> {
  const parser = createCsvParser(delimiter);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
  let isFirst = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    onBytes?.(Buffer.byteLength(chunk));
    let text = chunk;
    if (isFirst && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    isFirst = false;
    yield* parser.push(text);
  }
  yield* parser.end();
}

/** A CSV or TSV file as one table unit: columns are the header names. */
export const csvUnit = async (path: string, delimiter: string, sampleSize: number, onProgress?: (e: ProgressEvent) => void): Promise<SourceUnit> => {
  const size = statSync(path).size;
  const onBytes = progressReporter(path, size, onProgress);
  let header: string[] | undefined;
  const c = newCollector();
  let rowCount = 0;
  try {
    for await (const record of csvRecords(path, delimiter, onBytes)) {
      if (header === undefined) {
        header = record.map((h, i) => (h.trim() === '' ? `column${i + 1}` : h.trim()));
        continue;
      }
      if (record.length === 1 && record[0] === '') continue;
      rowCount += 1;
      if (c.rows.length >= sampleSize) continue;
      const fields = new Map<string, string[]>();
      header.forEach((h, i) => fields.set(h, [record[i] ?? '']));
      addRecord(c, fields, sampleSize);
    }
  } catch (err) {
    throw unreadable(path, err);
  }
  const walk = async (locations: readonly string[], visit: (location: string, value: string) => void): Promise<void> => {
    let cols: number[] | undefined;
    for await (const record of csvRecords(path, delimiter)) {
      if (cols === undefined) {
        const names = record.map((h) => h.trim());
        cols = locations.map((l) => names.indexOf(l));
        continue;
      }
      cols.forEach((ci, li) => {
        const v = ci >= 0 ? record[ci] : undefined;
        if (v !== undefined && v.trim() !== '') visit(locations[li]!, v);
      });
    }
  };
  const unit = unitOf(c, path, 'csv', basename(path), 'column', walk);
  return { ...unit, rowCount, columns: unit.columns.map((col) => ({ ...col, total: rowCount })) };
};

/** A JSON document (FHIR resource or bundle, array of records, or one object): one unit per container. */
export const jsonUnits = (path: string, sampleSize: number, onProgress?: (e: ProgressEvent) => void): SourceUnit[] => {
  const size = statSync(path).size;
  if (size > maxJsonBytes) {
    throw new ScannerError('ERR_SCANNER_INPUT_TOO_LARGE', {
      message: `${path} is ${size} bytes; JSON documents over ${maxJsonBytes} bytes are not parsed whole`,
      at: { file: path },
      hint: 'export it as NDJSON (one record or FHIR resource per line, as FHIR bulk data does), which streams',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new ScannerError('ERR_SCANNER_UNREADABLE_INPUT', {
        message: `${path} is not valid JSON`,
        at: { file: path },
        hint: 'fix the file, or give it the .ndjson extension if it holds one JSON value per line',
      });
    }
    throw unreadable(path, err);
  }
  onProgress?.({ source: path, done: size, total: size, unit: 'bytes' });
  const collectors = new Map<string, TableCollector>();
  const isFhir = typeof parsed === 'object' && parsed !== null && 'resourceType' in parsed;
  for (const record of recordsOf(parsed, basename(path))) {
    let c = collectors.get(record.container);
    if (c === undefined) {
      c = newCollector();
      collectors.set(record.container, c);
    }
    addRecord(c, prefixed(record.container, record.fields, isFhir), sampleSize);
  }
  return [...collectors.entries()].map(([container, c]) => {
    const walk = async (locations: readonly string[], visit: (location: string, value: string) => void): Promise<void> => {
      const wanted = new Set(locations);
      for (const record of recordsOf(parsed, basename(path))) {
        if (record.container !== container) continue;
        for (const [loc, values] of prefixed(record.container, record.fields, isFhir)) if (wanted.has(loc)) values.forEach((v) => visit(loc, v));
      }
    };
    return unitOf(c, path, isFhir ? 'fhir' : 'json', isFhir ? `${basename(path)}#${container}` : container, 'field', walk);
  });
};

const prefixed = (container: string, fields: ReadonlyMap<string, readonly string[]>, isFhir: boolean): Map<string, readonly string[]> =>
  isFhir ? new Map([...fields].map(([k, v]) => [`${container}.${k}`, v])) : new Map(fields);

async function* ndjsonRecords(path: string, onBytes?: (n: number) => void) {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
  if (onBytes !== undefined) stream.on('data', (chunk) => onBytes(Buffer.byteLength(chunk)));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ScannerError('ERR_SCANNER_UNREADABLE_INPUT', {
        message: `${path}:${lineNo} is not a JSON value`,
        at: { file: path, line: lineNo },
        hint: 'NDJSON holds one complete JSON value per line',
      });
    }
    yield* recordsOf(value, basename(path));
  }
}

/** An NDJSON file (FHIR bulk export or JSON lines), streamed: one unit per container. */
export const ndjsonUnits = async (path: string, sampleSize: number, onProgress?: (e: ProgressEvent) => void): Promise<SourceUnit[]> => {
  const onBytes = progressReporter(path, statSync(path).size, onProgress);
  const collectors = new Map<string, { c: TableCollector; isFhir: boolean; count: number }>();
  for await (const record of ndjsonRecords(path, onBytes)) {
    const isFhir = record.container !== basename(path);
    let entry = collectors.get(record.container);
    if (entry === undefined) {
      entry = { c: newCollector(), isFhir, count: 0 };
      collectors.set(record.container, entry);
    }
    entry.count += 1;
    if (entry.c.rows.length < sampleSize) addRecord(entry.c, prefixed(record.container, record.fields, isFhir), sampleSize);
  }
  return [...collectors.entries()].map(([container, { c, isFhir, count }]) => {
    const walk = async (locations: readonly string[], visit: (location: string, value: string) => void): Promise<void> => {
      const wanted = new Set(locations);
      for await (const record of ndjsonRecords(path)) {
        if (record.container !== container) continue;
        for (const [loc, values] of prefixed(record.container, record.fields, isFhir)) if (wanted.has(loc)) values.forEach((v) => visit(loc, v));
      }
    };
    const unit = unitOf(c, path, isFhir ? 'fhir' : 'ndjson', isFhir ? `${basename(path)}#${container}` : container, 'field', walk);
    return { ...unit, rowCount: count };
  });
};

/**
 * A text or Markdown file as a document streamed in chunks that end at a line break, with
 * each chunk's offset (JavaScript string index) in the whole text.
 */
export const textDocument = (path: string, sourceType: 'text' | 'markdown', onProgress?: (e: ProgressEvent) => void): TextDocument => ({
  kind: 'text',
  source: path,
  sourceType,
  container: basename(path),
  async *chunks(): AsyncGenerator<TextChunk> {
    const onBytes = progressReporter(path, statSync(path).size, onProgress);
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: textChunkChars });
    let carry = '';
    let offset = 0;
    let isFirst = true;
    try {
      for await (const piece of stream as AsyncIterable<string>) {
        onBytes(Buffer.byteLength(piece));
        let text = carry + piece;
        if (isFirst && text.charCodeAt(0) === 0xfeff) {
          // The byte-order mark is not text: offsets count from the first character after it.
          text = text.slice(1);
        }
        isFirst = false;
        const cut = text.lastIndexOf('\n');
        if (cut < 0 && text.length < maxCarryChars) {
          carry = text;
          continue;
        }
        const end = cut < 0 ? text.length : cut + 1;
        yield { text: text.slice(0, end), offset };
        offset += end;
        carry = text.slice(end);
      }
    } catch (err) {
      throw unreadable(path, err);
    }
    if (carry.length > 0) yield { text: carry, offset };
  },
});
