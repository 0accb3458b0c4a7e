// A user's `credentials` and `requiredActions` in a Keycloak realm file. Passwords come as a
// plain `value` (hand-written files, the admin API) or as Keycloak's hash (every export), which
// is kept as it is and verified at sign-in (crypto/keycloak-password-hash.ts); `temporary: true`
// means the user must choose a new password at the next sign-in (Keycloak adds UPDATE_PASSWORD).
// `otp` credentials keep the user's second factor (otp-json.ts). What cannot come over is named in the import report, user by user.
import { importKeycloakPassword } from '../crypto/keycloak-password-hash.ts';
import { isMaskedValue, KEYCLOAK_SECRET_MASK } from '../realm/masked-values.ts';
import { REQUIRED_ACTIONS, type RequiredAction } from '../realm/required-actions.ts';
import type { ParseState } from './import-problems.ts';
import { type OtpCredentialImport, readOtpCredential } from './otp-json.ts';

export interface UserCredentials {
  /** A plain password, hashed with argon2id at import. */
  password: string | null;
  /** A Keycloak hash in Sundown's PHC form, stored as it is. */
  passwordHash: string | null;
  requiredActions: RequiredAction[];
  /** One-time-code credentials (otp-json.ts). */
  otp: OtpCredentialImport[];
}

type Json = Record<string, unknown>;

/** Keycloak's credential representation fields Sundown reads or knowingly leaves. */
const PASSWORD_FIELDS = new Set([
  'type',
  'value',
  'temporary',
  'secretData',
  'credentialData',
  'hashedSaltedValue',
  'salt',
  'hashIterations',
  'algorithm',
  'id',
  'createdDate',
  'userLabel',
  'priority',
]);

export function readUserCredentials(
  credentials: unknown[],
  requiredActions: string[],
  path: string,
  username: string,
  state: ParseState,
): UserCredentials {
  const out: UserCredentials = { password: null, passwordHash: null, requiredActions: [], otp: [] };
  const warn = (m: string) => state.warnings.push(`user ${username}: ${m}`);
  credentials.forEach((raw, k) => {
    const at = `${path}.credentials[${k}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      state.problems.add(at, 'must be an object');
      return;
    }
    const cred = raw as Json;
    const type = cred.type ?? 'password';
    if (type === 'otp') {
      const read = readOtpCredential(cred);
      if (read.ok) out.otp.push(read.otp);
      else warn(`the one-time-code credential was not imported (${read.reason}); this user must set up codes again`);
      return;
    }
    if (type !== 'password') {
      warn(`the "${String(type)}" credential was not imported`);
      return;
    }
    if (cred.temporary !== undefined && cred.temporary !== null && typeof cred.temporary !== 'boolean')
      state.problems.add(`${at}.temporary`, 'must be true or false');
    if (cred.temporary === true) out.requiredActions.push('UPDATE_PASSWORD');
    for (const key of Object.keys(cred)) if (!PASSWORD_FIELDS.has(key)) state.ignored.push(`${at}.${key}`);
    if (cred.value !== undefined && cred.value !== null) {
      if (typeof cred.value !== 'string') state.problems.add(`${at}.value`, 'must be a string');
      // Keycloak's mask stands for a password it did not export (realm/masked-values.ts).
      else if (isMaskedValue(cred.value))
        warn(`the password is Keycloak's mask "${KEYCLOAK_SECRET_MASK}", not a password; the user must reset it`);
      else out.password = cred.value;
      return;
    }
    const imported = importKeycloakPassword(cred);
    if (imported.ok) out.passwordHash = imported.phc;
    else warn(`the password hash was not imported (${imported.reason}); this user must reset the password`);
  });
  for (const action of requiredActions) {
    const known = REQUIRED_ACTIONS.find((a) => a.toLowerCase() === action.toLowerCase());
    if (known) {
      if (!out.requiredActions.includes(known)) out.requiredActions.push(known);
    } else state.ignored.push(`${path}.requiredActions["${action}"]`);
  }
  return out;
}
