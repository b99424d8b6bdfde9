import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { CustosError } from '../../lib/errors.js';

/**
 * Who is calling. Services authenticate with a per-service bearer token and/or a client
 * certificate from the Custos CA (the TLS layer checks the chain; here we read its name).
 * Tokens are compared as SHA-256 digests in constant time, so neither their length nor a
 * prefix leaks through timing.
 */
export interface CallerAuth {
  /** Returns the calling service's name, or undefined when callers need not authenticate. */
  authenticate(req: IncomingMessage): string | undefined;
  /** Throws unless the request carries the admin credential (or admin is open on loopback). */
  authorizeAdmin(req: IncomingMessage): void;
}

export interface CallerAuthOptions {
  /** Service name → bearer token. Empty or absent: no token required. */
  readonly tokens?: Readonly<Record<string, string>>;
  readonly adminToken?: string;
  /** Without an admin token, admin endpoints are open only when the sidecar is loopback-bound. */
  readonly isLoopback: boolean;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

const bearerOf = (req: IncomingMessage): string | undefined => {
  const header = req.headers.authorization;
  if (header === undefined || header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  return header.slice(7).trim();
};

const unauthenticated = (message: string): CustosError =>
  new CustosError('ERR_PDP_UNAUTHENTICATED', {
    message,
    hint: 'send Authorization: Bearer <token> with the token issued to your service',
  });

const certificateName = (req: IncomingMessage): string | undefined => {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' ? cn : Array.isArray(cn) ? cn[0] : undefined;
};

/**
 * @example
 * const auth = createCallerAuth({ tokens: { 'emr-viewer': process.env.EMR_TOKEN! }, adminToken, isLoopback: false });
 */
export const createCallerAuth = (options: CallerAuthOptions): CallerAuth => {
  const entries = Object.entries(options.tokens ?? {}).map(([service, token]) => ({ service, digest: digest(token) }));
  const admin = options.adminToken === undefined ? undefined : digest(options.adminToken);
  const needsToken = entries.length > 0;
  return {
    authenticate: (req) => {
      const fromCert = certificateName(req);
      if (!needsToken) return fromCert;
      const token = bearerOf(req);
      if (token === undefined) throw unauthenticated('this decision point requires a bearer token');
      const presented = digest(token);
      let found: string | undefined;
      // Compare against every entry so the time does not depend on which one matches.
      for (const entry of entries) if (timingSafeEqual(entry.digest, presented)) found = entry.service;
      if (found === undefined) throw unauthenticated('the bearer token is not valid');
      return found;
    },
    authorizeAdmin: (req) => {
      if (admin === undefined) {
        if (options.isLoopback) return;
        throw new CustosError('ERR_PDP_FORBIDDEN', {
          message: 'admin endpoints are disabled: no admin credential is configured',
          hint: 'set server.adminToken (CUSTOS_ADMIN_TOKEN) to enable them',
        });
      }
      const token = req.headers['x-custos-admin-token'];
      const value = typeof token === 'string' ? token : bearerOf(req);
      if (value === undefined || !timingSafeEqual(digest(value), admin)) {
        throw new CustosError('ERR_PDP_FORBIDDEN', {
          message: 'this endpoint needs the admin credential',
          hint: 'send X-Custos-Admin-Token: <server.adminToken>',
        });
      }
    },
  };
};
