// GET /realms/{realm}/broker/{alias}/endpoint?code&state: the upstream's authorization response
// (OIDC Core §3.1.2.5). In order: the single-use state of this browser's sign-in, the upstream's
// error if it sent one, the code exchange with the PKCE verifier, the ID token validated
// (upstream-id-token.ts), the user found, created or linked (first-login.ts), then the same
// session start as a password sign-in (login/submit-login.ts finishSignIn), with the upstream
// session (its sid and ID token) kept beside the local one for logout in both directions.
import { InvalidRequest, NotFound, OAuthError } from '../errors.ts';
import { LOGIN_BINDING_COOKIE, readCookie } from '../http/cookies.ts';
import { readQueryOrForm } from '../http/params.ts';
import type { RouteHandler } from '../http/route.ts';
import { type LoginCompletions, type PendingLogin, protocolOf } from '../login/login-completion.ts';
import { finishSignIn, type SubmitLoginDeps } from '../login/submit-login.ts';
import type { Client, Realm, User } from '../realm/model.ts';
import { type LinkState, linkAccountPage } from './link-account.ts';
import type { ErrorEventFacts } from '../http/route.ts';
import type {
  UsesBrokerSessions,
  UsesBrokerStates,
  UsesIdentityProviders,
  UsesUpstreamMetadata,
} from './capabilities.ts';
import { EXPIRED, type LoginState } from './broker-login.ts';
import { brokerEndpoint } from './broker-urls.ts';
import { BrokerLoginRefused, brokeredUser, type FirstLoginDeps } from './first-login.ts';
import { identityOf, UpstreamTokenInvalid, verifyUpstreamIdToken } from './upstream-id-token.ts';
import { userInfoClaims } from './upstream-userinfo.ts';
import { exchangeCode, UpstreamTokenError } from './upstream-token-request.ts';
import { UpstreamMetadataError } from './upstream-metadata.ts';

export type BrokerCallbackDeps = SubmitLoginDeps &
  FirstLoginDeps &
  UsesIdentityProviders &
  UsesBrokerStates &
  UsesBrokerSessions &
  UsesUpstreamMetadata;

/** A refusal shown as a page, recorded as IDENTITY_PROVIDER_LOGIN_ERROR by the route. */
class BrokerError extends OAuthError {
  constructor(error: string, description: string, detail?: string) {
    super(error, 400, description, detail);
  }
}

/** The callback of every upstream, finishing each request through its protocol's completion. */
export function brokerCallback<D extends BrokerCallbackDeps>(
  completions: LoginCompletions<D>,
  aliasOf: (req: Request) => string,
): RouteHandler<D> {
  return (ctx, realm, req, ip, facts) => callback(ctx, completions, realm, req, ip, facts, aliasOf(req));
}

