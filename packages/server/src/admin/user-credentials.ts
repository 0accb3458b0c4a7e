// Keycloak's admin REST of a user's credentials: GET /users/{id}/credentials lists them as
// CredentialRepresentation without their secrets (id, type, userLabel, createdDate,
// credentialData — Keycloak's JSON string), DELETE /users/{id}/credentials/{credentialId}
// removes one: an `otp` credential (the user then signs in without a code, or enrols again) or
// the password (the user can no longer sign in with one). Sundown keeps the password in the user
// row, so its credential id is derived from the user's id: stable, and never another user's.
import { createHash } from 'node:crypto';
import { NotFound } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import type { UsesOtpCredentials } from '../login/capabilities.ts';
import type { UsesRealmWriter } from '../realm/capabilities.ts';
import type { User } from '../realm/model.ts';
import type { UserInRealm } from './admin-scope.ts';

/** A UUID-shaped id for the password credential of a user. */
export function passwordCredentialId(user: Pick<User, 'id'>): string {
  const h = createHash('sha256').update(`password:${user.id}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Keycloak's credentialData of a password: the hash algorithm (the PHC string's first field). */
function passwordData(phc: string): string {
  const id = /^\$([a-z0-9-]+)\$/.exec(phc)?.[1] ?? 'unknown';
  const algorithm = id.startsWith('argon2') ? 'argon2' : id;
  const iterations = /[$,](?:i|t)=(\d+)/.exec(phc)?.[1];
  return JSON.stringify({ ...(iterations ? { hashIterations: Number(iterations) } : {}), algorithm });
}

/** Keycloak: GET /admin/realms/{realm}/users/{id}/credentials → CredentialRepresentation[] */
export async function userCredentials(ctx: UsesOtpCredentials, { user }: UserInRealm): Promise<Response> {
  const password = user.passwordHash
    ? [{ id: passwordCredentialId(user), type: 'password', credentialData: passwordData(user.passwordHash) }]
    : [];
  const otp = (await ctx.otpCredentials.ofUser(user.id)).map((c) => ({
    id: c.id,
    type: 'otp',
    ...(c.user_label ? { userLabel: c.user_label } : {}),
    createdDate: Number(c.created_at),
    credentialData: JSON.stringify({
      subType: c.type,
      digits: c.digits,
      counter: c.counter,
      period: c.period,
      algorithm: c.algorithm,
      ...(c.secret_encoding ? { secretEncoding: c.secret_encoding } : {}),
    }),
  }));
  return jsonResponse([...password, ...otp]);
}

/** Keycloak: DELETE /admin/realms/{realm}/users/{id}/credentials/{credentialId} → 204 */
export async function deleteUserCredential(
  ctx: UsesOtpCredentials & UsesRealmWriter,
  { user }: UserInRealm,
  req: Request,
): Promise<Response> {
  const credentialId = decodeURIComponent(new URL(req.url).pathname.split('/').pop() ?? '');
  if (user.passwordHash && credentialId === passwordCredentialId(user)) {
    await ctx.realmWriter.updateUser(user.id, { password_hash: null });
    return new Response(null, { status: 204 });
  }
  if (!(await ctx.otpCredentials.delete(user.id, credentialId))) throw new NotFound('Credential not found');
  return new Response(null, { status: 204 });
}
