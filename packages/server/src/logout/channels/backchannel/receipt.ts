// A receiver's receipt: what @sundown/rp's receivers answer a valid logout token with (BCL §2.8:
// 200 OK, and the answer may carry a body) — `{"logged_out":true,"sessions_ended":n}`, the count
// when the app knows it. Sundown keeps it on the delivery and shows it ("2 sessions ended").
// Any other body is ignored, as before: only a 200 JSON object with `logged_out: true` counts.

/** What a delivery records of a receipt (the `receipt` column, JSON). */
export interface Receipt {
  /** How many of the app's own sessions the logout ended, when it said. */
  sessionsEnded: number | null;
}

/** The largest count believed; anything above is not a count this receipt format produces. */
const MAX_COUNT = 1_000_000;

/** The receipt in an answer, as the JSON to store, or null when the answer carries none. */
export function readReceipt(res: { status: number; body: string; contentType: string | null }): string | null {
  if (res.status !== 200 || !/^application\/json\b/i.test(res.contentType ?? '')) return null;
  let value: unknown;
  try {
    value = JSON.parse(res.body);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || (value as { logged_out?: unknown }).logged_out !== true)
    return null;
  const n = (value as { sessions_ended?: unknown }).sessions_ended;
  const count = typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_COUNT ? n : null;
  const receipt: Receipt = { sessionsEnded: count };
  return JSON.stringify(receipt);
}

/** A stored receipt, or null (none, or not one this version wrote). */
export function parseReceipt(stored: string | null): Receipt | null {
  if (!stored) return null;
  try {
    const r = JSON.parse(stored) as { sessionsEnded?: unknown };
    return { sessionsEnded: typeof r.sessionsEnded === 'number' ? r.sessionsEnded : null };
  } catch {
    return null;
  }
}
