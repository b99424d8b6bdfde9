import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CustosError } from '../../lib/errors.js';

/**
 * The listening socket of the sidecar: plain HTTP on loopback, or HTTPS with mutual TLS from a
 * folder written by `custos certs` (`ca.pem`, `server.pem`, `server-key.pem`). Every request is
 * bounded in time; closing stops accepting, lets in-flight requests finish, then ends.
 */
export interface TlsFiles {
  readonly dir: string;
  /** Refuse clients without a certificate from the CA (mutual TLS). */
  readonly requireClientCert: boolean;
}

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsFiles;
  readonly requestTimeoutMs: number;
  /** Longest wait for in-flight requests on close before connections are cut. */
  readonly closeGraceMs?: number;
}

export interface Listening {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting, waits for in-flight requests (up to the grace period), resolves when closed. */
  close(): Promise<void>;
}

const readTls = (tls: TlsFiles) => {
  const read = (name: string): Buffer => {
    try {
      return readFileSync(join(tls.dir, name));
    } catch (cause) {
      throw new CustosError('ERR_PDP_TLS_FILES', {
        message: `cannot read ${join(tls.dir, name)} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
        hint: 'create the CA and server certificate with `custos certs init --out <dir>` and `custos certs server --out <dir>`',
        cause,
      });
    }
  };
  return { ca: read('ca.pem'), cert: read('server.pem'), key: read('server-key.pem') };
};

export const isLoopbackHost = (host: string): boolean =>
  host === '127.0.0.1' || host === '::1' || host === 'localhost' || host.startsWith('127.');

/**
 * @example
 * const listening = await listen(app, { host: '127.0.0.1', port: 0, requestTimeoutMs: 10_000 });
 * console.log(listening.url); await listening.close();
 */
export const listen = (handler: RequestListener, options: ListenOptions): Promise<Listening> => {
  const server: Server = options.tls
    ? (createHttpsServer(
        {
          ...readTls(options.tls),
          requestCert: true,
          rejectUnauthorized: options.tls.requireClientCert,
          minVersion: 'TLSv1.2',
        },
        handler,
      ) as unknown as Server)
    : createHttpServer({ keepAlive: true }, handler);
  // Bounds on every request: headers, whole request, idle keep-alive sockets.
  server.requestTimeout = options.requestTimeoutMs;
  server.headersTimeout = Math.min(options.requestTimeoutMs, 60_000);
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;
  const grace = options.closeGraceMs ?? 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;
      let closing: Promise<void> | undefined;
      resolve({
        server,
        url,
        close: () => {
          closing ??= new Promise<void>((done) => {
            const timer = setTimeout(() => server.closeAllConnections(), grace);
            timer.unref();
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            // Idle keep-alive sockets would hold close() open; busy ones finish their response and
            // are told to close with it.
            server.prependListener('request', (_req, res) => res.setHeader('connection', 'close'));
            server.closeIdleConnections();
          });
          return closing;
        },
      });
    });
  });
};
