// The realm's public signing keys, served at the discovery document's jwks_uri (OIDC Discovery
// §3; RFC 7517 §5, media type §8.5). Caches may keep it a minute; a relying party that meets an
// unknown `kid` fetches it again.
import { jsonResponse } from '../http/respond.ts';
import type { Realm } from '../realm/model.ts';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';

/** GET /realms/{realm}/protocol/openid-connect/certs */
export async function certsEndpoint(ctx: UsesSigningKeys, realm: Realm): Promise<Response> {
  return jsonResponse(await ctx.keys.jwks(realm.id), 200, {
    'Cache-Control': 'public, max-age=60',
    'Content-Type': 'application/jwk-set+json',
  });
}
