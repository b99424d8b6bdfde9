/**
 * custos/masking — display masks following Chinese conventions, de-identification operators
 * (pseudonyms, tokens, FF1 format-preserving encryption, generalisation, date shifting) and
 * their application to JSON and FHIR documents. Pure functions; the library never logs.
 */
export {
  keepFirstLast,
  maskBankCard,
  maskBefore,
  maskBirthDate,
  maskCoordinates,
  maskEmail,
  maskGeneric,
  maskIpAddress,
  maskKeepLast,
  maskLandline,
  maskMobile,
  maskRange,
  maskResidentId,
  suppress,
} from './display-masks.js';
export { maskPersonName, hasCompoundSurname } from './person-name.js';
export { maskAddress, generalizeAddress, parseAddress } from './address.js';
export type { AddressLevel, AddressParts } from './address.js';
export { maskValue, displayMask, resolvePiType, isMaskProfile, MASK_PROFILES, PI_TYPES } from './profiles.js';
export { SUPPRESSED } from './text.js';
export { createFf1, formatPreserving, DIGITS, ALPHANUMERIC, ALPHANUMERIC_CASED } from './ff1.js';
export type { Ff1Cipher, Ff1Options } from './ff1.js';
export { pseudonymize } from './pseudonym.js';
export type { PseudonymOptions } from './pseudonym.js';
export { createAesGcmVault, tokenVaultFromFieldCipher } from './tokens.js';
export { keyProviderFromKms } from './keys.js';
export type { DeriveKeyFunction, KeyPurpose } from './keys.js';
export type { FieldCipherLike, FieldBindingLike } from './tokens.js';
export { generalizeDate, ageBand, dateShiftDays, shiftDate, parseDate } from './dates.js';
export type { ParsedDate } from './dates.js';
export { applyMasks, applyMasksAsync, compileMasks, toMaskSpecs } from './apply-masks.js';
export type { CompiledMasks } from './apply-masks.js';
export { resolveRule, MASK_RULES, OPERATOR_ALIAS_TABLE } from './registry.js';
export type { Operator, OperatorContext, RuleInfo } from './registry.js';
export { compilePath } from './paths.js';
export type { CompiledPath, Step } from './paths.js';
export { kAnonymity } from './k-anonymity.js';
export type { EquivalenceClass, KAnonymityReport } from './k-anonymity.js';
export { MaskingError } from './errors.js';
export type { MaskingErrorCode } from './errors.js';
export type {
  DisplayMask,
  KeyProvider,
  KeySource,
  MaskInput,
  MaskIssue,
  MaskObligation,
  MaskOptions,
  MaskProfile,
  MaskResult,
  MaskSpec,
  NameStyle,
  PiType,
  PseudonymAlgorithm,
  TokenContext,
  TokenVault,
} from './types.js';
