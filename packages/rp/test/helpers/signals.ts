// A transmitter and an authorization server for tests: SETs (RFC 8417, SSF §4.1) and access
// tokens (RFC 9068) signed by jose with keys in a JWKS, with any claim overridden or removed.
import { exportJWK, generateKeyPair, type CryptoKey, type JSONWebKeySet, SignJWT } from 'jose';
import { SESSION_REVOKED } from '../../src/index.ts';

export const ISSUER = 'https://op.test/realms/r';
export const AUDIENCE = 'my-app';
export const API = 'orders-api';

export interface Signer {
  jwks: JSONWebKeySet;
  key: CryptoKey;
  /** A SET with one session-revoked event for sid-1 of user-1; `claims` override (undefined removes). */
  set(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** An access token of user-1 in session sid-1; `claims` override (undefined removes). */
  accessToken(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
}

let counter = 0;

function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** sub_id of CAEP session-revoked as Keycloak 26.7 and Sundown send it. */
export function sessionSubject(sid: string | undefined, sub = 'user-1'): Record<string, unknown> {
  return {
    format: 'complex',
    user: { format: 'iss_sub', iss: ISSUER, sub },
    ...(sid ? { session: { format: 'opaque', id: sid } } : {}),
  };
}

export async function signer(): Promise<Signer> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  return {
    jwks,
    key: pair.privateKey,
    set(claims = {}, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = clean({
        iss: ISSUER,
        aud: AUDIENCE,
        iat: now,
        jti: `set-${process.pid}-${Date.now()}-${counter++}`,
        txn: 'logout-1',
        sub_id: sessionSubject('sid-1'),
        events: { [SESSION_REVOKED]: { event_timestamp: now, initiating_entity: 'user' } },
        ...claims,
      });
      return new SignJWT(payload)
        .setProtectedHeader(clean({ alg: 'RS256', kid: 'k1', typ: 'secevent+jwt', ...header }) as { alg: string })
        .sign(pair.privateKey);
    },
    accessToken(claims = {}, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = clean({
        iss: ISSUER,
        aud: API,
        iat: now,
        exp: now + 300,
        jti: `at-${counter++}`,
        sub: 'user-1',
        sid: 'sid-1',
        typ: 'Bearer',
        azp: 'spa',
        ...claims,
      });
      return new SignJWT(payload)
        .setProtectedHeader(clean({ alg: 'RS256', kid: 'k1', typ: 'at+jwt', ...header }) as { alg: string })
        .sign(pair.privateKey);
    },
  };
}
