// An issuer for tests: RS256 and ES256 keys in a JWKS, and logout tokens with any defect.
import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT, type CryptoKey } from 'jose';

export const ISSUER = 'https://op.test/realms/r';
export const CLIENT = 'my-app';
export const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface TestIssuer {
  jwks: JSONWebKeySet;
  rsa: CryptoKey;
  ec: CryptoKey;
  /** A valid logout token, with `claims` overriding or (undefined) removing claims. */
  token(
    claims?: Record<string, unknown>,
    header?: Record<string, unknown>,
    key?: 'rsa' | 'ec' | CryptoKey,
  ): Promise<string>;
}

let counter = 0;

export async function testIssuer(): Promise<TestIssuer> {
  const rsaPair = await generateKeyPair('RS256', { extractable: true });
  const ecPair = await generateKeyPair('ES256', { extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ],
  };
  return {
    jwks,
    rsa: rsaPair.privateKey,
    ec: ecPair.privateKey,
    async token(claims = {}, header = {}, key = 'rsa') {
      const now = Math.floor(Date.now() / 1000);
      const base: Record<string, unknown> = {
        iss: ISSUER,
        aud: CLIENT,
        iat: now,
        exp: now + 120,
        jti: `jti-${Date.now()}-${counter++}`,
        sub: 'user-1',
        sid: 'sid-1',
        events: { [EVENT]: {} },
      };
      const payload = Object.fromEntries(Object.entries({ ...base, ...claims }).filter(([, v]) => v !== undefined));
      const signingKey = key === 'rsa' ? rsaPair.privateKey : key === 'ec' ? ecPair.privateKey : key;
      const alg = key === 'ec' ? 'ES256' : 'RS256';
      return new SignJWT(payload)
        .setProtectedHeader({ alg, kid: key === 'ec' ? 'ec-1' : 'rsa-1', typ: 'logout+jwt', ...header })
        .sign(signingKey);
    },
  };
}

export function unsigned(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'logout+jwt' })}.${enc(claims)}.`;
}

export function post(token: string | string[], extra: Record<string, string> = {}): Request {
  const form = new URLSearchParams(extra);
  for (const t of Array.isArray(token) ? token : [token]) form.append('logout_token', t);
  return new Request('https://app.test/backchannel-logout', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
}
