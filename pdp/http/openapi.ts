/**
 * The OpenAPI 3.1 description of every sidecar endpoint. Served at `/openapi.json`; the same
 * document is committed as `pdp/openapi.json` (a test keeps the two identical).
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });

const errors = {
  '400': problem('Malformed JSON, empty body, a body that is not `application/json`, or a field that fails validation (`path` names it).'),
  '401': problem('A bearer token is required and missing or wrong.'),
  '413': problem('The body is larger than `server.bodyLimitBytes`.'),

  '500': problem('The request could not be processed.'),
};

const requestIdHeader = {
  name: 'X-Request-ID',
  in: 'header',
  required: false,
  description: 'Echoed in the response (AuthZEN 1.0 §10.1.3); generated when absent.',
  schema: { type: 'string', maxLength: 128 },
};

const entity = (idRequired: boolean) => ({
  type: 'object',
  required: idRequired ? ['type', 'id'] : ['type'],
  properties: {
    type: { type: 'string', minLength: 1 },
    id: { type: 'string', minLength: 1 },
    properties: { type: 'object', additionalProperties: true },
  },
});

const post = (summary: string, requestSchema: unknown, responseSchema: unknown, tag: string) => ({
  post: {
    summary,
    tags: [tag],
    parameters: [requestIdHeader],
    requestBody: { required: true, content: json(requestSchema) },
    responses: { '200': { description: 'OK', content: json(responseSchema) }, ...errors },
  },
});

const get = (summary: string, responseSchema: unknown, tag: string, type = 'application/json') => ({
  get: { summary, tags: [tag], responses: { '200': { description: 'OK', content: { [type]: { schema: responseSchema } } } } },
});

const searchRequest = (kind: 'subject' | 'resource' | 'action') => ({
  type: 'object',
  required: kind === 'action' ? ['subject', 'resource'] : ['subject', 'action', 'resource'],
  properties: {
    subject: kind === 'subject' ? ref('SearchTarget') : ref('Entity'),
    ...(kind === 'action' ? {} : { action: ref('Action') }),
    resource: kind === 'resource' ? ref('SearchTarget') : ref('Entity'),
    context: ref('Context'),
    page: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 }, token: { type: 'string' } } },
    options: { type: 'object', properties: { include_context: { type: 'boolean' } } },
  },
});

const searchResponse = (item: unknown) => ({
  type: 'object',
  required: ['results'],
  properties: {
    results: { type: 'array', items: item },
    page: { type: 'object', properties: { next_token: { type: 'string', description: 'Empty when there are no more results.' } } },
    context: { type: 'object', description: 'Only with options.include_context: { policyVersion }.' },
  },
});

export const openApiDocument = Object.freeze({
  openapi: '3.1.0',
  info: {
    title: 'Custos decision point',
    version: '1.0.0',
    description:
      'AuthZEN Authorization API 1.0 (evaluation, evaluations, search, metadata) plus the Custos native API (filters, policy status and reload) and operational endpoints. Custos extras (decision id, policy version, reasons, permitted fields, masks, obligations) travel in the response `context`.',
  },
  servers: [{ url: 'http://127.0.0.1:8181' }],
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'Per-service token, required when server.tokensFile is set.' },
      admin: { type: 'apiKey', in: 'header', name: 'X-Custos-Admin-Token', description: 'server.adminToken; required for admin endpoints unless loopback-bound without one.' },
      mtls: { type: 'mutualTLS', description: 'Client certificate issued by the Custos CA (`custos certs`), when server.tlsDir is set.' },
    },
    schemas: {
      Entity: entity(true),
      SearchTarget: { ...entity(false), description: 'The searched-for entity: only `type` is used; a supplied `id` is ignored.' },
      Action: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 }, properties: { type: 'object' } } },
      Context: { type: 'object', additionalProperties: true, description: 'e.g. purpose, channel, breakGlass, time.' },
      EvaluationRequest: {
        type: 'object',
        required: ['subject', 'action', 'resource'],
        properties: { subject: ref('Entity'), action: ref('Action'), resource: ref('Entity'), context: ref('Context') },
      },
      Reason: {
        type: 'object',
        required: ['id', 'message'],
        properties: {
          id: { type: 'string' },
          effect: { enum: ['allow', 'deny'] },
          message: { oneOf: [{ type: 'string' }, { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } } }] },
        },
      },
      Obligation: {
        type: 'object',
        required: ['type'],
        properties: { type: { type: 'string' }, field: { type: 'string' }, rule: { type: 'string' }, params: { type: 'object' } },
      },
      DecisionContext: {
        type: 'object',
        required: ['id', 'policyVersion', 'reasons', 'obligations'],
        properties: {
          id: { type: 'string', description: 'UUIDv7 of the decision; the audit event carries it.' },
          policyVersion: { type: 'string' },
          reasons: { type: 'array', items: ref('Reason') },
          fields: { type: 'array', items: { type: 'string' } },
          masks: { type: 'object', additionalProperties: { type: 'string' } },
          obligations: { type: 'array', items: ref('Obligation') },
          dataSubjectId: { type: 'string', description: 'Id of the patient whose data the resource holds (PIPL art. 45); absent when the resource type declares none.' },
        },
      },
      EvaluationResponse: {
        type: 'object',
        required: ['decision'],
        properties: { decision: { type: 'boolean' }, context: ref('DecisionContext') },
      },
      EvaluationsRequest: {
        type: 'object',
        description: 'Top-level subject/action/resource/context are defaults each item replaces as whole objects. Without evaluations (or empty), the body is one evaluation.',
        properties: {
          subject: ref('Entity'),
          action: ref('Action'),
          resource: ref('Entity'),
          context: ref('Context'),
          options: {
            type: 'object',
            properties: {
              evaluations_semantic: { enum: ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'], default: 'execute_all' },
              include_context: { type: 'boolean', default: false, description: 'Custos: add the decision context to each item.' },
            },
          },
          evaluations: {
            type: 'array',
            maxItems: 1000,
            items: { type: 'object', properties: { subject: ref('Entity'), action: ref('Action'), resource: ref('Entity'), context: ref('Context') } },
          },
        },
      },
      EvaluationsResponse: {
        type: 'object',
        required: ['evaluations'],
        properties: {
          evaluations: {
            type: 'array',
            description: 'In request order; shorter than the request when a short-circuit semantic stopped early. An invalid item answers decision false with context.error.',
            items: ref('EvaluationResponse'),
          },
        },
      },
      FilterRequest: {
        type: 'object',
        required: ['subject', 'action', 'resource'],
        properties: { subject: ref('Entity'), action: ref('Action'), resource: ref('SearchTarget'), context: ref('Context') },
      },
      ResourceFilter: {
        type: 'object',
        required: ['kind', 'sql', 'query', 'policyVersion'],
        properties: {
          kind: { enum: ['always', 'never', 'conditional'] },
          sql: { type: 'object', properties: { where: { type: 'string' }, params: { type: 'array' } } },
          query: { type: 'object', description: 'The same condition as a Mongo-style query.' },
          policyVersion: { type: 'string' },
        },
      },
      PolicyStatus: {
        type: 'object',
        properties: { version: { type: 'string' }, loadedAt: { type: 'string', format: 'date-time' }, source: { type: 'string' }, rules: { type: 'integer' } },
      },
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details with Custos extensions.',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          instance: { type: 'string', description: 'The request id.' },
          code: { type: 'string' },
          path: { type: 'string', description: 'The offending field, e.g. evaluations[2].resource.id.' },
          hint: { type: 'string' },
          errors: { type: 'array' },
        },
      },
    },
  },
  security: [{}, { bearer: [] }, { mtls: [] }],
  paths: {
    '/access/v1/evaluation': post('AuthZEN Access Evaluation (§6)', ref('EvaluationRequest'), ref('EvaluationResponse'), 'AuthZEN'),
    '/access/v1/evaluations': post('AuthZEN Access Evaluations, batch (§7)', ref('EvaluationsRequest'), { oneOf: [ref('EvaluationsResponse'), ref('EvaluationResponse')] }, 'AuthZEN'),
    '/access/v1/search/subject': post('AuthZEN Subject Search (§8.4)', searchRequest('subject'), searchResponse(ref('Entity')), 'AuthZEN'),
    '/access/v1/search/resource': post('AuthZEN Resource Search (§8.5)', searchRequest('resource'), searchResponse(ref('Entity')), 'AuthZEN'),
    '/access/v1/search/action': post('AuthZEN Action Search (§8.6)', searchRequest('action'), searchResponse({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } }), 'AuthZEN'),
    '/.well-known/authzen-configuration': get('AuthZEN PDP metadata (§9)', {
      type: 'object',
      required: ['policy_decision_point', 'access_evaluation_endpoint'],
      properties: Object.fromEntries(
        ['policy_decision_point', 'access_evaluation_endpoint', 'access_evaluations_endpoint', 'search_subject_endpoint', 'search_resource_endpoint', 'search_action_endpoint'].map((k) => [k, { type: 'string', format: 'uri' }]),
      ),
    }, 'AuthZEN'),
    '/custos/v1/filter': post('Filter for list endpoints: SQL WHERE with parameters and a Mongo-style query', ref('FilterRequest'), ref('ResourceFilter'), 'Native'),
    '/custos/v1/policy': get('Policy status: version, loaded at, source, rule count', ref('PolicyStatus'), 'Native'),
    '/custos/v1/policy/reload': {
      post: {
        summary: 'Reload the policy set from its source; an invalid set is rejected and the old one keeps serving',
        tags: ['Admin'],
        security: [{ admin: [] }],
        requestBody: { required: true, content: json({ type: 'object' }) },
        responses: {
          '200': { description: 'Reloaded', content: json({ type: 'object', properties: { reloaded: { const: true }, status: ref('PolicyStatus') } }) },
          '403': problem('The admin credential is missing or wrong.'),
          '422': problem('The new policy set is invalid; `errors` lists every problem.'),
        },
      },
    },
    '/healthz': get('Liveness: the process is alive', { type: 'object', properties: { status: { const: 'ok' } } }, 'Operations'),
    '/readyz': {
      get: {
        summary: 'Readiness: policy loaded, stores open, not shutting down',
        tags: ['Operations'],
        responses: { '200': { description: 'Ready', content: json({ type: 'object' }) }, '503': problem('Not ready.') },
      },
    },
    '/metrics': get('Prometheus metrics', { type: 'string' }, 'Operations', 'text/plain'),
    '/openapi.json': get('This document', { type: 'object' }, 'Operations'),
  },
});
