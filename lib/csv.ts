// CSV per RFC 4180 (quoted fields, doubled quotes, CRLF or LF, newlines inside quotes), shared
// by the scanner (streaming, for large files) and the entity store (whole small files). The
// streaming parser keeps one partial row between chunks, so memory is bounded by the longest row.

export interface CsvParser {
  /** Feeds a chunk; returns the rows it completed. */
  push(chunk: string): string[][];
  /** Ends the input; returns the last row if any. */
  end(): string[][];
}

const maxFieldChars = 1_000_000;

/**
 * Creates a parser for one delimiter.
 *
 * @example createCsvParser(',').push('a,"b,c"\n') // [['a', 'b,c']]
 */
export const createCsvParser = (delimiter = ','): CsvParser => {
  let field = '';
  let row: string[] = [];
  let inQuotes = false;
  let quotePending = false; // saw a quote inside quotes: either the end or the first of a pair
  let afterCr = false;
  const d = delimiter.charCodeAt(0);

  const push = (chunk: string): string[][] => {
    const rows: string[][] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (afterCr) {
        afterCr = false;
        if (c === 10) {
          start = i + 1;
          continue;
        }
      }
      if (inQuotes) {
        if (quotePending) {
          quotePending = false;
          if (c === 34) {
            field += '"';
            start = i + 1;
            continue;
          }
          inQuotes = false;
          // fall through: this character follows the closing quote
        } else if (c === 34) {
          field += chunk.slice(start, i);
          quotePending = true;
          start = i + 1;
          continue;
        } else continue;
      }
      if (c === 34 && field.length === 0 && i === start) {
        inQuotes = true;
        start = i + 1;
      } else if (c === d) {
        row.push(field + chunk.slice(start, i));
        field = '';
        start = i + 1;
      } else if (c === 10 || c === 13) {
        row.push(field + chunk.slice(start, i));
        field = '';
        rows.push(row);
        row = [];
        start = i + 1;
        afterCr = c === 13;
      }
    }
    if (start < chunk.length) field += chunk.slice(start);
    if (field.length > maxFieldChars) field = field.slice(0, maxFieldChars);
    return rows;
  };

  const end = (): string[][] => {
    if (field.length === 0 && row.length === 0) return [];
    row.push(field);
    const last = row;
    field = '';
    row = [];
    return [last];
  };
  return { push, end };
};

/**
 * Parses a whole CSV text; rows whose fields are all empty (blank lines) are dropped.
 *
 * @example parseCsv('type,id\nuser,"d,001"\n') // [['type', 'id'], ['user', 'd,001']]
 */
export const parseCsv = (text: string, delimiter = ','): string[][] => {
  const parser = createCsvParser(delimiter);
  return [...parser.push(text), ...parser.end()].filter((row) => row.some((field) => field.length > 0));
};
