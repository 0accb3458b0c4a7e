// RP-initiated logout (RP-Initiated Logout 1.0 §2–4, standards §2): GET and POST of
// /realms/{realm}/protocol/openid-connect/logout, as the spec's sequence of checks.
import type { ProviderContext } from '../../context.ts';
import { randomToken } from '../../crypto/random.ts';
import { InvalidRequest, OAuthError } from '../../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie, SESSION_COOKIE, setCookie } from '../../http/cookies.ts';
import { type Params, readQueryOrForm } from '../../http/params.ts';
import { htmlResponse } from '../../http/respond.ts';
import { matchPostLogoutRedirectUri, matchRedirectUri, type RedirectUriMatch } from '../../oidc/redirect-uri-matcher.ts';
import type { Client, Realm } from '../../realm/model.ts';
import { logoutSettings } from '../client-logout-settings.ts';
import { type IdTokenHint, verifyIdTokenHint } from './id-token-hint.ts';
import { renderConfirmPage } from './logout-pages.ts';
import { finishLogout, logoutErrorPage } from './finish-logout.ts';

export interface LogoutRequest {
  clientId: string | null;
  /** Set only when the request proved its client (a valid hint): we may redirect there. */
  redirectUri: string | null;
  state: string | null;
  hintSub: string | null;
  hintSid: string | null;
}

/** The realm's opt-in for the pre-2022 Keycloak `redirect_uri` parameter. */
export const LEGACY_REDIRECT_ATTRIBUTE = 'legacyLogoutRedirectUri';
const CONFIRM_LIFETIME_MS = 10 * 60_000;

/** Step 1 — a hint must be an ID token this realm signed (RPI §2). */
async function checkHint(ctx: ProviderContext, realm: Realm, params: Params): Promise<IdTokenHint | null> {
  const raw = params.get('id_token_hint');
  return raw ? verifyIdTokenHint(ctx, realm, raw) : null;
}

/** Step 2 — client_id, when sent with a hint, must be the hint's audience (RPI §2). */
async function checkClient(ctx: ProviderContext, realm: Realm, params: Params, hint: IdTokenHint | null): Promise<Client | null> {
  const clientId = params.get('client_id');
  if (clientId && hint && clientId !== hint.clientId && !hint.audiences.includes(clientId)) {
    throw new InvalidRequest('Invalid parameter: client_id', 'client_id does not match id_token_hint');
  }
  const id = hint?.clientId ?? clientId;
  if (!id) return null;
  const client = await ctx.realms.clientByClientId(realm.id, id);
  if (!client) throw new InvalidRequest('Invalid parameter: client_id');
  return client;
}

/**
 * Step 3 — where to go afterwards: post_logout_redirect_uri must exactly match one the client
 * registered, or one of its redirect URIs through `+` (RPI §3); the legacy redirect_uri only
 * where the realm opts in, and only to a registered redirect URI. Both under the strict rules of
 * the shared matcher. Never a redirect without a hint.
 */
function checkRedirect(realm: Realm, params: Params, client: Client | null, hint: IdTokenHint | null): string | null {
  const legacy = params.get('redirect_uri');
  const uri = params.get('post_logout_redirect_uri');
  if (legacy !== undefined) {
    if (realm.attributes[LEGACY_REDIRECT_ATTRIBUTE] !== 'true') {
      throw new InvalidRequest('Invalid parameter: redirect_uri. This realm does not accept the legacy redirect_uri parameter: send post_logout_redirect_uri together with id_token_hint instead.');
    }
    if (uri !== undefined) throw new InvalidRequest('Send either post_logout_redirect_uri or redirect_uri, not both');
    if (!client) throw new InvalidRequest('Missing parameters: id_token_hint or client_id');
    const target = accepted(matchRedirectUri(legacy, client.redirectUris));
    return hint ? target : null;
  }
  if (uri === undefined) return null;
  if (!client) throw new InvalidRequest('Missing parameters: id_token_hint');
  const settings = logoutSettings(client);
  const target = accepted(matchPostLogoutRedirectUri(uri, {
    exact: settings.postLogoutRedirectUris,
    redirectUris: settings.postLogoutAllowsRedirectUris ? client.redirectUris : [],
  }));
  return hint ? target : null;
}

function accepted(match: RedirectUriMatch): string {
  if (!match.ok) throw new InvalidRedirect(`redirect URI ${match.reason}`);
  return match.uri;
}

class InvalidRedirect extends OAuthError {
  constructor(detail: string) {
    super('invalid_redirect_uri', 400, 'Invalid redirect uri', detail);
  }
}

export async function endSessionEndpoint(ctx: ProviderContext, realm: Realm, req: Request, ip: string | null): Promise<Response> {
  let request: LogoutRequest;
  try {
    const params = await readQueryOrForm(req);
    const hint = await checkHint(ctx, realm, params);
    const client = await checkClient(ctx, realm, params, hint);
    const redirectUri = checkRedirect(realm, params, client, hint);
    // ui_locales and logout_hint are accepted; unsupported values are not errors (standards §2).
    request = {
      clientId: client?.clientId ?? null,
      redirectUri,
      state: params.get('state') ?? null,
      hintSub: hint?.sub ?? null,
      hintSid: hint?.sid ?? null,
    };
  } catch (err) {
    return logoutErrorPage(ctx, realm, err, ip);
  }

  const session = await ctx.sessions.findByCookie(realm, readCookie(req, SESSION_COOKIE));
  // No browser session: nothing here to protect, end the hint's session if any.
  if (!session) return finishLogout(ctx, realm, request, undefined, ip);
  // A valid hint for the browser's own user proves the request came from its RP.
  if (request.hintSub !== null && request.hintSub === session.userId) return finishLogout(ctx, realm, request, session, ip);
  // No valid hint, or a hint for another user (an attacker's own ID token in a link): ask the
  // user first (standards §2; CSRF-protected), as Keycloak does when the hint's session is not
  // the browser's.
  return confirm(ctx, realm, req, request);
}

async function confirm(ctx: ProviderContext, realm: Realm, req: Request, request: LogoutRequest): Promise<Response> {
  const now = Date.now();
  const binding = readCookie(req, LOGIN_BINDING_COOKIE) ?? randomToken();
  const id = await ctx.pending.saveLogout(realm.id, request, binding, CONFIRM_LIFETIME_MS, now);
  const cookie = setCookie(LOGIN_BINDING_COOKIE, binding, { path: `${ctx.urls.realmPath(realm.name)}/`, maxAgeSeconds: 1800, secure: ctx.urls.secure });
  return htmlResponse(renderConfirmPage(realm, `${ctx.urls.realmPath(realm.name)}/login-actions/logout-confirm`, id), 200, { 'Set-Cookie': cookie });
}
