import { isCustosError } from '../../lib/errors.js';

/**
 * The sidecar's error codes and the one table mapping each to an HTTP status. Bodies are
 * RFC 9457 problem details (`application/problem+json`); `code` and `path` are extensions.
 */
export type SidecarErrorCode =
  | 'ERR_PDP_INVALID_REQUEST'
  | 'ERR_PDP_MALFORMED_JSON'
  | 'ERR_PDP_EMPTY_BODY'
  | 'ERR_PDP_BODY_TOO_LARGE'
  | 'ERR_PDP_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_PDP_UNAUTHENTICATED'
  | 'ERR_PDP_FORBIDDEN'
  | 'ERR_PDP_NOT_FOUND'
  | 'ERR_PDP_METHOD_NOT_ALLOWED'
  | 'ERR_PDP_TIMEOUT'
  | 'ERR_PDP_NOT_READY'
  | 'ERR_PDP_POLICY_INVALID'
  | 'ERR_PDP_INTERNAL';

const statusByCode: Readonly<Record<SidecarErrorCode, number>> = Object.freeze({
  ERR_PDP_INVALID_REQUEST: 400,
  ERR_PDP_MALFORMED_JSON: 400,
  ERR_PDP_EMPTY_BODY: 400,
  ERR_PDP_BODY_TOO_LARGE: 413,
  // AuthZEN 1.0 certification expects 400 (not 415) for a non-JSON Content-Type.
  ERR_PDP_UNSUPPORTED_MEDIA_TYPE: 400,
  ERR_PDP_UNAUTHENTICATED: 401,
  ERR_PDP_FORBIDDEN: 403,
  ERR_PDP_NOT_FOUND: 404,
  ERR_PDP_METHOD_NOT_ALLOWED: 405,
  ERR_PDP_TIMEOUT: 408,
  ERR_PDP_NOT_READY: 503,
  ERR_PDP_POLICY_INVALID: 422,
  ERR_PDP_INTERNAL: 500,
});

const titleByStatus: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
});

/** RFC 9457 §3.1 members plus the Custos `code`, `path`, `hint` and `errors` extensions. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly path?: string;
  readonly hint?: string;
  readonly errors?: readonly unknown[];
}

export const statusOf = (code: string): number => statusByCode[code as SidecarErrorCode] ?? 500;

/**
 * Turns any thrown value into a problem. Only `CustosError`s are trusted to carry a message
 * fit for the caller; anything else becomes an opaque 500 (its message may hold data).
 */
export const toProblem = (error: unknown): Problem => {
  if (isCustosError(error)) {
    const status = statusOf(error.code);
    const errors = error.details?.errors;
    return {
      type: `https://custos.dev/problems/${error.code}`,
      title: titleByStatus[status] ?? 'Error',
      status,
      detail: error.message,
      code: error.code,
      ...(error.path === undefined ? {} : { path: error.path }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(Array.isArray(errors) ? { errors } : {}),
    };
  }
  return {
    type: 'https://custos.dev/problems/ERR_PDP_INTERNAL',
    title: 'Internal Server Error',
    status: 500,
    detail: 'the decision point failed to process the request',
    code: 'ERR_PDP_INTERNAL',
  };
};
