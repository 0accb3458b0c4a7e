// Tuning of single sign-out (delivery, retries, the browser's wait, the sweeper) and its
// defaults: read by config.ts at the edge and by provider.ts when it assembles the services.
import { type BackchannelHttpOptions, DEFAULT_HTTP_OPTIONS } from './delivery/backchannel-http.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './delivery/retry-policy.ts';

export interface LogoutOptions {
  /** Bounded wait of a browser logout for the first back-channel attempts; default 2000 ms. */
  waitMs: number;
  retry: RetryPolicy;
  http: BackchannelHttpOptions;
  sweepIntervalMs: number;
  eventsRetentionDays: number;
  /** Deliveries in flight per process and per client. */
  concurrency: number;
  perClientConcurrency: number;
  /** How long a Shared Signals poll without returnImmediately waits for an event (RFC 8936 §2.4); default 15 s. */
  ssfLongPollMs?: number;
}

export const DEFAULT_LOGOUT_OPTIONS: LogoutOptions = {
  waitMs: 2000,
  retry: DEFAULT_RETRY_POLICY,
  http: DEFAULT_HTTP_OPTIONS,
  sweepIntervalMs: 30_000,
  eventsRetentionDays: 30,
  concurrency: 64,
  perClientConcurrency: 8,
};
