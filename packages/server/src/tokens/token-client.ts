// Whether the client a token was issued to still stands: it exists, is enabled and is an OpenID
// Connect client. Disabling or deleting a client ends its tokens at once — Keycloak refuses them
// at userinfo (UserInfoEndpoint: 401 invalid_token "Client not found", "Wrong client protocol",
// "Client disabled") and introspection (TokenManager.checkTokenValidForIntrospection:
// {"active": false}). Callers read the client through RealmRepository's cached, version-checked
// lookup, so a change from any process is seen by the next request and the check costs no
// statement of its own. Re-enabling the client makes its unexpired tokens valid again, as in
// Keycloak; not-before (logout-all, push revocation) is the way to end them for good.
import type { Client } from '../realm/model.ts';

/** Keycloak's error descriptions, public in the `invalid_token` answer. */
export type TokenClientProblem = 'Client not found' | 'Wrong client protocol' | 'Client disabled';

export type TokenClientCheck = { ok: true; client: Client } | { ok: false; problem: TokenClientProblem };

export function checkTokenClient(client: Client | undefined): TokenClientCheck {
  if (!client) return { ok: false, problem: 'Client not found' };
  if (client.protocol !== 'openid-connect') return { ok: false, problem: 'Wrong client protocol' };
  if (!client.enabled) return { ok: false, problem: 'Client disabled' };
  return { ok: true, client };
}
