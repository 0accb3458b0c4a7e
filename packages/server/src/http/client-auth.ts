// Client authentication at the token, revocation and introspection endpoints:
// client_secret_basic, client_secret_post, and none for public clients (RFC 6749 §2.3).
import { safeEqual } from '../crypto/random.ts';
import { InvalidClient, InvalidRequest } from '../errors.ts';
import { realSecret } from '../realm/masked-values.ts';
import type { Client, Realm } from '../realm/model.ts';
import type { RealmRepository } from '../realm/repository.ts';
import type { Params } from './params.ts';

/** RFC 6749 §2.3 / OIDC Core §9 names; discovery lists these. */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type AuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

export interface AuthenticatedClient {
  client: Client;
  method: AuthMethod;
}

export function parseBasic(header: string): { id: string; secret: string } {
  const encoded = header.slice(6).trim();
  let decoded: string;
  try {
    decoded = Buffer.from(encoded, 'base64').toString('utf8');
  } catch {
    throw new InvalidClient('Malformed Basic credentials', true);
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('Malformed Basic credentials', true);
  let id: string;
  let secret: string;
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
  } catch {
    throw new InvalidClient('Malformed Basic credentials', true);
  }
  // No client id or secret contains U+0000 (and PostgreSQL cannot compare text holding one).
  if (id.includes('\u0000') || secret.includes('\u0000')) throw new InvalidClient('Malformed Basic credentials', true);
  return { id, secret };
}

export interface ClientAuthOptions {
  /**
   * Keycloak compatibility, for introspection only: keycloak-connect sends HTTP Basic *and* the
   * same client's `client_secret` in the body. Keycloak accepts it; RFC 6749 §2.3 says one method
   * per request. With this set, a body secret equal to the Basic secret is tolerated; any other
   * body secret is still refused.
   */
  keycloakBasicWithBodySecret?: boolean;
}

export async function authenticateClient(
  realms: RealmRepository,
  realm: Realm,
  req: Request,
  params: Params,
  options: ClientAuthOptions = {},
): Promise<AuthenticatedClient> {
  const header = req.headers.get('authorization');
  const basic = header && /^basic /i.test(header) ? parseBasic(header) : null;
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');

  // RFC 6749 §2.3: a client must not use more than one authentication method per request.
  const sameSecret =
    options.keycloakBasicWithBodySecret === true &&
    basic !== null &&
    bodySecret !== undefined &&
    safeEqual(bodySecret, basic.secret);
  if (basic && bodySecret !== undefined && !sameSecret)
    throw new InvalidRequest('Multiple client authentication methods');
  if (basic && bodyId !== undefined && bodyId !== basic.id)
    throw new InvalidRequest('client_id does not match the authenticated client');

  const clientId = basic?.id ?? bodyId;
  if (!clientId) throw new InvalidClient('Client authentication required', Boolean(header));
  const client = await realms.clientByClientId(realm.id, clientId);
  if (!client?.enabled || client.protocol !== 'openid-connect')
    throw new InvalidClient('Invalid client credentials', Boolean(basic), `unknown client ${clientId}`);

  if (client.publicClient) {
    if (basic || bodySecret !== undefined)
      throw new InvalidClient('Public clients must not send a secret', Boolean(basic));
    return { client, method: 'none' };
  }
  const secret = basic?.secret ?? bodySecret;
  if (secret === undefined) throw new InvalidClient('Client secret required', false);
  // A stored mask (an import before realm/masked-values.ts) is no secret: nothing matches it.
  const expected = realSecret(client.secret);
  if (expected === null || !safeEqual(secret, expected)) {
    throw new InvalidClient('Invalid client credentials', Boolean(basic), `bad secret for ${clientId}`);
  }
  return { client, method: basic ? 'client_secret_basic' : 'client_secret_post' };
}
