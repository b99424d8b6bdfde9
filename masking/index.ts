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
  TokenVault,
} from './types.js';
