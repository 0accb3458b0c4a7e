// Step 2 — redirect_uri must be one the client registered (RFC 6749 §3.1.2.3, OIDC Core
// §3.1.2.1), under the strict rules of the shared matcher (Keycloak `…/*` wildcards included).
// Failures are shown to the user, never redirected (RFC 6749 §4.1.2.1).
import { InvalidRequest } from '../../errors.ts';
import type { Params } from '../../http/params.ts';
import type { Client } from '../../realm/model.ts';
import { matchRedirectUri } from '../redirect-uri-matcher.ts';
import { resolveRegisteredUris } from '../redirect-uri-pattern.ts';

/** `serverBase`: this server's public URL and relative path, for Keycloak's relative URIs. */
export function checkRedirectUri(client: Client, params: Params, serverBase: string): string {
  const registered = resolveRegisteredUris(client.redirectUris, client.rootUrl, serverBase);
  const match = matchRedirectUri(params.require('redirect_uri'), registered);
  if (!match.ok) throw new InvalidRequest('Invalid parameter: redirect_uri', `redirect_uri ${match.reason}`);
  return match.uri;
}
