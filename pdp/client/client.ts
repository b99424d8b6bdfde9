import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { CustosError } from '../../lib/errors.js';
import type { Decision, EvaluationRequest, EvaluationsSemantic, PolicyStatus, ResourceFilter } from '../types.js';

/**
 * The decision point as a service sees it: over HTTP to a sidecar (keep-alive pool, timeouts,
 * retries where safe, optional coalescing of concurrent evaluations into one batch) or
 * in-process around an engine. The client does not log (it runs inside other services).
 */
export interface PdpClient {
  evaluate(request: EvaluationRequest): Promise<Decision>;
  /** One round trip for many evaluations, answered in order with their full context. */
  evaluateMany(requests: readonly EvaluationRequest[], semantic?: EvaluationsSemantic): Promise<readonly Decision[]>;
  filter(query: { subject: EvaluationRequest['subject']; action: EvaluationRequest['action']; resourceType: string; context?: EvaluationRequest['context'] }): Promise<ResourceFilter>;
  status(): Promise<PolicyStatus>;
  /** Closes pooled connections. */
  close(): void;
}

/** The engine surface the in-process client needs (the in-process engine satisfies it). */
export interface InProcessEngine {
  decide(request: EvaluationRequest): Decision;
  decideMany(requests: readonly EvaluationRequest[], semantic: EvaluationsSemantic): readonly Decision[];
  filter(query: { subject: EvaluationRequest['subject']; action: EvaluationRequest['action']; resourceType: string; context?: EvaluationRequest['context'] }): ResourceFilter;
  status(): PolicyStatus;
}

export interface ClientOptions {
  /** Base URL of the sidecar, e.g. `http://127.0.0.1:8181`. */
  readonly url?: string;
  /** Or an engine in the same process. */
  readonly inProcess?: InProcessEngine;
  /** Bearer token issued to this service (`server.tokensFile`). */
  readonly token?: string;
  /** Mutual TLS: the Custos CA and this service's certificate and key (PEM). */
  readonly tls?: { readonly ca: string | Buffer; readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Per attempt; default 2000 ms. */
  readonly timeoutMs?: number;
  /** Extra attempts after a failure that cannot have reached the engine; default 2. */
  readonly retries?: number;
  /** Pooled keep-alive connections; default 16. */
  readonly maxSockets?: number;
  /**
   * Coalesce `evaluate` calls made within this many milliseconds into one batch request
   * (0: within the same tick). Absent: every call is its own request.
   */
  readonly batchWindowMs?: number;
  /** Largest coalesced batch; default 50. */
  readonly maxBatch?: number;
}

const unavailable = (message: string, cause?: unknown): CustosError =>
  new CustosError('ERR_PDP_UNAVAILABLE', {
    message,
    hint: 'check that the Custos sidecar is running and reachable; the caller must treat this as a deny',
    cause,
  });

// Failures where the request cannot have been processed, so a retry cannot double a decision.
const retriableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

const readReply = (res: IncomingMessage): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
      } catch (cause) {
        reject(unavailable('the decision point answered with a body that is not JSON', cause));
      }
    });
  });

const errorFromReply = (reply: Reply): CustosError => {
  const problem = (reply.body ?? {}) as { code?: string; detail?: string; path?: string; hint?: string };
  if (reply.status >= 500 || reply.status === 0) return unavailable(`the decision point answered HTTP ${reply.status}${problem.code ? ` (${problem.code})` : ''}`);
  return new CustosError(problem.code ?? 'ERR_PDP_REJECTED', {
    message: problem.detail ?? `the decision point answered HTTP ${reply.status}`,
    ...(problem.path ? { path: problem.path } : {}),
    ...(problem.hint ? { hint: problem.hint } : {}),
    details: { status: reply.status },
  });
};

