// The provider's remote JWKS (BCL §2.6 step 2, standards §6): fetched on first use, kept for
// `cacheMaxAge`, fetched again on an unknown `kid` at most once per cool-down.
//
// jose's createRemoteJWKSet answers an unknown `kid` during the cool-down with
// JWKSNoMatchingKey, which a logout endpoint must turn into a final 400 — so the first logout
// tokens after a key rotation would be lost. Here a `kid` is only unknown for good when a key set
// requested *after* the token arrived lacks it; before that the answer is
// JwksRefetchCooldownError (503 + Retry-After), which the provider retries. Key selection and
// import stay with jose's createLocalJWKSet.
import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import { JwksRefetchCooldownError, TemporarilyUnavailableError } from '../errors.ts';

export interface RemoteKeySetOptions {
  /** Least time between two fetches caused by unknown `kid`s, in ms. */
  cooldownMs: number;
  /** How long a fetched key set is used before it is fetched again, in ms. */
  cacheMaxAgeMs: number;
  /** Abort a fetch after this many ms. */
  timeoutMs: number;
}

interface Snapshot {
  resolve: ReturnType<typeof createLocalJWKSet>;
  /** When the fetch that produced this key set was started (epoch ms). */
  requestedAt: number;
}

type ResolvedKey = Awaited<ReturnType<JWTVerifyGetKey>>;

export class RemoteKeySet {
  readonly #url: string;
  readonly #options: RemoteKeySetOptions;
  #current: Snapshot | undefined;
  #pending: Promise<Snapshot> | undefined;

  constructor(url: URL, options: RemoteKeySetOptions) {
    this.#url = url.href;
    this.#options = options;
  }

  /** A jose key resolver (for compactVerify / jwtVerify). */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<ResolvedKey> => {
    // Network time, not the validation clock: caching is about when the provider was asked.
    const arrivedAt = Date.now();
    let snapshot = this.#current;
    if (!snapshot || arrivedAt - snapshot.requestedAt >= this.#options.cacheMaxAgeMs) snapshot = await this.#reload();
    for (;;) {
      try {
        return await snapshot.resolve(header, token);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
        // Asked for after the token arrived and still without the key: the kid is unknown (400).
        if (snapshot.requestedAt >= arrivedAt) throw err;
        // A concurrent request brought a newer key set meanwhile: look there first.
        if (this.#current && this.#current !== snapshot) {
          snapshot = this.#current;
          continue;
        }
        const wait = snapshot.requestedAt + this.#options.cooldownMs - Date.now();
        if (wait > 0) throw new JwksRefetchCooldownError(header.kid, Math.max(1, Math.ceil(wait / 1000)));
        snapshot = await this.#reload();
      }
    }
  };

  /** One fetch at a time: concurrent callers share it. */
  #reload(): Promise<Snapshot> {
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #fetch(): Promise<Snapshot> {
    const requestedAt = Date.now();
    let response: Response;
    try {
      // No redirects, as jose: the key set lives at the URL the provider publishes.
      response = await fetch(this.#url, {
        headers: { accept: 'application/json, application/jwk-set+json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (err) {
      throw new TemporarilyUnavailableError("The issuer's keys could not be fetched", { cause: err });
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new TemporarilyUnavailableError(`The issuer's keys could not be fetched (HTTP ${response.status})`);
    }
    let resolve: Snapshot['resolve'];
    try {
      resolve = createLocalJWKSet(await response.json());
    } catch (err) {
      // A broken key set is the provider's problem, not the token's: retry rather than refuse.
      throw new TemporarilyUnavailableError("The issuer's key set is not a valid JSON Web Key Set", { cause: err });
    }
    const snapshot: Snapshot = { resolve, requestedAt };
    if (!this.#current || this.#current.requestedAt <= requestedAt) this.#current = snapshot;
    return snapshot;
  }
}
