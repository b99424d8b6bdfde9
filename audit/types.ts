/**
 * The audit module's data: events (by kind), stored entries, checkpoints, proofs, query
 * filters and verification findings. Events name people and records by id only.
 */

export type HashAlgorithm = 'sha256' | 'sm3';

/** Fields every event may carry. Ids only: never names, ID numbers, phone numbers, addresses. */
export interface EventBase {
  /** Who caused the event (user, service or system id). */
  readonly actorId?: string;
  /** PIPL art. 6 purpose code, e.g. `treatment`, `billing`, `research`. */
  readonly purpose?: string;
  /** Correlation id of the request that caused the event. */
  readonly requestId?: string;
}

/** One access decision of the policy decision point (appended by the sidecar before it answers). */
export interface DecisionEvent extends EventBase {
  readonly kind: 'decision';
  /** UUIDv7 of the decision (the PDP's `context.id`). */
  readonly decisionId: string;
  readonly subjectId: string;
  readonly subjectType: string;
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string;
  /** The patient whose data the resource holds, for PIPL art. 45 "who accessed my data" requests. */
  readonly patientId?: string;
  readonly decision: 'permit' | 'deny';
  /** Rule ids or error codes, never free text with data in it. */
  readonly reasons: readonly string[];
  /** Obligation types (`mask`, `require_reason`, ...). */
  readonly obligations: readonly string[];
  readonly policyVersion: string;
  readonly breakGlass?: boolean;
}

/** Emergency access outside the normal policy ("break-glass"), with its declared reason code. */
export interface BreakGlassEvent extends EventBase {
  readonly kind: 'break-glass';
  readonly subjectId: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly patientId?: string;
  /** A reason code (`emergency-treatment`), not free text. */
  readonly reasonCode: string;
  readonly decisionId?: string;
  readonly expiresAt?: string;
}

export interface PolicyChangeEvent extends EventBase {
  readonly kind: 'policy-change';
  readonly policyVersion: string;
  readonly previousVersion?: string;
  readonly change: 'load' | 'reload' | 'rollback';
  /** Content hash of the policy bundle. */
  readonly digest?: string;
}

/**
 * Key lifecycle (appended by kms): create, rotate, destroy, crypto-shredding. `operation` takes
 * the kms event type as is (`key.rotated`, `data-key.shredded`, …) or a short verb.
 */
export interface KeyEvent extends EventBase {
  readonly kind: 'key';
  readonly operation:
    | 'key.created'
    | 'key.rotated'
    | 'key.disabled'
    | 'key.enabled'
    | 'key.destruction-scheduled'
    | 'key.destruction-cancelled'
    | 'key.destroyed'
    | 'data-key.created'
    | 'data-key.rotated'
    | 'data-key.rewrapped'
    | 'data-key.shredded'
    | 'create'
    | 'rotate'
    | 'disable'
    | 'destroy'
    | 'crypto-shred'
    | 'export-public'
    | 'import';
  readonly keyId?: string;
  readonly keyVersion?: number;
  /** Whose data key (crypto-shredding): a subject or tenant, by id only. */
  readonly scope?: 'subject' | 'tenant';
  readonly scopeId?: string;
  /** How many keys or records the operation touched. */
  readonly count?: number;
}

export interface ScanEvent extends EventBase {
  readonly kind: 'scan';
  readonly scanId: string;
  readonly source: string;
  readonly findings: number;
  readonly result: 'completed' | 'failed';
}

export interface ReportEvent extends EventBase {
  readonly kind: 'report';
  readonly reportId: string;
  readonly reportType: string;
  readonly digest?: string;
}

export interface AdminEvent extends EventBase {
  readonly kind: 'admin';
  readonly operation: string;
  readonly target?: string;
  readonly result: 'success' | 'failure';
}

export interface ConsentEvent extends EventBase {
  readonly kind: 'consent';
  readonly consentId: string;
  readonly patientId: string;
  readonly change: 'grant' | 'withdraw' | 'expire' | 'update';
  readonly scope?: readonly string[];
}

/** Every kind of audit event. */
export type AuditEvent =
  | DecisionEvent
  | BreakGlassEvent
  | PolicyChangeEvent
  | KeyEvent
  | ScanEvent
  | ReportEvent
  | AdminEvent
  | ConsentEvent;

export type AuditEventKind = AuditEvent['kind'];

/** What `append` resolves with once the event is durable. */
export interface AppendResult {
  readonly seq: number;
  /** Hex chain hash of the stored row. */
  readonly hash: string;
}

/** One stored row, as read back. `seq` is also the event's 0-based Merkle leaf index. */
export interface AuditEntry {
  readonly seq: number;
  /** Milliseconds since the Unix epoch, from the log's clock. */
  readonly ts: number;
  readonly event: AuditEvent;
  /** Hex chain hash of the previous row (all zeros for seq 0). */
  readonly prevHash: string;
  readonly hash: string;
}

/** A tree head: what a signed checkpoint commits to. */
export interface TreeHead {
  readonly origin: string;
  readonly size: number;
  /** Root hash, hex. */
  readonly root: string;
  /** Milliseconds since the Unix epoch; carried in a `time` extension line. */
  readonly time: number;
}

/** A checkpoint: a tree head in C2SP tlog-checkpoint form with its signed-note text. */
export interface Checkpoint extends TreeHead {
  /** The complete signed note (body, blank line, signature lines). */
  readonly note: string;
}

/** Filters for `query` and `export`; all optional, combined with AND. */
export interface AuditQuery {
  /** Inclusive lower bound, ms since epoch or ISO 8601. */
  readonly from?: number | string;
  /** Exclusive upper bound. */
  readonly to?: number | string;
  readonly kind?: AuditEventKind;
  readonly subjectId?: string;
  readonly resourceId?: string;
  readonly resourceType?: string;
  readonly patientId?: string;
  readonly decision?: 'permit' | 'deny';
  readonly breakGlass?: boolean;
  /** At most this many entries (default 10,000, max 1,000,000). */
  readonly limit?: number;
  /** Start after this seq (for paging). */
  readonly afterSeq?: number;
}

export type FindingKind =
  | 'modified'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'truncated'
  | 'renumbered'
  | 'chain-broken'
  | 'forged-checkpoint'
  | 'checkpoint-mismatch'
  | 'tile-mismatch'
  | 'triggers-missing'
  | 'malformed';

/** One problem verification found, located by seq where it can be. */
export interface Finding {
  readonly kind: FindingKind;
  /** First affected seq (or the checkpoint's tree size for checkpoint findings). */
  readonly seq?: number;
  /** Last affected seq, when a range. */
  readonly toSeq?: number;
  readonly message: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly algorithm: HashAlgorithm;
  /** Rows read. */
  readonly entries: number;
  /** First seq present (> 0 when older rows were sealed into archives). */
  readonly firstSeq: number;
  readonly checkpointsChecked: number;
  readonly root: string;
  readonly findings: readonly Finding[];
  readonly ms: number;
}
