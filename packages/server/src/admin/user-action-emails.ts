// PUT /admin/realms/{realm}/users/{id}/execute-actions-email (Keycloak's
// UserResource.executeActionsEmail): a mail with a signed single-use link that runs the named
// required actions (login/action-tokens/). Query `lifespan` (seconds; default the realm's
// actionTokenGeneratedByAdminLifespan), `client_id` and `redirect_uri` (where the user goes when
// done, which must be registered for that client); answers and messages as Keycloak's.
import { InvalidRequest, OAuthError } from '../errors.ts';
import { actionTokenLink, issueActionToken } from '../login/action-tokens/action-token.ts';
import { executeActionsMail } from '../mail/messages.ts';
import { MailNotSent } from '../mail/mailer.ts';
import { matchRedirectUri } from '../oidc/redirect-uri-matcher.ts';
import { resolveRegisteredUris } from '../oidc/redirect-uri-pattern.ts';
import { isRequiredAction } from '../realm/required-actions.ts';
import type { UserInRealm } from './admin-scope.ts';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';
import type { UsesMailer } from '../mail/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesRealms } from '../realm/capabilities.ts';

export type ActionEmailDeps = UsesMailer & UsesRealms & UsesSigningKeys & UsesUrls;

/** Keycloak's ErrorResponse.error shape: `{"errorMessage": …}` with the status. */
const refuse = (message: string, status = 400) => new OAuthError('invalid_request', status, message);

export async function executeActionsEmail(
  ctx: ActionEmailDeps,
  { realm, user }: UserInRealm,
  req: Request,
): Promise<Response> {
  const url = new URL(req.url);
  let actions: unknown;
  try {
    const text = await req.text();
    actions = text.trim() === '' ? [] : JSON.parse(text);
  } catch {
    throw new InvalidRequest('The body must be a JSON array of required action names');
  }
  if (!Array.isArray(actions) || !actions.every((a): a is string => typeof a === 'string'))
    throw new InvalidRequest('The body must be a JSON array of required action names');
  if (!actions.every(isRequiredAction)) throw refuse('Provided invalid required actions');

  // Keycloak's verifySendEmailParams, in its order.
  if (!user.email) throw refuse('User email missing');
  if (!user.enabled) throw refuse('User is disabled');
  const redirectUri = url.searchParams.get('redirect_uri');
  const clientId = url.searchParams.get('client_id');
  if (redirectUri !== null && clientId === null) throw refuse('Client id missing');
  const client = clientId !== null ? await ctx.realms.clientByClientId(realm.id, clientId) : null;
  if (clientId !== null && !client) throw refuse("Client doesn't exist");
  if (client && !client.enabled) throw refuse('Client is not enabled');
  if (redirectUri !== null && client) {
    const registered = resolveRegisteredUris(client.redirectUris, client.rootUrl, ctx.urls.baseUrl);
    if (!matchRedirectUri(redirectUri, registered).ok) throw refuse('Invalid redirect uri.');
  }
  const lifespanText = url.searchParams.get('lifespan');
  const lifespan =
    lifespanText === null
      ? realm.login.actionTokenGeneratedByAdminLifespan
      : /^\d{1,9}$/.test(lifespanText)
        ? Number(lifespanText)
        : NaN;
  if (!(lifespan > 0)) throw new InvalidRequest('lifespan must be a positive whole number of seconds');

  const jwt = await issueActionToken(
    ctx,
    realm,
    { kind: 'execute-actions', userId: user.id, email: user.email, actions, authRequest: null, clientId, redirectUri },
    lifespan,
  );
  const mail = executeActionsMail(
    user.email,
    realm.displayName ?? realm.name,
    actions,
    actionTokenLink(ctx, realm, jwt),
    lifespan,
  );
  try {
    await ctx.mailer.send(realm, mail);
  } catch (err) {
    if (err instanceof MailNotSent) throw refuse(`Failed to send execute actions email: ${err.message}`, 500);
    throw err;
  }
  return new Response(null, { status: 204 });
}
