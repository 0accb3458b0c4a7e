// The realm's one-time-code policy, Keycloak's `otpPolicy*` fields of RealmRepresentation with
// Keycloak's defaults (OTPPolicy.DEFAULT_POLICY: totp, HmacSHA1, 6 digits, look-around 1,
// 30 s, initial counter 0; codes not reusable). New credentials (CONFIGURE_TOTP) take their
// type, algorithm, digits, period and counter from it; every check takes its look-ahead window
// and reuse rule from it, the rest from the credential (Keycloak's OTPCredentialProvider).
import type { Realm } from './model.ts';

export const OTP_ALGORITHMS = ['HmacSHA1', 'HmacSHA256', 'HmacSHA512'] as const;
export type OtpAlgorithm = (typeof OTP_ALGORITHMS)[number];
export type OtpType = 'totp' | 'hotp';

export interface OtpPolicy {
  type: OtpType;
  algorithm: OtpAlgorithm;
  digits: number;
  /** Steps (TOTP: either side of now) or counters (HOTP: ahead) accepted besides the exact one. */
  lookAheadWindow: number;
  /** TOTP: seconds per code. */
  period: number;
  /** HOTP: the counter a new credential starts at. */
  initialCounter: number;
  /** Keycloak's otpPolicyCodeReusable: a code may be used again within its window. */
  codeReusable: boolean;
}

export const OTP_POLICY_DEFAULTS: OtpPolicy = {
  type: 'totp',
  algorithm: 'HmacSHA1',
  digits: 6,
  lookAheadWindow: 1,
  period: 30,
  initialCounter: 0,
  codeReusable: false,
};

/** The realm JSON field of each setting. */
export const OTP_POLICY_FIELDS: Readonly<Record<keyof OtpPolicy, string>> = {
  type: 'otpPolicyType',
  algorithm: 'otpPolicyAlgorithm',
  digits: 'otpPolicyDigits',
  lookAheadWindow: 'otpPolicyLookAheadWindow',
  period: 'otpPolicyPeriod',
  initialCounter: 'otpPolicyInitialCounter',
  codeReusable: 'otpPolicyCodeReusable',
};

export function isOtpAlgorithm(value: unknown): value is OtpAlgorithm {
  return (OTP_ALGORITHMS as readonly unknown[]).includes(value);
}

/** The stored JSON over the defaults. */
export function parseOtpPolicy(json: string): OtpPolicy {
  return { ...OTP_POLICY_DEFAULTS, ...(JSON.parse(json) as Partial<OtpPolicy>) };
}

export function realmOtpPolicy(realm: Pick<Realm, 'otpPolicy'>): OtpPolicy {
  return realm.otpPolicy;
}
