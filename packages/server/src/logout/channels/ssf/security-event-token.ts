// A Security Event Token (RFC 8417) as SSF 1.0 §4.1 profiles it: `typ: secevent+jwt` (§4.1.1),
// `iss`, `aud`, `iat`, `jti`, `txn` when the event belongs to a logout, `sub_id` naming the
// subject (§4.1.2 / §3), exactly one event in `events` (§4.1.3), and neither `sub` nor `exp`
// (§4.1.4, §4.1.5: a SET is not an access token, and a receiver must not confuse it with one).
// Signed RS256 with the realm's RSA key (2048-bit or more, as the CAEP interoperability profile
// asks). The claims are fixed when the event is written to the outbox; an attempt signs them
// again, and RSASSA-PKCS1-v1_5 is deterministic, so a retried push is the same SET, same `jti`.
import { SignJWT } from 'jose';
import type { SigningKeys } from '../../../crypto/signing-keys.ts';
import { SET_TYP } from './ssf-names.ts';
import type { SubjectId } from './subject-ids.ts';

export interface SetClaims {
  iss: string;
  aud: string;
  iat: number;
  /** The outbox row's id: the receiver acknowledges a polled SET by it (RFC 8936 §2.4). */
  jti: string;
  /** The logout the event tells of (Sundown's logout id, the same on every stream). */
  txn?: string;
  sub_id: SubjectId;
  events: Record<string, Record<string, unknown>>;
}

export async function signSecurityEventToken(keys: SigningKeys, realmId: string, claims: SetClaims): Promise<string> {
  const key = await keys.activeKey(realmId, 'RS256');
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: SET_TYP }).sign(key.key);
}
