// id_token_hint (RPI §2): an ID token this realm signed — never `alg: none`, never someone
// else's key. An expired hint is accepted while its session is live or recently ended.
import { compactVerify, errors as joseErrors } from 'jose';
import type { ProviderContext } from '../context.ts';
import { SUPPORTED_SIGNING_ALGS } from '../crypto/signing-keys.ts';
import { OAuthError } from '../errors.ts';
import type { Realm } from '../realm/model.ts';
import { isStoreUnavailable } from '../store/unavailable.ts';

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

export async function verifyIdTokenHint(ctx: ProviderContext, realm: Realm, hint: string, now = Date.now()): Promise<IdTokenHint> {
  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(hint, await ctx.keys.verificationKeys(realm.id), { algorithms: [...SUPPORTED_SIGNING_ALGS] });
    if (verified.protectedHeader.typ === 'at+jwt') throw new Error('an access token is not an ID token');
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch (err) {
    // Reading keys may need the store: its outage is not the hint's fault (answered 503).
    if (isStoreUnavailable(err)) throw err;
    const reason = err instanceof joseErrors.JOSEError ? err.code : String(err);
    throw new InvalidHint('invalid_token', 'Invalid parameter: id_token_hint', reason);
  }
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
  const azp = typeof payload.azp === 'string' ? payload.azp : audiences.length === 1 ? audiences[0] : undefined;
  if (payload.iss !== ctx.urls.issuer(realm.name) || typeof payload.sub !== 'string' || !azp || typeof payload.exp !== 'number') {
    throw new InvalidHint('invalid_token', 'Invalid parameter: id_token_hint', 'issuer, subject, audience or exp missing or wrong');
  }
  const sid = typeof payload.sid === 'string' ? payload.sid : null;
  if (payload.exp * 1000 < now) {
    const recent = now - payload.exp * 1000 <= realm.ssoSessionMaxLifespan * 1000;
    const live = sid ? await ctx.sessions.findLive(realm, sid, now) : undefined;
    if (!recent && !live) throw new InvalidHint('session_expired', 'Session expired: id_token_hint is too old');
  }
  return { sub: payload.sub, clientId: azp, audiences, sid };
}
