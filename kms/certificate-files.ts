import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { kmsError } from './errors.js';
import { readCertificateInfo, type CertificateAndKey } from './forge/certificates.js';

/** Where `writeCertificateFiles` put a certificate and its key. */
export interface WrittenCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly notAfter: string;
}

const clientNamePattern = /^[A-Za-z0-9._-]{1,64}$/;

/** Checks a client name before it becomes part of a file name (`client-<name>.pem`). */
export const checkClientName = (name: string | undefined): string => {
  if (name === undefined || !clientNamePattern.test(name) || name.startsWith('.')) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', {
      message: `the client name must be 1–64 ASCII letters, digits, dots, underscores or hyphens (got ${name === undefined ? 'nothing' : 'another form'})`,
      hint: 'e.g. `custos certs client appointment-service --out tls/`',
    });
  }
  return name;
};

/**
 * Writes `<base>.pem` and `<base>-key.pem` (mode 0600) into `dir`, refusing to overwrite unless
 * `overwrite` is set.
 *
 * @example
 * writeCertificateFiles('tls', 'server', issueServerCertificate(ca, { hosts: ['localhost'], validDays: 365 }));
 */
export const writeCertificateFiles = (dir: string, base: string, issued: CertificateAndKey, overwrite = false): WrittenCertificate => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, `${base}.pem`);
  const keyFile = join(dir, `${base}-key.pem`);
  for (const file of [certFile, keyFile]) {
    if (!overwrite && existsSync(file)) {
      throw kmsError('ERR_KMS_FILE_EXISTS', {
        message: `${file} already exists`,
        hint: 'pass --force to replace it, or choose another --out folder',
      });
    }
  }
  writeFileSync(keyFile, issued.keyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, issued.certPem, { mode: 0o644 });
  return Object.freeze({ certFile, keyFile, notAfter: readCertificateInfo(issued.certPem).notAfter });
};

/** Reads `ca.pem` and `ca-key.pem` from `dir`, as written by `custos certs init`. */
export const readCertificateAuthority = (dir: string): CertificateAndKey => {
  const read = (name: string): string => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch (cause) {
      throw kmsError('ERR_KMS_CERT_INVALID', {
        message: `cannot read ${join(dir, name)} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
        hint: 'run `custos certs init --out <dir>` first, and pass the same --out',
        cause,
      });
    }
  };
  return Object.freeze({ certPem: read('ca.pem'), keyPem: read('ca-key.pem') });
};
