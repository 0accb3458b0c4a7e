// The retry schedule of back-channel delivery (standards §4), as a pure function: no timing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY_POLICY, nextDelay, nominalDelay } from '../../../src/logout/delivery/retry-policy.ts';

const MIN = 60_000;
const lowest = () => 0;
const highest = () => 1;

test('young deliveries retry within 15 s: after a 60 s outage the next attempt is at most 15 s away (regression: it had grown to 32–64 s)', () => {
  // A receiver down for 60 s: attempts at about 0, 1, 3, 7, 15, 30, 45, 60 s — the 8th attempt fails at ~60 s.
  for (let attempts = 1; attempts <= 60; attempts++) {
    for (const ageMs of [0, 60_000, 5 * MIN, 10 * MIN - 1]) {
      const delay = nextDelay(DEFAULT_RETRY_POLICY, { attempts, ageMs, retryAfterMs: null }, highest);
      assert.ok(delay <= 15_000, `attempt ${attempts} at ${ageMs} ms waits ${delay} ms`);
    }
  }
  assert.equal(nextDelay(DEFAULT_RETRY_POLICY, { attempts: 8, ageMs: 60_000, retryAfterMs: null }, highest), 15_000);
});

test('the schedule: 1, 2, 4, 8 s, then at most 15 s for the first 10 minutes, the ceiling doubling every 10 minutes up to 10 minutes', () => {
  const nominal = (attempts: number, ageMs: number) => nominalDelay(DEFAULT_RETRY_POLICY, attempts, ageMs);
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 20].map((n) => nominal(n, 30_000)),
    [1000, 2000, 4000, 8000, 15_000, 15_000, 15_000],
  );
  assert.deepEqual(
    [10, 20, 30, 40, 50, 60, 70, 24 * 60].map((m) => nominal(100, m * MIN)),
    [30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000, 600_000],
  );
  // The attempt count still bounds the delay: a delivery first tried late starts small.
  assert.equal(nominal(1, 3 * 60 * MIN), 1000);
});

test('jitter keeps every delay between half and all of its nominal value', () => {
  for (const [attempts, ageMs] of [
    [1, 0],
    [5, 120_000],
    [50, 25 * MIN],
    [200, 20 * 60 * MIN],
  ] as const) {
    const nominal = nominalDelay(DEFAULT_RETRY_POLICY, attempts, ageMs);
    assert.equal(nextDelay(DEFAULT_RETRY_POLICY, { attempts, ageMs, retryAfterMs: null }, lowest), nominal / 2);
    assert.equal(nextDelay(DEFAULT_RETRY_POLICY, { attempts, ageMs, retryAfterMs: null }, highest), nominal);
  }
});

test('a Retry-After longer than the backoff is honoured, also while the delivery is young', () => {
  assert.equal(nextDelay(DEFAULT_RETRY_POLICY, { attempts: 2, ageMs: 5000, retryAfterMs: 120_000 }, highest), 120_000);
  assert.equal(nextDelay(DEFAULT_RETRY_POLICY, { attempts: 6, ageMs: 5000, retryAfterMs: 1000 }, lowest), 7500);
});

test('a policy without the young settings uses the defaults; a smaller maximum still wins', () => {
  const fast = { baseDelayMs: 50, maxDelayMs: 300, maxAgeMs: 60_000 };
  assert.equal(nominalDelay(fast, 30, 1000), 300);
  assert.equal(nominalDelay({ ...fast, maxDelayMs: 60 * MIN }, 30, 1000), 15_000);
});
