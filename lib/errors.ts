/**
 * The one base error of Custos. Every module throws `CustosError` (or a subclass) with a
 * stable `code` of the form `ERR_<MODULE>_<WHAT>`, a message that says what was wrong and
 * where, and an optional `hint` that says how to fix it. Messages name the *kind* of a bad
 * value, never the value itself: values may be personal data.
 */

const brand = Symbol.for('custos.error');

/** Where in a source file a problem was found (1-based line and column). */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export interface CustosErrorOptions {
  readonly message: string;
  readonly hint?: string;
  readonly cause?: unknown;
  /** A file position, for errors in policy, config or data files. */
  readonly at?: SourceLocation;
  /** A JSON pointer or dotted path to the offending field of a request or record. */
  readonly path?: string;
  /** Extra machine-readable facts: ids and counts only, never personal data. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class CustosError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly at: SourceLocation | undefined;
  readonly path: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, options: CustosErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CustosError';
    this.code = code;
    this.hint = options.hint;
    this.at = options.at;
    this.path = options.path;
    this.details = options.details;
  }

  /** Branded check that works across duplicate copies of this package (undici does the same). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  get [brand](): true {
    return true;
  }

  /** `file:line:column: message (hint)` — the form editors and CI logs recognise. */
  override toString(): string {
    const where = this.at ? `${formatLocation(this.at)}: ` : this.path ? `${this.path}: ` : '';
    const hint = this.hint ? `\n  hint: ${this.hint}` : '';
    return `${this.code} ${where}${this.message}${hint}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.at === undefined ? {} : { at: this.at }),
      ...(this.path === undefined ? {} : { path: this.path }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export const isCustosError = (value: unknown): value is CustosError => value instanceof CustosError;

export const formatLocation = (at: SourceLocation): string =>
  at.line === undefined ? at.file : `${at.file}:${at.line}:${at.column ?? 1}`;

/**
 * Guards an internal invariant. Callers put a `Precondition:` or `Postcondition:` comment
 * above each use; a failure means a bug or corrupted state, never bad user input.
 */
export function assert(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new CustosError(code, { message });
}

/** Describes a value's kind for error messages without revealing the value. */
export const kindOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'non-finite number';
  if (typeof value === 'string') return value.length === 0 ? 'empty string' : `string of ${value.length} characters`;
  return typeof value;
};
