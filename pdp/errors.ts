/** Error and reason codes of the pdp engine (the sidecar adds its own in pdp/http/). */
export type PdpErrorCode =
  | 'ERR_PDP_EVALUATION_FAILED'
  | 'ERR_PDP_INVALID_REQUEST'
  | 'ERR_PDP_NO_MATCHING_ALLOW'
  | 'ERR_PDP_DENIED_BY_RULE'
  | 'ERR_PDP_NO_PERMITTED_FIELDS'
  | 'ERR_PDP_UNKNOWN_RESOURCE_TYPE'
  | 'ERR_PDP_UNKNOWN_ACTION'
  | 'ERR_PDP_ENTITY_INVALID'
  | 'ERR_PDP_ENTITY_UNREADABLE'
  | 'ERR_PDP_STORE_CLOSED';
