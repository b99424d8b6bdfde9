/**
 * Types of the scanner: what a recognizer detects, what a finding says, and how a source hands
 * values to the scanner. No third-party type appears here (STYLE.md, "Layout").
 */

/** Canonical data types the scanner reports (COMPLIANCE.md §3.2). */
export const piTypes = [
  'personName',
  'residentId',
  'mobilePhone',
  'landlinePhone',
  'bankCard',
  'email',
  'address',
  'birthDate',
  'passport',
  'travelPermit',
  'medicalInsuranceNumber',
  'medicalRecordNumber',
  'ipAddress',
  'macAddress',
  'deviceId',
  'gpsCoordinate',
  'wechatOpenId',
  'ethnicity',
  'gender',
  'diagnosisCode',
  'diagnosis',
  'drug',
  'labResult',
  'geneticData',
  'wearableMetric',
  'orgCreditCode',
] as const;

export type PiType = (typeof piTypes)[number];

export type PiClass = 'none' | 'PI' | 'SPI';
export type SpiCategory =
  | 'biometric'
  | 'religious'
  | 'specificIdentity'
  | 'medicalHealth'
  | 'financialAccount'
  | 'locationTrack'
  | 'minorUnder14'
  | 'other';
export type HealthCategory =
  | 'personalAttribute'
  | 'healthStatus'
  | 'medicalApplication'
  | 'medicalPayment'
  | 'healthResource'
  | 'publicHealth';
export type DslTier = 'general' | 'importantCandidate' | 'important' | 'core';
export type IdentifierRole = 'direct' | 'quasi' | 'sensitiveAttribute' | 'none';
export type FinClass = 'C1' | 'C2' | 'C3';

/** One standard's reading of a data type: the scanner reports every reading, controls by the strictest. */
export interface Reading {
  readonly basis: string;
  readonly piClass: PiClass;
  readonly spiCategory: SpiCategory | null;
}

/** The classification record of COMPLIANCE.md §3.1, attached to every finding. */
export interface Classification {
  readonly dataType: PiType;
  readonly piClass: PiClass;
  readonly spiCategory: SpiCategory | null;
  readonly spiBasis: string | null;
  /** Every rule set's reading, so divergences (ID number: 35273 vs 45574) are surfaced, not hidden. */
  readonly readings: readonly Reading[];
  readonly healthCategory: HealthCategory | null;
  readonly healthLevel: number | null;
  readonly dslTier: DslTier;
  readonly generalGrade: number | null;
  readonly finClass: FinClass | null;
  readonly identifierRole: IdentifierRole;
  readonly minorFlag: boolean;
  readonly reasons: readonly string[];
  readonly ruleSetVersion: string;
}

/** A match inside free text: JavaScript string indices (UTF-16 code units), end exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
  /** Row (0-based) of the value the offsets refer to, for free-text columns and fields. */
  readonly row?: number;
}

/** Where a finding lives. `kind` tells how to read `location`. */
export interface FindingLocation {
  readonly source: string;
  readonly sourceType: SourceType;
  /** `table.column`, CSV column name, JSON path (`Patient.name[].family`) or `text`. */
  readonly location: string;
  readonly kind: 'column' | 'field' | 'text';
}

/** What a recognizer pass measured for one type in one column, field or text. */
export interface Detection {
  readonly piType: PiType;
  readonly confidence: number;
  /** Sampled non-empty values examined, and how many matched this type. */
  readonly sampled: number;
  readonly matched: number;
  /** Masked examples only: never a raw value. */
  readonly examples: readonly string[];
  /** Character spans for free text (capped; `spanCount` is the full number). */
  readonly spans: readonly Span[];
  readonly spanCount: number;
}

export interface Finding extends FindingLocation, Detection {
  readonly classification: Classification;
  /** Distinct values, for direct identifiers: exact up to the bound, then an estimate. */
  readonly distinct?: DistinctCount;
}

