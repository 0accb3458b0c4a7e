// The scopes a client may request and the user claims each releases (OIDC Core §5.4).
import { InvalidScope } from '../errors.ts';
import type { User } from '../realm/model.ts';

export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** The user claims each scope releases (userClaims below); discovery lists them. */
export const SCOPE_CLAIMS = {
  profile: ['preferred_username', 'name', 'given_name', 'family_name'],
  email: ['email', 'email_verified'],
} as const satisfies Partial<Record<(typeof SUPPORTED_SCOPES)[number], readonly string[]>>;

export function parseScope(raw: string | undefined): string[] {
  const scopes = [...new Set((raw ?? '').split(' ').filter(Boolean))];
  const unknown = scopes.filter((s) => !(SUPPORTED_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new InvalidScope(`Unsupported scope: ${unknown.join(' ')}`);
  return scopes;
}

export function userClaims(user: User, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scopes.includes('profile')) {
    claims.preferred_username = user.username;
    const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
    if (name) claims.name = name;
    if (user.firstName) claims.given_name = user.firstName;
    if (user.lastName) claims.family_name = user.lastName;
  }
  if (scopes.includes('email') && user.email) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified;
  }
  return claims;
}
