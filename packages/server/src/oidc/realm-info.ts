// Keycloak's public realm information at GET /realms/{realm} (PublicRealmResource, its
// PublishedRealmRepresentation): the realm's name, the public half of its active RS256 key, the
// token and account service base URLs and the realm's not-before time. keycloak-connect's
// `realm-public-key` and older adapters read it; a browser may too (any origin, as in Keycloak).
import { createPublicKey } from 'node:crypto';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { Realm } from '../realm/model.ts';
import type { UsesNotBefore } from '../tokens/capabilities.ts';

/** Keycloak's field names (PublishedRealmRepresentation's JSON properties). */
export interface PublishedRealm {
  realm: string;
  /** The active RS256 key as base64 DER SubjectPublicKeyInfo: a PEM body without its header lines. */
  public_key: string;
  'token-service': string;
  'account-service': string;
  'tokens-not-before': number;
}

/** GET /realms/{realm}: not cached (Keycloak's @NoCache), readable from any origin. */
export async function realmInfoEndpoint(
  ctx: UsesSigningKeys & UsesUrls & UsesNotBefore,
  realm: Realm,
): Promise<Response> {
  // The key this process signs RS256 tokens with (Keycloak: getActiveRsaKey), created on first use.
  const { kid } = await ctx.keys.activeKey(realm.id, 'RS256');
  const jwk = (await ctx.keys.jwks(realm.id)).keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`active RS256 key ${kid} of realm ${realm.name} is not published`);
  const der = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }).export({
    type: 'spki',
    format: 'der',
  });
  const issuer = ctx.urls.issuer(realm.name);
  const body: PublishedRealm = {
    realm: realm.name,
    public_key: der.toString('base64'),
    'token-service': `${issuer}/protocol/openid-connect`,
    'account-service': `${issuer}/account`,
    'tokens-not-before': await ctx.notBefore.ofRealm(realm.id),
  };
  return jsonResponse(body, 200, { 'Cache-Control': 'no-cache' });
}
