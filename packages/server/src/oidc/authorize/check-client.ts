// Step 1 — the client must exist, be enabled, and be allowed the code flow. Errors here are
// shown to the user, never redirected: the redirect URI is not yet trusted (RFC 6749 §4.1.2.1).
import { InvalidRequest, UnauthorizedClient } from '../../errors.ts';
import type { Params } from '../../http/params.ts';
import type { Client, Realm } from '../../realm/model.ts';
import type { RealmRepository } from '../../realm/repository.ts';

export async function checkClient(realms: RealmRepository, realm: Realm, params: Params): Promise<Client> {
  const clientId = params.require('client_id');
  const client = await realms.clientByClientId(realm.id, clientId);
  // A SAML client is not an OIDC client (it signs in at protocol/saml).
  if (!client?.enabled || client.protocol !== 'openid-connect') throw new InvalidRequest('Client not found', clientId);
  if (!client.standardFlowEnabled)
    throw new UnauthorizedClient('Client is not allowed to use the authorization code flow');
  return client;
}
