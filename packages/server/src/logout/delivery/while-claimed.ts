// Store writes and reads of a claimed delivery, repeated while the store cannot be reached and
// the claim lasts: a token the receiver has accepted is so recorded once the database is back (a
// restart, a failover, a terminated connection) instead of being sent again when the claim runs
// out. Used by one attempt (delivery-attempt.ts) and by a round's answer batch (outcome-batch.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { isStoreUnavailable } from '../../store/unavailable.ts';

/** Store writes of a claimed delivery stop being repeated this long before the claim runs out. */
const CLAIM_SAFETY_MS = 2000;

/** Runs `op`, repeating it with growing pauses while the store is unavailable and the claim (until `lockedUntil`) lasts. */
export async function whileClaimed<T>(lockedUntil: number, op: () => Promise<T>): Promise<T> {
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await op();
    } catch (err) {
      if (!isStoreUnavailable(err) || Date.now() + wait > lockedUntil - CLAIM_SAFETY_MS) throw err;
      await sleep(wait);
    }
  }
}
