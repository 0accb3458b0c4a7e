// Keycloak's "first broker login" when an account with the upstream's email or username already
// exists and the upstream is not trusted to prove it is the same person: the user proves it with
// that account's password (Keycloak's idp-username-password-form), then the upstream account is
// linked and the sign-in finishes. The form posts to /realms/{realm}/broker/{alias}/link with a
// single-use state naming the pending sign-in, the account and the upstream session; the password
// goes through the same throttled check as the sign-in form (login/authenticate-user.ts).
import { randomToken } from '../crypto/random.ts';
import { InvalidRequest, NotFound, TooManyRequests } from '../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie } from '../http/cookies.ts';
import { readForm } from '../http/params.ts';
import { htmlResponse } from '../http/respond.ts';
import type { RouteHandler } from '../http/route.ts';
import { authenticateUser, LoginFailed } from '../login/authenticate-user.ts';
import { type LoginCompletions, type PendingLogin, protocolOf } from '../login/login-completion.ts';
import type { Realm } from '../realm/model.ts';
import { html, page } from '../views/html.ts';
import type { UsesBrokerStates } from './capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import { type BrokerCallbackDeps, signInBrokered, type UpstreamSession } from './broker-callback.ts';
import { BROKER_STATE_LIFETIME_MS, EXPIRED } from './broker-login.ts';
import { linkOf } from './first-login.ts';
import type { IdentityProvider } from './identity-provider.ts';

/** What the password step continues. */
export interface LinkState {
  authRequest: string;
  userId: string;
  upstream: UpstreamSession;
  upstreamUsername: string | null;
}

/** The password form, with a fresh single-use state. */
export async function linkAccountPage(
  ctx: UsesBrokerStates & UsesUrls,
  realm: Realm,
  idp: IdentityProvider,
  link: LinkState,
  message: string,
  error: string | null,
  status: number,
): Promise<Response> {
  const state = randomToken();
  await ctx.brokerStates.save(state, realm.id, idp.alias, 'link', link, BROKER_STATE_LIFETIME_MS);
  const action = `${ctx.urls.realmPath(realm.name)}/broker/${encodeURIComponent(idp.alias)}/link`;
  const name = idp.displayName ?? idp.alias;
  const body = html`
<h1>Link your account</h1>
<p>${message}</p>
${error ? html`<div class="error" id="link-error" role="alert">${error}</div>` : null}
<form method="post" action="${action}" novalidate>
  <input type="hidden" name="link_state" value="${state}">
  <label for="password">Password of your account here, to link it to ${name}</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required autofocus ${error ? html`aria-describedby="link-error" aria-invalid="true"` : null}>
  <button type="submit">Link and sign in</button>
</form>`;
  return htmlResponse(page('Link your account', body), status, { 'Cache-Control': 'no-store' });
}

export function linkAccount<D extends BrokerCallbackDeps>(
  completions: LoginCompletions<D>,
  aliasOf: (req: Request) => string,
): RouteHandler<D> {
  return async (ctx, realm, req, ip, facts, addresses) => {
    const alias = aliasOf(req);
    const idp = await ctx.identityProviders.byAlias(realm.id, alias);
    if (!idp?.enabled) throw new NotFound('Identity Provider not found');
    const form = await readForm(req);
    const link = await ctx.brokerStates.take<LinkState>(form.require('link_state'), realm.id, alias, 'link');
    if (!link) throw new InvalidRequest(EXPIRED);
    const request = await ctx.pending.findLogin<PendingLogin>(
      realm.id,
      link.authRequest,
      readCookie(req, LOGIN_BINDING_COOKIE),
    );
    if (!request) throw new InvalidRequest(EXPIRED);
    const client = await ctx.realms.clientByClientId(realm.id, request.clientId);
    if (!client?.enabled || client.protocol !== protocolOf(request)) throw new InvalidRequest('Client not found');
    const account = await ctx.realms.userById(link.userId);
    if (!account) throw new InvalidRequest(EXPIRED);
    facts.clientId = client.clientId;
    facts.userId = account.id;
    const again = (error: string, status: number) =>
      linkAccountPage(
        ctx,
        realm,
        idp,
        link,
        'An account with the same email or username already exists here.',
        error,
        status,
      );
    let user;
    try {
      user = await authenticateUser(ctx, realm, {
        username: account.username,
        password: form.get('password') ?? '',
        ipAddress: ip,
        throttleAddresses: addresses,
        clientId: client.clientId,
      });
    } catch (err) {
      if (err instanceof LoginFailed)
        return again(err.reason === 'user_disabled' ? 'This account is disabled.' : 'Invalid password.', 401);
      if (err instanceof TooManyRequests) return again(err.description, 429);
      throw err;
    }
    await ctx.federatedIdentities.link(
      realm.id,
      linkOf(user.id, idp, { sub: link.upstream.sub, preferredUsername: link.upstreamUsername, email: null }),
      null,
    );
    await ctx.events.record({
      realmId: realm.id,
      type: 'FEDERATED_IDENTITY_LINK',
      clientId: client.clientId,
      userId: user.id,
      ipAddress: ip,
      details: { identity_provider: alias, identity_provider_identity: link.upstream.sub, proven_by: 'password' },
    });
    return signInBrokered(
      ctx,
      completions,
      { realm, req, ip, authRequest: link.authRequest, request, client, user },
      link.upstream,
    );
  };
}
