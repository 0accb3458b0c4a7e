// Final step of a SAML sign-in — the user is authenticated in a live SSO session (saml.md §3;
// Keycloak SamlProtocol.authenticated): the signed Response with the NameID in the client's
// format and a fresh unguessable SessionIndex, the participant recorded in the SSO session (its
// client_session row, which logout reads), LOGIN, and the POST form to the ACS.
import { createHash } from 'node:crypto';
import type { Client, Realm } from '../../realm/model.ts';
import type { SsoSession } from '../../sessions/sso-session.ts';
import { buildLoginResponse } from '../build-response.ts';
import { nameIdFor } from '../name-id.ts';
import { samlSettingsOf } from '../saml-client.ts';
import { STATUS } from '../saml-constants.ts';
import { SamlError } from '../saml-errors.ts';
import { newSessionIndex } from '../saml-ids.ts';
import { postToAcs } from './acs-post.ts';
import { assertionAttributes } from './assertion-attributes.ts';
import { answerLoginError } from './login-error-response.ts';
import type { SamlPendingLogin } from './saml-pending-login.ts';
import type { UsesAccessModel, UsesUserAccess } from '../../access/capabilities.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesSamlKeys } from '../capabilities.ts';
import type { UsesClientSessions, UsesSsoSessions } from '../../sessions/capabilities.ts';

/** What completing a SAML login uses. */
export type CompleteSamlLoginDeps = UsesAccessModel &
  UsesUserAccess &
  UsesClientSessions &
  UsesEvents &
  UsesLog &
  UsesRealms &
  UsesSamlKeys &
  UsesSsoSessions &
  UsesUrls;

/** Keycloak's default access-code lifespan, the SubjectConfirmationData and default assertion lifetime. */
export const ACCESS_CODE_LIFESPAN_SECONDS = 60;

/** Answers the SP: the signed Response, or (for a failure now, e.g. no email for an email NameID) its error status. */
export async function completeSamlLogin(
  ctx: CompleteSamlLoginDeps,
  realm: Realm,
  client: Client,
  session: SsoSession,
  request: SamlPendingLogin,
  ipAddress: string | null,
  now = Date.now(),
  headers: Headers = new Headers(),
): Promise<Response> {
  try {
    return await signedResponse(ctx, realm, client, session, request, ipAddress, now, headers);
  } catch (err) {
    if (!(err instanceof SamlError)) throw err;
    const target = { acsUrl: request.acsUrl, requestId: request.requestId, relayState: request.relayState };
    return answerLoginError(
      ctx,
      realm,
      client,
      target,
      err,
      ipAddress,
      { userId: session.userId, sessionId: session.id },
      headers,
    );
  }
}

async function signedResponse(
  ctx: CompleteSamlLoginDeps,
  realm: Realm,
  client: Client,
  session: SsoSession,
  request: SamlPendingLogin,
  ipAddress: string | null,
  now: number,
  headers: Headers,
): Promise<Response> {
  const settings = samlSettingsOf(client);
  const user = await ctx.realms.userById(session.userId);
  if (!user?.enabled)
    throw new SamlError('invalid_message', 'invalid_authn_request', 'the user cannot sign in', {
      status: STATUS.responder,
      subStatus: STATUS.unknownPrincipal,
    });
  const nameId = nameIdFor(request.nameIdFormat, {
    username: user.username,
    email: user.email,
    persistentId: persistentNameId(client, user.id),
  });
  const sessionIndex = newSessionIndex();
  // Keycloak's SAML mappers: the roles of role_list's "role list" by default.
  const attributes = assertionAttributes(
    await ctx.accessModel.of(realm.id),
    client,
    user,
    await ctx.userAccess.grantsOf(user.id),
  );
  const response = buildLoginResponse({
    issuer: ctx.urls.issuer(realm.name),
    destination: request.acsUrl,
    inResponseTo: request.requestId,
    audience: client.clientId,
    nameId,
    sessionIndex,
    authnInstant: session.authTime,
    sessionNotOnOrAfter: session.startedAt + realm.ssoSessionMaxLifespan * 1000,
    now,
    assertionLifespan: settings.assertionLifespan ?? ACCESS_CODE_LIFESPAN_SECONDS,
    subjectLifespan: ACCESS_CODE_LIFESPAN_SECONDS,
    includeAuthnStatement: settings.includeAuthnStatement,
    oneTimeUse: settings.oneTimeUse,
    attributes,
    signing: {
      key: await ctx.samlKeys.signingKey(realm),
      algorithm: settings.signatureAlgorithm,
      document: settings.signDocument,
      assertion: settings.signAssertion,
    },
  });
  await ctx.clientSessions.recordSamlParticipant(
    {
      ssoSessionId: session.id,
      realmId: realm.id,
      clientId: client.id,
      userId: user.id,
      nameId: nameId.value,
      nameIdFormat: nameId.format,
      sessionIndex,
    },
    now,
  );
  await ctx.sessions.touch(session.id, now);
  await ctx.events.record({
    realmId: realm.id,
    type: 'LOGIN',
    clientId: client.clientId,
    userId: user.id,
    sessionId: session.id,
    ipAddress,
    details: { protocol: 'saml', binding: request.binding, acs_url: request.acsUrl, name_id_format: nameId.format },
  });
  return postToAcs(request.acsUrl, response.xml, request.relayState, headers);
}

/**
 * Core §8.3.7: a persistent NameID is an opaque, per-SP pseudonym that stays the same for the
 * user. Keycloak stores a random one as a user attribute; Sundown derives it from the internal
 * (random, never published) ids of client and user, so nothing is stored and SPs cannot
 * correlate users across each other.
 */
function persistentNameId(client: Client, userId: string): string {
  return `P-${createHash('sha256').update(`saml-persistent:${client.id}:${userId}`).digest('base64url')}`;
}
