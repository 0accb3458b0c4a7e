// Checks a username and password, with throttling and LOGIN_ERROR events; shared by the
// login form and the password grant.
import type { ProviderContext } from '../context.ts';
import type { Realm, User } from '../realm/model.ts';
import { LoginThrottle } from './throttle.ts';

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
  ipAddress: string | null;
  clientId: string;
}

export async function authenticateUser(
  ctx: ProviderContext,
  realm: Realm,
  creds: Credentials,
): Promise<User> {
  const subjects = LoginThrottle.subjects(creds.username, creds.ipAddress);
  await ctx.throttle.check(realm.id, subjects);
  const user = await ctx.realms.userByUsername(realm.id, creds.username);
  const ok = await ctx.verifyPassword(creds.password, user?.passwordHash ?? null);
  if (!user || !ok) {
    await ctx.throttle.recordFailure(realm.id, subjects);
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
  await ctx.throttle.recordSuccess(realm.id, creds.username);
  return user;
}
