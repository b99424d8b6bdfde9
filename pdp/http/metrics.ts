/**
 * Prometheus metrics of the sidecar, kept as plain counters and one latency histogram per route
 * (text exposition format 0.0.4). Small enough to write by hand; updating one is a few additions,
 * which keeps it off the profile of the decision route.
 */

export type DecisionResult = 'permit' | 'deny' | 'error';

export interface SidecarMetrics {
  /** Counts decisions by result (an `error` is also a deny: the decision point fails closed). */
  countDecisions(result: DecisionResult, n?: number): void;
  /** Records one finished HTTP request. */
  observeRequest(route: string, status: number, seconds: number): void;
  countError(code: string): void;
  countReload(ok: boolean): void;
  /** The exposition text; `policyVersion` becomes the `custos_pdp_policy_info` label. */
  render(policyVersion: string | undefined): string;
}

// Seconds; dense under 5 ms, where the decision route should live.
const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

interface Histogram {
  readonly counts: number[];
  sum: number;
  count: number;
}

const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * @example
 * const metrics = createMetrics();
 * metrics.countDecisions('permit');
 * metrics.render('sha256:ab12…');
 */
export const createMetrics = (): SidecarMetrics => {
  const decisions: Record<DecisionResult, number> = { permit: 0, deny: 0, error: 0 };
  const requests = new Map<string, number>();
  const latency = new Map<string, Histogram>();
  const errors = new Map<string, number>();
  const reloads = { ok: 0, rejected: 0 };
  return {
    countDecisions: (result, n = 1) => {
      decisions[result] += n;
    },
    observeRequest: (route, status, seconds) => {
      const key = `${route}\u0000${status}`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      let histogram = latency.get(route);
      if (histogram === undefined) {
        histogram = { counts: new Array<number>(buckets.length).fill(0), sum: 0, count: 0 };
        latency.set(route, histogram);
      }
      for (let i = 0; i < buckets.length; i++) if (seconds <= buckets[i]!) histogram.counts[i]! += 1;
      histogram.sum += seconds;
      histogram.count += 1;
    },
    countError: (code) => {
      errors.set(code, (errors.get(code) ?? 0) + 1);
    },
    countReload: (ok) => {
      if (ok) reloads.ok += 1;
      else reloads.rejected += 1;
    },
    render: (policyVersion) => {
      const lines: string[] = [];
      lines.push('# HELP custos_pdp_decisions_total Decisions made, by result (error = fail-closed deny).');
      lines.push('# TYPE custos_pdp_decisions_total counter');
      for (const [result, n] of Object.entries(decisions)) lines.push(`custos_pdp_decisions_total{result="${result}"} ${n}`);
      lines.push('# HELP custos_pdp_http_requests_total HTTP requests answered, by route and status.');
      lines.push('# TYPE custos_pdp_http_requests_total counter');
      for (const [key, n] of requests) {
        const [route, status] = key.split('\u0000') as [string, string];
        lines.push(`custos_pdp_http_requests_total{route="${escapeLabel(route)}",status="${status}"} ${n}`);
      }
      lines.push('# HELP custos_pdp_http_request_duration_seconds Time from request to response, by route.');
      lines.push('# TYPE custos_pdp_http_request_duration_seconds histogram');
      for (const [route, h] of latency) {
        const label = escapeLabel(route);
        for (let i = 0; i < buckets.length; i++) {
          lines.push(`custos_pdp_http_request_duration_seconds_bucket{route="${label}",le="${buckets[i]}"} ${h.counts[i]}`);
        }
        lines.push(`custos_pdp_http_request_duration_seconds_bucket{route="${label}",le="+Inf"} ${h.count}`);
        lines.push(`custos_pdp_http_request_duration_seconds_sum{route="${label}"} ${h.sum}`);
        lines.push(`custos_pdp_http_request_duration_seconds_count{route="${label}"} ${h.count}`);
      }
      lines.push('# HELP custos_pdp_errors_total Errors answered or absorbed, by code.');
      lines.push('# TYPE custos_pdp_errors_total counter');
      for (const [code, n] of errors) lines.push(`custos_pdp_errors_total{code="${escapeLabel(code)}"} ${n}`);
      lines.push('# HELP custos_pdp_policy_reloads_total Policy reloads, by outcome.');
      lines.push('# TYPE custos_pdp_policy_reloads_total counter');
      lines.push(`custos_pdp_policy_reloads_total{result="ok"} ${reloads.ok}`);
      lines.push(`custos_pdp_policy_reloads_total{result="rejected"} ${reloads.rejected}`);
      lines.push('# HELP custos_pdp_policy_info The policy set in force (value is always 1).');
      lines.push('# TYPE custos_pdp_policy_info gauge');
      if (policyVersion !== undefined) lines.push(`custos_pdp_policy_info{version="${escapeLabel(policyVersion)}"} 1`);
      return `${lines.join('\n')}\n`;
    },
  };
};
