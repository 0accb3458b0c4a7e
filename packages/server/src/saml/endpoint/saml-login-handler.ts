// AuthnRequest at `/protocol/saml` (Web SSO Profile §4.1.4.1; saml.md §3, §8), in two phases.
//   1. Nothing is trusted yet: the Issuer must be a known, enabled SAML client; its signature
//      rules applied (Redirect: over the raw query; POST: enveloped; verified only with the
//      registered certificate, never KeyInfo); the ACS URL must be registered. A failure here is
//      an error page with a 400: a Response would go to an address nobody vouched for.
//   2. The ACS is trusted: Destination, freshness, NameIDPolicy and replay are checked, and a
//      failure is a SAML status Response to the ACS. Then the sign-in continues as for OIDC.
// A POSTed request arrives cross-site, so the browser withholds the SameSite=Lax session cookie:
// it is stored as a pending sign-in and the browser is sent on (303, a top-level GET, which
// carries the cookie) to protocol/saml/continue.
import { randomToken } from '../../crypto/random.ts';
import { LOGIN_BINDING_COOKIE, readCookie, setCookie } from '../../http/cookies.ts';
import { LOGIN_FORM_LIFETIME_MS } from '../../login/start-login.ts';
import type { Client, Realm } from '../../realm/model.ts';
import { authenticateMessage, type InboundMessage } from '../inbound-message.ts';
import { resolveAcsUrl } from '../login/acs-url.ts';
import { continueSamlLogin } from '../login/continue-saml-login.ts';
import { answerLoginError, type TrustedAcs } from '../login/login-error-response.ts';
import type { SamlPendingLogin } from '../login/saml-pending-login.ts';
import { checkDestination, checkFreshness } from '../message-checks.ts';
import { resolveNameIdFormat } from '../name-id.ts';
import { type AuthnRequest, readAuthnRequest } from '../read-authn-request.ts';
import { samlSettingsOf } from '../saml-client.ts';
import { BINDING, STATUS } from '../saml-constants.ts';
import { SamlError } from '../saml-errors.ts';
import { samlEndpointUrl } from './saml-descriptor.ts';
import { soapFault } from '../soap-envelope.ts';
import { recordSamlError, samlErrorPage } from './saml-error-page.ts';
import type { UsesAccessModel, UsesUserAccess } from '../../access/capabilities.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLog } from '../../log.ts';
import type { UsesPendingRequests } from '../../pending/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms } from '../../realm/capabilities.ts';
import type { UsesSamlKeys, UsesSeenAuthnRequests } from '../capabilities.ts';
import type { UsesClientSessions, UsesSsoSessions } from '../../sessions/capabilities.ts';

/** What handling an AuthnRequest uses. */
export type SamlLoginDeps = UsesAccessModel &
  UsesUserAccess &
  UsesClientSessions &
  UsesEvents &
  UsesLog &
  UsesPendingRequests &
  UsesRealms &
  UsesSeenAuthnRequests &
  UsesSamlKeys &
  UsesSsoSessions &
  UsesUrls;

