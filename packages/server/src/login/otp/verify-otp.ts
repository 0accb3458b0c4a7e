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

/** What a code matched: the HOTP counter or the TOTP step it is the code of. */
export type CodeMatch = { counter: number } | { step: number };

export interface CodeSource {
  type: 'totp' | 'hotp';
  secret: string;
  secretEncoding: string | null;
  algorithm: string;
  digits: number;
  period: number;
  counter: number;
}

/** The counter or step within the window whose code this is, or null. */
export function matchCode(source: CodeSource, window: number, code: string, nowMs: number): CodeMatch | null {
  if (!plausibleCode(code) || source.digits !== code.length) return null;
  if (source.type === 'hotp') {
    for (let c = source.counter; c <= source.counter + window; c++)
      if (sameCode(code, codeAt(source, c))) return { counter: c };
    return null;
  }
  const now = stepAt(source.period, nowMs);
  for (let step = Math.max(0, now - window); step <= now + window; step++)
    if (sameCode(code, codeAt(source, step))) return { step };
  return null;
}

export async function verifyOtp(
  store: OtpCredentialStore,
  policy: Pick<OtpPolicy, 'lookAheadWindow' | 'codeReusable'>,
  credentials: readonly OtpCredentialRow[],
  code: string,
  nowMs: number,
): Promise<boolean> {
  for (const cred of credentials) {
    const match = matchCode({ ...cred, secretEncoding: cred.secret_encoding }, policy.lookAheadWindow, code, nowMs);
    if (match === null) continue;
    if ('counter' in match) return store.advanceCounter(cred.id, cred.counter, match.counter + 1);
    if (policy.codeReusable) return true;
    return store.takeStep(cred.id, match.step);
  }
  return false;
}
