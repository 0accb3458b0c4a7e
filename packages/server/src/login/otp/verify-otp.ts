// Is this the user's one-time code? Keycloak's OTPCredentialProvider.isValid: each of the user's
// credentials is tried with its own algorithm, digits and period, and the realm's look-ahead
// window. TOTP accepts the steps within the window either side of now (RFC 6238 §5.2: allow for
// clock drift) and, unless the realm's otpPolicyCodeReusable, each step once; HOTP accepts the
// counters from the stored one to the window ahead and moves the counter past the one used
// (RFC 4226 §7.2, resynchronisation by look-ahead).
import type { OtpPolicy } from '../../realm/otp-policy.ts';
import { codeAt, sameCode, stepAt } from './otp-code.ts';
import type { OtpCredentialRow, OtpCredentialStore } from './otp-credential-store.ts';

/** A code as typed: digits only, as long as some credential's codes. */
export function plausibleCode(code: string): boolean {
  return /^\d{6,8}$/.test(code);
}

export async function verifyOtp(
  store: OtpCredentialStore,
  policy: Pick<OtpPolicy, 'lookAheadWindow' | 'codeReusable'>,
  credentials: readonly OtpCredentialRow[],
  code: string,
  nowMs: number,
): Promise<boolean> {
  if (!plausibleCode(code)) return false;
  const window = policy.lookAheadWindow;
  for (const cred of credentials) {
    if (cred.digits !== code.length) continue;
    const key = {
      secret: cred.secret,
      secretEncoding: cred.secret_encoding,
      algorithm: cred.algorithm,
      digits: cred.digits,
    };
    if (cred.type === 'hotp') {
      for (let c = cred.counter; c <= cred.counter + window; c++) {
        if (sameCode(code, codeAt(key, c))) return store.advanceCounter(cred.id, cred.counter, c + 1);
      }
      continue;
    }
    const now = stepAt(cred.period, nowMs);
    for (let step = now - window; step <= now + window; step++) {
      if (step < 0 || !sameCode(code, codeAt(key, step))) continue;
      if (policy.codeReusable) return true;
      return store.takeStep(cred.id, step);
    }
  }
  return false;
}
