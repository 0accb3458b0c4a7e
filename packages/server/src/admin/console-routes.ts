// Serves the admin console: one HTML page and its scripts and styles from packages/server/console,
// read once at start. The page signs in with the code flow and PKCE (client
// security-admin-console of the master realm) and then only calls the admin REST API.
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Env, Hono } from 'hono';
import { NotFound } from '../errors.ts';
import { EVENT_TYPES } from '../events/event-log.ts';
import { htmlResponse, jsonError } from '../http/respond.ts';
import { LOGOUT_TRIGGERS } from '../sessions/session-ender.ts';
import { DELIVERY_STATUSES } from '../store/schema.ts';
import { html, page as simplePage } from '../views/html.ts';
import { CONSOLE_CLIENT_ID, CONSOLE_OFF_HINT, MASTER_REALM } from './bootstrap.ts';
import type { UsesLog } from '../log.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesRealms } from '../realm/capabilities.ts';

const ASSET_DIR = new URL('../../console/', import.meta.url).pathname;
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Nothing external, no inline script, no framing: the console holds admin tokens.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function readAssets(): Map<string, { body: string; type: string }> {
  const assets = new Map<string, { body: string; type: string }>();
  for (const file of readdirSync(ASSET_DIR, { recursive: true, encoding: 'utf8' })) {
    const type = TYPES[extname(file)];
    if (type) assets.set(file.split('\\').join('/'), { body: readFileSync(join(ASSET_DIR, file), 'utf8'), type });
  }
  return assets;
}

/**
 * What /admin/ answers while there is no master realm (nobody set SUNDOWN_ADMIN_*): a page that
 * says how to turn the console on, instead of a sign-in that ends in the master realm's JSON 404.
 */
function consoleOffPage(consoleUrl: string): Response {
  const body = html`<h1>The admin console is off</h1>
    <p>This Sundown has no administrator yet, so there is no console at ${consoleUrl}.</p>
    <p>To turn it on, ${CONSOLE_OFF_HINT}. For example:</p>
    <p class="meta"><code>SUNDOWN_ADMIN_USERNAME=admin SUNDOWN_ADMIN_PASSWORD=change-me npx sundown start</code></p>
    <p class="meta">The demo (<code>npm start</code>) does this for you: sign in as admin / admin-password.</p>`;
  return htmlResponse(simplePage('Admin console is off', body));
}

export function addConsoleRoutes<E extends Env>(app: Hono<E>, ctx: UsesLog & UsesRealms & UsesUrls): void {
  const base = `${ctx.urls.relativePath}/admin`;
  const assets = readAssets();
  const master = (path: string) => ctx.urls.endpoint(MASTER_REALM, path);
  const config = {
    consoleUrl: ctx.urls.consoleUrl,
    apiBase: `${ctx.urls.publicUrl}${base}/realms`,
    issuer: ctx.urls.issuer(MASTER_REALM),
    authorizationEndpoint: master('auth'),
    tokenEndpoint: master('token'),
    endSessionEndpoint: master('logout'),
    clientId: CONSOLE_CLIENT_ID,
    // The server's own lists, so the console's filters never drift from them.
    eventTypes: EVENT_TYPES,
    deliveryStatuses: DELIVERY_STATUSES,
    logoutTriggers: LOGOUT_TRIGGERS,
  };
  // JSON inside <script type="application/json"> is data, not code; "<" is escaped so the
  // content cannot close the element.
  const page = readFileSync(join(ASSET_DIR, 'index.html'), 'utf8')
    .replace('{{CONFIG}}', JSON.stringify(config).replace(/</g, '\\u003c'))
    .replaceAll('{{ASSETS}}', `${base}/console`);

  // The router is not strict about the trailing slash, so this also serves /admin.
  app.get(base, async () => {
    // Looked up per request: the admin API may delete the master realm, a restart may create it.
    if (!(await ctx.realms.realmByName(MASTER_REALM))?.enabled) return consoleOffPage(ctx.urls.consoleUrl);
    return new Response(page, {
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS },
    });
  });
  app.get(`${base}/console/*`, (c) => {
    const asset = assets.get(c.req.path.slice(`${base}/console/`.length));
    if (!asset) return jsonError(ctx.log, new NotFound('Not found'));
    return new Response(asset.body, {
      headers: { 'Content-Type': asset.type, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS },
    });
  });
}
