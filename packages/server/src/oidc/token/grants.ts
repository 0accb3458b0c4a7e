// The grant types of the token endpoint (RFC 6749 §4, §6): each with its handler and the event a
// refused request records (Keycloak's names). The endpoint dispatches on this table and
// discovery's grant_types_supported is its keys, so the two cannot drift.
import type { EventType } from '../../events/event-log.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import type { GrantHandler } from './grant.ts';
import { passwordGrant } from './password.ts';
import { refreshTokenGrant } from './refresh-token.ts';

export interface GrantType {
  handle: GrantHandler;
  /** Recorded when the grant is refused; null where the grant records its own (LOGIN_ERROR). */
  errorEvent: EventType | null;
}

export const GRANTS = {
  authorization_code: { handle: authorizationCodeGrant, errorEvent: 'CODE_TO_TOKEN_ERROR' },
  refresh_token: { handle: refreshTokenGrant, errorEvent: 'REFRESH_TOKEN_ERROR' },
  client_credentials: { handle: clientCredentialsGrant, errorEvent: null },
  // A wrong password is recorded as LOGIN_ERROR where the credentials are checked
  // (login/authenticate-user.ts), once per verification, as for the login form.
  password: { handle: passwordGrant, errorEvent: null },
} as const satisfies Record<string, GrantType>;

export type GrantTypeName = keyof typeof GRANTS;

export const GRANT_TYPES = Object.keys(GRANTS) as GrantTypeName[];

export function grantType(name: string): GrantType | undefined {
  return Object.hasOwn(GRANTS, name) ? GRANTS[name as GrantTypeName] : undefined;
}