export async function handleAuthnRequest(
  ctx: SamlLoginDeps,
  realm: Realm,
  req: Request,
  msg: InboundMessage,
  ip: string | null,
): Promise<Response> {
  const now = Date.now();
  if (msg.binding === 'soap') {
    // SOAP sign-in is the ECP profile (Profiles §4.2), which Sundown does not offer.
    const err = new SamlError('unexpected_message', 'invalid_authn_request', 'sign-in by SOAP (ECP) is not offered', {
      subStatus: STATUS.requestUnsupported,
    });
    await recordSamlError(ctx, realm, err, { event: 'LOGIN_ERROR', ip, clientId: eventClientId(msg.unverifiedIssuer) });
    return new Response(soapFault(err.description), {
      status: 400,
      headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  }
  let client: Client | undefined;
  let request: AuthnRequest;
  let acsUrl: string;
  let signed: boolean;
  try {
    client = await samlClientOf(ctx, realm, msg.unverifiedIssuer);
    const settings = samlSettingsOf(client);
    const authenticated = authenticateMessage(msg, {
      entityId: settings.entityId,
      requireSignature: settings.requireClientSignature,
      signatureAlgorithm: settings.signatureAlgorithm,
      certificate: settings.certificate,
    });
    signed = authenticated.signed;
    request = readAuthnRequest(authenticated);
    acsUrl = resolveAcsUrl(settings, request.assertionConsumerServiceUrl);
  } catch (err) {
    if (!(err instanceof SamlError)) throw err;
    return samlErrorPage(ctx, realm, err, {
      event: 'LOGIN_ERROR',
      ip,
      clientId: client?.clientId ?? eventClientId(msg.unverifiedIssuer),
    });
  }

  const target: TrustedAcs = { acsUrl, requestId: request.id, relayState: msg.relayState };
  try {
    const settings = samlSettingsOf(client);
    checkDestination('AuthnRequest', request.destination, samlEndpointUrl(ctx, realm), signed);
    const keepUntil = checkFreshness('AuthnRequest', request.issueInstant, null, now);
    checkProtocolBinding(request.protocolBinding);
    const nameIdFormat = resolveNameIdFormat(settings, request.nameIdPolicyFormat);
    // saml.md §8.8: an ID is accepted once; the insert decides, also between processes.
    if (!(await ctx.samlAuthnRequests.firstUse(realm.id, client.id, request.id, keepUntil, now))) {
      throw new SamlError('invalid_message', 'invalid_authn_request', 'this AuthnRequest was already used', {
        subStatus: STATUS.requestDenied,
      });
    }
    const pending: SamlPendingLogin = {
      protocol: 'saml',
      clientId: client.clientId,
      requestId: request.id,
      acsUrl,
      relayState: msg.relayState,
      nameIdFormat,
      forceAuthn: request.forceAuthn,
      isPassive: request.isPassive,
      loginHint: request.subjectNameId,
      binding: msg.binding === 'post' ? 'post' : 'redirect',
    };
    if (msg.binding === 'redirect') return await continueSamlLogin(ctx, realm, req, client, pending, null, ip, now);
    return await sendOnToContinue(ctx, realm, req, pending, now);
  } catch (err) {
    if (!(err instanceof SamlError)) throw err;
    return answerLoginError(ctx, realm, client, target, err, ip);
  }
}

/** An unverified Issuer as the event's clientId: what the request claimed, cut to a sane length. */
function eventClientId(issuer: string | null): string | null {
  return issuer === null ? null : issuer.slice(0, 255);
}

/** The client the unverified Issuer names; its key then decides whether the message counts. */
async function samlClientOf(ctx: UsesRealms, realm: Realm, issuer: string | null): Promise<Client> {
  if (issuer === null) throw new SamlError('invalid_message', 'invalid_issuer', 'the AuthnRequest has no Issuer');
  const client = await ctx.realms.clientByClientId(realm.id, issuer);
  if (!client || client.protocol !== 'saml')
    throw new SamlError('invalid_message', 'client_not_found', 'the Issuer is not a SAML client of this realm', {
      detail: issuer,
    });
  if (!client.enabled)
    throw new SamlError('invalid_message', 'client_disabled', 'the client is disabled', { detail: issuer });
  return client;
}

// Web SSO Profile §4.1.2: the Response goes by HTTP-POST (Sundown offers no Artifact or PAOS);
// an AuthnRequest asking for Redirect gets POST, which is what the profile allows.
function checkProtocolBinding(binding: string | null): void {
  if (binding === null || binding === BINDING.post || binding === BINDING.redirect) return;
  throw new SamlError(
    'invalid_message',
    'invalid_authn_request',
    'only the HTTP-POST binding is offered for the Response',
    {
      status: STATUS.responder,
      subStatus: 'urn:oasis:names:tc:SAML:2.0:status:UnsupportedBinding',
      detail: binding,
    },
  );
}

async function sendOnToContinue(
  ctx: UsesPendingRequests & UsesUrls,
  realm: Realm,
  req: Request,
  pending: SamlPendingLogin,
  now: number,
): Promise<Response> {
  const binding = readCookie(req, LOGIN_BINDING_COOKIE) ?? randomToken();
  const id = await ctx.pending.saveLogin(
    { realmId: realm.id, clientId: pending.clientId, request: pending, binding, lifetimeMs: LOGIN_FORM_LIFETIME_MS },
    now,
  );
  const cookie = setCookie(LOGIN_BINDING_COOKIE, binding, {
    path: `${ctx.urls.realmPath(realm.name)}/`,
    maxAgeSeconds: LOGIN_FORM_LIFETIME_MS / 1000,
    secure: ctx.urls.secure,
  });
  const location = `${ctx.urls.realmPath(realm.name)}/protocol/saml/continue?id=${encodeURIComponent(id)}`;
  return new Response(null, {
    status: 303,
    headers: { Location: location, 'Set-Cookie': cookie, 'Cache-Control': 'no-store' },
  });
}
