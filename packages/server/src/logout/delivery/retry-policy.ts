// When to try a failed delivery again (standards §4): exponential backoff with jitter,
// honouring Retry-After, until the delivery is too old. While a delivery is young the delay
// stays short, so a receiver back from a short outage gets its logouts within seconds, not
// after a backoff that grew during the outage; the ceiling then doubles with the age.
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Stop retrying once a delivery is this old; it is then marked failed. */
  maxAgeMs: number;
  /** The ceiling of the delay while a delivery is younger than `youngForMs` (default 15 s). */
  youngMaxDelayMs?: number;
  /** How long a delivery counts as young; the ceiling doubles every such period (default 10 min). */
  youngForMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 1000,
  maxDelayMs: 10 * 60_000,
  maxAgeMs: 24 * 3_600_000,
  youngMaxDelayMs: 15_000,
  youngForMs: 10 * 60_000,
};

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

export interface FailedAttempt {
  /** Attempts made so far, this one included (1 after the first). */
  attempts: number;
  /** How old the delivery is now. */
  ageMs: number;
  /** The receiver's Retry-After, parsed. */
  retryAfterMs: number | null;
}

/**
 * The nominal delay before the next attempt: base · 2^(attempts−1), at most
 * youngMaxDelay · 2^⌊age / youngFor⌋ (15 s in the first 10 minutes, 30 s in the next 10, …)
 * and at most maxDelay.
 */
export function nominalDelay(policy: RetryPolicy, attempts: number, ageMs: number): number {
  const youngFor = policy.youngForMs ?? DEFAULT_RETRY_POLICY.youngForMs!;
  const young = policy.youngMaxDelayMs ?? DEFAULT_RETRY_POLICY.youngMaxDelayMs!;
  const exponential = policy.baseDelayMs * 2 ** Math.min(Math.max(0, attempts - 1), 40);
  const ageCeiling = young * 2 ** Math.min(Math.floor(Math.max(0, ageMs) / youngFor), 40);
  return Math.min(policy.maxDelayMs, exponential, ageCeiling);
}

/**
 * The delay before the next attempt, with "equal jitter" (between half and all of the nominal
 * delay) so retries never synchronise; a later Retry-After wins.
 */
export function nextDelay(policy: RetryPolicy, failed: FailedAttempt, random = Math.random): number {
  const nominal = nominalDelay(policy, failed.attempts, failed.ageMs);
  const jittered = nominal / 2 + random() * (nominal / 2);
  // Whole milliseconds: the time is stored in a bigint column.
  return Math.round(Math.max(jittered, failed.retryAfterMs ?? 0));
}

export type Outcome = 'delivered' | 'rejected' | 'retry';

/** Standards §4: 2xx delivered; 400 (and other client errors) rejected; 5xx, 408, 429 retried. */
export function classifyStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 500 || status === 408 || status === 425 || status === 429) return 'retry';
  return 'rejected';
}
