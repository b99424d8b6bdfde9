/**
 * custos/kms — keys, envelope and field encryption, blind indexes, crypto-shredding and the
 * certificates of the sidecar's mutual TLS. See kms/README.md.
 */
export { KmsError } from './errors.js';
export type { KmsErrorCode } from './errors.js';
export type { KeyState, KeyAlgorithm, KeyPurpose, FieldSuite, KeyInfo, DataKeyScope, FieldBinding, KmsEvent, KmsEventHook } from './types.js';

export { rootKeyFromEnvironment, parseRootKey, defaultScrypt } from './root-key.js';
export type { RootKeySource, ScryptParams } from './root-key.js';
export { openKeystore, Keystore } from './keystore.js';
export type { OpenKeystoreOptions, KeystoreDeps, RotationStatus } from './keystore.js';

export { createEnvelope } from './envelope.js';
export type { Envelope, EnvelopeOptions } from './envelope.js';
export type { MaterialsCacheLimits } from './aws-crypto/esdk-envelope.js';

export { createFieldCipher, shredSubjectKey } from './field-cipher.js';
export type { FieldCipher, FieldCipherOptions } from './field-cipher.js';
export type { DataKeyCacheLimits } from './data-key-cache.js';
export { blindIndex, createKeyedHash, deriveKey } from './keyed-hash.js';
export type { BlindIndexAlgorithm, BlindIndexOptions, KeyedHash } from './keyed-hash.js';

export { createCertificateAuthority, issueServerCertificate, issueClientCertificate } from './certificates.js';
export type { CertificateAndKey, CertificateOptions } from './certificates.js';
export { readCertificateInfo } from './forge/certificates.js';
export type { CertificateInfo } from './forge/certificates.js';
export { writeCertificateFiles, readCertificateAuthority, checkClientName } from './certificate-files.js';
export type { WrittenCertificate } from './certificate-files.js';
export { reencryptTable } from './sqlite/reencrypt-table.js';
export type { ReencryptTableOptions, ReencryptProgress } from './sqlite/reencrypt-table.js';
export { openConfiguredKeystore, keystoreFile } from './configured.js';
export { sealDocumentFields, openDocumentFields } from './document-fields.js';
export type { DocumentBinding } from './document-fields.js';
