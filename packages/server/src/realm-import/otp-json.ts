// A realm file's one-time-code parts: the realm's `otpPolicy*` fields (realm/otp-policy.ts), its
// `requiredActions` registrations (realm/required-actions.ts), and users' `otp` credentials as
// Keycloak's OTPCredentialModel exports them:
//   secretData      {"value": "<the raw secret>"}
//   credentialData  {"subType": "totp"|"hotp", "digits": 6, "counter": 0, "period": 30,
//                    "algorithm": "HmacSHA1", "secretEncoding": "BASE32"?}
// The raw secret's UTF-8 bytes are the HMAC key (OTPCredentialModel.getDecodedSecret), unless
// secretEncoding is BASE32; the QR code shows their base32 (OTPPolicy.getKeyURI).
import {
  isOtpAlgorithm,
  OTP_ALGORITHMS,
  OTP_POLICY_DEFAULTS,
  OTP_POLICY_FIELDS,
  type OtpAlgorithm,
  type OtpPolicy,
  type OtpType,
} from '../realm/otp-policy.ts';
import { isRequiredAction, type RequiredActionSetting } from '../realm/required-actions.ts';
import type { ParseState } from './import-problems.ts';
import type { ObjectReader } from './realm-json.ts';

/** An `otp` credential of a user, ready to store (login/otp/otp-credential-store.ts). */
export interface OtpCredentialImport {
  type: OtpType;
  secret: string;
  secretEncoding: 'BASE32' | null;
  algorithm: OtpAlgorithm;
  digits: number;
  period: number;
  counter: number;
  userLabel: string | null;
  createdDate: number | null;
}

type Json = Record<string, unknown>;

function whole(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** The realm's otpPolicy* fields over Keycloak's defaults; a bad value is a problem at its path. */
export function readOtpPolicy(r: ObjectReader, state: ParseState): OtpPolicy {
  const policy = { ...OTP_POLICY_DEFAULTS };
  const bad = (field: string, message: string) => state.problems.add(`${r.path}.${field}`, message);
  const raw = (key: keyof OtpPolicy) => {
    const field = OTP_POLICY_FIELDS[key];
    r.accept(field);
    return r.raw(field);
  };
  const type = raw('type');
  if (type === 'totp' || type === 'hotp') policy.type = type;
  else if (type != null) bad(OTP_POLICY_FIELDS.type, 'must be "totp" or "hotp"');
  const algorithm = raw('algorithm');
  if (isOtpAlgorithm(algorithm)) policy.algorithm = algorithm;
  else if (algorithm != null) bad(OTP_POLICY_FIELDS.algorithm, `must be one of ${OTP_ALGORITHMS.join(', ')}`);
  const numbers: Array<
    [keyof OtpPolicy & ('digits' | 'lookAheadWindow' | 'period' | 'initialCounter'), number, number]
  > = [
    ['digits', 6, 8],
    ['lookAheadWindow', 0, 10],
    ['period', 1, 3600],
    ['initialCounter', 0, 2 ** 31 - 1],
  ];
  for (const [key, min, max] of numbers) {
    const value = raw(key);
    if (value == null) continue;
    const n = whole(value, min, max);
    if (n === null) bad(OTP_POLICY_FIELDS[key], `must be a whole number from ${min} to ${max}`);
    else policy[key] = n;
  }
  const reusable = raw('codeReusable');
  if (typeof reusable === 'boolean') policy.codeReusable = reusable;
  else if (reusable != null) bad(OTP_POLICY_FIELDS.codeReusable, 'must be true or false');
  // Which apps the enrolment page names: shown by Keycloak's theme, not a rule.
  r.accept('otpSupportedApplications');
  return policy;
}

/** The realm's `requiredActions`: the built-in ones Sundown runs; others are listed as not used. */
export function readRequiredActionSettings(r: ObjectReader, state: ParseState): RequiredActionSetting[] {
  const out: RequiredActionSetting[] = [];
  r.list('requiredActions').forEach((raw, i) => {
    const at = `${r.path}.requiredActions[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      state.problems.add(at, 'must be an object');
      return;
    }
    const a = raw as Json;
    const alias = typeof a.alias === 'string' ? a.alias : typeof a.providerId === 'string' ? a.providerId : null;
    if (alias === null) {
      state.problems.add(`${at}.alias`, 'is required');
      return;
    }
    // Keycloak before 25 wrote terms_and_conditions in lower case.
    const known = alias.toUpperCase();
    if (!isRequiredAction(known)) {
      state.ignored.push(`${at} (${alias})`);
      return;
    }
    for (const key of ['enabled', 'defaultAction'] as const)
      if (a[key] != null && typeof a[key] !== 'boolean') state.problems.add(`${at}.${key}`, 'must be true or false');
    if (a.priority != null && whole(a.priority, -(2 ** 31), 2 ** 31 - 1) === null)
      state.problems.add(`${at}.priority`, 'must be a whole number');
    out.push({
      alias: known,
      enabled: a.enabled !== false,
      defaultAction: a.defaultAction === true,
      priority: typeof a.priority === 'number' ? a.priority : 0,
    });
  });
  return out;
}

function jsonObject(text: unknown): Json | null {
  if (typeof text !== 'string') return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

/**
 * One `otp` credential, or the reason it cannot come over (the import report names the user;
 * the user then enrols again).
 */
export function readOtpCredential(cred: Json): { ok: true; otp: OtpCredentialImport } | { ok: false; reason: string } {
  const secretData = jsonObject(cred.secretData);
  const data = jsonObject(cred.credentialData);
  if (!secretData || !data) return { ok: false, reason: 'secretData and credentialData must be JSON objects' };
  const secret = secretData.value;
  if (typeof secret !== 'string' || secret === '') return { ok: false, reason: 'secretData has no value' };
  const type = data.subType;
  if (type !== 'totp' && type !== 'hotp') return { ok: false, reason: `unknown subType ${JSON.stringify(type)}` };
  const algorithm = data.algorithm ?? 'HmacSHA1';
  if (!isOtpAlgorithm(algorithm)) return { ok: false, reason: `unknown algorithm ${JSON.stringify(algorithm)}` };
  const encoding = data.secretEncoding ?? null;
  if (encoding !== null && (typeof encoding !== 'string' || encoding.toUpperCase() !== 'BASE32'))
    return { ok: false, reason: `unknown secretEncoding ${JSON.stringify(encoding)}` };
  if (encoding !== null && !/^[A-Z2-7]+=*$/i.test(secret.replace(/\s/g, '')))
    return { ok: false, reason: 'the secret is not base32' };
  const digits = whole(data.digits ?? 6, 6, 8);
  const period = whole(data.period ?? 30, type === 'totp' ? 1 : 0, 3600);
  const counter = whole(data.counter ?? 0, 0, 2 ** 31 - 1);
  if (digits === null) return { ok: false, reason: 'digits must be 6 to 8' };
  if (period === null) return { ok: false, reason: 'period must be 1 to 3600 seconds' };
  if (counter === null) return { ok: false, reason: 'counter must be a whole number' };
  return {
    ok: true,
    otp: {
      type,
      secret,
      secretEncoding: encoding === null ? null : 'BASE32',
      algorithm,
      digits,
      period: type === 'totp' ? period : 30,
      counter,
      userLabel: typeof cred.userLabel === 'string' && cred.userLabel !== '' ? cred.userLabel : null,
      createdDate: typeof cred.createdDate === 'number' ? cred.createdDate : null,
    },
  };
}
