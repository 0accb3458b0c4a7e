// The upstream's UserInfo (OIDC Core §5.3), read after the code exchange as Keycloak does unless
// `disableUserInfo`: many upstreams put email and names there, not in the ID token. Its `sub` must
// be the ID token's (§5.3.2), else the answer is ignored; the ID token's claims win otherwise.
import type { JWTPayload } from 'jose';

const TIMEOUT_MS = 10_000;

export async function userInfoClaims(userInfoUrl: string, accessToken: string, sub: string): Promise<JWTPayload> {
  try {
    const res = await fetch(userInfoUrl, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return {};
    const json = (await res.json()) as JWTPayload;
    return json.sub === sub ? json : {};
  } catch {
    return {};
  }
}
