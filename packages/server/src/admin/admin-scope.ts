// Where an admin route's target is found, declared on its route line (admin-routes.ts) as
// Keycloak's admin resources locate theirs (RealmsAdminResource → ClientsResource.getClient):
// the realm of the path, then the client, user, session or delivery its id names in that realm,
// each looked up once here. An id of another realm's object is as unknown as a wrong one (404),
// so no admin route can reach across realms by id.
import { InvalidRequest, NotFound } from '../errors.ts';
import type { Client, Realm, User } from '../realm/model.ts';
import type { SsoSession } from '../sessions/sso-session.ts';
import type { DeliveryStatus, LogoutTable } from '../store/schema.ts';
import type { UsesAdminStore } from './capabilities.ts';
import type { UsesAccessModel } from '../access/capabilities.ts';
import type { UsesRealms } from '../realm/capabilities.ts';
import type { UsesSsoSessions } from '../sessions/capabilities.ts';

/** What finding a target reads. */
export type ScopeContext = UsesRealms & UsesSsoSessions & UsesAdminStore & UsesAccessModel;

/** Finds a route's target from the path's parameters, or throws the 404 that names what is missing. */
export type Scope<T> = (ctx: ScopeContext, params: Record<string, string>) => Promise<T>;

export interface InRealm {
  realm: Realm;
}
export interface ClientInRealm extends InRealm {
  client: Client;
}
export interface UserInRealm extends InRealm {
  user: User;
}
export interface SessionInRealm extends InRealm {
  session: SsoSession;
}
export interface LogoutInRealm extends InRealm {
  logout: LogoutTable;
}
export interface DeliveryInRealm extends InRealm {
  delivery: { id: string; status: DeliveryStatus };
}

/** The realm check: an object belongs to the path's realm, or it is not found here. */
async function ofRealm<T extends { realmId: string }>(
  realm: Realm,
  lookup: Promise<T | undefined>,
  what: string,
): Promise<T> {
  const found = await lookup;
  if (found?.realmId !== realm.id) throw new NotFound(`${what} not found`);
  return found;
}

/** Routes above any realm (the realm list, realm creation). */
export const noRealm: Scope<object> = async () => ({});

/** The realm named in the path, enabled or not (an admin manages disabled realms too). */
export const inRealm: Scope<InRealm> = async (ctx, params) => {
  const realm = await ctx.realms.realmByName(params.realm ?? '');
  if (!realm) throw new NotFound('Realm not found');
  return { realm };
};

export const clientInRealm: Scope<ClientInRealm> = async (ctx, params) => {
  const { realm } = await inRealm(ctx, params);
  return { realm, client: await ofRealm(realm, ctx.realms.clientById(params.id ?? ''), 'Client') };
};

/** Keycloak's …/client-secret: only a confidential client has one. */
export const confidentialClientInRealm: Scope<ClientInRealm> = async (ctx, params) => {
  const found = await clientInRealm(ctx, params);
  if (found.client.publicClient) throw new InvalidRequest('Public clients have no secret');
  return found;
};

export const userInRealm: Scope<UserInRealm> = async (ctx, params) => {
  const { realm } = await inRealm(ctx, params);
  return { realm, user: await ofRealm(realm, ctx.realms.userById(params.id ?? ''), 'User') };
};

/** A live SSO session of the realm (one that has ended is gone, as in Keycloak). */
export const sessionInRealm: Scope<SessionInRealm> = async (ctx, params) => {
  const { realm } = await inRealm(ctx, params);
  const session = await ctx.sessions.findLive(realm, params.session ?? '');
  if (!session) throw new NotFound('Session not found');
  return { realm, session };
};

export const deliveryInRealm: Scope<DeliveryInRealm> = async (ctx, params) => {
  const { realm } = await inRealm(ctx, params);
  const delivery = await ctx.admin.delivery(realm.id, params.id ?? '');
  if (!delivery) throw new NotFound('Delivery not found');
  return { realm, delivery };
};

export const logoutInRealm: Scope<LogoutInRealm> = async (ctx, params) => {
  const { realm } = await inRealm(ctx, params);
  const logout = await ctx.admin.logout(realm.id, params.id ?? '');
  if (!logout) throw new NotFound('Logout not found');
  return { realm, logout };
};
