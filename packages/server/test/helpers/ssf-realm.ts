// A realm that is a Shared Signals transmitter (as Keycloak 26.7 switches it on): the realm
// attribute, the `ssf.read` / `ssf.manage` client scopes, receivers with a service account and
// `ssf.enabled`, a client that is not a receiver, and an app users sign in to.
import {
  createLocalJWKSet,
  type JSONWebKeySet,
  jwtVerify,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { createPublicKey } from 'node:crypto';
import type { ProviderOptions } from '../../src/provider.ts';
import type { TestDatabase } from './databases.ts';
import { basic, form } from './oauth.ts';
import { ISSUER, OIDC, startTestProvider, TEST_REALM_JSON, type TestProvider } from './provider.ts';

const SCOPES = ['ssf.read', 'ssf.manage'];

function receiver(clientId: string, attributes: Record<string, string> = {}): Record<string, unknown> {
  return {
    clientId,
    secret: `${clientId}-secret`,
    serviceAccountsEnabled: true,
    standardFlowEnabled: false,
    attributes: { 'ssf.enabled': 'true', 'ssf.validPushUrls': 'http://127.0.0.1:*', ...attributes },
    optionalClientScopes: SCOPES,
  };
}

export function ssfRealmJson(extraUsers: Record<string, unknown>[] = []): unknown {
  const json = structuredClone(TEST_REALM_JSON) as Record<string, unknown> & {
    clients: Record<string, unknown>[];
    users: Record<string, unknown>[];
  };
  json.attributes = { 'ssf.transmitterEnabled': 'true' };
  json.clientScopes = SCOPES.map((name) => ({ name, protocol: 'openid-connect', attributes: {} }));
  json.clients.push(
    receiver('receiver-a'),
    receiver('receiver-b', { 'ssf.userSubjectFormat': 'email' }),
    receiver('receiver-none', { 'ssf.defaultSubjects': 'NONE' }),
    receiver('receiver-poll'),
    // A service account with the scopes, but not switched on as a receiver.
    { ...receiver('not-ssf'), attributes: {} },
    // A service account without the scopes.
    { clientId: 'no-scopes', secret: 'no-scopes-secret', serviceAccountsEnabled: true, standardFlowEnabled: false },
    {
      clientId: 'app',
      secret: 'app-secret',
      directAccessGrantsEnabled: true,
      redirectUris: ['https://app.example/cb'],
      attributes: { 'post.logout.redirect.uris': '+' },
    },
  );
  json.users.push(...extraUsers);
  return json;
}

export async function startSsfProvider(
  database: TestDatabase,
  options: Partial<ProviderOptions> = {},
  extraUsers: Record<string, unknown>[] = [],
): Promise<TestProvider> {
  // A second realm, `plain`, is no transmitter (no ssf.transmitterEnabled).
  return startTestProvider(database, options, [ssfRealmJson(extraUsers), { realm: 'plain', enabled: true }]);
}

/** A client-credentials token of `clientId` with `scope`; the token endpoint's raw answer. */
export function clientToken(t: TestProvider, clientId: string, scope: string): Promise<Response> {
  return t.fetch(
    `${OIDC}/token`,
    form({ grant_type: 'client_credentials', scope }, { authorization: basic(clientId, `${clientId}-secret`) }),
  );
}

export async function receiverToken(t: TestProvider, clientId: string, scope = 'ssf.manage ssf.read'): Promise<string> {
  const res = await clientToken(t, clientId, scope);
  if (res.status !== 200) throw new Error(`token for ${clientId}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * A SET checked as a receiver written from RFC 8417 and SSF 1.0 §4.1 would: signature with the
 * issuer's JWKS, `typ` secevent+jwt, RS256 with an RSA key of 2048 bits or more, `iss`, `aud`,
 * `iat`, `jti`, exactly one event, and neither `sub` nor `exp`.
 */
export async function verifySet(
  t: TestProvider,
  token: string,
  audience: string,
): Promise<{ header: ProtectedHeaderParameters; payload: JWTPayload & Record<string, unknown> }> {
  const jwks = (await (await t.fetch(`${OIDC}/certs`)).json()) as JSONWebKeySet;
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: ISSUER,
    audience,
    typ: 'secevent+jwt',
    algorithms: ['RS256'],
    requiredClaims: ['iat', 'jti'],
  });
  const jwk = jwks.keys.find((k) => k.kid === protectedHeader.kid)!;
  const bits = createPublicKey({ key: jwk as never, format: 'jwk' }).asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new Error(`RSA key of ${bits} bits`);
  if ('sub' in payload) throw new Error('a SET has no sub (SSF §4.1.4)');
  if ('exp' in payload) throw new Error('a SET has no exp (SSF §4.1.5)');
  const events = payload.events as Record<string, unknown> | undefined;
  if (!events || Object.keys(events).length !== 1) throw new Error('a SET has exactly one event (SSF §4.1.3)');
  return { header: protectedHeader, payload: payload as JWTPayload & Record<string, unknown> };
}
