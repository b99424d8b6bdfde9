// X.509 issuance for the sidecar's mutual TLS, through node-forge (the only place that imports it).
// Keys come from node:crypto (native RSA generation); forge builds and signs the certificates.
// RFC 5280 §4.2 for the extensions; CA/Browser-Forum style server certs carry SANs only.
import { generateKeyPairSync, X509Certificate, createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import { kmsError } from '../errors.js';
import type { Clock } from '../../lib/clock.js';
import type { RandomSource } from '../../lib/random.js';

export interface CertificateDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
}

/** A certificate with its private key, both PEM. The key is secret: write it with mode 0600. */
export interface CertificateAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

interface IssueSpec {
  readonly commonName: string;
  readonly validDays: number;
  readonly isCa: boolean;
  readonly extKeyUsage?: 'serverAuth' | 'clientAuth';
  readonly hosts?: readonly string[];
  readonly issuer?: CertificateAndKey;
}

const dayMs = 86_400_000;
// Backdate a little so peers with slightly slow clocks accept a fresh certificate.
const backdateMs = 5 * 60_000;
const ipv4 = /^(\d{1,3})(\.\d{1,3}){3}$/;

const serialHex = (random: RandomSource): string => {
  const bytes = Buffer.from(random(16));
  // RFC 5280 §4.1.2.2: positive, at most 20 octets.
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
};

const generateRsaKey = (): { publicPem: string; privatePem: string } => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicPem: publicKey, privatePem: privateKey };
};

const isIp = (host: string): boolean => ipv4.test(host) || host.includes(':');

// RFC 5280 §4.2.1.6: GeneralName tag 7 = iPAddress, 2 = dNSName.
const altNames = (hosts: readonly string[]): Record<string, unknown>[] =>
  hosts.map((host) => (isIp(host) ? { type: 7, ip: host } : { type: 2, value: host }));

export const issueCertificate = (spec: IssueSpec, deps: CertificateDeps): CertificateAndKey => {
  const key = generateRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(key.publicPem);
  cert.serialNumber = serialHex(deps.random);
  const now = deps.clock.now();
  cert.validity.notBefore = new Date(now - backdateMs);
  cert.validity.notAfter = new Date(now + spec.validDays * dayMs);
  const subject = [{ name: 'commonName', value: spec.commonName }, { name: 'organizationName', value: 'Custos' }];
  cert.setSubject(subject);
  const issuerCert = spec.issuer === undefined ? undefined : parseForgeCertificate(spec.issuer.certPem);
  cert.setIssuer(issuerCert === undefined ? subject : issuerCert.subject.attributes);
  const extensions: Record<string, unknown>[] = [
    { name: 'basicConstraints', cA: spec.isCa, critical: true },
    spec.isCa
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (spec.extKeyUsage === 'serverAuth') extensions.push({ name: 'extKeyUsage', serverAuth: true });
  if (spec.extKeyUsage === 'clientAuth') extensions.push({ name: 'extKeyUsage', clientAuth: true });
  if (spec.hosts !== undefined && spec.hosts.length > 0) extensions.push({ name: 'subjectAltName', altNames: altNames(spec.hosts) });
  if (issuerCert !== undefined) {
    const keyIdentifier = issuerCert.generateSubjectKeyIdentifier().getBytes();
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier });
  }
  cert.setExtensions(extensions);
  const signingKeyPem = spec.issuer === undefined ? key.privatePem : spec.issuer.keyPem;
  cert.sign(forgePrivateKey(signingKeyPem), forge.md.sha256.create());
  return Object.freeze({ certPem: forge.pki.certificateToPem(cert), keyPem: key.privatePem });
};

const parseForgeCertificate = (pem: string): forge.pki.Certificate => {
  try {
    return forge.pki.certificateFromPem(pem);
  } catch (cause) {
    throw kmsError('ERR_KMS_CERT_INVALID', {
      message: 'the CA certificate is not a PEM X.509 RSA certificate',
      hint: 'pass ca.pem as written by `custos certs init`',
      cause,
    });
  }
};

const forgePrivateKey = (pem: string): forge.pki.rsa.PrivateKey => {
  try {
    // forge reads PKCS#1; normalise whatever node wrote or the user supplied.
    const pkcs1 = createPrivateKey(pem).export({ type: 'pkcs1', format: 'pem' }).toString();
    return forge.pki.privateKeyFromPem(pkcs1);
  } catch (cause) {
    throw kmsError('ERR_KMS_CERT_INVALID', {
      message: 'the CA private key is not a PEM RSA private key',
      hint: 'pass ca-key.pem as written by `custos certs init`',
      cause,
    });
  }
};

/** What a certificate says about itself, read with node:crypto (no forge types leak out). */
export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string | undefined;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly subjectAltNames: readonly string[];
  readonly isCa: boolean;
  readonly fingerprintSha256: string;
}

export const readCertificateInfo = (pem: string): CertificateInfo => {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch (cause) {
    throw kmsError('ERR_KMS_CERT_INVALID', {
      message: 'the input is not a PEM X.509 certificate',
      hint: 'pass a file that starts with -----BEGIN CERTIFICATE-----',
      cause,
    });
  }
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x509.subject)?.[1];
  const sans = (x509.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.length > 0)
    .map((s) => s.replace(/^IP Address:/, 'IP:'));
  return Object.freeze({
    subject: x509.subject.replace(/\n/g, ', '),
    issuer: x509.issuer.replace(/\n/g, ', '),
    commonName: cn,
    serialNumber: x509.serialNumber,
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
    subjectAltNames: Object.freeze(sans),
    isCa: x509.ca,
    fingerprintSha256: x509.fingerprint256,
  });
};
