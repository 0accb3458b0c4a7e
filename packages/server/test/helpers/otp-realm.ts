// A realm file with users whose credentials have the shape Keycloak 26 exports (the password
// hash of oauth2-proxy's committed export, test/fixtures/keycloak-exports/oauth2-proxy, whose
// password is "password"; `otp` credentials as OTPCredentialModel writes them), for the
// one-time-code tests.
export const OTP_SECRET = 'Nq1Ofr4aw9hK5RDwjHzH'; // 20 characters, as Keycloak's HmacOTP.generateSecret(20) makes
export const HOTP_SECRET = 'qcnRfc1qTN5s8dFQhJ2V';
/** RFC 4226's secret, as a BASE32-encoded Keycloak secret (credentialData.secretEncoding). */
export const BASE32_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

const PBKDF2_PASSWORD = {
  type: 'password',
  createdDate: 1591297959315,
  secretData:
    '{"value":"6rt5zuqHVHopvd0FTFE0CYadXTtzY0mDY2BrqnNQGS51/7DfMJeGgj0roNnGMGvDv30imErNmiSOYl+cL9jiIA==","salt":"LI0kqr09JB7J9wvr2Hxzzg=="}',
  credentialData: '{"hashIterations":27500,"algorithm":"pbkdf2-sha256"}',
};

function otp(secret: string, data: Record<string, unknown>, userLabel: string) {
  return {
    id: 'b7c4b7a2-1c0e-4d4f-9b4e-3a3c1f0f2d11',
    type: 'otp',
    userLabel,
    createdDate: 1733480000000,
    secretData: JSON.stringify({ value: secret }),
    credentialData: JSON.stringify(data),
  };
}

export function otpRealm(policy: Record<string, unknown> = {}) {
  return {
    realm: 'otp',
    enabled: true,
    otpPolicyType: 'totp',
    otpPolicyAlgorithm: 'HmacSHA1',
    otpPolicyInitialCounter: 0,
    otpPolicyDigits: 6,
    otpPolicyLookAheadWindow: 1,
    otpPolicyPeriod: 30,
    otpPolicyCodeReusable: false,
    otpSupportedApplications: ['totpAppFreeOTPName', 'totpAppGoogleName', 'totpAppMicrosoftAuthenticatorName'],
    ...policy,
    clients: [
      {
        clientId: 'app',
        publicClient: true,
        redirectUris: ['http://localhost/callback'],
        directAccessGrantsEnabled: true,
      },
    ],
    users: [
      {
        username: 'admin@example.com',
        email: 'admin@example.com',
        enabled: true,
        totp: true,
        credentials: [
          PBKDF2_PASSWORD,
          otp(
            OTP_SECRET,
            { subType: 'totp', digits: 6, counter: 0, period: 30, algorithm: 'HmacSHA1', secretEncoding: null },
            'Phone',
          ),
        ],
        requiredActions: [],
      },
      {
        username: 'hotp-user',
        enabled: true,
        credentials: [
          { ...PBKDF2_PASSWORD },
          otp(HOTP_SECRET, { subType: 'hotp', digits: 6, counter: 5, period: 0, algorithm: 'HmacSHA1' }, 'Token'),
        ],
      },
      {
        username: 'sha256-user',
        enabled: true,
        credentials: [
          { ...PBKDF2_PASSWORD },
          otp(
            BASE32_SECRET,
            { subType: 'totp', digits: 8, counter: 0, period: 60, algorithm: 'HmacSHA256', secretEncoding: 'BASE32' },
            'Token',
          ),
        ],
      },
      { username: 'plain', enabled: true, credentials: [{ ...PBKDF2_PASSWORD }] },
    ],
  };
}
