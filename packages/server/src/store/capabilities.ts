// The capabilities this folder offers to the units above it: each is one service, named by what it
// does. A unit declares exactly the ones it uses and composes them with `&`; only the composition
// root (provider.ts) knows them all.
import type { Transact } from './executor.ts';

/** One database transaction over the owners' writes (they take its executor). */
export interface UsesTransact {
  readonly transact: Transact;
}