export interface DistinctCount {
  readonly value: number;
  readonly isExact: boolean;
  /** Relative standard error of the estimate (0 when exact). */
  readonly relativeError: number;
  readonly method: 'exact' | 'hyperloglog';
}

export type SourceType = 'csv' | 'json' | 'ndjson' | 'fhir' | 'text' | 'markdown' | 'sqlite' | 'postgres';

/** A column or field as a source yields it: its name hints and sampled values. */
export interface ColumnSample {
  readonly location: string;
  readonly kind: 'column' | 'field';
  /** Name tokens that hint at the content: column name, JSON keys, FHIR element names. */
  readonly name: string;
  /** Table, file or resource name: context for record-level escalation (medical tables). */
  readonly container: string;
  readonly values: readonly string[];
  /** Values seen in total (sampled or not). */
  readonly total: number;
}

/**
 * What a source produces for the scanner: tables of sampled columns (with a way to walk every
 * value again for distinct counts) and free-text documents. Sources stream; the scanner holds
 * only samples and counters.
 */
export interface SourceUnit {
  readonly kind: 'table';
  readonly source: string;
  readonly sourceType: SourceType;
  readonly container: string;
  /** Columns or fields with their samples; rows that share an index belong to one record. */
  readonly columns: readonly ColumnSample[];
  /** Row-aligned records of the sample (column location → value), for record-level escalation. */
  readonly rows: readonly Readonly<Record<string, string>>[];
  /** Records in the unit (sampled or not). */
  readonly rowCount: number;
  /**
   * Streams every value of the given columns again (for distinct counts of direct
   * identifiers); absent when the source cannot.
   */
  readonly walk?: (locations: readonly string[], visit: (location: string, value: string) => void) => Promise<void>;
}

/** A free-text document, handed over in chunks with their offset in the whole text. */
export interface TextChunk {
  readonly text: string;
  /** JavaScript string index of `text[0]` in the whole document. */
  readonly offset: number;
}

/**
 * A pluggable source, passed to `scan` beside paths. `units` yields table-like units and text
 * documents. PostgreSQL plugs in here: an adapter that lists tables, samples `LIMIT n` rows per
 * table and implements `walk` with a server-side cursor (see scanner/README.md, "Sources").
 */
export interface Source {
  readonly name: string;
  readonly sourceType: SourceType;
  units(options: SourceOptions): AsyncIterable<SourceUnit | TextDocument> | Iterable<SourceUnit | TextDocument>;
}

export interface TextDocument {
  readonly kind: 'text';
  readonly source: string;
  readonly sourceType: SourceType;
  readonly container: string;
  chunks(): AsyncIterable<TextChunk>;
}

export interface SourceOptions {
  readonly sampleSize: number;
  /** Called with bytes or rows done, for a progress bar. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface ProgressEvent {
  readonly source: string;
  readonly done: number;
  readonly total: number;
  readonly unit: 'bytes' | 'tables';
  /** Position of this file or source among all inputs (1-based), set by `scan`. */
  readonly file?: number;
  readonly files?: number;
}

export interface ScanStats {
  readonly files: number;
  readonly tables: number;
  readonly columns: number;
  readonly documents: number;
  /** Files inside scanned folders that no source reads (by name only). */
  readonly skipped: readonly string[];
}

export interface ScanOptions {
  readonly sampleSize: number;
  readonly minConfidence: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Maximum exact distinct values before switching to an estimate (default 100 000). */
  readonly distinctExactLimit?: number;
}

export interface ScanReport {
  readonly scannedAt: string;
  readonly ruleSetVersion: string;
  readonly sources: readonly string[];
  readonly findings: readonly Finding[];
  readonly stats: ScanStats;
  /**
   * HyperLogLog registers per direct-identifier column (key: source, location and type, NUL-separated), for the
   * inventory's union estimates. Hashes only: no value can be read back. Not part of `--json`.
   */
  readonly sketches: ReadonlyMap<string, Uint8Array>;
}
