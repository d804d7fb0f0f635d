/** The server's Prometheus metrics (prom-client), in a registry of its own: nothing global. */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Finding } from '../rules/types.js';
import type { Decision } from './review.js';

/**
 * The API server's own buckets for `apiserver_admission_webhook_admission_duration_seconds`
 * (kubernetes/apiserver pkg/admission/metrics/metrics.go, staging/src/k8s.io/apiserver in
 * kubernetes/kubernetes; line 186 at 24a394e5), so both sides of a webhook call compare bucket
 * for bucket.
 */
export const WEBHOOK_LATENCY_BUCKETS: readonly number[] = [0.005, 0.025, 0.1, 0.5, 1.0, 2.5, 10, 25];

export type Webhook = 'validate' | 'mutate';

export interface ServerMetrics {
  readonly registry: PromClient.Registry;
  /** Counts one review and its latency; findings only for `/validate` (the mutate pass would count them twice). */
  observeReview(webhook: Webhook, kind: string, operation: string, decision: Decision, seconds: number, findings: readonly Finding[]): void;
  /** Counts a request that got no review: a bad body, a wrong path, a limit. */
  observeRejected(path: string, code: number): void;
}

/** Creates the metrics in a fresh registry. */
export function createMetrics(): ServerMetrics {
  // Loaded here, not at import: only `serve` keeps metrics, and every run of the CLI would pay its start-up.
  const { collectDefaultMetrics, Counter, Histogram, Registry } = createRequire(import.meta.url)('prom-client') as typeof PromClient;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rollsafe_' });
  const reviews = new Counter({
    name: 'rollsafe_admission_reviews_total',
    help: 'Admission reviews answered, by webhook, object kind, operation and decision (allowed, denied, patched, skipped, error).',
    labelNames: ['webhook', 'kind', 'operation', 'decision'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'rollsafe_admission_review_duration_seconds',
    help: "Time from a review's last body byte to its response, in seconds; the API server's webhook latency buckets.",
    labelNames: ['webhook', 'decision'] as const,
    buckets: [...WEBHOOK_LATENCY_BUCKETS],
    registers: [registry],
  });
  const findingsByRule = new Counter({
    name: 'rollsafe_admission_findings_total',
    help: 'Findings reported by /validate, by rule and severity.',
    labelNames: ['rule', 'severity'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'rollsafe_http_rejected_total',
    help: 'Requests answered without a review (bad body, wrong path or method, over a limit), by path and HTTP status code.',
    labelNames: ['path', 'code'] as const,
    registers: [registry],
  });
  return {
    registry,
    observeReview(webhook, kind, operation, decision, seconds, findings) {
      reviews.inc({ webhook, kind, operation, decision });
      latency.observe({ webhook, decision }, seconds);
      if (webhook === 'validate') for (const f of findings) findingsByRule.inc({ rule: f.ruleId, severity: f.severity });
    },
    observeRejected(path, code) {
      rejected.inc({ path, code: String(code) });
    },
  };
}
