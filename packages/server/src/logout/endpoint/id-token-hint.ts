// id_token_hint (RPI §2): an ID token this realm signed — never `alg: none`, never someone
// else's key, and nothing else the realm signs (access tokens, logout tokens). An expired hint
// is accepted while its session is live or recently ended.
import { compactVerify, errors as joseErrors } from 'jose';
import { SUPPORTED_SIGNING_ALGS } from '../../crypto/signing-keys.ts';
import { OAuthError } from '../../errors.ts';
import type { Realm } from '../../realm/model.ts';
import { isStoreUnavailable } from '../../store/unavailable.ts';
import type { UsesSigningKeys } from '../../crypto/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesSsoSessions } from '../../sessions/capabilities.ts';

export interface IdTokenHint {
  sub: string;
  /** The client the ID token was issued to (azp, else the single aud). */
  clientId: string;
  audiences: string[];
  sid: string | null;
}

export class InvalidHint extends OAuthError {
  constructor(error: 'invalid_token' | 'session_expired', description: string, detail?: string) {
    super(error, 400, description, detail);
  }
}

/**
 * RFC 8725 §3.11 (explicit typing): ID tokens carry `typ: JWT` or none (OIDC Core §2); the
 * realm's access tokens are `at+jwt` (RFC 9068) and its logout tokens `logout+jwt` with an
 * `events` claim (BCL §2.4). Keycloak's own `typ` claim, when present, must say "ID".
 */
function checkIsIdToken(typ: string | undefined, payload: Record<string, unknown>): void {
  // RFC 7515 §4.1.9: typ is case-insensitive and may omit the "application/" prefix.
  if (typ !== undefined && !/^(application\/)?jwt$/i.test(typ))
    throw new Error(`a token of type "${typ}" is not an ID token`);
  if ('events' in payload) throw new Error('a token with events (a logout token) is not an ID token');
  if (payload.typ !== undefined && payload.typ !== 'ID')
    throw new Error('a token whose typ claim is not "ID" is not an ID token');
}

export async function verifyIdTokenHint(
  ctx: UsesSigningKeys & UsesSsoSessions & UsesUrls,
  realm: Realm,
  hint: string,
  now = Date.now(),
): Promise<IdTokenHint> {
  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(hint, await ctx.keys.verificationKeys(realm.id), {
      algorithms: [...SUPPORTED_SIGNING_ALGS],
    });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
    checkIsIdToken(verified.protectedHeader.typ, payload);
  } catch (err) {
    // Reading keys may need the store: its outage is not the hint's fault (answered 503).
    if (isStoreUnavailable(err)) throw err;
    const reason = err instanceof joseErrors.JOSEError ? err.code : String(err);
    throw new InvalidHint('invalid_token', 'Invalid parameter: id_token_hint', reason);
  }
  const audiences =
    typeof payload.aud === 'string'
      ? [payload.aud]
      : Array.isArray(payload.aud)
        ? payload.aud.filter((a): a is string => typeof a === 'string')
        : [];
  const azp = typeof payload.azp === 'string' ? payload.azp : audiences.length === 1 ? audiences[0] : undefined;
  if (
    payload.iss !== ctx.urls.issuer(realm.name) ||
    typeof payload.sub !== 'string' ||
    !azp ||
    typeof payload.exp !== 'number'
  ) {
    throw new InvalidHint(
      'invalid_token',
      'Invalid parameter: id_token_hint',
      'issuer, subject, audience or exp missing or wrong',
    );
  }
  const sid = typeof payload.sid === 'string' ? payload.sid : null;
  if (payload.exp * 1000 < now) {
    const recent = now - payload.exp * 1000 <= realm.ssoSessionMaxLifespan * 1000;
    const live = sid ? await ctx.sessions.findLive(realm, sid, now) : undefined;
    if (!recent && !live) throw new InvalidHint('session_expired', 'Session expired: id_token_hint is too old');
  }
  return { sub: payload.sub, clientId: azp, audiences, sid };
}
