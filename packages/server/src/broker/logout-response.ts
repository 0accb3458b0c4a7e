// GET /realms/{realm}/broker/{alias}/endpoint/logout_response?state=…: the upstream sends the
// browser back after its own logout (RP-Initiated Logout 1.0 §3). The local session ended before
// the browser left, so there is nothing to end here: the state's continuation record says where
// the browser goes (the app's post_logout_redirect_uri with the app's own state). An unknown or
// used state is no error — the user is signed out either way — and gets the signed-out page.
import { readQueryOrForm } from '../http/params.ts';
import { htmlResponse } from '../http/respond.ts';
import type { Realm } from '../realm/model.ts';
import { html, page } from '../views/html.ts';
import type { UsesBrokerStates } from './capabilities.ts';
import type { LogoutContinuation } from './upstream-end-session.ts';

export async function upstreamLogoutResponse(
  ctx: UsesBrokerStates,
  realm: Realm,
  req: Request,
  alias: string,
): Promise<Response> {
  const params = await readQueryOrForm(req);
  const state = params.get('state');
  const record = state ? await ctx.brokerStates.take<LogoutContinuation>(state, realm.id, alias, 'logout') : undefined;
  if (record?.continueTo)
    return new Response(null, { status: 302, headers: { Location: record.continueTo, 'Cache-Control': 'no-store' } });
  const title = realm.displayName ?? realm.name;
  return htmlResponse(
    page('Signed out', html`<h1>You are signed out</h1><p>You are signed out of ${title}.</p>`),
    200,
    {
      'Cache-Control': 'no-store',
    },
  );
}
