// The capabilities this folder offers to the units above it: each is one service, named by what it
// does. A unit declares exactly the ones it uses and composes them with `&`; only the composition
// root (provider.ts) knows them all.
import type { OtpCredentialStore } from './otp/otp-credential-store.ts';
import type { UsedActionTokens } from './action-tokens/used-action-tokens.ts';
import type { MailThrottle } from './mail-throttle.ts';
import type { LoginThrottle } from './throttle.ts';

export interface UsesLoginThrottle {
  readonly throttle: LoginThrottle;
}

/** Caps on the mails one can make Sundown send to a user (mail-throttle.ts). */
export interface UsesMailThrottle {
  readonly mailThrottle: MailThrottle;
}

/** Users' one-time-code credentials (otp/otp-credential-store.ts). */
export interface UsesOtpCredentials {
  readonly otpCredentials: OtpCredentialStore;
}

/** Action tokens (links by email) already used: each works once. */
export interface UsesUsedActionTokens {
  readonly usedActionTokens: UsedActionTokens;
}
