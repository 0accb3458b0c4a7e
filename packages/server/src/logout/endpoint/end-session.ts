// RP-initiated logout (RP-Initiated Logout 1.0 §2–4, standards §2): GET and POST of
// /realms/{realm}/protocol/openid-connect/logout, as the spec's sequence of checks.
import { InvalidRequest, OAuthError } from '../../errors.ts';
import { readCookie, SESSION_COOKIE } from '../../http/cookies.ts';
import { type Params, readQueryOrForm } from '../../http/params.ts';
import { htmlResponse } from '../../http/respond.ts';
import { matchPostLogoutRedirectUri, type RedirectUriMatch } from '../../oidc/redirect-uri-matcher.ts';
import { acceptsLegacyLogoutRedirectUri } from '../../realm/attributes.ts';
import type { Client, Realm } from '../../realm/model.ts';
import { logoutSettings } from '../client-logout-settings.ts';
import { type IdTokenHint, verifyIdTokenHint } from './id-token-hint.ts';
import { LegacyRedirectNotAccepted, matchLegacyRedirectUri } from './legacy-redirect.ts';
import { renderConfirmPage } from './logout-pages.ts';
import { finishLogout, logoutErrorPage } from './finish-logout.ts';
import type { LogoutRequest } from './logout-request.ts';
import { storePendingLogout } from './pending-logout.ts';
import type { UsesSigningKeys } from '../../crypto/capabilities.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type {
  UsesDeliveryStore,
  UsesDeliveryWorker,
  UsesLogout,
  UsesLogoutWait,
  UsesSentLogoutRequests,
} from '../capabilities.ts';
import type { UsesPendingRequests } from '../../pending/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesSamlKeys } from '../../saml/capabilities.ts';
import type { UsesSsoSessions } from '../../sessions/capabilities.ts';

/** What the end-session endpoint and its steps use. */
export type EndSessionDeps = UsesDeliveryStore &
  UsesDeliveryWorker &
  UsesEvents &
  UsesSigningKeys &
  UsesLog &
  UsesLogout &
  UsesLogoutWait &
  UsesPendingRequests &
  UsesRealms &
  UsesSamlKeys &
  UsesSentLogoutRequests &
  UsesSsoSessions &
  UsesUrls;

/** Where the logout may continue: at once (the client is proven), or after the user's click. */
interface Targets {
  proven: string | null;
  afterConfirm: string | null;
}
const NO_TARGET: Targets = { proven: null, afterConfirm: null };

/** Step 1 — a hint must be an ID token this realm signed (RPI §2). */
async function checkHint(
  ctx: UsesSigningKeys & UsesSsoSessions & UsesUrls,
  realm: Realm,
  params: Params,
): Promise<IdTokenHint | null> {
  const raw = params.get('id_token_hint');
  return raw ? verifyIdTokenHint(ctx, realm, raw) : null;
}

/** Step 2 — client_id, when sent with a hint, must be the hint's audience (RPI §2). */
async function checkClient(
  ctx: UsesRealms,
  realm: Realm,
  params: Params,
  hint: IdTokenHint | null,
): Promise<Client | null> {
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
 * where the realm opts in, and only to a registered redirect URI (legacy-redirect.ts). Both under
 * the strict rules of the shared matcher. Redirect at once only with a hint (RPI §3: the OP must
 * have confirmed the target's client); without one, only after the user confirmed.
 */
async function checkRedirect(
  ctx: UsesRealms,
  realm: Realm,
  params: Params,
  client: Client | null,
  hint: IdTokenHint | null,
): Promise<Targets> {
  const legacy = params.get('redirect_uri');
  const uri = params.get('post_logout_redirect_uri');
  let target: string;
  if (legacy !== undefined) {
    if (!acceptsLegacyLogoutRedirectUri(realm)) throw new LegacyRedirectNotAccepted();
    if (uri !== undefined) throw new InvalidRequest('Send either post_logout_redirect_uri or redirect_uri, not both');
    target = accepted(await matchLegacyRedirectUri(ctx, realm, legacy, client));
  } else {
    if (uri === undefined) return NO_TARGET;
    if (!client) throw new InvalidRequest('Missing parameters: id_token_hint');
    const settings = logoutSettings(client);
    target = accepted(
      matchPostLogoutRedirectUri(uri, {
        exact: settings.postLogoutRedirectUris,
        redirectUris: settings.postLogoutAllowsRedirectUris ? client.redirectUris : [],
      }),
    );
  }
  return hint ? { proven: target, afterConfirm: null } : { proven: null, afterConfirm: target };
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

export async function endSessionEndpoint(
  ctx: EndSessionDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
): Promise<Response> {
  let request: LogoutRequest;
  try {
    const params = await readQueryOrForm(req);
    const hint = await checkHint(ctx, realm, params);
    const client = await checkClient(ctx, realm, params, hint);
    const targets = await checkRedirect(ctx, realm, params, client, hint);
    // ui_locales and logout_hint are accepted; unsupported values are not errors (standards §2).
    request = {
      clientId: client?.clientId ?? null,
      redirectUri: targets.proven,
      confirmedRedirectUri: targets.afterConfirm,
      state: params.get('state') ?? null,
      hintSub: hint?.sub ?? null,
      hintSid: hint?.sid ?? null,
    };
  } catch (err) {
    return refused(ctx, realm, req, err, ip);
  }

  const session = await ctx.sessions.findByCookie(realm, readCookie(req, SESSION_COOKIE));
  // No browser session: nothing here to protect, end the hint's session if any — but a target
  // the request did not prove is reached only through the user's click.
  if (!session && !request.confirmedRedirectUri) return finishLogout(ctx, realm, request, undefined, ip);
  if (!session) return confirm(ctx, realm, req, request);
  // A valid hint for the browser's own user proves the request came from its RP.
  if (request.hintSub !== null && request.hintSub === session.userId)
    return finishLogout(ctx, realm, request, session, ip);
  // No valid hint, or a hint for another user (an attacker's own ID token in a link): ask the
  // user first (standards §2; CSRF-protected), as Keycloak does when the hint's session is not
  // the browser's.
  return confirm(ctx, realm, req, request);
}

async function confirm(
  ctx: UsesPendingRequests & UsesUrls,
  realm: Realm,
  req: Request,
  request: LogoutRequest,
): Promise<Response> {
  const pending = await storePendingLogout(ctx, realm, req, request);
  return htmlResponse(renderConfirmPage(realm, pending.action, pending.requestId), 200, {
    'Set-Cookie': pending.setCookie,
  });
}

/**
 * Errors are the route's to answer (html + LOGOUT_ERROR, http/route.ts), except one: the legacy
 * parameter without the realm's opt-in. The app has usually already ended its own session, so
 * when the browser's SSO session is still alive the page says so and offers to end it everywhere
 * (a CSRF-protected form), instead of leaving single sign-out silently broken.
 */
async function refused(
  ctx: UsesEvents & UsesLog & UsesPendingRequests & UsesSsoSessions & UsesUrls,
  realm: Realm,
  req: Request,
  err: unknown,
  ip: string | null,
): Promise<Response> {
  if (!(err instanceof LegacyRedirectNotAccepted)) throw err;
  const session = await ctx.sessions.findByCookie(realm, readCookie(req, SESSION_COOKIE));
  if (!session) throw err;
  const everywhere: LogoutRequest = {
    clientId: null,
    redirectUri: null,
    confirmedRedirectUri: null,
    state: null,
    hintSub: null,
    hintSid: null,
  };
  return logoutErrorPage(ctx, realm, err, ip, await storePendingLogout(ctx, realm, req, everywhere));
}
