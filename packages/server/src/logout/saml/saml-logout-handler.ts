// LogoutRequest and LogoutResponse at `/protocol/saml` (Redirect, POST, SOAP; saml.md §4, §8).
//   - A LogoutRequest from an SP ends the whole SSO session through LogoutService: OIDC clients
//     get logout tokens, other SAML SPs their LogoutRequests (SOAP outbox or the signed-out page),
//     and the requester a signed LogoutResponse (logout-response-out.ts).
//   - Which session: the SessionIndexes of the requesting SP only (Keycloak ends whatever session
//     a SessionIndex names, whoever asks, saml.md §8.8), under the request's NameID; and the
//     browser's own SSO session when it has this SP as a participant under that NameID.
//   - A LogoutResponse is a front-channel SP's answer, inside the signed-out page's iframe, to a
//     LogoutRequest we sent it (saml-logout-answer.ts).
// A message that cannot be authenticated gets a 400 page (or SOAP fault) and a LOGOUT_ERROR; an
// authenticated but invalid request gets a LogoutResponse with the SAML status; nothing is ended.
import { endSessionsAndWait } from '../end-and-wait.ts';
import { randomToken } from '../../crypto/random.ts';
import { clearCookie, readCookie, SESSION_COOKIE } from '../../http/cookies.ts';
import { htmlResponse } from '../../http/respond.ts';
import { type ContinueTo, loggedOutPageHeaders, renderLoggedOutPage } from '../endpoint/signed-out-page.ts';
import { type SignedOutDeps, signedOutResponse } from '../endpoint/signed-out-tail.ts';
import { newBrowserKey } from '../status/browser-key.ts';
import type { Client, Realm } from '../../realm/model.ts';
import { clearSessionStatusCookie } from '../../sessions/session-status-cookie.ts';
import { type AuthenticatedMessage, authenticateMessage, type InboundMessage } from '../../saml/inbound-message.ts';
import { samlFrontchannelFrames } from '../channels/saml-frontchannel/frames.ts';
import { logoutResponseFor, type OutboundLogoutResponse } from './logout-response-out.ts';
import { checkDestination, checkFreshness } from '../../saml/message-checks.ts';
import { readLogoutRequest } from '../../saml/read-logout-request.ts';
import { type SamlClientSettings, samlSettingsOf } from '../../saml/saml-client.ts';
import { STATUS } from '../../saml/saml-constants.ts';
import { SamlError } from '../../saml/saml-errors.ts';
import { soapFault } from '../../saml/soap-envelope.ts';
import { frontchannelAnswerError, handleFrontchannelAnswer } from '../channels/saml-frontchannel/answer.ts';
import { recordSamlError, samlErrorPage } from '../../saml/endpoint/saml-error-page.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type {
  UsesDeliveryWorker,
  UsesLogout,
  UsesLogoutWait,
  UsesSeenLogoutRequests,
  UsesSentLogoutRequests,
} from '../capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesSamlKeys } from '../../saml/capabilities.ts';
import type { UsesClientSessions, UsesSsoSessions } from '../../sessions/capabilities.ts';

/** What handling a SAML logout message uses. */
export type SamlLogoutDeps = SignedOutDeps &
  UsesClientSessions &
  UsesDeliveryWorker &
  UsesEvents &
  UsesLog &
  UsesLogout &
  UsesLogoutWait &
  UsesRealms &
  UsesSamlKeys &
  UsesSentLogoutRequests &
  UsesSeenLogoutRequests &
  UsesSsoSessions &
  UsesUrls;

const SOAP_HEADERS = { 'Content-Type': 'text/xml; charset=utf-8', 'Cache-Control': 'no-store' };

