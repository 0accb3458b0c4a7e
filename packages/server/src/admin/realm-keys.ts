// Keycloak's GET /admin/realms/{realm}/keys (KeyResource): the realm's published signing keys
// (KeysMetadataRepresentation) — which kid is active per algorithm, and for each key its type,
// status, public key (SPKI, base64) and, for RS256, the self-signed certificate SAML uses.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { isSigningAlg } from '../crypto/signing-keys.ts';
import type { UsesSigningKeys } from '../crypto/capabilities.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UsesSamlKeys } from '../saml/capabilities.ts';
import type { InRealm } from './admin-scope.ts';

export async function realmKeys(ctx: UsesSigningKeys & UsesSamlKeys, { realm }: InRealm): Promise<Response> {
  const published = (await ctx.keys.jwks(realm.id)).keys;
  const active: Record<string, string> = {};
  for (const alg of new Set(published.map((k) => k.alg ?? '')))
    if (isSigningAlg(alg)) active[alg] = (await ctx.keys.activeKey(realm.id, alg)).kid;
  const certificates = new Map(
    (await ctx.samlKeys.published(realm)).map((k) => [k.kid, k.certificate.raw.toString('base64')]),
  );
  const keys = published.map((jwk) => ({
    providerId: jwk.kty === 'EC' ? 'ecdsa-generated' : 'rsa-generated',
    providerPriority: 100,
    kid: jwk.kid,
    status: active[jwk.alg ?? ''] === jwk.kid ? 'ACTIVE' : 'PASSIVE',
    type: jwk.kty,
    algorithm: jwk.alg,
    publicKey: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'der' })
      .toString('base64'),
    ...(certificates.has(jwk.kid ?? '') ? { certificate: certificates.get(jwk.kid ?? '') } : {}),
    use: 'SIG',
  }));
  return jsonResponse({ active, keys });
}
