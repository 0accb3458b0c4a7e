// The route line of the admin API, the admin counterpart of http/route.ts's realmEndpoint: an
// admin endpoint is reached only with an admin's bearer token (admin-auth.ts, 401/403 before
// anything else), finds its target through its scope (admin-scope.ts, 404), and what it throws
// is answered by the same error policy as the realm endpoints, in the admin API's JSON
// (admin-error.ts). No snapshot of the realm configuration: admin writes change it.
import type { Context, Hono } from 'hono';
import { refuse, requestLog, type ErrorPolicy, type RouteEnv } from '../http/route.ts';
import { type AdminIdentity, requireAdmin } from './admin-auth.ts';
import { adminJsonError } from './admin-error.ts';
import type { Scope, ScopeContext } from './admin-scope.ts';
import type { UsesEvents } from '../events/capabilities.ts';
import type { UsesLog } from '../log.ts';
import type { AccessTokenDeps } from '../tokens/verify-access-token.ts';

/** An admin endpoint: the target its scope found, the request, and the administrator who sent it. */
export type AdminHandler<D, T> = (ctx: D, target: T, req: Request, admin: AdminIdentity) => Promise<Response>;

/** What the admin route line itself uses; a handler's own capabilities come on top (`D`). */
export type AdminRouteContext = AccessTokenDeps & ScopeContext & UsesEvents & UsesLog;

/** Admin errors record no event: the admin API is not a protocol endpoint of the realm. */
const ADMIN_ERRORS: ErrorPolicy = { errors: adminJsonError };

/** Serves one admin endpoint: the admin check, the target's lookup, the handler, errors. */
export function adminEndpoint<D extends AdminRouteContext, T>(ctx: D, scope: Scope<T>, handler: AdminHandler<D, T>) {
  return async (c: Context<RouteEnv>): Promise<Response> => {
    try {
      const admin = await requireAdmin(ctx, c.req.raw);
      return await handler(ctx, await scope(ctx, c.req.param()), c.req.raw, admin);
    } catch (thrown) {
      return refuse(ctx, requestLog(ctx, c), ADMIN_ERRORS, thrown, { ip: null, facts: {} });
    }
  };
}

/** Declares one admin route on its line: method, path, where its target is found, and its endpoint. */
export type AdminRoute<D> = <T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  scope: Scope<T>,
  handler: AdminHandler<D, T>,
) => void;

/** The route line of an admin router: every route declared on it is served by adminEndpoint. */
export function adminRouteLine<D extends AdminRouteContext>(router: Hono<RouteEnv>, ctx: D): AdminRoute<D> {
  return (method, path, scope, handler) => {
    router.on(method, path, adminEndpoint(ctx, scope, handler));
  };
}
