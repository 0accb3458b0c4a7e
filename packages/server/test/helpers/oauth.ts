// Small OAuth client-side helpers for tests.
import { createHash, randomBytes } from 'node:crypto';
import { decodeProtectedHeader, decodeJwt as joseDecodeJwt } from 'jose';
import { OIDC } from './provider.ts';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authUrl(params: Record<string, string>, base = OIDC): string {
  const url = new URL(`${base}/auth`);
  for (const [k, v] of Object.entries({ response_type: 'code', scope: 'openid', ...params }))
    url.searchParams.set(k, v);
  return url.toString();
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export function form(body: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  };
}

export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  return {
    header: decodeProtectedHeader(token) as Record<string, unknown>,
    payload: joseDecodeJwt(token) as Record<string, unknown>,
  };
}
