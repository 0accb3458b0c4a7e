// SAML clients as a Keycloak 26 export writes them, for realm imports in tests.
import { certificateToText } from '../../src/saml/certificate-text.ts';
import { ACS_URL, SP_ENTITY_ID, SP_SLO_URL, sp } from './saml-fixtures.ts';

/** A SAML client as a Keycloak 26 export writes it (trimmed to what matters). */
export function samlClientJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientId: SP_ENTITY_ID,
    protocol: 'saml',
    name: 'SP one',
    enabled: true,
    redirectUris: [ACS_URL],
    frontchannelLogout: true,
    publicClient: false,
    bearerOnly: false,
    fullScopeAllowed: true,
    protocolMappers: [],
    attributes: {
      'saml.signing.certificate': certificateToText(sp.certificate),
      'saml.client.signature': 'true',
      'saml.server.signature': 'true',
      'saml.assertion.signature': 'true',
      saml_name_id_format: 'username',
      saml_single_logout_service_url_redirect: SP_SLO_URL,
    },
    ...overrides,
  };
}
