// Keycloak's password policy, as a realm's `passwordPolicy` string writes it:
// `"length(12) and digits(1) and notUsername"` — policies joined by " and ", each an id with an
// optional argument in parentheses (Keycloak's PasswordPolicy.parse). Each rule is Keycloak's
// PasswordPolicyProvider of that id, with its default argument and its message key and text from
// messages_en.properties; the first rule a password breaks, in the string's order, is the answer
// (PasswordPolicyManagerProvider.validate). `passwordHistory` needs the stored hashes and is
// checked by password-history.ts; the hash policies are accepted and not used (Sundown hashes
// with argon2id, crypto/password.ts).

/** A rule the password broke: Keycloak's message key, its English text, and the argument. */
export interface PolicyViolation {
  key: string;
  message: string;
}

export type PolicyRule =
  | { id: 'length' | 'maxLength' | 'digits' | 'lowerCase' | 'upperCase' | 'specialChars'; value: number }
  | { id: 'notUsername' | 'notEmail' }
  | { id: 'regexPattern'; pattern: RegExp; source: string }
  | { id: 'passwordHistory'; value: number };

export interface PasswordPolicy {
  rules: PolicyRule[];
  /** Policy ids Keycloak knows that Sundown accepts and does not enforce (for the import report). */
  notUsed: string[];
}

export const NO_POLICY: PasswordPolicy = { rules: [], notUsed: [] };

/** Keycloak's default argument of each numeric policy (its providers' getDefaultConfigValue). */
const NUMERIC_DEFAULTS = {
  length: 8,
  maxLength: 64,
  digits: 1,
  lowerCase: 1,
  upperCase: 1,
  specialChars: 1,
  passwordHistory: 3,
} as const;

/** Known to Keycloak, accepted, not enforced: hashing is Sundown's own; the others need features it lacks. */
const ACCEPTED_NOT_USED = new Set([
  'hashAlgorithm',
  'hashIterations',
  'forceExpiredPasswordChange',
  'passwordBlacklist',
  'maxAuthAge',
  'passwordAge',
  'notContainsUsername',
]);

export class PasswordPolicyError extends Error {}

/** Parses a Keycloak policy string; an unknown id or a bad argument throws, naming it. */
export function parsePasswordPolicy(text: string | null | undefined): PasswordPolicy {
  if (text === null || text === undefined || text.trim() === '') return NO_POLICY;
  const rules: PolicyRule[] = [];
  const notUsed: string[] = [];
  for (const part of text.split(/\s+and\s+/)) {
    const m = /^\s*([A-Za-z]+)\s*(?:\((.*)\))?\s*$/s.exec(part);
    if (!m) throw new PasswordPolicyError(`"${part.trim()}" is not a policy such as length(12)`);
    const id = m[1]!;
    const arg = m[2]?.trim();
    if (ACCEPTED_NOT_USED.has(id)) {
      notUsed.push(id);
      continue;
    }
    if (id in NUMERIC_DEFAULTS) {
      const key = id as keyof typeof NUMERIC_DEFAULTS;
      const value = arg === undefined || arg === '' ? NUMERIC_DEFAULTS[key] : Number(arg);
      if (!Number.isInteger(value) || value < 0)
        throw new PasswordPolicyError(`${id}(${arg ?? ''}) needs a whole number of 0 or more`);
      rules.push({ id: key, value });
    } else if (id === 'notUsername' || id === 'notEmail') {
      rules.push({ id });
    } else if (id === 'regexPattern') {
      if (!arg) throw new PasswordPolicyError('regexPattern needs a pattern');
      let pattern: RegExp;
      try {
        // Java's Pattern.matches: the whole password must match.
        pattern = new RegExp(`^(?:${arg})$`, 'u');
      } catch (err) {
        throw new PasswordPolicyError(`regexPattern(${arg}) is not a valid pattern: ${(err as Error).message}`);
      }
      rules.push({ id, pattern, source: arg });
    } else {
      throw new PasswordPolicyError(`unknown password policy "${id}"`);
    }
  }
  return { rules, notUsed };
}

