// A logout's live status for the browser that signed out (browser-key.ts):
//   GET …/protocol/openid-connect/logout/status?logout=ID      → JSON, polled by the signed-out page
//   GET …/protocol/openid-connect/logout/signed-out?logout=ID  → the signed-out page again, rendered
//     from the store, for a browser without scripts (it reloads itself while the logout settles)
// Any other browser, and an unknown id, get 404: the status of a logout is its user's business.
import { randomToken } from '../../crypto/random.ts';
import { NotFound } from '../../errors.ts';
import { htmlResponse, jsonResponse } from '../../http/respond.ts';
import type { Realm } from '../../realm/model.ts';
import type { LogoutTable } from '../../store/schema.ts';
import { type ContinueTo, loggedOutPageHeaders, renderLoggedOutPage } from '../endpoint/signed-out-page.ts';
import { holdsBrowserKey } from './browser-key.ts';
import { type LogoutStatusDeps, readLogoutStatus } from './logout-status.ts';
import { statusUrls } from './status-urls.ts';
import type { UsesLogoutStore } from '../capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';

export type LogoutStatusEndpointDeps = LogoutStatusDeps & UsesLogoutStore & UsesUrls;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function ownLogout(ctx: UsesLogoutStore, realm: Realm, req: Request): Promise<LogoutTable> {
  const id = new URL(req.url).searchParams.get('logout') ?? '';
  const row = UUID.test(id) ? await ctx.logouts.byId(realm.id, id) : undefined;
  if (!row || !holdsBrowserKey(req, row.browser_key_hash)) throw new NotFound('Logout not found');
  return row;
}

export async function logoutStatusEndpoint(
  ctx: LogoutStatusEndpointDeps,
  realm: Realm,
  req: Request,
): Promise<Response> {
  const row = await ownLogout(ctx, realm, req);
  return jsonResponse(await readLogoutStatus(ctx, row.id));
}

export async function signedOutAgainEndpoint(
  ctx: LogoutStatusEndpointDeps,
  realm: Realm,
  req: Request,
): Promise<Response> {
  const row = await ownLogout(ctx, realm, req);
  const status = await readLogoutStatus(ctx, row.id);
  const page = renderLoggedOutPage(realm, [], storedContinue(row.continue_to), randomToken(16), [], {
    status,
    ...statusUrls(ctx, realm.name, row.id),
  });
  return htmlResponse(page.body, 200, { ...loggedOutPageHeaders(page, false), 'Cache-Control': 'no-store' });
}

/** The continuation the logout kept (written by the signed-out tail), or none if it is not one. */
function storedContinue(json: string | null): ContinueTo {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as unknown;
    if (typeof v === 'string') return v;
    if (typeof v === 'object' && v !== null && typeof (v as { action?: unknown }).action === 'string') {
      const { action, fields } = v as { action: string; fields?: unknown };
      const ok = typeof fields === 'object' && fields !== null;
      const entries = ok ? Object.entries(fields).filter(([, x]) => typeof x === 'string') : [];
      return { action, fields: Object.fromEntries(entries) as Record<string, string> };
    }
  } catch {
    // Not one we wrote: no continuation.
  }
  return null;
}
