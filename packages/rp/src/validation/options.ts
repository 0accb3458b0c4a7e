// Options of logout-token validation. Dangerous opt-outs are named symbols, never booleans.
import type { CryptoKey, JSONWebKeySet, JWTVerifyGetKey, KeyObject } from 'jose';
import type { Clock } from '../clock.ts';
import type { ReplayStore } from '../stores/store.ts';

/**
 * Accept `typ: "JWT"` in the header, as older Keycloak releases send. Everything else about the
 * token is still checked. Pass as `compatibility: [ACCEPT_JWT_TYP]`.
 */
export const ACCEPT_JWT_TYP: unique symbol = Symbol('sundown.rp.acceptJwtTyp');
export type CompatibilityOption = typeof ACCEPT_JWT_TYP;

export interface ValidationOptions {
  /** The OP's issuer, compared exactly (BCL §2.6 step 4). */
  issuer: string;
  /** This RP's client_id; must be in `aud`. */
  clientId: string;
  /** The OP's keys: a JWKS URL (fetched, cached, refetched on unknown kid), a key set, or a resolver. */
  keys: URL | JSONWebKeySet | JWTVerifyGetKey;
  /** Algorithms the client registered for ID tokens; default `['RS256']` (Keycloak's default). */
  algorithms?: string[];
  /** Remote JWKS caching: keys are kept `cacheMaxAgeSeconds` (600); an unknown kid refetches at most every `cooldownSeconds` (30). */
  jwks?: { cooldownSeconds?: number; cacheMaxAgeSeconds?: number };
  /** Other audiences this RP trusts next to its own client id (default none). */
  trustedAudiences?: string[];
  /** Seconds of allowed clock skew for iat/exp (default 30). */
  clockToleranceSeconds?: number;
  /**
   * For tokens without `exp` (providers before the 2023 errata): the oldest `iat` accepted, in
   * seconds (default 600). Also bounds how long a jti is remembered.
   */
  maxTokenAgeSeconds?: number;
  /** Where seen `jti`s are remembered (BCL §2.6 step 8). Use a shared store across instances. */
  replayStore: ReplayStore;
  /** When encryption was agreed (BCL §2.6 step 1): the key to decrypt with; plain tokens are then rejected. */
  decryptionKey?: CryptoKey | KeyObject | Uint8Array;
  compatibility?: CompatibilityOption[];
  /**
   * The current time for the `iat`/`exp` checks (default the system clock). The handler uses the
   * same clock for logout markers, so one option governs both. Not used for JWKS caching.
   */
  clock?: Clock;
}

export const DEFAULT_ALGORITHMS = ['RS256'];
