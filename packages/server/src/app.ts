// HTTP routing: Keycloak's paths, each mapped to one endpoint function. Every response gets
// a request id and the transport security headers; every unexpected failure becomes a clean
// server_error.
import { type Context, Hono } from 'hono';
import { createAdminRoutes } from './admin/admin-routes.ts';
import { adminOpenApi } from './admin/openapi.ts';
import { addConsoleRoutes } from './admin/console-routes.ts';
import type { ProviderContext } from './context.ts';
import { newId } from './crypto/random.ts';
import type { CidrList } from './http/cidr.ts';
import { clientAddress } from './http/client-address.ts';
import { MethodNotAllowed, NotFound } from './errors.ts';
import { htmlError, jsonError, jsonResponse } from './http/respond.ts';
import { submitLogin } from './login/submit-login.ts';
import { confirmLogout } from './logout/confirm-logout.ts';
import { endSessionEndpoint } from './logout/end-session.ts';
import { authorizeEndpoint } from './oidc/authorize/endpoint.ts';
import { addCorsPolicies } from './oidc/cors-routes.ts';
import { discoveryDocument } from './oidc/discovery.ts';
import { introspectEndpoint } from './oidc/introspect.ts';
import { revokeEndpoint } from './oidc/revoke.ts';
import { loginStatusIframe, loginStatusIframeInit } from './oidc/session-iframes/login-status-iframe.ts';
import { thirdPartyCookiesStep1, thirdPartyCookiesStep2 } from './oidc/session-iframes/third-party-cookies.ts';
import { tokenEndpoint } from './oidc/token/endpoint.ts';
import { userinfoEndpoint } from './oidc/userinfo.ts';
import type { Realm } from './realm/model.ts';

type Env = { Variables: { realm: Realm; requestId: string } };

/** Endpoints a browser navigates to: an error there is a page, not JSON. */
const BROWSER_ENDPOINT = /\/(protocol\/openid-connect\/(auth|logout)|login-actions\/[\w-]+)\/?$/;

type Handler = (ctx: ProviderContext, realm: Realm, req: Request, ip: string | null) => Promise<Response>;

/** Keycloak's default: one year, subdomains included (RFC 6797 §6.1). */
export const HSTS = 'max-age=31536000; includeSubDomains';

export interface AppOptions {
  /** Peers whose X-Forwarded-For / Forwarded headers are believed (see http/client-address.ts). */
  trustedProxies: CidrList;
}

/** The socket peer's address, as @hono/node-server passes the Node request in `env`. */
function peerAddress(c: Context): string | null {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

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

  // Whatever an endpoint did not answer itself — e.g. the store went away mid-request, which
  // becomes 503 temporarily_unavailable — is answered here, in the endpoint's own format.
  app.onError((err, c) => {
    const log = ctx.log.child({ reqId: c.get('requestId') });
    return BROWSER_ENDPOINT.test(c.req.path) ? htmlError(log, err) : jsonError(log, err);
  });
  app.notFound(() => jsonError(ctx.log, new NotFound('Not found')));

  const realmRoutes = new Hono<Env>({ strict: false });
  realmRoutes.use('*', async (c, next) => {
    const name = c.req.param('realm') ?? '';
    const realm = await ctx.realms.realmByName(name);
    if (!realm?.enabled) return jsonError(ctx.log, new NotFound('Realm does not exist'));
    c.set('realm', realm);
    await next();
  });
  addCorsPolicies(realmRoutes, ctx);

  const route = (path: string, methods: string[], handler: Handler) => {
    realmRoutes.all(path, (c) => {
      if (!methods.includes(c.req.method)) {
        return jsonError(ctx.log, new MethodNotAllowed());
      }
      return handler(ctx, c.get('realm'), c.req.raw, clientAddress(peerAddress(c), c.req.raw.headers, options.trustedProxies));
    });
  };

  route('/.well-known/openid-configuration', ['GET'], async (ctx, realm) =>
    jsonResponse(discoveryDocument(ctx.urls, realm), 200, { 'Cache-Control': 'public, max-age=60' }),
  );
  route('/protocol/openid-connect/certs', ['GET'], async (ctx, realm) =>
    jsonResponse(await ctx.keys.jwks(realm.id), 200, {
      'Cache-Control': 'public, max-age=60',
      'Content-Type': 'application/jwk-set+json',
    }),
  );
  route('/protocol/openid-connect/auth', ['GET', 'POST'], authorizeEndpoint);
  route('/login-actions/authenticate', ['POST'], submitLogin);
  route('/protocol/openid-connect/logout', ['GET', 'POST'], endSessionEndpoint);
  route('/login-actions/logout-confirm', ['POST'], confirmLogout);
  route('/protocol/openid-connect/token', ['POST'], tokenEndpoint);
  route('/protocol/openid-connect/userinfo', ['GET', 'POST'], (ctx, realm, req) =>
    userinfoEndpoint(ctx, realm, req),
  );
  route('/protocol/openid-connect/revoke', ['POST'], revokeEndpoint);
  route('/protocol/openid-connect/token/introspect', ['POST'], (ctx, realm, req) =>
    introspectEndpoint(ctx, realm, req),
  );

  // Keycloak's iframe pages for browser apps (session monitoring, third-party-cookie probe).
  route('/protocol/openid-connect/login-status-iframe.html', ['GET'], (ctx, realm) => loginStatusIframe(ctx, realm));
  route('/protocol/openid-connect/login-status-iframe.html/init', ['GET'], (ctx, realm, req) => loginStatusIframeInit(ctx, realm, req));
  route('/protocol/openid-connect/3p-cookies/step1.html', ['GET'], (ctx, realm) => thirdPartyCookiesStep1(ctx, realm));
  route('/protocol/openid-connect/3p-cookies/step2.html', ['GET'], (ctx, realm) => thirdPartyCookiesStep2(ctx, realm));

  app.route(`${base}/realms/:realm`, realmRoutes);
  app.route(`${base}/admin/realms`, createAdminRoutes(ctx));
  const openapi = adminOpenApi(`${ctx.urls.publicUrl}${base}`);
  app.get(`${base}/admin/openapi.json`, () => jsonResponse(openapi, 200, { 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' }));
  addConsoleRoutes(app, ctx);
  app.get(`${base}/health`, () => jsonResponse({ status: 'UP' }));
  return app;
}
