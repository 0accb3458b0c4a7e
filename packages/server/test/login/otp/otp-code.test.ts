// The codes Sundown computes (through `otpauth`) and the codes the tests compute (straight from
// the RFCs with node:crypto) both match RFC 4226 Appendix D and RFC 6238 Appendix B, and a
// Keycloak secret is keyed as Keycloak keys it (its UTF-8 bytes, or base32 with secretEncoding).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeAt, stepAt } from '../../../src/login/otp/otp-code.ts';
import { base32Decode, rfcHotp, rfcTotp } from '../../helpers/rfc-otp.ts';

const RFC4226_SECRET = '12345678901234567890';
const RFC4226_CODES = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

test('rfc4226-appendix-d: HOTP codes of counters 0–9 (the secret as Keycloak stores it: its UTF-8 bytes are the key)', () => {
  RFC4226_CODES.forEach((code, counter) => {
    const key = { secret: RFC4226_SECRET, secretEncoding: null, algorithm: 'HmacSHA1', digits: 6 };
    assert.equal(codeAt(key, counter), code, `counter ${counter}`);
    assert.equal(rfcHotp(Buffer.from(RFC4226_SECRET), counter), code, `the tests' own HOTP, counter ${counter}`);
  });
});

// RFC 6238 Appendix B: 8 digits, 30 s steps, a seed per hash.
const SEEDS = {
  HmacSHA1: { seed: '12345678901234567890', hash: 'sha1' },
  HmacSHA256: { seed: '12345678901234567890123456789012', hash: 'sha256' },
  HmacSHA512: { seed: '1234567890123456789012345678901234567890123456789012345678901234', hash: 'sha512' },
} as const;
const RFC6238: Array<[number, Record<keyof typeof SEEDS, string>]> = [
  [59, { HmacSHA1: '94287082', HmacSHA256: '46119246', HmacSHA512: '90693936' }],
  [1111111109, { HmacSHA1: '07081804', HmacSHA256: '68084774', HmacSHA512: '25091201' }],
  [1111111111, { HmacSHA1: '14050471', HmacSHA256: '67062674', HmacSHA512: '99943326' }],
  [1234567890, { HmacSHA1: '89005924', HmacSHA256: '91819424', HmacSHA512: '93441116' }],
  [2000000000, { HmacSHA1: '69279037', HmacSHA256: '90698825', HmacSHA512: '38618901' }],
  [20000000000, { HmacSHA1: '65353130', HmacSHA256: '77737706', HmacSHA512: '47863826' }],
];

test('rfc6238-appendix-b: TOTP codes for HmacSHA1, HmacSHA256 and HmacSHA512 at every listed time', () => {
  for (const [seconds, codes] of RFC6238) {
    for (const [algorithm, { seed, hash }] of Object.entries(SEEDS) as Array<
      [keyof typeof SEEDS, (typeof SEEDS)[keyof typeof SEEDS]]
    >) {
      const step = stepAt(30, seconds * 1000);
      assert.equal(codeAt({ secret: seed, secretEncoding: null, algorithm, digits: 8 }, step), codes[algorithm]);
      assert.equal(rfcTotp(Buffer.from(seed), seconds, 8, hash), codes[algorithm], `the tests' own TOTP`);
    }
  }
});

test('keycloak-secret-encoding-base32: a BASE32 secret is decoded before use (OTPCredentialModel.getDecodedSecret)', () => {
  const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(base32Decode(base32).toString(), RFC4226_SECRET);
  assert.equal(codeAt({ secret: base32, secretEncoding: 'BASE32', algorithm: 'HmacSHA1', digits: 6 }, 1), '287082');
  assert.equal(
    codeAt({ secret: base32, secretEncoding: null, algorithm: 'HmacSHA1', digits: 6 }, 1) === '287082',
    false,
  );
});