/** Whose password it is, for notUsername and notEmail. */
export interface PasswordOwner {
  username: string;
  email: string | null;
}

const count = (password: string, re: RegExp) => password.match(re)?.length ?? 0;

/** Keycloak's message keys and English texts (messages_en.properties). */
export const POLICY_MESSAGES = {
  length: ['invalidPasswordMinLengthMessage', (n: number) => `Invalid password: minimum length ${n}.`],
  maxLength: ['invalidPasswordMaxLengthMessage', (n: number) => `Invalid password: maximum length ${n}.`],
  digits: [
    'invalidPasswordMinDigitsMessage',
    (n: number) => `Invalid password: must contain at least ${n} numerical digits.`,
  ],
  lowerCase: [
    'invalidPasswordMinLowerCaseCharsMessage',
    (n: number) => `Invalid password: must contain at least ${n} lower case characters.`,
  ],
  upperCase: [
    'invalidPasswordMinUpperCaseCharsMessage',
    (n: number) => `Invalid password: must contain at least ${n} upper case characters.`,
  ],
  specialChars: [
    'invalidPasswordMinSpecialCharsMessage',
    (n: number) => `Invalid password: must contain at least ${n} special characters.`,
  ],
  notUsername: ['invalidPasswordNotUsernameMessage', () => 'Invalid password: must not be equal to the username.'],
  notEmail: ['invalidPasswordNotEmailMessage', () => 'Invalid password: must not be equal to the email.'],
  regexPattern: ['invalidPasswordRegexPatternMessage', () => 'Invalid password: fails to match regex pattern(s).'],
  passwordHistory: [
    'invalidPasswordHistoryMessage',
    (n: number) => `Invalid password: must not be equal to any of last ${n} passwords.`,
  ],
} as const satisfies Record<PolicyRule['id'], readonly [string, (n: number) => string]>;

export function violation(id: PolicyRule['id'], n = 0): PolicyViolation {
  const [key, text] = POLICY_MESSAGES[id];
  return { key, message: text(n) };
}

/**
 * The first rule the password breaks, in the policy's order, or null. Counting as Keycloak's
 * providers do (Character.isDigit / isLowerCase / isUpperCase; a special character is neither
 * letter nor digit). passwordHistory is skipped here (password-history.ts).
 */
export function checkPasswordRules(
  policy: PasswordPolicy,
  owner: PasswordOwner,
  password: string,
): PolicyViolation | null {
  for (const rule of policy.rules) {
    switch (rule.id) {
      case 'length':
        if (password.length < rule.value) return violation(rule.id, rule.value);
        break;
      case 'maxLength':
        if (password.length > rule.value) return violation(rule.id, rule.value);
        break;
      case 'digits':
        if (count(password, /\p{Nd}/gu) < rule.value) return violation(rule.id, rule.value);
        break;
      case 'lowerCase':
        if (count(password, /\p{Ll}/gu) < rule.value) return violation(rule.id, rule.value);
        break;
      case 'upperCase':
        if (count(password, /\p{Lu}/gu) < rule.value) return violation(rule.id, rule.value);
        break;
      case 'specialChars':
        if (count(password, /[^\p{L}\p{Nd}]/gu) < rule.value) return violation(rule.id, rule.value);
        break;
      case 'notUsername':
        if (owner.username !== '' && password.toLowerCase() === owner.username.toLowerCase()) return violation(rule.id);
        break;
      case 'notEmail':
        if (owner.email && password.toLowerCase() === owner.email.toLowerCase()) return violation(rule.id);
        break;
      case 'regexPattern':
        if (!rule.pattern.test(password)) return violation(rule.id);
        break;
      case 'passwordHistory':
        break;
    }
  }
  return null;
}

/** How many earlier passwords (the current one included) a new one must differ from; 0: none. */
export function historyDepth(policy: PasswordPolicy): number {
  const rule = policy.rules.find((r) => r.id === 'passwordHistory');
  return rule && 'value' in rule ? rule.value : 0;
}