async function callback<D extends BrokerCallbackDeps>(
  ctx: D,
  completions: LoginCompletions<D>,
  realm: Realm,
  req: Request,
  ip: string | null,
  facts: ErrorEventFacts,
  alias: string,
): Promise<Response> {
  const idp = await ctx.identityProviders.byAlias(realm.id, alias);
  if (!idp?.enabled) throw new NotFound('Identity Provider not found');
  facts.details = { identity_provider: alias };
  const params = await readQueryOrForm(req);
  const state = params.get('state');
  const login = state ? await ctx.brokerStates.take<LoginState>(state, realm.id, alias, 'login') : undefined;
  if (!login) throw new InvalidRequest(EXPIRED, 'unknown, used or expired broker state');
  const request = await ctx.pending.findLogin<PendingLogin>(
    realm.id,
    login.authRequest,
    readCookie(req, LOGIN_BINDING_COOKIE),
  );
  if (!request) throw new InvalidRequest(EXPIRED);
  const client = await ctx.realms.clientByClientId(realm.id, request.clientId);
  if (!client?.enabled || client.protocol !== protocolOf(request)) throw new InvalidRequest('Client not found');
  facts.clientId = client.clientId;

  const upstreamError = params.get('error');
  if (upstreamError !== undefined)
    throw new BrokerError(
      upstreamError === 'access_denied' ? 'access_denied' : 'identity_provider_error',
      `${idp.displayName ?? idp.alias} did not sign you in (${upstreamError}). Return to the application and try again.`,
    );
  const code = params.require('code');

  let identity, tokens;
  try {
    const endpoints = await ctx.upstreamMetadata.endpoints(idp);
    tokens = await exchangeCode(
      idp,
      endpoints.tokenUrl,
      code,
      brokerEndpoint(ctx.urls, realm.name, alias),
      login.verifier,
    );
    identity = await verifyUpstreamIdToken(ctx.upstreamMetadata, idp, endpoints.jwksUrl, tokens.idToken, login.nonce);
    if (endpoints.userInfoUrl && tokens.accessToken && idp.rawConfig.disableUserInfo !== 'true') {
      const extra = await userInfoClaims(endpoints.userInfoUrl, tokens.accessToken, identity.sub);
      identity = identityOf({ ...extra, ...identity.claims });
    }
  } catch (err) {
    if (
      err instanceof UpstreamTokenInvalid ||
      err instanceof UpstreamTokenError ||
      err instanceof UpstreamMetadataError
    )
      throw new BrokerError(
        'identity_provider_error',
        `Signing in with ${idp.displayName ?? idp.alias} failed. Return to the application and try again.`,
        err.message,
      );
    throw err;
  }

  const upstream: UpstreamSession = { alias, sid: identity.sid, sub: identity.sub, idToken: tokens.idToken };
  let found;
  try {
    found = await brokeredUser(ctx, realm, idp, identity, idp.storeToken ? JSON.stringify(tokens.raw) : null);
  } catch (err) {
    if (err instanceof BrokerLoginRefused && err.existingUser) {
      // The account exists and the upstream is not trusted to prove it is theirs: its password may.
      const link: LinkState = {
        authRequest: login.authRequest,
        userId: err.existingUser.id,
        upstream,
        upstreamUsername: identity.preferredUsername ?? identity.email,
      };
      return linkAccountPage(ctx, realm, idp, link, err.message, null, 200);
    }
    if (err instanceof BrokerLoginRefused) {
      facts.error = err.code;
      throw new BrokerError('invalid_request', err.message);
    }
    throw err;
  }
  facts.userId = found.user.id;
  await ctx.events.record({
    realmId: realm.id,
    type: found.how === 'linked' ? 'IDENTITY_PROVIDER_LOGIN' : 'IDENTITY_PROVIDER_FIRST_LOGIN',
    clientId: client.clientId,
    userId: found.user.id,
    ipAddress: ip,
    details: { identity_provider: alias, identity_provider_identity: identity.sub, how: found.how },
  });
  if (found.how === 'auto-linked')
    await ctx.events.record({
      realmId: realm.id,
      type: 'FEDERATED_IDENTITY_LINK',
      clientId: client.clientId,
      userId: found.user.id,
      ipAddress: ip,
      details: { identity_provider: alias, identity_provider_identity: identity.sub },
    });

  return signInBrokered(
    ctx,
    completions,
    { realm, req, ip, authRequest: login.authRequest, request, client, user: found.user },
    upstream,
  );
}

/** The upstream session a brokered sign-in keeps with the local one. */
export interface UpstreamSession {
  alias: string;
  sid: string | null;
  sub: string;
  idToken: string;
}

/**
 * The SSO session is started by the same code as a password sign-in; the upstream session is
 * recorded with it before the protocol's completion answers.
 */
export async function signInBrokered<D extends BrokerCallbackDeps>(
  ctx: D,
  completions: LoginCompletions<D>,
  s: {
    realm: Realm;
    req: Request;
    ip: string | null;
    authRequest: string;
    request: PendingLogin;
    client: Client;
    user: User;
  },
  upstream: UpstreamSession,
): Promise<Response> {
  const realm = s.realm;
  const recording = Object.fromEntries(
    Object.entries(completions).map(([protocol, complete]) => [
      protocol,
      async (c: D, signedIn: Parameters<typeof complete>[1]) => {
        await ctx.brokerSessions.record({
          ssoSessionId: signedIn.session.id,
          realmId: realm.id,
          alias: upstream.alias,
          upstreamSid: upstream.sid,
          upstreamSub: upstream.sub,
          idToken: upstream.idToken,
        });
        return complete(c, signedIn);
      },
    ]),
  ) as unknown as LoginCompletions<D>;
  return finishSignIn(ctx, recording, {
    realm,
    req: s.req,
    ip: s.ip,
    id: s.authRequest,
    request: s.request,
    client: s.client,
    user: s.user,
  });
}
