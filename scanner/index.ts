/**
 * custos/scanner — finds personal and health information in files, FHIR, SQLite (and, through
 * the `Source` interface, other databases), classifies it per COMPLIANCE.md §3.1 and keeps a
 * data inventory that the compliance reports read.
 */
export { scan } from './scan.js';
export type { ScanDeps } from './scan.js';
export { compileRecognizers } from './recognizers.js';
export type { Recognizers, TextMatch, ValueMatch } from './recognizers.js';
export { classify, parseRuleSet, medicalContextOf } from './classification.js';
export type { ClassificationContext, RuleSet, TypeRule } from './classification.js';
export { defaultRuleSet, loadRuleSet } from './rule-set.js';
export { openInventory, latestInventory, inventoryChanges, individualEstimates, inventoryPath, recordImportantData } from './inventory.js';
export type { ImportantDataNotification, IndividualEstimate, InventoryChanges, InventoryEntry, InventoryStore } from './inventory.js';
export { createDistinctCounter, hyperLogLogRelativeError } from './distinct-count.js';
export type { DistinctCounter } from './distinct-count.js';
export { isLuhnValid, isUsccValid, iso7064Mod11_2 } from './check-digits.js';
export { isResidentIdValid, parseResidentId } from './resident-id.js';
export type { ResidentIdFacts } from './resident-id.js';
export { ScannerError } from './errors.js';
export type { ScannerErrorCode } from './errors.js';
export { piTypes } from './types.js';
export type {
  Classification,
  DistinctCount,
  DslTier,
  Detection,
  Finding,
  FindingLocation,
  FinClass,
  HealthCategory,
  IdentifierRole,
  PiClass,
  PiType,
  ProgressEvent,
  Reading,
  ScanOptions,
  ScanReport,
  ScanStats,
  Source,
  SourceOptions,
  SourceType,
  SourceUnit,
  Span,
  SpiCategory,
  TextChunk,
  TextDocument,
} from './types.js';
