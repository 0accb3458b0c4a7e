// What happens when a required action's page is first shown (Keycloak's
// RequiredActionProvider.requiredActionChallenge side effects): VERIFY_EMAIL sends its link.
// Called wherever the sign-in reaches a new action: after the password, after the previous
// action, after a link from a mail.
import type { Realm, User } from '../../realm/model.ts';
import { sendVerificationMail, type VerifyEmailDeps } from './verify-email.ts';

export type EnterRequiredActionDeps = VerifyEmailDeps;

export async function enterRequiredAction(
  ctx: EnterRequiredActionDeps,
  realm: Realm,
  authRequestId: string,
  user: User,
): Promise<void> {
  if (user.requiredActions[0] === 'VERIFY_EMAIL') await sendVerificationMail(ctx, realm, authRequestId, user);
}
