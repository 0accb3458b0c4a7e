// SAML SPs in the logout realm (helpers/logout-realm.ts) and what the SAML logout tests share:
// Keycloak-style SAML client JSON, the realm certificate as an SP reads it from our descriptor,
// and an SSO session's SAML participant recorded through the client-session store (as the login
// handler records it), for tests that do not log in through /protocol/saml.
import { X509Certificate } from 'node:crypto';
import { certificateToText } from '../../src/saml/certificate-text.ts';
import { newSessionIndex } from '../../src/saml/saml-ids.ts';
import type { Provider } from '../../src/provider.ts';
import { ISSUER } from './provider.ts';
import type { KeyPair } from './saml-fixtures.ts';

export const SAML_ENDPOINT = `${ISSUER}/protocol/saml`;
export const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

export interface SamlClientOptions {
  frontchannel: boolean;
  soap?: string;
  redirect?: string;
  post?: string;
  forcePost?: boolean;
  certificate: KeyPair;
  requireSignature?: boolean;
}

/** A SAML client as a Keycloak realm export writes it (saml.md §2). */
export function samlClient(entityId: string, o: SamlClientOptions): Record<string, unknown> {
  const attributes: Record<string, string> = {
    'saml.client.signature': String(o.requireSignature ?? true),
    'saml.signing.certificate': certificateToText(o.certificate.certificate),
    'saml.server.signature': 'true',
    'saml.assertion.signature': 'true',
    'saml.force.post.binding': String(o.forcePost ?? false),
  };
  if (o.soap) attributes.saml_single_logout_service_url_soap = o.soap;
  if (o.redirect) attributes.saml_single_logout_service_url_redirect = o.redirect;
  if (o.post) attributes.saml_single_logout_service_url_post = o.post;
  return {
    clientId: entityId,
    protocol: 'saml',
    frontchannelLogout: o.frontchannel,
    redirectUris: [`${new URL(o.redirect ?? o.soap ?? o.post ?? 'http://127.0.0.1/').origin}/saml/acs`],
    attributes,
  };
}

/** The realm's signing certificate, PEM, as an SP takes it from /protocol/saml/descriptor. */
export async function descriptorCertificate(
  fetcher: (url: string) => Promise<Response>,
  issuer = ISSUER,
): Promise<string> {
  const xml = await (await fetcher(`${issuer}/protocol/saml/descriptor`)).text();
  const b64 = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)?.[1];
  if (!b64) throw new Error(`no certificate in the descriptor:\n${xml.slice(0, 300)}`);
  return new X509Certificate(Buffer.from(b64, 'base64')).toString();
}

/** Makes `entityId` a SAML participant of the SSO session, with a fresh SessionIndex. */
export async function joinSession(
  t: { provider: Provider },
  ssoSessionId: string,
  entityId: string,
  nameId = 'alice',
  realmName = 'test',
): Promise<{ sessionIndex: string; nameId: string }> {
  const ctx = t.provider.ctx;
  const realm = (await ctx.realms.realmByName(realmName))!;
  const client = (await ctx.realms.clientByClientId(realm.id, entityId))!;
  const session = (await ctx.sessions.findLive(realm, ssoSessionId))!;
  const sessionIndex = newSessionIndex();
  await ctx.clientSessions.recordSamlParticipant(
    {
      ssoSessionId,
      realmId: realm.id,
      clientId: client.id,
      userId: session.userId,
      nameId,
      nameIdFormat: UNSPECIFIED,
      sessionIndex,
    },
    Date.now(),
  );
  return { sessionIndex, nameId };
}
