// Keycloak's "first broker login" flow, as its default shapes it: an upstream account already
// linked signs in as its user; otherwise a new user is created from the upstream's claims (and
// the provider's mappers), unless a local account already has that email or username. Such an
// account is linked only when the upstream says the email is verified AND the provider has
// trustEmail on (Keycloak's idp-auto-link is never silent otherwise); else the user is told the
// account exists and nothing is linked — taking over an account by naming its email at an
// upstream is the classic brokering hole.
import { newId } from '../crypto/random.ts';
import type { Realm, User } from '../realm/model.ts';
import type { UsesAccessStores, UsesAccessWriter, UsesUserAccess } from '../access/capabilities.ts';
import type { UsesRealms, UsesRealmWriter } from '../realm/capabilities.ts';
import type { UsesTransact } from '../store/capabilities.ts';
import type { UsesFederatedIdentities } from './capabilities.ts';
import type { IdentityProvider } from './identity-provider.ts';
import { applyMappers, type NewProfile } from './identity-mappers.ts';
import type { UpstreamIdentity } from './upstream-id-token.ts';

export type FirstLoginDeps = UsesRealms &
  UsesRealmWriter &
  UsesFederatedIdentities &
  UsesAccessStores &
  UsesAccessWriter &
  UsesUserAccess &
  UsesTransact;

/** Why an upstream account could not sign in here; `message` is the page the user sees. */
export class BrokerLoginRefused extends Error {
  readonly code: string;
  /** The existing account a password may prove ownership of (account exists, not linked). */
  readonly existingUser: User | null;
  constructor(code: string, message: string, existingUser: User | null = null) {
    super(message);
    this.code = code;
    this.existingUser = existingUser;
  }
}

export interface BrokeredUser {
  user: User;
  /** 'linked': an existing link; 'created': a new user; 'auto-linked': an existing user linked now. */
  how: 'linked' | 'created' | 'auto-linked';
}

export async function brokeredUser(
  ctx: FirstLoginDeps,
  realm: Realm,
  idp: IdentityProvider,
  identity: UpstreamIdentity,
  token: string | null,
): Promise<BrokeredUser> {
  const link = await ctx.federatedIdentities.find(realm.id, idp.alias, identity.sub);
  if (link) {
    const user = await ctx.realms.userById(link.userId);
    if (!user) throw new BrokerLoginRefused('user_not_found', 'The account linked to this sign-in no longer exists.');
    if (!user.enabled)
      throw new BrokerLoginRefused('user_disabled', 'This account is disabled. Contact your administrator.');
    if (idp.storeToken) await ctx.federatedIdentities.updateToken(user.id, idp.alias, token);
    return { user, how: 'linked' };
  }
  if (idp.linkOnly)
    throw new BrokerLoginRefused(
      'identity_provider_link_only',
      `${idp.displayName ?? idp.alias} may only be linked to an existing account, not used to create one.`,
    );

  const profile = applyMappers(idp, identity, {
    username: (identity.preferredUsername ?? identity.email ?? `${idp.alias}.${identity.sub}`).toLowerCase(),
    email: identity.email,
    firstName: identity.givenName,
    lastName: identity.familyName,
    attributes: {},
    roles: [],
  });
  const byEmail = profile.email ? await ctx.realms.userByEmail(realm.id, profile.email) : undefined;
  const byName = await ctx.realms.userByUsername(realm.id, profile.username);
  const existing = byEmail ?? byName;
  if (existing) {
    // Only a verified email at an upstream the realm trusts proves the same person.
    const proven = byEmail !== undefined && idp.trustEmail && identity.emailVerified;
    if (!proven)
      throw new BrokerLoginRefused(
        'federated_identity_account_exists',
        `An account with the same ${byEmail ? 'email' : 'username'} already exists here. ` +
          `Sign in with that account's password, or ask your administrator to link it to ${idp.displayName ?? idp.alias}.`,
        existing.enabled && existing.passwordHash ? existing : null,
      );
    if (!existing.enabled)
      throw new BrokerLoginRefused('user_disabled', 'This account is disabled. Contact your administrator.');
    await ctx.federatedIdentities.link(realm.id, linkOf(existing.id, idp, identity), idp.storeToken ? token : null);
    return { user: existing, how: 'auto-linked' };
  }
  const user = await createUser(ctx, realm, idp, identity, profile, token);
  return { user, how: 'created' };
}

export function linkOf(
  userId: string,
  idp: IdentityProvider,
  identity: Pick<UpstreamIdentity, 'sub' | 'preferredUsername' | 'email'>,
) {
  return {
    userId,
    alias: idp.alias,
    upstreamUserId: identity.sub,
    upstreamUsername: identity.preferredUsername ?? identity.email,
  };
}

async function createUser(
  ctx: FirstLoginDeps,
  realm: Realm,
  idp: IdentityProvider,
  identity: UpstreamIdentity,
  profile: NewProfile,
  token: string | null,
): Promise<User> {
  const id = newId();
  await ctx.realmWriter.insertUser(id, realm.id, null, {
    username: profile.username,
    email: profile.email,
    // Keycloak: the email counts as verified only when the provider is trusted and says so.
    email_verified: idp.trustEmail && identity.emailVerified ? 1 : 0,
    first_name: profile.firstName,
    last_name: profile.lastName,
    enabled: 1,
    required_actions: '[]',
    attributes: JSON.stringify(profile.attributes),
  });
  const roles = await ctx.accessStores.roles.rolesOf(realm.id);
  const clients = new Map<string, string>();
  const roleIds: string[] = [];
  for (const name of profile.roles) {
    const dot = name.indexOf('.');
    let role = roles.find((r) => r.client_id === null && r.name === name);
    if (!role && dot > 0) {
      const clientId = name.slice(0, dot);
      let internal = clients.get(clientId);
      if (internal === undefined) {
        internal = (await ctx.realms.clientByClientId(realm.id, clientId))?.id ?? '';
        clients.set(clientId, internal);
      }
      role = roles.find((r) => r.client_id === internal && r.name === name.slice(dot + 1));
    }
    if (role) roleIds.push(role.id);
  }
  await ctx.transact(async (tx) => {
    const defaultRole = await ctx.accessWriter.defaultRole(tx, realm.id, realm.name);
    await ctx.userAccess.grantRoles(id, [defaultRole, ...roleIds], tx);
    await ctx.federatedIdentities.link(
      realm.id,
      linkOf(id, idp, identity),
      idp.storeToken ? token : null,
      Date.now(),
      tx,
    );
  });
  const user = await ctx.realms.userById(id);
  if (!user) throw new Error('the new user vanished');
  return user;
}
