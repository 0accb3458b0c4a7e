// HTTP routing: Keycloak's paths, each mapped to one endpoint function. Every response gets
// a request id and the transport security headers; each endpoint declares how its errors are
// answered and recorded (http/route.ts), and every unexpected failure becomes a clean server_error.
import { Hono } from 'hono';
import { accountPageEndpoint } from './account/account-endpoint.ts';
import { wantsAccountApi } from './account/account-audience.ts';
import { createAdminRoutes } from './admin/admin-routes.ts';
import { adminOpenApi } from './admin/openapi.ts';
import { addConsoleRoutes } from './admin/console-routes.ts';
import type { ProviderContext } from './context.ts';
import { newId } from './crypto/random.ts';
import { NotFound } from './errors.ts';
import type { ProxyTrust } from './http/client-address.ts';
import { htmlError, jsonError, jsonResponse } from './http/respond.ts';
import { realmEndpoint, realmFallback, type RouteHandler, type RouteOptions } from './http/route.ts';
import { submitOtp } from './login/otp/submit-otp.ts';
import { denyOidcLogin } from './oidc/authorize/deny-login.ts';
import { submitRequiredAction } from './login/required-actions/submit-required-action.ts';
import { submitLogin } from './login/submit-login.ts';
import { actionTokenEndpoint } from './login/action-tokens/action-token-endpoint.ts';
import { forgotPasswordEndpoint } from './login/reset-credentials/forgot-password.ts';
import { registrationEndpoint } from './login/registration/register.ts';
import { handleSamlLogoutMessage } from './logout/saml/saml-logout-handler.ts';
import { confirmLogout } from './logout/endpoint/confirm-logout.ts';
import { endSessionEndpoint } from './logout/endpoint/end-session.ts';
import { logoutStatusEndpoint, signedOutAgainEndpoint } from './logout/status/status-endpoints.ts';
import { certsEndpoint } from './oidc/certs.ts';
import { ssfConfigurationEndpoint } from './logout/channels/ssf/ssf-configuration.ts';
import {
  pollEndpoint,
  streamsEndpoint,
  streamStatusEndpoint,
  subjectEndpoint,
  verificationEndpoint,
} from './logout/channels/ssf/stream-endpoints.ts';
import { completeOidcLogin } from './oidc/authorize/complete-login.ts';
import { authorizeEndpoint } from './oidc/authorize/endpoint.ts';
import {
  anyOrigin,
  bearerTokenClient,
  credentialsClient,
  logoutHintClient,
  webOriginsOf,
} from './oidc/cors-policies.ts';
import { discoveryEndpoint } from './oidc/discovery.ts';
import { introspectEndpoint } from './oidc/introspect.ts';
import { realmInfoEndpoint } from './oidc/realm-info.ts';
import { revokeEndpoint } from './oidc/revoke.ts';
import {
  loginStatusIframe,
  loginStatusIframeInit,
  loginStatusSession,
} from './oidc/session-iframes/login-status-iframe.ts';
import { thirdPartyCookiesStep1, thirdPartyCookiesStep2 } from './oidc/session-iframes/third-party-cookies.ts';
import { tokenEndpoint, tokenErrorEvent } from './oidc/token/endpoint.ts';
import { userinfoEndpoint } from './oidc/userinfo.ts';
import { accountProfileEndpoint } from './oidc/account-profile.ts';
import { samlDescriptor } from './saml/endpoint/saml-descriptor.ts';
import { samlEndpoint } from './saml/endpoint/saml-endpoint.ts';
import { samlLoginContinue } from './saml/endpoint/saml-login-continue.ts';
import { completeSamlSignIn } from './saml/login/complete-saml-sign-in.ts';
import { upstreamBackchannelLogout } from './broker/backchannel-logout-endpoint.ts';
import { brokerCallback } from './broker/broker-callback.ts';
import { brokerLoginEndpoint } from './broker/broker-login.ts';
import { aliasOfPath } from './broker/broker-urls.ts';
import { upstreamLogoutResponse } from './broker/logout-response.ts';
import { keycloakAdminLogout } from './broker/keycloak-admin-logout.ts';
import { linkAccount } from './broker/link-account.ts';

type Env = { Variables: { requestId: string } };

/** Keycloak's default: one year, subdomains included (RFC 6797 §6.1). */
export const HSTS = 'max-age=31536000; includeSubDomains';

/** Peers whose X-Forwarded-For / Forwarded headers are believed, and which one they write (see http/client-address.ts). */
export type AppOptions = ProxyTrust;

