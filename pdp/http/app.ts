import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { CustosError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Decision, EvaluationRequest, PolicyStatus } from '../types.js';
import type { CallerAuth } from './auth.js';
import { readJsonBody } from './body.js';
import { createMetrics, type SidecarMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import {
  defaultParseLimits,
  encodePageToken,
  parseEvaluationRequest,
  parseEvaluationsRequest,
  parseFilterRequest,
  parseSearchRequest,
  type BatchItem,
  type ParseLimits,
  type SearchKind,
  type SearchRequest,
} from './parse.js';
import type { DecisionEngine, DecisionEvent, DecisionRecorder } from './ports.js';
import { toProblem } from './problem.js';

/** What the sidecar's express application is built from (the composition root supplies it). */
export interface SidecarAppOptions {
  /** Returns the engine in force; read per request so a reload swaps it atomically. */
  readonly engine: () => DecisionEngine;
  readonly logger?: Logger;
  readonly recorder?: DecisionRecorder;
  readonly metrics?: SidecarMetrics;
  readonly auth?: CallerAuth;
  readonly bodyLimitBytes?: number;
  readonly requestTimeoutMs?: number;
  readonly limits?: Partial<ParseLimits>;
  /** `/readyz`: policy loaded and stores open. */
  readonly isReady?: () => boolean;
  /** Admin reload; resolves with the new status or rejects with `ERR_PDP_POLICY_INVALID`. */
  readonly reloadPolicy?: () => Promise<PolicyStatus>;
  /** Request ids for callers that send no `X-Request-ID` (default `crypto.randomUUID`). */
  readonly newId?: () => string;
}

type Handler = (body: unknown, req: IncomingMessage, ctx: RequestContext) => Promise<string> | string;

interface RequestContext {
  readonly requestId: string;
  readonly caller: string | undefined;
  /** Decisions made while answering, for the request log and metrics. */
  decisions: number;
}

const jsonType = 'application/json; charset=utf-8';
const problemType = 'application/problem+json; charset=utf-8';
const requestIdPattern = /^[\x21-\x7e]{1,128}$/;

const failedDecision = (engine: DecisionEngine, newId: () => string, code: string): Decision => {
  let policyVersion = 'unknown';
  try {
    policyVersion = engine.status().version;
  } catch {
    // the status is only a label here; the deny stands without it
  }
  return Object.freeze({
    decision: false,
    context: Object.freeze({
      id: newId(),
      policyVersion,
      reasons: Object.freeze([Object.freeze({ id: code, effect: 'deny' as const, message: { zh: '决策失败，按拒绝处理', en: 'the decision failed and is treated as a deny' } })]),
      obligations: Object.freeze([]),
    }),
  });
};

const eventOf = (request: EvaluationRequest, decision: Decision, requestId: string, caller: string | undefined): DecisionEvent => {
  const purpose = request.context?.purpose;
  return {
    kind: 'decision',
    decisionId: decision.context.id,
    requestId,
    subjectType: request.subject.type,
    subjectId: request.subject.id,
    action: request.action.name,
    resourceType: request.resource.type,
    resourceId: request.resource.id,
    patientId: decision.context.dataSubjectId,
    result: decision.decision ? 'permit' : 'deny',
    reasons: decision.context.reasons.map((r) => r.id),
    obligations: decision.context.obligations.map((o) => (o.field === undefined ? o.type : `${o.type}:${o.field}`)),
    policyVersion: decision.context.policyVersion,
    purpose: typeof purpose === 'string' ? purpose : undefined,
    caller,
  };
};

const notFound = (): CustosError =>
  new CustosError('ERR_PDP_NOT_FOUND', { message: 'no such endpoint', hint: 'see /openapi.json for the endpoints this decision point serves' });

/**
 * Builds the sidecar's express application: the AuthZEN 1.0 endpoints, the native endpoints and
 * the operational ones. Bodies are read by a size-limited JSON reader, validated by hand-written
 * parsers, and answered with preserialised JSON; errors are problem+json.
 *
 * @example
 * const app = createSidecarApp({ engine: () => engine, logger });
 * app.listen(8181, '127.0.0.1');
 */
export const createSidecarApp = (options: SidecarAppOptions): Express => {
  const log = options.logger?.child({ module: 'pdp-http' });
  const metrics = options.metrics ?? createMetrics();
  const limits: ParseLimits = { ...defaultParseLimits, ...options.limits };
  const bodyLimit = options.bodyLimitBytes ?? 1_048_576;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const newId = options.newId ?? randomUUID;
  const recorder = options.recorder;
  const isReady = options.isReady ?? (() => true);

  /** Runs the engine and fails closed on any exception (the contract says it never throws). */
  const decideOne = (engine: DecisionEngine, request: EvaluationRequest): Decision => {
    try {
      return engine.decide(request);
    } catch (error) {
      metrics.countError('ERR_PDP_EVALUATION_FAILED');
      log?.error({ code: (error as { code?: string }).code ?? 'unknown' }, 'engine threw; denying');
      return failedDecision(engine, newId, 'ERR_PDP_EVALUATION_FAILED');
    }
  };

  /** Waits for the audit events to be durable; on failure every decision becomes a deny. */
  const record = async (
    engine: DecisionEngine,
    requests: readonly EvaluationRequest[],
    decisions: Decision[],
    ctx: RequestContext,
  ): Promise<void> => {
    if (recorder === undefined) return;
    const events = requests.map((r, i) => eventOf(r, decisions[i]!, ctx.requestId, ctx.caller));
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        recorder.record(events),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new CustosError('ERR_PDP_TIMEOUT', { message: 'the audit log did not confirm in time' })), timeoutMs);
        }),
      ]);
    } catch (error) {
      metrics.countError('ERR_PDP_AUDIT_FAILED');
      log?.error({ code: (error as { code?: string }).code ?? 'unknown', requestId: ctx.requestId }, 'audit append failed; denying');
      for (let i = 0; i < decisions.length; i++) decisions[i] = failedDecision(engine, newId, 'ERR_PDP_AUDIT_FAILED');
    } finally {
      clearTimeout(timer);
    }
  };

  const count = (decisions: readonly Decision[], ctx: RequestContext): void => {
    let permits = 0;
    let errors = 0;
    for (const d of decisions) {
      if (d.decision) permits += 1;
      else if (d.context.reasons[0]?.id === 'ERR_PDP_EVALUATION_FAILED' || d.context.reasons[0]?.id === 'ERR_PDP_AUDIT_FAILED') errors += 1;
    }
    metrics.countDecisions('permit', permits);
    metrics.countDecisions('deny', decisions.length - permits - errors);
    if (errors > 0) metrics.countDecisions('error', errors);
    ctx.decisions += decisions.length;
  };

  const evaluation: Handler = async (body, _req, ctx) => {
    const request = parseEvaluationRequest(body, limits);
    const engine = options.engine();
    const decisions = [decideOne(engine, request)];
    await record(engine, [request], decisions, ctx);
    count(decisions, ctx);
    return JSON.stringify(decisions[0]);
  };

  const itemError = (item: Extract<BatchItem, { ok: false }>): string =>
    JSON.stringify({
      decision: false,
      context: { error: { status: 400, code: item.error.code, message: item.error.message, ...(item.error.path ? { path: item.error.path } : {}) } },
    });

  const evaluations: Handler = async (body, _req, ctx) => {
    const parsed = parseEvaluationsRequest(body, limits);
    const engine = options.engine();
    if (parsed.single !== undefined) {
      // AuthZEN 1.0 §7.1: without evaluations the body is one evaluation, answered as such.
      const decisions = [decideOne(engine, parsed.single)];
      await record(engine, [parsed.single], decisions, ctx);
      count(decisions, ctx);
      return JSON.stringify(decisions[0]);
    }
    const requests: EvaluationRequest[] = [];
    const slots: (Decision | Extract<BatchItem, { ok: false }>)[] = [];
    const allValid = parsed.items.every((item) => item.ok);
    if (allValid) {
      const list = parsed.items.map((item) => (item as Extract<BatchItem, { ok: true }>).request);
      let decided: readonly Decision[];
      try {
        decided = engine.decideMany(list, parsed.semantic);
      } catch {
        decided = list.map((r) => decideOne(engine, r));
      }
      requests.push(...list.slice(0, decided.length));
      slots.push(...decided);
    } else {
      // Per-item errors count as denies for the short-circuit semantics (AuthZEN 1.0 §7.2).
      for (const item of parsed.items) {
        const decision = item.ok ? decideOne(engine, item.request) : undefined;
        if (item.ok) requests.push(item.request);
        slots.push(decision ?? item as Extract<BatchItem, { ok: false }>);
        const isPermit = decision?.decision === true;
        if (parsed.semantic === 'deny_on_first_deny' && !isPermit) break;
        if (parsed.semantic === 'permit_on_first_permit' && isPermit) break;
      }
    }
    const decisions = slots.filter((s): s is Decision => 'decision' in s);
    await record(engine, requests, decisions, ctx);
    count(decisions, ctx);
    // `record` may have replaced decisions with denies: walk both lists in step.
    let next = 0;
    const parts = new Array<string>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (!('decision' in slot)) {
        parts[i] = itemError(slot);
        continue;
      }
      const decision = decisions[next++]!;
      parts[i] = parsed.includeContext ? JSON.stringify(decision) : decision.decision ? '{"decision":true}' : '{"decision":false}';
    }
    return `{"evaluations":[${parts.join(',')}]}`;
  };

  const runSearch = (request: SearchRequest): readonly unknown[] => {
    const engine = options.engine();
    try {
      if (request.kind === 'subject') {
        return engine.searchSubjects({ subject: { type: request.subject.type }, action: request.action!, resource: request.resource, context: request.context });
      }
      if (request.kind === 'resource') {
        return engine.searchResources({ subject: request.subject, action: request.action!, resource: { type: request.resource.type }, context: request.context });
      }
      return engine.searchActions({ subject: request.subject, resource: request.resource, context: request.context });
    } catch (error) {
      // Fail closed: a search that cannot be answered finds nothing.
      metrics.countError('ERR_PDP_EVALUATION_FAILED');
      log?.error({ code: (error as { code?: string }).code ?? 'unknown' }, 'search failed; answering no results');
      return [];
    }
  };

  const search = (kind: SearchKind): Handler => (body) => {
    const request = parseSearchRequest(kind, body, limits);
    const all = runSearch(request);
    const { limit, offset } = request.page;
    const end = limit === undefined ? all.length : Math.min(all.length, offset + limit);
    const results = offset === 0 && end === all.length ? all : all.slice(offset, end);
    const page = limit !== undefined || offset > 0 ? { next_token: end < all.length ? encodePageToken(end) : '' } : undefined;
    const context = request.includeContext ? { policyVersion: options.engine().status().version } : undefined;
    return JSON.stringify({ results, ...(page ? { page } : {}), ...(context ? { context } : {}) });
  };

  const filter: Handler = (body) => {
    const request = parseFilterRequest(body, limits);
    const engine = options.engine();
    try {
      return JSON.stringify(engine.filter(request));
    } catch (error) {
      metrics.countError('ERR_PDP_EVALUATION_FAILED');
      log?.error({ code: (error as { code?: string }).code ?? 'unknown' }, 'filter failed; answering never');
      const policyVersion = engine.status().version;
      return JSON.stringify({ kind: 'never', sql: { where: '1 = 0', params: [] }, query: { $expr: false }, policyVersion });
    }
  };

  const reload: Handler = async (_body, req) => {
    options.auth?.authorizeAdmin(req);
    if (options.reloadPolicy === undefined) throw notFound();
    const status = await options.reloadPolicy();
    return JSON.stringify({ reloaded: true, status });
  };

  const send = (res: ServerResponse, status: number, type: string, text: string, requestId: string): void => {
    res.statusCode = status;
    res.setHeader('content-type', type);
    res.setHeader('x-request-id', requestId);
    res.setHeader('cache-control', 'no-store');
    res.end(text);
  };

  const sendProblem = (res: ServerResponse, error: unknown, requestId: string, route: string): number => {
    const problem = toProblem(error);
    metrics.countError(problem.code);
    if (problem.status >= 500) log?.error({ code: problem.code, route, requestId }, 'request failed');
    if (problem.status === 413 || problem.status === 415) res.setHeader('connection', 'close');
    send(res, problem.status, problemType, JSON.stringify({ ...problem, instance: requestId }), requestId);
    return problem.status;
  };

  const requestIdOf = (req: IncomingMessage): string => {
    const given = req.headers['x-request-id'];
    return typeof given === 'string' && requestIdPattern.test(given) ? given : newId();
  };

  /** Wraps a JSON-in, JSON-out handler: request id, auth, body, errors, metrics, request log. */
  const post = (route: string, handler: Handler, isAdmin = false) => async (req: Request, res: Response): Promise<void> => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    let status = 200;
    const ctx: RequestContext = { requestId, caller: undefined, decisions: 0 };
    try {
      if (!isAdmin && options.auth) (ctx as { caller: string | undefined }).caller = options.auth.authenticate(req);
      // Admin requests carry no payload worth reading: an empty or absent body is fine.
      const isEmpty = isAdmin && (req.headers['content-length'] === '0' || (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined));
      const body = isEmpty ? (req.resume(), {}) : await readJsonBody(req, bodyLimit);
      const text = await handler(body, req, ctx);
      send(res, 200, jsonType, text, requestId);
    } catch (error) {
      status = sendProblem(res, error, requestId, route);
    }
    const seconds = (performance.now() - started) / 1000;
    metrics.observeRequest(route, status, seconds);
    if (log?.isLevelEnabled('info')) {
      log.info({ requestId, route, status, ms: Math.round(seconds * 1e5) / 100, decisions: ctx.decisions, caller: ctx.caller }, 'request');
    }
  };

  const get = (route: string, produce: (req: Request) => { status?: number; type?: string; text: string }) => (req: Request, res: Response): void => {
    const requestId = requestIdOf(req);
    try {
      const out = produce(req);
      send(res, out.status ?? 200, out.type ?? jsonType, out.text, requestId);
      metrics.observeRequest(route, out.status ?? 200, 0);
    } catch (error) {
      metrics.observeRequest(route, sendProblem(res, error, requestId, route), 0);
    }
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  app.set('trust proxy', false);

  app.post('/access/v1/evaluation', post('/access/v1/evaluation', evaluation));
  app.post('/access/v1/evaluations', post('/access/v1/evaluations', evaluations));
  app.post('/access/v1/search/subject', post('/access/v1/search/subject', search('subject')));
  app.post('/access/v1/search/resource', post('/access/v1/search/resource', search('resource')));
  app.post('/access/v1/search/action', post('/access/v1/search/action', search('action')));
  app.post('/custos/v1/filter', post('/custos/v1/filter', filter));
  app.post('/custos/v1/policy/reload', post('/custos/v1/policy/reload', reload, true));

  // AuthZEN 1.0 §9: PDP metadata, with endpoint URLs built from how the caller reached us.
  app.get('/.well-known/authzen-configuration', get('/.well-known/authzen-configuration', (req) => {
    const base = `${req.protocol}://${req.headers.host ?? '127.0.0.1'}`;
    return {
      text: JSON.stringify({
        policy_decision_point: base,
        access_evaluation_endpoint: `${base}/access/v1/evaluation`,
        access_evaluations_endpoint: `${base}/access/v1/evaluations`,
        search_subject_endpoint: `${base}/access/v1/search/subject`,
        search_resource_endpoint: `${base}/access/v1/search/resource`,
        search_action_endpoint: `${base}/access/v1/search/action`,
      }),
    };
  }));
  app.get('/custos/v1/policy', get('/custos/v1/policy', () => ({ text: JSON.stringify(options.engine().status()) })));
  app.get('/openapi.json', get('/openapi.json', () => ({ text: JSON.stringify(openApiDocument) })));
  app.get('/healthz', get('/healthz', () => ({ text: '{"status":"ok"}' })));
  app.get('/readyz', get('/readyz', () => {
    if (isReady()) return { text: JSON.stringify({ status: 'ready', policyVersion: options.engine().status().version }) };
    throw new CustosError('ERR_PDP_NOT_READY', { message: 'the decision point is not ready (policy not loaded, stores not open, or shutting down)' });
  }));
  app.get('/metrics', get('/metrics', () => {
    let version: string | undefined;
    try {
      version = options.engine().status().version;
    } catch {
      version = undefined;
    }
    return { type: 'text/plain; version=0.0.4; charset=utf-8', text: metrics.render(version) };
  }));

  app.use((req: Request, res: Response) => {
    sendProblem(res, notFound(), requestIdOf(req), '(unknown)');
  });
  // Express calls this only for errors thrown outside our wrappers (e.g. a malformed URL).
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    sendProblem(res, error, requestIdOf(req), '(express)');
  });
  return app;
};
