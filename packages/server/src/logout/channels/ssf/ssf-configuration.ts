// Transmitter configuration metadata (SSF 1.0 §7): at `/.well-known/ssf-configuration` with the
// issuer's path appended (§7.2: `/.well-known/ssf-configuration/realms/{realm}`), and at the realm's
// own `/realms/{realm}/.well-known/ssf-configuration`, where Keycloak 26.7 serves it. A realm
// without `ssf.transmitterEnabled` has no transmitter: 404, as Keycloak.
import { NotFound } from '../../../errors.ts';
import { jsonResponse } from '../../../http/respond.ts';
import type { UsesUrls } from '../../../provider-urls.ts';
import type { Realm } from '../../../realm/model.ts';
import type { UsesSsfTransmitter } from '../../capabilities.ts';
import { transmitterEnabled } from './receiver-settings.ts';
import { DELIVERY_METHOD } from './ssf-names.ts';

export async function ssfConfigurationEndpoint(ctx: UsesUrls & UsesSsfTransmitter, realm: Realm): Promise<Response> {
  if (!transmitterEnabled(realm)) throw new NotFound('The realm has no Shared Signals transmitter');
  const issuer = ctx.urls.issuer(realm.name);
  const e = ctx.ssf.endpoints(realm);
  return Promise.resolve(
    jsonResponse(
      {
        spec_version: '1_0',
        issuer,
        jwks_uri: ctx.urls.endpoint(realm.name, 'certs'),
        delivery_methods_supported: [DELIVERY_METHOD.push, DELIVERY_METHOD.poll],
        configuration_endpoint: e.streams,
        status_endpoint: e.status,
        add_subject_endpoint: e.add,
        remove_subject_endpoint: e.remove,
        verification_endpoint: e.verify,
        // §7.1.1: the receiver authenticates with an OAuth 2.0 bearer token (client credentials).
        authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
        default_subjects: 'ALL',
      },
      200,
      { 'Cache-Control': 'public, max-age=60' },
    ),
  );
}
