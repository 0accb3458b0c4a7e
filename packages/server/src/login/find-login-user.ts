// The user a sign-in names: by username, or — Keycloak's `loginWithEmailAllowed`, on by default —
// by email address (Keycloak's UsernamePasswordForm: a name with "@" is looked up as an email
// when no user has it as username). Where emails are not unique (`duplicateEmailsAllowed`),
// Keycloak does not sign in by email, and neither does Sundown.
import type { Realm, User } from '../realm/model.ts';
import type { UsesRealms } from '../realm/capabilities.ts';
import { realmLoginSettings } from '../realm/login-settings.ts';

export async function findLoginUser(ctx: UsesRealms, realm: Realm, name: string): Promise<User | undefined> {
  const byName = await ctx.realms.userByUsername(realm.id, name);
  if (byName || !name.includes('@')) return byName;
  const settings = realmLoginSettings(realm);
  if (!settings.loginWithEmailAllowed || settings.duplicateEmailsAllowed) return undefined;
  return ctx.realms.userByEmail(realm.id, name);
}
