// The single way the server reads a SAML client's settings (ACS and SLO URLs, signing flags,
// certificate, NameID format, front-channel flag): the stored client, in Keycloak's
// representation, parsed by saml-client-settings.ts. Realm import and the admin API refused
// anything that does not parse, so a failure here means a stored row older than a rule.
import type { Client } from '../realm/model.ts';
import { parseSamlClient, type SamlClientSettings } from './saml-client-settings.ts';
import { STATUS } from './saml-constants.ts';
import { SamlError } from './saml-errors.ts';

export type { SamlClientSettings };

// Client objects are read per request; the parse (certificate included) is done once each.
const memo = new WeakMap<Client, SamlClientSettings>();

export function samlSettingsOf(client: Client): SamlClientSettings {
  const known = memo.get(client);
  if (known) return known;
  if (client.protocol !== 'saml')
    throw new SamlError('invalid_message', 'client_not_found', 'not a SAML client', { detail: client.clientId });
  const parsed = parseSamlClient(
    {
      protocol: 'saml',
      clientId: client.clientId,
      enabled: client.enabled,
      redirectUris: client.redirectUris,
      rootUrl: client.rootUrl,
      adminUrl: client.adminUrl,
      frontchannelLogout: client.frontchannelLogout,
      attributes: client.attributes,
    },
    '$',
  );
  if (!parsed.ok) {
    throw new SamlError('invalid_message', 'client_not_found', 'the SAML client is misconfigured', {
      status: STATUS.responder,
      detail: parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    });
  }
  memo.set(client, parsed.settings);
  return parsed.settings;
}
