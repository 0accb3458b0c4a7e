// Where the Response goes (Core §3.4.1 AssertionConsumerServiceURL; saml.md §3, §8.7). A URL the
// AuthnRequest names must be registered for the client — in `redirectUris` (the OIDC matcher's
// rules, Keycloak `…/*` wildcards included, as RedirectUtils.verifyRedirectUri) or as its
// `saml_assertion_consumer_url_post` / `_redirect` attribute — or assertions would go to whoever
// wrote the request. Without one, the client's POST ACS attribute, else its adminUrl (Keycloak),
// else its single exact redirect URI. AssertionConsumerServiceIndex needs SP metadata, which
// Sundown does not import: an index alone falls back to the default the same way.
import { matchRedirectUri } from '../../oidc/redirect-uri-matcher.ts';
import type { SamlClientSettings } from '../saml-client-settings.ts';
import { SamlError } from '../saml-errors.ts';

export function resolveAcsUrl(settings: SamlClientSettings, requested: string | null): string {
  if (requested !== null) {
    if (requested === settings.acsUrl.post || requested === settings.acsUrl.redirect) return requested;
    const match = matchRedirectUri(requested, settings.redirectUris);
    if (match.ok) return match.uri;
    throw new SamlError(
      'invalid_message',
      'invalid_redirect_uri',
      'AssertionConsumerServiceURL is not registered for the client',
      {
        detail: `${requested}: ${match.reason}`,
      },
    );
  }
  const exact = settings.redirectUris.filter((u) => !u.endsWith('*'));
  const fallback = settings.acsUrl.post ?? settings.adminUrl ?? (exact.length === 1 ? exact[0]! : null);
  if (fallback === null)
    throw new SamlError(
      'invalid_message',
      'invalid_redirect_uri',
      'the AuthnRequest names no AssertionConsumerServiceURL and the client has no default',
    );
  return fallback;
}
