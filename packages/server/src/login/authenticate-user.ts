// Checks a username (or, where the realm allows it, an email address) and password, with
// throttling and LOGIN_ERROR events; shared by the login form and the password grant. A hash
// imported from Keycloak is replaced with Sundown's argon2id once the password proved right.
import type { Realm, User } from '../realm/model.ts';
import type { UsesPasswordVerifier } from '../crypto/capabilities.ts';
import type { UsesEvents } from '../events/capabilities.ts';
import type { UsesLoginThrottle } from './capabilities.ts';
import type { UsesRealms, UsesRealmWriter } from '../realm/capabilities.ts';
import { hashPassword, needsRehash } from '../crypto/password.ts';
import { findLoginUser } from './find-login-user.ts';

export class LoginFailed extends Error {
  readonly reason: 'invalid_user_credentials' | 'user_disabled';
  constructor(reason: 'invalid_user_credentials' | 'user_disabled') {
    super(reason);
    this.reason = reason;
  }
}

export interface Credentials {
  username: string;
  password: string;
  /** The client's address, recorded in events. */
  ipAddress: string | null;
  /**
   * Every address the attempt may come from, counted by the throttle (default: ipAddress).
   * More than one when a proxy's forwarding headers disagree (http/client-address.ts).
   */
  throttleAddresses?: readonly string[];
  clientId: string;
  /** The browser's known-device cookie (login form only). */
  deviceCookie?: string;
}

export async function authenticateUser(
  ctx: UsesLoginThrottle & UsesRealms & UsesRealmWriter & UsesPasswordVerifier & UsesEvents,
  realm: Realm,
  creds: Credentials,
): Promise<User> {
  // Reserved before the user is even looked up: known and unknown usernames take the same path
  // and, once admitted, cost one argon2 verification each.
  const attempt = await ctx.throttle.reserve(realm.id, creds.username, creds.throttleAddresses ?? creds.ipAddress, {
    deviceCookie: creds.deviceCookie,
  });
  let user: User | undefined;
  let ok = false;
  try {
    user = await findLoginUser(ctx, realm, creds.username);
    ok = await ctx.verifyPassword(creds.password, user?.passwordHash ?? null);
  } finally {
    await attempt.finish(ok && user?.enabled ? 'success' : 'failure');
  }
  if (!user || !ok) {
    await ctx.events.record({
      realmId: realm.id,
      type: 'LOGIN_ERROR',
      clientId: creds.clientId,
      userId: user?.id ?? null,
      ipAddress: creds.ipAddress,
      error: 'invalid_user_credentials',
      details: { username: creds.username },
    });
    throw new LoginFailed('invalid_user_credentials');
  }
  if (!user.enabled) {
    await ctx.events.record({
      realmId: realm.id,
      type: 'LOGIN_ERROR',
      clientId: creds.clientId,
      userId: user.id,
      ipAddress: creds.ipAddress,
      error: 'user_disabled',
    });
    throw new LoginFailed('user_disabled');
  }
  if (user.passwordHash && needsRehash(user.passwordHash)) {
    const passwordHash = await hashPassword(creds.password);
    await ctx.realmWriter.updateUser(user.id, { password_hash: passwordHash });
    user = { ...user, passwordHash };
  }
  return user;
}