export async function handleSamlLogoutMessage(
  ctx: SamlLogoutDeps,
  realm: Realm,
  req: Request,
  msg: InboundMessage,
  ip: string | null,
): Promise<Response> {
  const kindError = msg.kind === 'LogoutResponse' ? 'invalid_logout_response' : 'invalid_logout_request';
  let client: Client | undefined;
  let settings: SamlClientSettings;
  let auth: AuthenticatedMessage;
  try {
    client = msg.unverifiedIssuer ? await ctx.realms.clientByClientId(realm.id, msg.unverifiedIssuer) : undefined;
    if (!client || client.protocol !== 'saml')
      throw new SamlError('invalid_message', 'client_not_found', 'Issuer is not a SAML client of this realm', {
        detail: msg.unverifiedIssuer ?? '(none)',
      });
    settings = samlSettingsOf(client);
    if (!settings.enabled) throw new SamlError('invalid_message', 'client_disabled', 'the SAML client is disabled');
    auth = authenticateMessage(msg, {
      entityId: settings.entityId,
      requireSignature: settings.requireClientSignature,
      signatureAlgorithm: settings.signatureAlgorithm,
      certificate: settings.certificate,
    });
  } catch (err) {
    if (!(err instanceof SamlError)) throw err;
    // Not authenticated: the SP cannot be answered in SAML (its URL would be the attacker's word).
    const refused =
      err.eventError === 'invalid_request'
        ? new SamlError(err.code, kindError, err.description, { detail: err.detail })
        : err;
    const facts = { event: 'LOGOUT_ERROR' as const, ip, clientId: client?.clientId ?? null };
    if (msg.binding === 'soap') {
      await recordSamlError(ctx, realm, refused, facts);
      return new Response(soapFault(refused.description), { status: 400, headers: SOAP_HEADERS });
    }
    // A LogoutResponse in the browser is in a signed-out page's iframe: that page hears it is in.
    if (msg.kind === 'LogoutResponse') {
      await recordSamlError(ctx, realm, refused, facts);
      return frontchannelAnswerError(refused);
    }
    return samlErrorPage(ctx, realm, refused, facts);
  }
  if (msg.kind === 'LogoutResponse') return handleFrontchannelAnswer(ctx, realm, client, settings, auth, ip);
  return handleLogoutRequest(ctx, realm, req, client, settings, auth, ip);
}

