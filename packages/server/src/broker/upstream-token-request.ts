// The code exchange at the upstream's token endpoint (RFC 6749 §4.1.3, RFC 7636 §4.5), with our
// client's authentication there: client_secret_post or client_secret_basic (RFC 6749 §2.3.1).
import type { IdentityProvider } from './identity-provider.ts';

export class UpstreamTokenError extends Error {}

export interface UpstreamTokens {
  idToken: string;
  accessToken: string | null;
  /** The whole token response, kept on the user's link when the provider has storeToken. */
  raw: Record<string, unknown>;
}

const TIMEOUT_MS = 10_000;

export async function exchangeCode(
  idp: IdentityProvider,
  tokenUrl: string,
  code: string,
  redirectUri: string,
  verifier: string,
): Promise<UpstreamTokens> {
  const { clientId, clientSecret, clientAuthMethod } = idp.config;
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (clientSecret && clientAuthMethod === 'client_secret_basic') {
    // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
    const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
  } else {
    body.set('client_id', clientId);
    if (clientSecret) body.set('client_secret', clientSecret);
  }
  let res: Response;
  try {
    res = await fetch(tokenUrl, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new UpstreamTokenError(`the upstream's token endpoint could not be reached: ${String(err)}`);
  }
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok)
    throw new UpstreamTokenError(
      `the upstream's token endpoint answered ${res.status}${typeof json.error === 'string' ? ` (${json.error})` : ''}`,
    );
  if (typeof json.id_token !== 'string') throw new UpstreamTokenError('the upstream sent no ID token');
  return {
    idToken: json.id_token,
    accessToken: typeof json.access_token === 'string' ? json.access_token : null,
    raw: json,
  };
}
