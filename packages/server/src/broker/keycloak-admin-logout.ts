// POST /realms/{realm}/broker/{alias}/endpoint/k_logout: a `keycloak-oidc` upstream's adapter
// action (keycloak-brokering.md): a compact JWS LogoutAction `{id, expiration, resource, action:
// "LOGOUT", keycloakSessionIds, …}` in a text body, signed with the upstream realm's key. Checked:
// signature with that upstream's keys (never `none`), action LOGOUT, not expired, `resource` = our
// client id there, its id not seen before; then the brokered sessions of each upstream session id
// end through the one logout pipeline, never sent back upstream. Refusals are 400 + LOGOUT_ERROR.
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import { InvalidRequest, NotFound } from '../errors.ts';
import { readBody } from '../http/params.ts';
import { jsonResponse, NO_STORE } from '../http/respond.ts';
import type { ErrorEventFacts } from '../http/route.ts';
import type { Realm } from '../realm/model.ts';
import type { UpstreamBackchannelDeps } from './backchannel-logout-endpoint.ts';

interface LogoutAction {
  id?: unknown;
  expiration?: unknown;
  resource?: unknown;
  action?: unknown;
  keycloakSessionIds?: unknown;
}

export async function keycloakAdminLogout(
  ctx: UpstreamBackchannelDeps,
  realm: Realm,
  req: Request,
  ip: string | null,
  facts: ErrorEventFacts,
  alias: string,
): Promise<Response> {
  const idp = await ctx.identityProviders.byAlias(realm.id, alias);
  // Keycloak serves k_logout for keycloak-oidc providers only.
  if (!idp?.enabled || idp.providerId !== 'keycloak-oidc') throw new NotFound('Identity Provider not found');
  facts.error = 'invalid_token';
  facts.details = { identity_provider: alias };
  const token = (await readBody(req)).trim();
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new InvalidRequest('The logout action is not a readable JWS');
  }
  if (!header.alg || header.alg.toLowerCase() === 'none') throw new InvalidRequest('The logout action is not signed');
  let action: LogoutAction;
  try {
    const endpoints = await ctx.upstreamMetadata.endpoints(idp);
    const { payload } = await compactVerify(token, ctx.upstreamMetadata.keys(endpoints.jwksUrl), {
      algorithms: idp.config.algorithms,
    });
    action = JSON.parse(new TextDecoder().decode(payload)) as LogoutAction;
  } catch (err) {
    if (err instanceof errors.JOSEError || err instanceof SyntaxError)
      throw new InvalidRequest("The logout action's signature is not valid");
    throw err;
  }
  if (action.action !== 'LOGOUT') throw new InvalidRequest('Not a LOGOUT action');
  const now = Date.now();
  if (typeof action.expiration !== 'number' || action.expiration * 1000 < now)
    throw new InvalidRequest('The logout action has expired');
  if (action.resource !== idp.config.clientId) throw new InvalidRequest('The logout action is not for our client id');
  if (typeof action.id !== 'string' || action.id === '') throw new InvalidRequest('The logout action has no id');
  if (!(await ctx.upstreamLogoutTokens.first(idp.alias, `k_logout:${action.id}`, action.expiration * 1000 + 60_000)))
    throw new InvalidRequest('The logout action was already used');
  const sids = Array.isArray(action.keycloakSessionIds)
    ? action.keycloakSessionIds.filter((s): s is string => typeof s === 'string')
    : [];
  const ids: string[] = [];
  for (const sid of sids) ids.push(...(await ctx.brokerSessions.matching(realm.id, idp.alias, { sid })));
  const result = await ctx.logout.endSessions(realm, ids, 'upstream_logout', {
    ipAddress: ip,
    startedBy: 'upstream',
    actor: idp.alias,
    initiatingIdp: idp.alias,
  });
  return jsonResponse({ sessionsEnded: result.ended.length }, 200, { ...NO_STORE });
}
