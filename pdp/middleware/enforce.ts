import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isCustosError } from '../../lib/errors.js';
import type { PdpClient } from '../client/client.js';
import type { Action, Decision, Entity, EvaluationRequest } from '../types.js';

/**
 * The enforcement point services put in front of their handlers: ask the decision point, answer
 * 403 with the reasons on deny, 503 when no decision could be had (fail closed), and otherwise
 * hand the decision to the handler in `res.locals.decision` so it can apply fields and masks.
 */
export interface EnforceOptions {
  readonly client: PdpClient;
  /** The action name, or how to derive it from the request. */
  readonly action: string | ((req: Request) => string | Action);
  readonly resource: (req: Request) => Entity;
  /** Who is asking; default `res.locals.subject` (set it in your authentication middleware). */
  readonly subject?: (req: Request, res: Response) => Entity | undefined;
  /** e.g. `{ purpose: req.get('x-purpose'), channel: 'web' }`. */
  readonly context?: (req: Request) => Readonly<Record<string, unknown>> | undefined;
}

const problem = (res: Response, status: number, body: Record<string, unknown>): void => {
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
};

/**
 * @example
 * app.get('/records/:id', enforce({ client, action: 'read', resource: (req) => ({ type: 'medical_record', id: req.params.id! }) }),
 *   (req, res) => res.json(maskForDecision(loadRecord(req.params.id), res.locals.decision)));
 */
export const enforce = (options: EnforceOptions): RequestHandler => {
  const actionOf = (req: Request): Action => {
    const action = typeof options.action === 'string' ? options.action : options.action(req);
    return typeof action === 'string' ? { name: action } : action;
  };
  const subjectOf = options.subject ?? ((_req: Request, res: Response) => res.locals.subject as Entity | undefined);
  return (req: Request, res: Response, next: NextFunction): void => {
    let request: EvaluationRequest;
    try {
      const subject = subjectOf(req, res);
      if (subject === undefined) {
        problem(res, 401, {
          type: 'https://custos.dev/problems/ERR_PDP_NO_SUBJECT',
          title: 'Unauthorized',
          status: 401,
          code: 'ERR_PDP_NO_SUBJECT',
          detail: 'the request has no authenticated subject',
        });
        return;
      }
      const context = options.context?.(req);
      request = { subject, action: actionOf(req), resource: options.resource(req), ...(context === undefined ? {} : { context }) };
    } catch {
      // The service's own extractors failed: no decision can be asked for, so nothing is allowed.
      problem(res, 400, { type: 'https://custos.dev/problems/ERR_PDP_INVALID_REQUEST', title: 'Bad Request', status: 400, code: 'ERR_PDP_INVALID_REQUEST', detail: 'the request does not name a resource to check' });
      return;
    }
    options.client.evaluate(request).then(
      (decision: Decision) => {
        res.locals.decision = decision;
        if (decision.decision) {
          next();
          return;
        }
        problem(res, 403, {
          type: 'https://custos.dev/problems/ERR_PDP_ACCESS_DENIED',
          title: 'Forbidden',
          status: 403,
          code: 'ERR_PDP_ACCESS_DENIED',
          detail: 'access denied by policy',
          decisionId: decision.context.id,
          policyVersion: decision.context.policyVersion,
          reasons: decision.context.reasons,
        });
      },
      (error: unknown) => {
        problem(res, 503, {
          type: 'https://custos.dev/problems/ERR_PDP_UNAVAILABLE',
          title: 'Service Unavailable',
          status: 503,
          code: isCustosError(error) ? error.code : 'ERR_PDP_UNAVAILABLE',
          detail: 'no access decision could be obtained; access is denied',
        });
      },
    );
  };
};
