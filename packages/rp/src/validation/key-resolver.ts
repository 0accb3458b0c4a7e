// Where a validator finds the issuer's keys (BCL §2.6 step 2). A validator or handler owns its
// key set: created with it, gone with it, never shared with another handler (two issuers, two
// tenants or two tests cannot see or grow each other's cache). Only the one-shot
// validateLogoutToken(token, options), which has no owner to keep state in, uses a small
// process-wide LRU.
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import type { ValidationOptions } from './options.ts';
import { RemoteKeySet } from './remote-key-set.ts';

/** Most remote key sets the one-shot validateLogoutToken keeps (least recently used go first). */
export const SHARED_KEY_SETS_MAX = 8;

const FETCH_TIMEOUT_MS = 5000;

function seconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new TypeError(`jwks.${name} must be a non-negative number of seconds`);
  return value;
}

function remoteSettings(jwks: ValidationOptions['jwks'] = {}): {
  cooldownMs: number;
  cacheMaxAgeMs: number;
  timeoutMs: number;
} {
  return {
    cooldownMs: seconds(jwks.cooldownSeconds, 30, 'cooldownSeconds') * 1000,
    cacheMaxAgeMs: seconds(jwks.cacheMaxAgeSeconds, 600, 'cacheMaxAgeSeconds') * 1000,
    timeoutMs: FETCH_TIMEOUT_MS,
  };
}

/** A key resolver of its own, for one validator or handler. */
export function createKeyResolver(keys: ValidationOptions['keys'], jwks?: ValidationOptions['jwks']): JWTVerifyGetKey {
  if (keys instanceof URL) return new RemoteKeySet(keys, remoteSettings(jwks)).getKey;
  if (typeof keys === 'function') return keys;
  return createLocalJWKSet(keys);
}

const sharedRemote = new Map<string, JWTVerifyGetKey>();
/** Local key sets, imported once per key-set object (weakly held: they go with the object). */
const sharedLocal = new WeakMap<object, JWTVerifyGetKey>();

/** The resolver for one-shot validation: remote key sets in a bounded LRU, local ones per object. */
export function sharedKeyResolver(keys: ValidationOptions['keys'], jwks?: ValidationOptions['jwks']): JWTVerifyGetKey {
  if (keys instanceof URL) {
    const settings = remoteSettings(jwks);
    const id = `${keys.href} ${settings.cooldownMs} ${settings.cacheMaxAgeMs}`;
    let set = sharedRemote.get(id);
    if (set) {
      sharedRemote.delete(id); // re-inserted below: Map order is the recency order
    } else {
      set = new RemoteKeySet(keys, settings).getKey;
      if (sharedRemote.size >= SHARED_KEY_SETS_MAX) sharedRemote.delete(sharedRemote.keys().next().value!);
    }
    sharedRemote.set(id, set);
    return set;
  }
  if (typeof keys === 'function') return keys;
  let set = sharedLocal.get(keys);
  if (!set) {
    set = createLocalJWKSet(keys);
    sharedLocal.set(keys, set);
  }
  return set;
}
