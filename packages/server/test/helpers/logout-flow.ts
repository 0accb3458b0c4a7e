// Signing a browser in to a client of the logout realm and reading its ID token.
import assert from 'node:assert/strict';
import type { Browser } from './browser.ts';
import { signIn } from './browser.ts';
import { authUrl, basic, form, pkce } from './oauth.ts';
import { OIDC, type TestProvider } from './provider.ts';

export async function signInTo(
  t: TestProvider,
  browser: Browser,
  clientId: string,
  user = 'alice',
  password = 'alice-pw',
): Promise<Record<string, string>> {
  const redirectUri = `https://${clientId}.example/cb`;
  const { verifier, challenge } = pkce();
  const back = await signIn(
    browser,
    authUrl({
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
    user,
    password,
  );
  const res = await t.fetch(
    `${OIDC}/token`,
    form(
      {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code')!,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      },
      { authorization: basic(clientId, `${clientId}-secret`) },
    ),
  );
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, string>;
}

export function logoutUrl(params: Record<string, string>, base = OIDC): string {
  const url = new URL(`${base}/logout`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}
