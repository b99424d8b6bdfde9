import { systemClock, type Clock } from '../lib/clock.js';
import { cryptoRandom, type RandomSource } from '../lib/random.js';
import { kmsError } from './errors.js';
import { issueCertificate, type CertificateAndKey } from './forge/certificates.js';

export interface CertificateOptions {
  readonly validDays: number;
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

const maxValidDays = 3650;
const hostPattern = /^[A-Za-z0-9.:*-]{1,253}$/;
const namePattern = /^[\p{L}\p{N} ._@-]{1,64}$/u;

const checkDays = (days: number): void => {
  if (!Number.isInteger(days) || days < 1 || days > maxValidDays) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', {
      message: `validDays must be an integer from 1 to ${maxValidDays}`,
      hint: 'pass --days 365 for one year',
    });
  }
};

const checkName = (name: string, what: string): void => {
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', {
      message: `${what} must be 1–64 letters, digits, spaces, dots, underscores, @ or hyphens`,
      hint: 'use a service name such as "appointment-service"',
    });
  }
};

const depsOf = (options: CertificateOptions) => ({ clock: options.clock ?? systemClock, random: options.random ?? cryptoRandom });

/**
 * Creates a self-signed certificate authority (RSA 2048, SHA-256) for the sidecar's mutual TLS.
 *
 * @example
 * const ca = createCertificateAuthority({ commonName: 'Custos CA', validDays: 3650 });
 * writeFileSync('ca.pem', ca.certPem); writeFileSync('ca-key.pem', ca.keyPem, { mode: 0o600 });
 */
export const createCertificateAuthority = (options: CertificateOptions & { readonly commonName: string }): CertificateAndKey => {
  checkName(options.commonName, 'commonName');
  checkDays(options.validDays);
  return issueCertificate({ commonName: options.commonName, validDays: options.validDays, isCa: true }, depsOf(options));
};

/**
 * Issues a TLS server certificate signed by `ca`, valid for `hosts` (DNS names and IP addresses).
 *
 * @example
 * const server = issueServerCertificate(ca, { hosts: ['127.0.0.1', 'localhost'], validDays: 365 });
 */
export const issueServerCertificate = (
  ca: CertificateAndKey,
  options: CertificateOptions & { readonly hosts: readonly string[]; readonly commonName?: string },
): CertificateAndKey => {
  checkDays(options.validDays);
  if (!Array.isArray(options.hosts) || options.hosts.length === 0 || options.hosts.some((h) => typeof h !== 'string' || !hostPattern.test(h))) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', {
      message: 'hosts must be a non-empty list of DNS names or IP addresses',
      hint: "pass e.g. hosts: ['127.0.0.1', 'localhost']",
    });
  }
  const commonName = options.commonName ?? options.hosts[0]!;
  return issueCertificate(
    { commonName, validDays: options.validDays, isCa: false, extKeyUsage: 'serverAuth', hosts: options.hosts, issuer: ca },
    depsOf(options),
  );
};

/**
 * Issues a TLS client certificate signed by `ca`; the common name identifies the calling service.
 *
 * @example
 * const client = issueClientCertificate(ca, { commonName: 'appointment-service', validDays: 365 });
 */
export const issueClientCertificate = (
  ca: CertificateAndKey,
  options: CertificateOptions & { readonly commonName: string },
): CertificateAndKey => {
  checkName(options.commonName, 'commonName');
  checkDays(options.validDays);
  return issueCertificate(
    { commonName: options.commonName, validDays: options.validDays, isCa: false, extKeyUsage: 'clientAuth', issuer: ca },
    depsOf(options),
  );
};

export type { CertificateAndKey };