async function handleLogoutRequest(
  ctx: SamlLogoutDeps,
  realm: Realm,
  httpReq: Request,
  client: Client,
  settings: SamlClientSettings,
  auth: AuthenticatedMessage,
  ip: string | null,
): Promise<Response> {
  const issuer = ctx.urls.issuer(realm.name);
  const viaSoap = auth.binding === 'soap';
  const key = await ctx.samlKeys.signingKey(realm);
  const now = Date.now();
  let requestId: string | null = null;
  try {
    const request = readLogoutRequest(auth);
    requestId = request.id;
    checkDestination('LogoutRequest', request.destination, `${issuer}/protocol/saml`, auth.signed);
    const keepUntil = checkFreshness('LogoutRequest', request.issueInstant, request.notOnOrAfter, now);
    // saml.md §8.8: a LogoutRequest is good once.
    if (!(await ctx.samlSeenRequests.firstSight(realm.id, client.id, request.id, keepUntil, now))) {
      throw new SamlError(
        'invalid_message',
        'invalid_logout_request',
        'this LogoutRequest was already received (replay)',
        { subStatus: STATUS.requestDenied },
      );
    }

    const toEnd = new Set<string>();
    // Only this SP's SessionIndexes, under the NameID it names (Core §3.7.3.1).
    if (request.sessionIndexes.length > 0) {
      for (const p of await ctx.clientSessions.findBySamlSessionIndex(realm.id, client.id, request.sessionIndexes)) {
        if (p.saml_name_id === request.nameId) toEnd.add(p.sso_session_id);
      }
    }
    // The browser's session, when this SP is its participant under this NameID (and SessionIndex).
    // An unsigned request (a client without saml.client.signature) must name one of its own
    // SessionIndexes, which are unguessable: else any page could log the browser out (logout
    // CSRF, saml.md §8.8; Profiles §4.4.3.1 wants these requests signed).
    const cookie = viaSoap ? undefined : await ctx.sessions.findByCookie(realm, readCookie(httpReq, SESSION_COOKIE));
    if (cookie && !toEnd.has(cookie.id) && (auth.signed || request.sessionIndexes.length > 0)) {
      const participants = await ctx.sessions.clientSessionsOf(cookie.id);
      const matches = participants.some(
        (p) =>
          p.client_id === client.id &&
          p.saml_name_id === request.nameId &&
          (request.sessionIndexes.length === 0 || request.sessionIndexes.includes(p.saml_session_index ?? '')),
      );
      if (matches) toEnd.add(cookie.id);
    }
    // The answer to the requester is where the browser's signed-out page continues: built first,
    // so the logout keeps it (a reload of that page without scripts still offers it).
    const answer = logoutResponseFor({
      issuer,
      settings,
      inResponseTo: request.id,
      viaSoap,
      relayState: auth.relayState,
      key,
    });
    const continueTo = continueToOf(answer);
    const browserKey = viaSoap ? undefined : newBrowserKey();
    // As for OIDC: every back-channel receiver has had its first attempt before the answer, within a bound.
    const result = await endSessionsAndWait(
      ctx,
      realm,
      [...toEnd],
      'saml_sp_initiated',
      {
        ipAddress: ip,
        clientId: client.clientId,
        samlRequester: client.id,
        startedBy: 'user',
        ...(browserKey ? { browserKey, continueTo: JSON.stringify(continueTo) } : {}),
      },
      viaSoap ? undefined : issuer,
    );
    if (viaSoap) return soapAnswer(answer);

    const headers = new Headers({ 'Cache-Control': 'no-store' });
    if (cookie && result.ended.includes(cookie.id)) {
      headers.append(
        'Set-Cookie',
        clearCookie(SESSION_COOKIE, { path: `${ctx.urls.realmPath(realm.name)}/`, secure: ctx.urls.secure }),
      );
      headers.append('Set-Cookie', clearSessionStatusCookie(ctx.urls, realm.name));
    }
    const samlFrames = await samlFrontchannelFrames(ctx, realm, result.samlFrontchannel, result.logoutId);
    return signedOutResponse(ctx, {
      realm,
      logoutId: result.logoutId,
      browserKey: browserKey ?? null,
      frontchannel: result.frontchannel,
      samlFrames,
      continueTo,
      headers,
    });
  } catch (err) {
    if (!(err instanceof SamlError)) throw err;
    await recordSamlError(ctx, realm, err, { event: 'LOGOUT_ERROR', ip, clientId: client.clientId });
    // Authenticated: the SP hears why, in SAML (Core §3.2.2.2); nothing was ended.
    const answer = logoutResponseFor({
      issuer,
      settings,
      inResponseTo: requestId ?? '_unknown',
      viaSoap,
      relayState: auth.relayState,
      key,
      status: err.status,
      subStatus: err.subStatus,
      message: err.description,
    });
    if (viaSoap) return soapAnswer(answer);
    return refusalAnswer(realm, answer);
  }
}

function soapAnswer(answer: OutboundLogoutResponse): Response {
  return new Response(answer?.binding === 'soap' ? answer.body : soapFault('no answer'), {
    status: 200,
    headers: SOAP_HEADERS,
  });
}

function continueToOf(answer: OutboundLogoutResponse): ContinueTo {
  return answer?.binding === 'redirect'
    ? answer.url
    : answer?.binding === 'post'
      ? { action: answer.action, fields: answer.fields }
      : null;
}

/** A refused LogoutRequest's LogoutResponse to the SP: a redirect, or the auto-submitted POST form. */
function refusalAnswer(realm: Realm, answer: OutboundLogoutResponse): Response {
  const continueTo = continueToOf(answer);
  if (typeof continueTo === 'string')
    return new Response(null, { status: 302, headers: { Location: continueTo, 'Cache-Control': 'no-store' } });
  const page = renderLoggedOutPage(realm, [], continueTo, randomToken(16));
  return htmlResponse(page.body, 200, { ...loggedOutPageHeaders(page, false), 'Cache-Control': 'no-store' });
}
