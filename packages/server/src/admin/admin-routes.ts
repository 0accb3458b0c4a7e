// The admin REST API's route table (Keycloak paths and representations), plus Sundown's session,
// delivery and doctor views. Each route declares its method, path, the scope its target is
// found in (admin-scope.ts) and its endpoint; the admin route line (admin-endpoint.ts) adds the
// admin check and the error policy. The writes are declared in admin-writes.ts.
import { Hono } from 'hono';
import { NotFound } from '../errors.ts';
import type { RouteEnv } from '../http/route.ts';
import { adminEndpoint, type AdminRouteContext, adminRouteLine } from './admin-endpoint.ts';
import {
  clientInRealm,
  confidentialClientInRealm,
  deliveryInRealm,
  inRealm,
  logoutInRealm,
  noRealm,
  sessionInRealm,
  userInRealm,
} from './admin-scope.ts';
import { addAdminWrites, type AdminWriteDeps } from './admin-writes.ts';
import { type AccessRouteDeps, addAccessRoutes } from './access-routes.ts';
import { userAccess } from './access-scope.ts';
import {
  clientDoctor,
  clientSecret,
  clientSessions,
  clientSessionStats,
  findClient,
  findClients,
  newClientSecret,
} from './client-endpoints.ts';
import { findEffectiveRoles } from './effective-roles.ts';
import { deliveryStats, findDeliveries, retryDelivery } from './delivery-endpoints.ts';
import { findLogout, findLogouts } from './logout-endpoints.ts';
import { findEvents, findRealm, findRealms } from './realm-endpoints.ts';
import { deleteSession, logoutAll, pushRevocation, realmSessions } from './session-endpoints.ts';
import { findUser, findUsers, logoutUser, userSessions } from './user-endpoints.ts';
import { deleteUserCredential, userCredentials } from './user-credentials.ts';
import type { UsesOtpCredentials } from '../login/capabilities.ts';
import {
  addFederatedIdentity,
  createIdentityProvider,
  deleteIdentityProvider,
  findFederatedIdentities,
  findIdentityProvider,
  findIdentityProviders,
  type IdentityProviderAdminDeps,
  removeFederatedIdentity,
  updateIdentityProvider,
} from './identity-provider-endpoints.ts';
import { type ActionEmailDeps, executeActionsEmail } from './user-action-emails.ts';
import type { UsesBackchannelHttp } from '../logout/capabilities.ts';
import type { LogoutTraceDeps } from '../logout/trace/logout-trace.ts';
import type { NotBeforeActionDeps } from '../logout/not-before-actions.ts';

/** What the admin API's routes use. */
export type AdminRoutesDeps = AdminRouteContext &
  AdminWriteDeps &
  LogoutTraceDeps &
  AccessRouteDeps &
  NotBeforeActionDeps &
  IdentityProviderAdminDeps &
  ActionEmailDeps &
  UsesBackchannelHttp &
  UsesOtpCredentials;

/** Unknown admin paths answer in the admin error shape too, after the admin check (and the realm's 404). */
async function notFound(): Promise<Response> {
  throw new NotFound('Not found');
}

export function createAdminRoutes(ctx: AdminRoutesDeps): Hono<RouteEnv> {
  const admin = new Hono<RouteEnv>({ strict: false });
  const route = adminRouteLine(admin, ctx);

  route('GET', '/', noRealm, findRealms);
  route('GET', '/:realm', inRealm, findRealm);
  addAdminWrites(route);

  route('GET', '/:realm/clients', inRealm, findClients);
  route('GET', '/:realm/clients/:id', clientInRealm, findClient);
  route('GET', '/:realm/clients/:id/client-secret', confidentialClientInRealm, clientSecret);
  route('POST', '/:realm/clients/:id/client-secret', confidentialClientInRealm, newClientSecret);
  route('GET', '/:realm/client-session-stats', inRealm, clientSessionStats);
  route('GET', '/:realm/clients/:id/user-sessions', clientInRealm, clientSessions);
  route('GET', '/:realm/sundown/clients/:id/doctor', clientInRealm, clientDoctor);

  // Before /users/:id, so that /users/count is not taken for a user's id.
  addAccessRoutes(route);
  route('GET', '/:realm/users', inRealm, findUsers);
  route('GET', '/:realm/users/:id', userInRealm, findUser);
  route('GET', '/:realm/events', inRealm, findEvents);
  route('GET', '/:realm/users/:id/sessions', userInRealm, userSessions);
  route('GET', '/:realm/users/:id/credentials', userInRealm, userCredentials);
  route('DELETE', '/:realm/users/:id/credentials/:credentialId', userInRealm, deleteUserCredential);
  route('GET', '/:realm/sundown/sessions', inRealm, realmSessions);
  route('GET', '/:realm/sundown/users/:id/effective-roles', userAccess, findEffectiveRoles);
  route('POST', '/:realm/users/:id/logout', userInRealm, logoutUser);
  route('PUT', '/:realm/users/:id/execute-actions-email', userInRealm, executeActionsEmail);
  route('DELETE', '/:realm/sessions/:session', sessionInRealm, deleteSession);
  route('POST', '/:realm/logout-all', inRealm, logoutAll);
  route('POST', '/:realm/push-revocation', inRealm, pushRevocation);

  // Identity brokering (issue 26): upstream OpenID providers and users' links to them.
  route('GET', '/:realm/identity-provider/instances', inRealm, findIdentityProviders);
  route('POST', '/:realm/identity-provider/instances', inRealm, createIdentityProvider);
  route('GET', '/:realm/identity-provider/instances/:alias', inRealm, findIdentityProvider);
  route('PUT', '/:realm/identity-provider/instances/:alias', inRealm, updateIdentityProvider);
  route('DELETE', '/:realm/identity-provider/instances/:alias', inRealm, deleteIdentityProvider);
  route('GET', '/:realm/users/:id/federated-identity', userInRealm, findFederatedIdentities);
  route('POST', '/:realm/users/:id/federated-identity/:provider', userInRealm, addFederatedIdentity);
  route('DELETE', '/:realm/users/:id/federated-identity/:provider', userInRealm, removeFederatedIdentity);

  route('GET', '/:realm/sundown/deliveries', inRealm, findDeliveries);
  route('GET', '/:realm/sundown/delivery-stats', inRealm, deliveryStats);
  route('POST', '/:realm/sundown/deliveries/:id/retry', deliveryInRealm, retryDelivery);
  route('GET', '/:realm/sundown/logouts', inRealm, findLogouts);
  route('GET', '/:realm/sundown/logouts/:id', logoutInRealm, findLogout);

  admin.all('/:realm/*', adminEndpoint(ctx, inRealm, notFound));
  admin.all('*', adminEndpoint(ctx, noRealm, notFound));
  return admin;
}
