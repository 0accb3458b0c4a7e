// Keycloak's admin actions, POSTed to a client's admin URL (`adminUrl`) as a bare compact JWS in a
// text/plain body (Keycloak's ResourceAdminManager; keycloak-connect's middleware/admin.js):
//   LOGOUT          → {adminUrl}/k_logout           org.keycloak.representations.adapters.action.LogoutAction
//   PUSH_NOT_BEFORE → {adminUrl}/k_push_not_before  …PushNotBeforeAction
// Keycloak signs them with the realm's default key; adapters verify RS256 only (keycloak-connect
// uses RSA-SHA256 with the JWKS key of the header's `kid`), so they are always RS256.
import { SignJWT } from 'jose';
import { newId } from '../../../crypto/random.ts';
import type { SigningKeys } from '../../../crypto/signing-keys.ts';

/** Keycloak: `Time.currentTime() + 30`. */
export const ADMIN_ACTION_LIFETIME_S = 30;

export interface LogoutActionInput {
  /** The receiving client's clientId (Keycloak's `resource`). */
  resource: string;
  /** The adapter's session ids to destroy; null for a realm-wide logout (logout-all). */
  adapterSessionIds: string[] | null;
  /** The SSO session ids (Keycloak's user sessions); null with adapterSessionIds. */
  keycloakSessionIds: string[] | null;
  /** Seconds; 0 for a session logout, the realm's new not-before time for logout-all. */
  notBefore: number;
}

export interface PushNotBeforeInput {
  resource: string;
  notBefore: number;
}

async function sign(keys: SigningKeys, realmId: string, payload: Record<string, unknown>): Promise<string> {
  const key = await keys.activeKey(realmId, 'RS256');
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.key);
}

/**
 * A LogoutAction. Keycloak serialises without nulls (Jackson NON_NULL), so a realm-wide logout has
 * no `adapterSessionIds`, which keycloak-connect reads as "take notBefore" instead of ending sessions.
 */
export function signLogoutAction(
  keys: SigningKeys,
  realmId: string,
  input: LogoutActionInput,
  now = Date.now(),
): Promise<string> {
  return sign(keys, realmId, {
    // A fresh id per attempt, like the logout token's jti.
    id: newId(),
    expiration: Math.floor(now / 1000) + ADMIN_ACTION_LIFETIME_S,
    resource: input.resource,
    action: 'LOGOUT',
    ...(input.adapterSessionIds ? { adapterSessionIds: input.adapterSessionIds } : {}),
    notBefore: input.notBefore,
    ...(input.keycloakSessionIds ? { keycloakSessionIds: input.keycloakSessionIds } : {}),
  });
}

export function signPushNotBefore(
  keys: SigningKeys,
  realmId: string,
  input: PushNotBeforeInput,
  now = Date.now(),
): Promise<string> {
  return sign(keys, realmId, {
    id: newId(),
    expiration: Math.floor(now / 1000) + ADMIN_ACTION_LIFETIME_S,
    resource: input.resource,
    action: 'PUSH_NOT_BEFORE',
    notBefore: input.notBefore,
  });
}
