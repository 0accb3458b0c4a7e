// When to try a failed delivery again (standards §4): exponential backoff with jitter,
// honouring Retry-After, until the delivery is too old.
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Stop retrying once a delivery is this old; it is then marked failed. */
  maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 10 * 60_000, maxAgeMs: 24 * 3_600_000 };

/** Longest Retry-After we follow, so a receiver cannot park deliveries for days. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** Parses Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/** The delay before attempt `attempts + 1`, with "equal jitter" so retries never synchronise. */
export function nextDelay(policy: RetryPolicy, attempts: number, retryAfterMs: number | null, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  // Whole milliseconds: the time is stored in a bigint column.
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

export type Outcome = 'delivered' | 'rejected' | 'retry';

/** Standards §4: 2xx delivered; 400 (and other client errors) rejected; 5xx, 408, 429 retried. */
export function classifyStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 500 || status === 408 || status === 425 || status === 429) return 'retry';
  return 'rejected';
}