export function createApp(ctx: ProviderContext, options: AppOptions): Hono<Env> {
  const app = new Hono<Env>({ strict: false });
  const base = ctx.urls.relativePath;

  app.use('*', async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : newId();
    c.set('requestId', requestId);
    await next();
    c.res.headers.set('X-Request-Id', requestId);
    // On every response, API and pages alike: no MIME sniffing of JSON or HTML, and, when the
    // issuer is https, HSTS so browsers never fall back to http (RFC 6797; a browser ignores
    // the header over http, so it is sent only when the public URL is https).
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    if (ctx.urls.secure) c.res.headers.set('Strict-Transport-Security', HSTS);
    ctx.log.info(
      {
        reqId: requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });

  // Realm endpoints answer their own errors (http/route.ts); this is for the rest (admin
  // console assets, health), where an error is JSON.
  app.onError((err, c) => jsonError(ctx.log.child({ reqId: c.get('requestId') }), err));
  app.notFound(() => jsonError(ctx.log, new NotFound('Not found')));

  const realmRoutes = new Hono<Env>({ strict: false });
  // Each endpoint with its methods and its policy: the format errors are answered in, the event
  // a refused request records, and the CORS policy of the endpoints browser apps call
  // (oidc/cors-policies.ts), whose headers the endpoint's answers get, errors included.
  const route = (path: string, methods: string[], handler: RouteHandler<ProviderContext>, policy: RouteOptions) => {
    realmRoutes.all(path, realmEndpoint(ctx, options, methods, handler, policy));
  };
  const api = { errors: jsonError } as const;
  const page = { errors: htmlError } as const;

  // Keycloak's public realm information (PublicRealmResource): key, service URLs, not-before.
  route('/', ['GET'], realmInfoEndpoint, { ...api, cors: anyOrigin });
  route('/.well-known/openid-configuration', ['GET'], discoveryEndpoint, { ...api, cors: anyOrigin });
  route('/protocol/openid-connect/certs', ['GET'], certsEndpoint, { ...api, cors: anyOrigin });
  route('/protocol/openid-connect/auth', ['GET', 'POST'], authorizeEndpoint, page);
  // The one sign-in form finishes each protocol's request its own way (login/login-completion.ts).
  route(
    '/login-actions/authenticate',
    ['POST'],
    submitLogin<ProviderContext>({ 'openid-connect': completeOidcLogin, saml: completeSamlSignIn }),
    page,
  );
  // The one-time code of a user who has an OTP credential (login/otp/), after the password.
  route(
    '/login-actions/otp',
    ['POST'],
    submitOtp<ProviderContext>({ 'openid-connect': completeOidcLogin, saml: completeSamlSignIn }),
    page,
  );
  // A user's required actions (login/required-actions/), after the password and before the session.
  route(
    '/login-actions/required-action',
    ['POST'],
    submitRequiredAction<ProviderContext>(
      { 'openid-connect': completeOidcLogin, saml: completeSamlSignIn },
      { 'openid-connect': denyOidcLogin },
    ),
    page,
  );
  // "Forgot password?" and the links sent by email (Keycloak's reset-credentials and action-token).
  route('/login-actions/reset-credentials', ['GET', 'POST'], forgotPasswordEndpoint, page);
  // Self-registration (registrationAllowed), within the pending sign-in.
  route(
    '/login-actions/registration',
    ['GET', 'POST'],
    registrationEndpoint<ProviderContext>({ 'openid-connect': completeOidcLogin, saml: completeSamlSignIn }),
    page,
  );
  route(
    '/login-actions/action-token',
    ['GET', 'POST'],
    actionTokenEndpoint<ProviderContext>({ 'openid-connect': completeOidcLogin, saml: completeSamlSignIn }),
    page,
  );
  route('/protocol/openid-connect/logout', ['GET', 'POST'], endSessionEndpoint, {
    ...page,
    errorEvent: 'LOGOUT_ERROR',
    cors: webOriginsOf(logoutHintClient),
  });
  route('/login-actions/logout-confirm', ['POST'], confirmLogout, { ...page, errorEvent: 'LOGOUT_ERROR' });
  // `/account` serves two audiences, as Keycloak's does (account/account-audience.ts): the user's
  // own page (sessions, sign out here or elsewhere, recent sign-outs; account/) with the SSO cookie,
  // and the Account REST API keycloak-js loadUserProfile() reads, with a bearer token and CORS.
  const accountPage = realmEndpoint(ctx, options, ['GET', 'POST'], accountPageEndpoint, page);
  const accountApi = realmEndpoint(ctx, options, ['GET', 'POST'], accountProfileEndpoint, {
    ...api,
    cors: webOriginsOf(bearerTokenClient),
  });
  realmRoutes.all('/account', (c) => (wantsAccountApi(c.req.raw) ? accountApi(c) : accountPage(c)));
  // The live status of a logout, for the browser that signed out (logout/status/).
  route('/protocol/openid-connect/logout/status', ['GET'], logoutStatusEndpoint, api);
  route('/protocol/openid-connect/logout/signed-out', ['GET'], signedOutAgainEndpoint, page);
  route('/protocol/openid-connect/token', ['POST'], tokenEndpoint, {
    ...api,
    errorEvent: tokenErrorEvent,
    cors: webOriginsOf(credentialsClient),
  });
  route('/protocol/openid-connect/userinfo', ['GET', 'POST'], userinfoEndpoint, {
    ...api,
    cors: webOriginsOf(bearerTokenClient),
  });
  route('/protocol/openid-connect/revoke', ['POST'], revokeEndpoint, { ...api, cors: webOriginsOf(credentialsClient) });
  route('/protocol/openid-connect/token/introspect', ['POST'], introspectEndpoint, {
    ...api,
    cors: webOriginsOf(credentialsClient),
  });
  // Keycloak's iframe pages for browser apps (session monitoring, third-party-cookie probe).
  route('/protocol/openid-connect/login-status-iframe.html', ['GET'], loginStatusIframe, page);
  route('/protocol/openid-connect/login-status-iframe.html/init', ['GET'], loginStatusIframeInit, api);
  route('/protocol/openid-connect/login-status-iframe.html/session', ['GET'], loginStatusSession, api);
  route('/protocol/openid-connect/3p-cookies/step1.html', ['GET'], thirdPartyCookiesStep1, page);
  route('/protocol/openid-connect/3p-cookies/step2.html', ['GET'], thirdPartyCookiesStep2, page);
  // SAML 2.0 (issue 16): one endpoint for every binding and message (saml/endpoint/).
  route('/protocol/saml', ['GET', 'POST'], samlEndpoint<ProviderContext>(handleSamlLogoutMessage), {
    ...page,
    errorEvent: 'LOGIN_ERROR',
  });
  route('/protocol/saml/descriptor', ['GET'], samlDescriptor, api);
  route('/protocol/saml/continue', ['GET'], samlLoginContinue, { ...page, errorEvent: 'LOGIN_ERROR' });
  // The Shared Signals transmitter (issue 25, logout/channels/ssf/) at Keycloak 26.7's paths.
  route('/.well-known/ssf-configuration', ['GET'], ssfConfigurationEndpoint, { ...api, cors: anyOrigin });
  route('/ssf/transmitter/streams', ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'], streamsEndpoint, api);
  route('/ssf/transmitter/streams/status', ['GET', 'POST'], streamStatusEndpoint, api);
  route('/ssf/transmitter/subjects/add', ['POST'], subjectEndpoint(true), api);
  route('/ssf/transmitter/subjects/remove', ['POST'], subjectEndpoint(false), api);
  route('/ssf/transmitter/verify', ['POST'], verificationEndpoint, api);
  route('/ssf/transmitter/poll', ['POST'], pollEndpoint, api);
  // Identity brokering (issue 26, broker/): sign-in at an upstream, its callback, and the
  // upstream's back-channel logout (one endpoint for every upstream: the token's iss selects it).
  route('/broker/:alias/login', ['GET'], (c, realm, req) => brokerLoginEndpoint(c, realm, req, aliasOfPath(req)), {
    ...page,
    errorEvent: 'IDENTITY_PROVIDER_LOGIN_ERROR',
  });
  route(
    '/broker/:alias/endpoint',
    ['GET', 'POST'],
    brokerCallback<ProviderContext>({ 'openid-connect': completeOidcLogin, saml: completeSamlSignIn }, aliasOfPath),
    { ...page, errorEvent: 'IDENTITY_PROVIDER_LOGIN_ERROR' },
  );
  // An existing account proven by its password before the upstream account is linked to it.
  route(
    '/broker/:alias/link',
    ['POST'],
    linkAccount<ProviderContext>({ 'openid-connect': completeOidcLogin, saml: completeSamlSignIn }, aliasOfPath),
    { ...page, errorEvent: 'IDENTITY_PROVIDER_LOGIN_ERROR' },
  );
  route(
    '/broker/:alias/endpoint/logout_response',
    ['GET'],
    (c, realm, req) => upstreamLogoutResponse(c, realm, req, aliasOfPath(req)),
    page,
  );
  // keycloak-oidc upstreams: Keycloak's adapter logout action (a JWS LogoutAction).
  route(
    '/broker/:alias/endpoint/k_logout',
    ['POST'],
    (c, realm, req, ip, facts) => keycloakAdminLogout(c, realm, req, ip, facts, aliasOfPath(req)),
    { ...api, errorEvent: 'LOGOUT_ERROR' },
  );
  route('/protocol/openid-connect/logout/backchannel-logout', ['POST'], upstreamBackchannelLogout, {
    ...api,
    errorEvent: 'LOGOUT_ERROR',
  });
  realmRoutes.all('*', realmFallback(ctx));

  app.route(`${base}/realms/:realm`, realmRoutes);
  // SSF 1.0 §7.2: the metadata's well-known URI has the issuer's path appended after it.
  app.all(
    `/.well-known/ssf-configuration${base}/realms/:realm`,
    realmEndpoint(ctx, options, ['GET'], ssfConfigurationEndpoint, { ...api, cors: anyOrigin }),
  );
  app.route(`${base}/admin/realms`, createAdminRoutes(ctx));
  const openapi = adminOpenApi(`${ctx.urls.publicUrl}${base}`);
  app.get(`${base}/admin/openapi.json`, () =>
    jsonResponse(openapi, 200, { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' }),
  );
  addConsoleRoutes(app, ctx);
  app.get(`${base}/health`, () => jsonResponse({ status: 'UP' }));
  return app;
}
