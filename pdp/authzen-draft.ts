/**
 * Requests in the AuthZEN draft-00 shape (the Todo interop's oldest vectors): the opaque
 * subject id travels in `subject.identity` (with the e-mail in `subject.id`) and resource
 * attributes sit directly on `resource` instead of `resource.properties`.
 */
import type { EvaluationRequest } from './types.js';

const ENTITY_KEYS = new Set(['type', 'id', 'properties', 'identity']);
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Rewrites a draft-00 request into the 1.0 shape; a 1.0 request comes back unchanged.
 *
 * @example
 * fromAuthzenDraft00({ subject: { type: 'user', id: 'rick@…', identity: 'CiRm…' }, action: { name: 'can_read_user' },
 *                      resource: { type: 'todo', id: 't1', ownerID: 'rick@…' } });
 * // → subject.id 'CiRm…', resource.properties.ownerID 'rick@…'
 */
export const fromAuthzenDraft00 = (request: EvaluationRequest): EvaluationRequest => {
  const subject = request.subject as EvaluationRequest['subject'] & { identity?: unknown };
  const resource = request.resource as unknown as Record<string, unknown>;
  const extra = Object.keys(resource ?? {}).filter((k) => !ENTITY_KEYS.has(k) && !FORBIDDEN.has(k));
  if (typeof subject?.identity !== 'string' && extra.length === 0) return request;
  const properties: Record<string, unknown> = { ...(request.resource.properties ?? {}) };
  for (const k of extra) properties[k] = resource[k];
  return {
    ...request,
    subject: typeof subject.identity === 'string' ? { type: subject.type, id: subject.identity, ...(subject.properties ? { properties: subject.properties } : {}) } : request.subject,
    resource: { type: request.resource.type, id: request.resource.id, ...(extra.length > 0 || request.resource.properties ? { properties } : {}) },
  };
};
