// After an AuthnRequest has been accepted (saml-login-handler.ts): the SSO session the browser
// already has answers at once (Profiles §4.1.3.3), unless ForceAuthn asks for a fresh sign-in;
// IsPassive without such a session is Responder/NoPassive (Core §3.4.1); otherwise the same
// sign-in form as OIDC, which finishes with completeSamlLogin (login/submit-login.ts).
import { readCookie, SESSION_COOKIE } from '../../http/cookies.ts';
import { loginFormResponse, startLogin } from '../../login/start-login.ts';
import type { Client, Realm } from '../../realm/model.ts';
import { STATUS } from '../saml-constants.ts';
import { SamlError } from '../saml-errors.ts';
import { type CompleteSamlLoginDeps, completeSamlLogin } from './complete-saml-login.ts';
import { answerLoginError } from './login-error-response.ts';
import type { SamlPendingLogin } from './saml-pending-login.ts';
import type { UsesPendingRequests } from '../../pending/capabilities.ts';

/** What continuing a SAML login uses. */
export type ContinueSamlLoginDeps = CompleteSamlLoginDeps & UsesPendingRequests;

/** The stored pending sign-in this request continues (POST binding, via protocol/saml/continue). */
export interface StoredPending {
  id: string;
  binding: string;
}

export async function continueSamlLogin(
  ctx: ContinueSamlLoginDeps,
  realm: Realm,
  req: Request,
  client: Client,
  pending: SamlPendingLogin,
  stored: StoredPending | null,
  ip: string | null,
  now = Date.now(),
): Promise<Response> {
  const session = await ctx.sessions.findByCookie(realm, readCookie(req, SESSION_COOKIE), now);
  if (session && !pending.forceAuthn) {
    if (stored) await ctx.pending.deleteLogin(stored.id);
    return completeSamlLogin(ctx, realm, client, session, pending, ip, now);
  }
  if (pending.isPassive) {
    if (stored) await ctx.pending.deleteLogin(stored.id);
    const err = new SamlError(
      'invalid_message',
      'invalid_authn_request',
      'the user is not signed in and IsPassive forbids asking',
      {
        status: STATUS.responder,
        subStatus: STATUS.noPassive,
      },
    );
    return answerLoginError(
      ctx,
      realm,
      client,
      { acsUrl: pending.acsUrl, requestId: pending.requestId, relayState: pending.relayState },
      err,
      ip,
    );
  }
  if (stored) return loginFormResponse(ctx, realm, stored.id, stored.binding, pending.loginHint);
  return startLogin(
    ctx,
    realm,
    req,
    { clientId: client.clientId, request: pending, loginHint: pending.loginHint },
    now,
  );
}
