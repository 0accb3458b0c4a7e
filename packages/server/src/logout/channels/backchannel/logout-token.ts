// The logout token (Back-Channel Logout 1.0 §2.4, with errata 1's required `exp`), plus
// Keycloak's `typ: "Logout"` claim and `revoke_offline_access` member of `events`.
import { SignJWT } from 'jose';
import { newId } from '../../../crypto/random.ts';
import type { SigningKeys } from '../../../crypto/signing-keys.ts';
import { idTokenAlg } from '../../../realm/attributes.ts';
import type { Client } from '../../../realm/model.ts';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Standards §3: `exp` at most ~2 minutes after `iat`. */
export const LOGOUT_TOKEN_LIFETIME_S = 120;

export interface LogoutTokenInput {
  realmId: string;
  issuer: string;
  client: Client;
  subject: string;
  /** The SSO session id; omitted when the client does not require it. */
  sid: string | null;
  revokeOfflineAccess: boolean;
}

export async function signLogoutToken(keys: SigningKeys, input: LogoutTokenInput, now = Date.now()): Promise<string> {
  // BCL §2.4: signed with the algorithm the client uses for ID tokens.
  const key = await keys.activeKey(input.realmId, idTokenAlg(input.client));
  const iat = Math.floor(now / 1000);
  // Standards §3: Keycloak writes `revoke_offline_access` beside the event inside `events`
  // (LogoutToken.putEvents), not inside the event's value, which stays `{}` (BCL §2.4).
  return (
    new SignJWT({
      typ: 'Logout',
      ...(input.sid ? { sid: input.sid } : {}),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {}, ...(input.revokeOfflineAccess ? { revoke_offline_access: true } : {}) },
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'logout+jwt' })
      .setIssuer(input.issuer)
      .setAudience(input.client.clientId)
      .setSubject(input.subject)
      .setIssuedAt(iat)
      .setExpirationTime(iat + LOGOUT_TOKEN_LIFETIME_S)
      // A fresh jti for every attempt: RPs reject replays (BCL §2.6 step 8 / standards §3).
      .setJti(newId())
      .sign(key.key)
  );
}
