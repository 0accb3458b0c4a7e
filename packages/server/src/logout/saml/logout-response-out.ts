// The LogoutResponse Sundown sends to the SP whose LogoutRequest ended the session (Core §3.7.2,
// Profiles §4.4.3.4: signed), in a binding it takes: SOAP when it asked by SOAP; else Redirect
// whenever it has a Redirect SLO URL — also when Keycloak's `saml.force.post.binding` is on,
// since node-saml's POST LogoutResponse path always fails (node-saml#331, passport-saml#438,
// saml.md §6) — else POST, else its adminUrl by Redirect. No URL at all: there is nowhere to
// answer (Keycloak answers that with a 500, keycloak#51371); the caller shows the signed-out page.
import { buildLogoutResponse } from '../../saml/build-logout.ts';
import { encodeRedirectUrl } from '../../saml/redirect-binding.ts';
import type { SamlClientSettings } from '../../saml/saml-client-settings.ts';
import { STATUS } from '../../saml/saml-constants.ts';
import type { RealmSigningKey } from '../../saml/sign-enveloped.ts';
import { wrapSoap } from '../../saml/soap-envelope.ts';

export type OutboundLogoutResponse =
  | { binding: 'soap'; body: string }
  | { binding: 'redirect'; url: string }
  | { binding: 'post'; action: string; fields: Record<string, string> }
  | null;

export interface LogoutResponseOut {
  issuer: string;
  settings: SamlClientSettings;
  inResponseTo: string;
  viaSoap: boolean;
  relayState: string | null;
  key: RealmSigningKey;
  status?: string;
  subStatus?: string | null;
  message?: string | null;
  now?: number;
}

export function logoutResponseFor(o: LogoutResponseOut): OutboundLogoutResponse {
  const s = o.settings;
  const algorithm = s.signatureAlgorithm;
  const common = {
    issuer: o.issuer,
    inResponseTo: o.inResponseTo,
    now: o.now ?? Date.now(),
    status: o.status ?? STATUS.success,
    subStatus: o.subStatus ?? null,
    message: o.message ?? null,
  };
  if (o.viaSoap) {
    // Bindings §3.2: the answer is the HTTP response; signed as the client's server-signature setting says.
    const built = buildLogoutResponse({
      ...common,
      destination: null,
      signWith: s.signDocument ? { key: o.key, algorithm } : null,
    });
    return { binding: 'soap', body: wrapSoap(built.xml) };
  }
  const redirect = s.sloUrl.redirect ?? (s.sloUrl.post ? null : s.adminUrl);
  if (redirect) {
    const built = buildLogoutResponse({ ...common, destination: redirect, signWith: null });
    return {
      binding: 'redirect',
      url: encodeRedirectUrl({
        location: redirect,
        param: 'SAMLResponse',
        xml: built.xml,
        relayState: o.relayState,
        signWith: { privateKey: o.key.privateKey, algorithm },
      }),
    };
  }
  if (s.sloUrl.post) {
    const built = buildLogoutResponse({ ...common, destination: s.sloUrl.post, signWith: { key: o.key, algorithm } });
    const fields: Record<string, string> = { SAMLResponse: Buffer.from(built.xml, 'utf8').toString('base64') };
    if (o.relayState !== null) fields.RelayState = o.relayState;
    return { binding: 'post', action: s.sloUrl.post, fields };
  }
  return null;
}
