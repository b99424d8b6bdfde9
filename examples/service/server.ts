/**
 * A small EMR viewer service that enforces Custos decisions with the `enforce` middleware and
 * shapes its responses with `maskForDecision`. The data is fictional. Authentication is a stub:
 * the `X-User-Id` header names the caller (a real service verifies a token first).
 *
 *   npm start                                   # the sidecar on 127.0.0.1:8181
 *   node dist/examples/service/server.js        # this service on 127.0.0.1:3000
 *   curl -H 'x-user-id: d001' -H 'x-purpose: treatment' http://127.0.0.1:3000/emr/e001
 *   curl -H 'x-user-id: p001' http://127.0.0.1:3000/patients/p001   # ID number masked
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { createClient, enforce, maskForDecision, type Decision, type PdpClient } from '../../pdp/index.js';

type Records = Record<'emr' | 'patient', Record<string, Record<string, unknown>>>;

const defaultRecords = (): Records => {
  // Compiled code runs from dist/examples/service; the data file stays in examples/service.
  for (const dir of [import.meta.dirname, join(import.meta.dirname, '..', '..', '..', 'examples', 'service')]) {
    try {
      return JSON.parse(readFileSync(join(dir, 'records.json'), 'utf8')) as Records;
    } catch {
      // try the next location
    }
  }
  throw new Error('examples/service/records.json not found');
};

/** Demo authentication: trust the X-User-Id header (never do this in production). */
const authenticate = (req: Request, res: Response, next: NextFunction): void => {
  const id = req.get('x-user-id');
  if (id !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(id)) res.locals.subject = { type: 'user', id };
  next();
};

const purposeOf = (req: Request): Record<string, unknown> | undefined => {
  const purpose = req.get('x-purpose');
  return purpose === undefined ? undefined : { purpose };
};

/**
 * @example
 * const app = createServiceApp({ client: createClient({ url: 'http://127.0.0.1:8181' }) });
 * app.listen(3000, '127.0.0.1');
 */
export const createServiceApp = (options: { client: PdpClient; records?: Records }): Express => {
  const records = options.records ?? defaultRecords();
  const app = express();
  app.disable('x-powered-by');
  app.use(authenticate);

  for (const [route, type] of [['/emr/:id', 'emr'], ['/patients/:id', 'patient']] as const) {
    app.get(
      route,
      enforce({
        client: options.client,
        action: 'read',
        resource: (req) => ({ type, id: String(req.params.id) }),
        context: purposeOf,
      }),
      (req, res) => {
        const record = records[type][String(req.params.id)];
        if (record === undefined) {
          res.status(404).json({ error: 'not found' });
          return;
        }
        const decision = res.locals.decision as Decision;
        res.set('x-decision-id', decision.context.id).json(maskForDecision(record, decision));
      },
    );
  }
  return app;
};

const isMain = process.argv[1] !== undefined && import.meta.filename === process.argv[1];
if (isMain) {
  const pdpUrl = process.env.CUSTOS_URL ?? 'http://127.0.0.1:8181';
  const port = Number(process.env.PORT ?? 3000);
  const client = createClient({ url: pdpUrl, timeoutMs: 1000 });
  const server: Server = createServiceApp({ client }).listen(port, '127.0.0.1', () => {
    console.log(`EMR viewer on http://127.0.0.1:${port}, deciding with ${pdpUrl}`);
  });
  process.on('SIGTERM', () => server.close(() => client.close()));
}
