/**
 * custos/kms — keys, envelope and field encryption, blind indexes, crypto-shredding and the
 * certificates of the sidecar's mutual TLS. See kms/README.md.
 */
export { KmsError } from './errors.js';
export type { KmsErrorCode } from './errors.js';
export { createCertificateAuthority, issueServerCertificate, issueClientCertificate } from './certificates.js';
export type { CertificateAndKey, CertificateOptions } from './certificates.js';
export { readCertificateInfo } from './certs/forge-certificates.js';
export type { CertificateInfo } from './certs/forge-certificates.js';
export { writeCertificateFiles, readCertificateAuthority, checkClientName } from './certificate-files.js';
export type { WrittenCertificate } from './certificate-files.js';
