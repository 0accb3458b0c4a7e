// Every place a password is set goes through here — the UPDATE_PASSWORD page, the reset link,
// registration, the admin API's reset-password and user creation — so the realm's policy
// (password-policy.ts) holds everywhere, as Keycloak's PasswordPolicyManager does for every
// credential update. passwordHistory compares the new password with the current hash and the
// remembered ones (password-history.ts).
import { hashPassword, verifyPassword } from '../crypto/password.ts';
import type { UsesPasswordHistory, UsesRealmWriter } from './capabilities.ts';
import type { Realm } from './model.ts';
import {
  checkPasswordRules,
  historyDepth,
  parsePasswordPolicy,
  type PasswordOwner,
  type PolicyViolation,
  violation,
} from './password-policy.ts';

/** The user whose password is set; `id` and `passwordHash` absent for a user not created yet. */
export interface PasswordSubject extends PasswordOwner {
  id?: string;
  passwordHash?: string | null;
}

/** The first rule of the realm's policy the password breaks, or null. */
export async function passwordPolicyViolation(
  ctx: UsesPasswordHistory,
  realm: Pick<Realm, 'login'>,
  subject: PasswordSubject,
  password: string,
): Promise<PolicyViolation | null> {
  const policy = parsePasswordPolicy(realm.login.passwordPolicy);
  const broken = checkPasswordRules(policy, subject, password);
  if (broken) return broken;
  const depth = historyDepth(policy);
  if (depth > 0 && subject.id !== undefined) {
    const earlier = [
      ...(subject.passwordHash ? [subject.passwordHash] : []),
      ...(await ctx.passwordHistory.recent(subject.id, depth - 1)),
    ].slice(0, depth);
    for (const hash of earlier) if (await verifyPassword(password, hash)) return violation('passwordHistory', depth);
  }
  return null;
}

/** Hashes and stores a password already checked, remembering the one it replaces. */
export async function storeNewPassword(
  ctx: UsesPasswordHistory & UsesRealmWriter,
  user: { id: string; passwordHash: string | null },
  password: string,
  also: { required_actions?: string; email_verified?: 0 | 1 } = {},
  now = Date.now(),
): Promise<void> {
  await ctx.realmWriter.updateUser(user.id, { password_hash: await hashPassword(password), ...also });
  if (user.passwordHash) await ctx.passwordHistory.remember(user.id, user.passwordHash, now);
}
