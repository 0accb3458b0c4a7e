// The fallback for APIs that cannot receive logout signals (RFC 7662): ask the provider whether
// the token is still active, and remember the answer briefly so each token costs one request
// per `cacheSeconds`, not one per API call.
import { createHash } from 'node:crypto';
import { TemporarilyUnavailableError } from '../errors.ts';

export interface IntrospectionOptions {
  /** The provider's `introspection_endpoint` (Keycloak: `…/protocol/openid-connect/token/introspect`). */
  endpoint: string;
  clientId: string;
  clientSecret: string;
  /** How long an answer is reused, in seconds (default 10): the longest a logout goes unseen. */
  cacheSeconds?: number;
  /** Most answers kept (default 10 000; the oldest go first). */
  maxEntries?: number;
  /** Abort a request after this many ms (default 5000). */
  timeoutMs?: number;
}

export interface IntrospectionResult {
  active: boolean;
  [claim: string]: unknown;
}

export type Introspector = (token: string) => Promise<IntrospectionResult>;

/** An introspection client with its own short cache, keyed by the token's SHA-256. */
export function createIntrospector(options: IntrospectionOptions): Introspector {
  const cache = new Map<string, { result: IntrospectionResult; until: number }>();
  const ttl = (options.cacheSeconds ?? 10) * 1000;
  const max = options.maxEntries ?? 10_000;
  const basic = `Basic ${btoa(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`)}`;
  return async (token) => {
    const key = createHash('sha256').update(token).digest('base64url');
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.result;
    cache.delete(key);
    let res: Response;
    try {
      res = await fetch(options.endpoint, {
        method: 'POST',
        headers: {
          authorization: basic,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw new TemporarilyUnavailableError('The introspection endpoint is unreachable', { cause: err });
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new TemporarilyUnavailableError(`The introspection endpoint answered HTTP ${res.status}`);
    }
    const json = (await res.json()) as Record<string, unknown>;
    // RFC 7662 §2.2: only `active: true` is active.
    const result: IntrospectionResult = { ...json, active: json.active === true };
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(key, { result, until: Date.now() + ttl });
    return result;
  };
}
