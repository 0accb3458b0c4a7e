// `GET /realms/{realm}/protocol/saml/continue?id=…`: where a POSTed AuthnRequest continues once
// the browser navigates top-level and sends its cookies (saml-login-handler.ts). The pending
// sign-in must have been opened by this browser (binding cookie), as the login form's must.
import { LOGIN_BINDING_COOKIE, readCookie } from '../../http/cookies.ts';
import type { Realm } from '../../realm/model.ts';
import { continueSamlLogin } from '../login/continue-saml-login.ts';
import { isSamlPendingLogin } from '../login/saml-pending-login.ts';
import { SamlError } from '../saml-errors.ts';
import { samlErrorPage } from './saml-error-page.ts';
import type { UsesAccessModel, UsesUserAccess } from '../../access/capabilities.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type { UsesPendingRequests } from '../../pending/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesSamlKeys } from '../capabilities.ts';
import type { UsesClientSessions, UsesSsoSessions } from '../../sessions/capabilities.ts';

/** What the SAML login continuation endpoint uses. */
export type SamlLoginContinueDeps = UsesAccessModel &
  UsesUserAccess &
  UsesClientSessions &
  UsesEvents &
  UsesLog &
  UsesPendingRequests &
  UsesRealms &
  UsesSamlKeys &
  UsesSsoSessions &
  UsesUrls;

const EXPIRED =
  'This sign-in has expired or was opened in another browser. Return to the application and sign in again.';

export async function samlLoginContinue(
  ctx: SamlLoginContinueDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
): Promise<Response> {
  const id = new URL(req.url).searchParams.get('id') ?? '';
  const binding = readCookie(req, LOGIN_BINDING_COOKIE);
  const pending = id === '' ? undefined : await ctx.pending.findLogin<unknown>(realm.id, id, binding);
  const client = isSamlPendingLogin(pending)
    ? await ctx.realms.clientByClientId(realm.id, pending.clientId)
    : undefined;
  if (!isSamlPendingLogin(pending) || !client?.enabled || client.protocol !== 'saml' || binding === undefined) {
    return samlErrorPage(ctx, realm, new SamlError('invalid_message', 'invalid_request', EXPIRED), {
      event: 'LOGIN_ERROR',
      ip,
      clientId: client?.clientId ?? null,
    });
  }
  return continueSamlLogin(ctx, realm, req, client, pending, { id, binding }, ip);
}
