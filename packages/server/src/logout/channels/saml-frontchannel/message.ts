// The LogoutRequest for one front-channel SAML participant, in the binding Keycloak would pick
// (SamlProtocol.getLogoutBindingTypeForClientSession, saml.md §4): POST when POST is forced and a
// POST SLO URL exists, or when only a POST URL exists; else Redirect (the binding node-saml takes),
// its URL falling back to the client's adminUrl. Always signed: Profiles §4.4.3.1 requires a
// signed LogoutRequest on the front channel (Redirect: query signature, Bindings §3.4.4.1; POST:
// enveloped, §3.5.4).
import { buildLogoutRequest } from '../../../saml/build-logout.ts';
import type { NameId } from '../../../saml/name-id.ts';
import { encodeRedirectUrl } from '../../../saml/redirect-binding.ts';
import type { SamlClientSettings } from '../../../saml/saml-client-settings.ts';
import type { RealmSigningKey } from '../../../saml/sign-enveloped.ts';

export type FrontchannelMessage =
  | { binding: 'redirect'; requestId: string; url: string }
  | { binding: 'post'; requestId: string; action: string; samlRequest: string };

export interface FrontchannelParticipant {
  nameId: NameId;
  sessionIndex: string | null;
}

/** The SLO URL and binding for a front-channel LogoutRequest, or null when the client has none. */
export function frontchannelBinding(s: SamlClientSettings): { binding: 'redirect' | 'post'; url: string } | null {
  const post = s.sloUrl.post;
  const redirect = s.sloUrl.redirect;
  if (post && (s.forcePostBinding || !redirect)) return { binding: 'post', url: post };
  if (redirect) return { binding: 'redirect', url: redirect };
  if (s.adminUrl) return { binding: 'redirect', url: s.adminUrl };
  return null;
}

export interface FrontchannelInput {
  issuer: string;
  settings: SamlClientSettings;
  participant: FrontchannelParticipant;
  key: RealmSigningKey;
  now: number;
  /** NotOnOrAfter, seconds (Keycloak: the access-code lifespan). */
  lifetime: number;
  relayState?: string | null;
}

export function buildFrontchannelMessage(input: FrontchannelInput): FrontchannelMessage | null {
  const target = frontchannelBinding(input.settings);
  if (!target) return null;
  const algorithm = input.settings.signatureAlgorithm;
  const base = {
    issuer: input.issuer,
    destination: target.url,
    nameId: input.participant.nameId,
    sessionIndexes: input.participant.sessionIndex ? [input.participant.sessionIndex] : [],
    now: input.now,
    lifetime: input.lifetime,
    reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
  };
  if (target.binding === 'post') {
    const built = buildLogoutRequest({ ...base, signWith: { key: input.key, algorithm } });
    return {
      binding: 'post',
      requestId: built.id,
      action: target.url,
      samlRequest: Buffer.from(built.xml, 'utf8').toString('base64'),
    };
  }
  const built = buildLogoutRequest({ ...base, signWith: null });
  const url = encodeRedirectUrl({
    location: target.url,
    param: 'SAMLRequest',
    xml: built.xml,
    relayState: input.relayState ?? null,
    signWith: { privateKey: input.key.privateKey, algorithm },
  });
  return { binding: 'redirect', requestId: built.id, url };
}
