// `GET /realms/{realm}/protocol/saml/descriptor`: the realm's IdP metadata (SAML Metadata §2.4.3;
// saml.md §1): entityID = the realm URL, one signing KeyDescriptor per published RS256 key, and
// the `/protocol/saml` endpoint. `cacheDuration` from the realm attribute
// `saml.descriptor.cache.seconds`, as in Keycloak; HTTP caching follows it (default one minute,
// like the JWKS, so a rotated key is picked up soon).
import type { Realm } from '../../realm/model.ts';
import { buildIdpMetadata } from '../idp-metadata.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesSamlKeys } from '../capabilities.ts';

export const DESCRIPTOR_CACHE_ATTRIBUTE = 'saml.descriptor.cache.seconds';

export async function samlDescriptor(ctx: UsesSamlKeys & UsesUrls, realm: Realm): Promise<Response> {
  const keys = await ctx.samlKeys.published(realm);
  const raw = realm.attributes[DESCRIPTOR_CACHE_ATTRIBUTE];
  const cacheSeconds = raw !== undefined && /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : null;
  const xml = buildIdpMetadata({
    entityId: ctx.urls.issuer(realm.name),
    endpoint: samlEndpointUrl(ctx, realm),
    keys: keys.map((k) => ({ kid: k.kid, certificate: k.certificate })),
    wantAuthnRequestsSigned: true,
    cacheSeconds,
  });
  return new Response(xml, {
    status: 200,
    headers: {
      'Content-Type': 'application/samlmetadata+xml; charset=utf-8',
      'Cache-Control': `public, max-age=${cacheSeconds ?? 60}`,
    },
  });
}

/** `{base}/realms/{realm}/protocol/saml`: the Destination every inbound message must name. */
export function samlEndpointUrl(ctx: UsesUrls, realm: Pick<Realm, 'name'>): string {
  return `${ctx.urls.issuer(realm.name)}/protocol/saml`;
}
