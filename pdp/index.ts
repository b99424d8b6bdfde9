/**
 * custos/pdp — public entry of the pdp module (see DESIGN.md). Nothing is exported yet:
 * the module's issue adds its API here, and only here.
 */
export {};

// --- sidecar, client, middleware ---
export { createSidecarApp } from './http/app.js';
export type { SidecarAppOptions } from './http/app.js';
export { startSidecar } from './http/sidecar.js';
export type { Sidecar, SidecarOptions } from './http/sidecar.js';
export { startSidecarFromConfig, readTokensFile } from './http/from-config.js';
export type { EngineParts, FromConfigOptions } from './http/from-config.js';
export { openAuditRecorder, auditRecorder } from './http/audit-recorder.js';
export type { DecisionEngine, DecisionEvent, DecisionRecorder } from './http/ports.js';
export { createMetrics } from './http/metrics.js';
export type { SidecarMetrics } from './http/metrics.js';
export { createPolicyReloader } from './http/policy-reload.js';
export type { PolicyReloader } from './http/policy-reload.js';
export { parseEvaluationRequest, parseEvaluationsRequest, parseSearchRequest } from './http/parse.js';
export { openApiDocument } from './http/openapi.js';
export { createClient } from './client/client.js';
export type { PdpClient, ClientOptions, InProcessEngine } from './client/client.js';
export { enforce } from './middleware/enforce.js';
export type { EnforceOptions } from './middleware/enforce.js';
export { maskForDecision } from './middleware/mask-response.js';
export type { MaskFunction } from './middleware/mask-response.js';
