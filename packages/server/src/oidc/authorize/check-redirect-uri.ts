// Step 2 — redirect_uri must be one the client registered (RFC 6749 §3.1.2.3, OIDC Core
// §3.1.2.1: exact string match). Keycloak's trailing `*` wildcard is honoured for imported
// configurations.
import { InvalidRequest } from '../../errors.ts';
import type { Params } from '../../http/params.ts';
import type { Client } from '../../realm/model.ts';

export function matchesRegistered(uri: string, registered: readonly string[]): boolean {
  return registered.some((r) =>
    r.endsWith('*') ? uri.startsWith(r.slice(0, -1)) && !uri.includes('#') : r === uri,
  );
}

export function checkRedirectUri(client: Client, params: Params): string {
  const uri = params.require('redirect_uri');
  if (!matchesRegistered(uri, client.redirectUris))
    throw new InvalidRequest('Invalid parameter: redirect_uri');
  return uri;
}
