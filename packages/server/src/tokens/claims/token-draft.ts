// OIDCAttributeMapperHelper.mapClaim on a token draft: a claim named `sub`, `azp`, `acr`,
// `auth_time` or `aud` sets the token's own property; the claims the server sets itself (`jti`,
// `typ`, `iat`, `exp`, `iss`, `scope`, `nonce`, `session_state`) are never overwritten; every
// other name goes into the claims at its path.
import { type Claims, isMultivalued, mapAttributeValue, putClaim, splitClaimPath } from './claim-path.ts';
import type { TokenDraft } from './mapper-kind.ts';

const SERVER_CLAIMS = new Set(['jti', 'typ', 'iat', 'exp', 'iss', 'scope', 'nonce', 'session_state']);

export function newDraft(): TokenDraft {
  return { claims: {}, audience: [] };
}

/** Maps `value` as the mapper's `claim.name` and `jsonType.label` say. */
export function mapClaim(draft: TokenDraft, config: Readonly<Record<string, string>>, value: unknown): void {
  const mapped = mapAttributeValue(config, value);
  if (mapped === null) return;
  const name = config['claim.name'];
  if (!name) return;
  setClaim(draft, splitClaimPath(name), mapped, isMultivalued(config));
}

/** Writes an already converted value at a claim path, with Keycloak's property setters. */
export function setClaim(draft: TokenDraft, path: readonly string[], value: unknown, multivalued: boolean): void {
  const first = path[0];
  if (first === undefined) return;
  if (PROPERTIES.has(first)) {
    // A property takes one level only; Keycloak ignores `sub.x` with a warning.
    if (path.length === 1) setProperty(draft, first, value);
    return;
  }
  putClaim(draft.claims as Claims, path, value, multivalued);
}

const PROPERTIES = new Set([...SERVER_CLAIMS, 'sub', 'azp', 'acr', 'auth_time', 'aud']);

function setProperty(draft: TokenDraft, name: string, value: unknown): void {
  switch (name) {
    case 'sub':
      draft.sub = String(value);
      return;
    case 'azp':
      draft.azp = String(value);
      return;
    case 'acr':
      draft.acr = String(value);
      return;
    case 'auth_time': {
      const n = Number(value);
      if (Number.isInteger(n)) draft.authTime = n;
      return;
    }
    case 'aud':
      for (const a of Array.isArray(value) ? value : [value]) draft.audience.push(String(a));
      return;
    default:
    // The server's own claims are never set by a mapper.
  }
}
