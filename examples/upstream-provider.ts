// The demo's upstream identity provider: a second realm of the same Sundown server ("upstream",
// realms/upstream-realm.json), which the demo realm brokers to as an `oidc` identity provider —
// the "upstream" button on the demo login page. A sign-out crosses it both ways: App One's sign-out
// ends the upstream session too (the browser visits its end-session endpoint), and the upstream's
// logout reaches the demo realm's back-channel endpoint, which tells every app.
import { readFileSync } from 'node:fs';

export const UPSTREAM_ALIAS = 'upstream';

/** The upstream realm with its URLs on the running server (`serverUrl`, e.g. http://localhost:8080). */
export function upstreamRealm(serverUrl: string): Record<string, unknown> {
  const text = readFileSync(new URL('./realms/upstream-realm.json', import.meta.url), 'utf8');
  return JSON.parse(text.replaceAll('http://localhost:8080', serverUrl)) as Record<string, unknown>;
}

/** The demo realm's identity provider for the upstream realm, as a Keycloak realm export writes it. */
export function upstreamIdentityProvider(serverUrl: string): Record<string, unknown> {
  const issuer = `${serverUrl}/realms/upstream`;
  const oidc = `${issuer}/protocol/openid-connect`;
  return {
    alias: UPSTREAM_ALIAS,
    displayName: 'upstream',
    providerId: 'oidc',
    enabled: true,
    trustEmail: true,
    config: {
      issuer,
      authorizationUrl: `${oidc}/auth`,
      tokenUrl: `${oidc}/token`,
      jwksUrl: `${oidc}/certs`,
      userInfoUrl: `${oidc}/userinfo`,
      logoutUrl: `${oidc}/logout`,
      clientId: 'demo-broker',
      clientSecret: 'demo-broker-secret',
      clientAuthMethod: 'client_secret_post',
      defaultScope: 'openid email profile',
      pkceEnabled: 'true',
      pkceMethod: 'S256',
      validateSignature: 'true',
      useJwksUrl: 'true',
      sendIdTokenOnLogout: 'true',
      backchannelSupported: 'true',
    },
  };
}
