// The second factor of a sign-in, for the one-time-code page and the password grant alike:
// throttled as passwords are (login/throttle.ts), on counters of its own — a code guesser who
// knows the password would otherwise clear the failures with every right password — and each
// failure recorded as a LOGIN_ERROR (Keycloak: invalid_user_credentials).
import type { UsesEvents } from '../../events/capabilities.ts';
import type { Realm, User } from '../../realm/model.ts';
import type { UsesLoginThrottle, UsesOtpCredentials } from '../capabilities.ts';
import type { OtpCredentialRow } from './otp-credential-store.ts';
import { verifyOtp } from './verify-otp.ts';

export interface CodeAttempt {
  code: string;
  ipAddress: string | null;
  throttleAddresses?: readonly string[];
  clientId: string;
}

/** The throttle's name for a user's code attempts: never a username (those have no '#'). */
export function otpThrottleName(user: Pick<User, 'id'>): string {
  return `#otp ${user.id}`;
}

/** True when the code is right (and now used); throws TooManyRequests while throttled. */
export async function checkOneTimeCode(
  ctx: UsesLoginThrottle & UsesOtpCredentials & UsesEvents,
  realm: Realm,
  user: User,
  credentials: readonly OtpCredentialRow[],
  attempt: CodeAttempt,
): Promise<boolean> {
  const reserved = await ctx.throttle.reserve(
    realm.id,
    otpThrottleName(user),
    attempt.throttleAddresses ?? attempt.ipAddress,
  );
  let ok = false;
  try {
    ok = await verifyOtp(ctx.otpCredentials, realm.otpPolicy, credentials, attempt.code.trim(), Date.now());
  } finally {
    await reserved.finish(ok ? 'success' : 'failure');
  }
  if (!ok)
    await ctx.events.record({
      realmId: realm.id,
      type: 'LOGIN_ERROR',
      clientId: attempt.clientId,
      userId: user.id,
      ipAddress: attempt.ipAddress,
      error: 'invalid_user_credentials',
      details: { credential_type: 'otp' },
    });
  return ok;
}
