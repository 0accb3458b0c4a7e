// GET /realms/{realm}/broker/{alias}/login?auth_request=…: the sign-in form's button for an
// upstream (or kc_idp_hint) sends the browser to the upstream's authorization endpoint with a
// fresh state, nonce and PKCE challenge (OIDC Core §3.1.2.1, RFC 7636 §4), kept single-use with the
// pending sign-in they continue (broker-state-store.ts).
import { createHash } from 'node:crypto';
import { InvalidRequest, NotFound } from '../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie } from '../http/cookies.ts';
import { readQueryOrForm } from '../http/params.ts';
import { randomToken } from '../crypto/random.ts';
import type { Realm } from '../realm/model.ts';
import type { UsesPendingRequests } from '../pending/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesBrokerStates, UsesIdentityProviders, UsesUpstreamMetadata } from './capabilities.ts';
import { brokerEndpoint } from './broker-urls.ts';

export type BrokerLoginDeps = UsesPendingRequests &
  UsesUrls &
  UsesIdentityProviders &
  UsesBrokerStates &
  UsesUpstreamMetadata;

/** What the callback needs of the sign-in it continues. */
export interface LoginState {
  authRequest: string;
  nonce: string;
  verifier: string;
}

export const BROKER_STATE_LIFETIME_MS = 10 * 60_000;

export const EXPIRED =
  'This sign-in page has expired or was opened in another browser. Return to the application and sign in again.';

export async function brokerLoginEndpoint(
  ctx: BrokerLoginDeps,
  realm: Realm,
  req: Request,
  alias: string,
): Promise<Response> {
  const idp = await ctx.identityProviders.byAlias(realm.id, alias);
  if (!idp?.enabled) throw new NotFound('Identity Provider not found');
  const params = await readQueryOrForm(req);
  const authRequest = params.require('auth_request');
  // The pending sign-in must be this browser's (login CSRF).
  const pending = await ctx.pending.findLogin<unknown>(realm.id, authRequest, readCookie(req, LOGIN_BINDING_COOKIE));
  if (!pending) throw new InvalidRequest(EXPIRED);
  const endpoints = await ctx.upstreamMetadata.endpoints(idp);
  const state = randomToken();
  const login: LoginState = { authRequest, nonce: randomToken(), verifier: randomToken() };
  await ctx.brokerStates.save(state, realm.id, idp.alias, 'login', login, BROKER_STATE_LIFETIME_MS);
  const target = new URL(endpoints.authorizationUrl);
  const q = target.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', idp.config.clientId);
  q.set('redirect_uri', brokerEndpoint(ctx.urls, realm.name, idp.alias));
  q.set(
    'scope',
    idp.config.defaultScope.split(/\s+/).includes('openid')
      ? idp.config.defaultScope
      : `openid ${idp.config.defaultScope}`,
  );
  q.set('state', state);
  q.set('nonce', login.nonce);
  // PKCE is always sent (RFC 9700 §2.1.1); an upstream without it ignores the parameters (RFC 7636 §5).
  q.set('code_challenge', createHash('sha256').update(login.verifier).digest('base64url'));
  q.set('code_challenge_method', 'S256');
  return new Response(null, { status: 302, headers: { Location: target.toString(), 'Cache-Control': 'no-store' } });
}
