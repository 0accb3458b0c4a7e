// The capabilities this folder offers to the units above it: each is one service, named by what it
// does. A unit declares exactly the ones it uses and composes them with `&`; only the composition
// root (provider.ts) knows them all.
import type { PendingRequests } from './pending-requests.ts';

/** Browser requests waiting for the user (sign-in forms, logout confirmations). */
export interface UsesPendingRequests {
  readonly pending: PendingRequests;
}