/** A batch item that failed validation comes back as `{decision:false, context:{error}}`. */
const toDecision = (item: unknown): Decision => {
  const value = item as { decision?: unknown; context?: { error?: { code?: string; message?: string }; id?: string } };
  if (value.context?.error !== undefined || value.context?.id === undefined) {
    const code = value.context?.error?.code ?? 'ERR_PDP_INVALID_REQUEST';
    return Object.freeze({
      decision: false,
      context: Object.freeze({ id: '', policyVersion: '', reasons: [{ id: code, effect: 'deny' as const, message: value.context?.error?.message ?? code }], obligations: [] }),
    });
  }
  return item as Decision;
};

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const createHttpClient = (options: ClientOptions & { url: string }): PdpClient => {
  const base = new URL(options.url);
  const isHttps = base.protocol === 'https:';
  const timeoutMs = options.timeoutMs ?? 2000;
  const retries = options.retries ?? 2;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16, scheduling: 'lifo' as const };
  const agent = isHttps ? new HttpsAgent({ ...agentOptions, ...(options.tls ?? {}) }) : new HttpAgent(agentOptions);
  const send = isHttps ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;

  const once = (method: 'GET' | 'POST', path: string, body: string | undefined): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const requestOptions: RequestOptions = {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
      };
      const req = send(requestOptions, (res) => readReply(res).then(resolve, reject));
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });

  const call = async (method: 'GET' | 'POST', path: string, payload?: unknown): Promise<unknown> => {
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    for (let attempt = 0; ; attempt++) {
      let reply: Reply;
      try {
        reply = await once(method, path, body);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (attempt < retries && retriableCodes.has(code)) {
          await delay(20 * 2 ** attempt);
          continue;
        }
        if (error instanceof CustosError) throw error;
        throw unavailable(`the decision point could not be reached (${code || 'error'})`, error);
      }
      // 503: not ready or shutting down, nothing was decided; safe to try again.
      if (reply.status === 503 && attempt < retries) {
        await delay(20 * 2 ** attempt);
        continue;
      }
      if (reply.status !== 200) throw errorFromReply(reply);
      return reply.body;
    }
  };

  const evaluateMany = async (requests: readonly EvaluationRequest[], semantic: EvaluationsSemantic = 'execute_all'): Promise<readonly Decision[]> => {
    if (requests.length === 0) return [];
    const reply = (await call('POST', '/access/v1/evaluations', {
      options: { evaluations_semantic: semantic, include_context: true },
      evaluations: requests,
    })) as { evaluations?: unknown[] };
    if (!Array.isArray(reply.evaluations)) throw unavailable('the decision point answered a batch without evaluations');
    return reply.evaluations.map(toDecision);
  };

  const single = async (request: EvaluationRequest): Promise<Decision> => toDecision(await call('POST', '/access/v1/evaluation', request));

  // Coalescing: calls within the window share one batch request, answered in order.
  let pending: { request: EvaluationRequest; resolve: (d: Decision) => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 1) {
      single(batch[0]!.request).then(batch[0]!.resolve, batch[0]!.reject);
      return;
    }
    evaluateMany(batch.map((p) => p.request)).then(
      (decisions) => batch.forEach((p, i) => (decisions[i] ? p.resolve(decisions[i]!) : p.reject(unavailable('the batch answer is short')))),
      (error) => batch.forEach((p) => p.reject(error)),
    );
  };
  const window = options.batchWindowMs;
  const maxBatch = options.maxBatch ?? 50;

  return {
    evaluate: (request) => {
      if (window === undefined) return single(request);
      return new Promise<Decision>((resolve, reject) => {
        pending.push({ request, resolve, reject });
        if (pending.length >= maxBatch) {
          clearTimeout(timer);
          flush();
        } else {
          timer ??= setTimeout(flush, window);
        }
      });
    },
    evaluateMany,
    filter: async (query) =>
      (await call('POST', '/custos/v1/filter', {
        subject: query.subject,
        action: query.action,
        resource: { type: query.resourceType },
        ...(query.context === undefined ? {} : { context: query.context }),
      })) as ResourceFilter,
    status: async () => (await call('GET', '/custos/v1/policy')) as PolicyStatus,
    close: () => agent.destroy(),
  };
};

const createInProcessClient = (engine: InProcessEngine): PdpClient => ({
  evaluate: async (request) => engine.decide(request),
  evaluateMany: async (requests, semantic = 'execute_all') => engine.decideMany(requests, semantic),
  filter: async (query) => engine.filter(query),
  status: async () => engine.status(),
  close: () => undefined,
});

/**
 * Creates a client of the decision point.
 *
 * @example
 * const pdp = createClient({ url: 'http://127.0.0.1:8181', timeoutMs: 500 });
 * const { decision } = await pdp.evaluate({ subject: { type: 'user', id: 'd-1' }, action: { name: 'read' }, resource: { type: 'emr', id: 'r-9' } });
 */
export const createClient = (options: ClientOptions): PdpClient => {
  if ((options.url === undefined) === (options.inProcess === undefined)) {
    throw new TypeError('createClient needs exactly one of { url } or { inProcess }');
  }
  if (options.inProcess !== undefined) return createInProcessClient(options.inProcess);
  return createHttpClient({ ...options, url: options.url! });
};
