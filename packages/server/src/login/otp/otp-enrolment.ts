// What an authenticator app is given to enrol (Keycloak's CONFIGURE_TOTP): a new secret as
// Keycloak makes it (HmacOTP.generateSecret(20): 20 letters and digits, whose UTF-8 bytes are
// the key), its base32 form in groups of four as the page shows it, the otpauth:// key URI
// (Google Authenticator's Key Uri Format, as OTPPolicy.getKeyURI writes it: issuer = the realm's
// display name or name, account = the username), and that URI as a QR code, an inline SVG
// made here — no image fetched from anywhere.
import { randomInt } from 'node:crypto';
import { HOTP, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { OtpPolicy } from '../../realm/otp-policy.ts';
import { hashName, otpSecretOf } from './otp-code.ts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const SECRET_LENGTH = 20;

export function newOtpSecret(): string {
  let out = '';
  for (let i = 0; i < SECRET_LENGTH; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** A secret the enrolment form may carry back: the shape newOtpSecret makes. */
export function isOtpSecret(value: string): boolean {
  return /^[A-Za-z0-9]{16,64}$/.test(value);
}

/** The key as typed into an app by hand: base32 in groups of four (Keycloak's totpSecretEncoded). */
export function encodedSecret(secret: string): string {
  return otpSecretOf({ secret, secretEncoding: null }).base32.replace(/(.{4})(?=.)/g, '$1 ');
}

export function keyUri(policy: OtpPolicy, issuer: string, account: string, secret: string): string {
  const common = {
    // ':' separates issuer and account in the label (Key Uri Format), so it leaves the issuer.
    issuer: issuer.replace(/:/g, ' '),
    label: account,
    secret: otpSecretOf({ secret, secretEncoding: null }),
    algorithm: hashName(policy.algorithm),
    digits: policy.digits,
  };
  return policy.type === 'hotp'
    ? new HOTP({ ...common, counter: policy.initialCounter }).toString()
    : new TOTP({ ...common, period: policy.period }).toString();
}

/** The key URI as a QR code, SVG markup to inline in the page. */
export async function qrCodeSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
