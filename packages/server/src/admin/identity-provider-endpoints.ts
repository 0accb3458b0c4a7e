// Keycloak's identity provider endpoints (IdentityProvidersResource, IdentityProviderResource) for
// the OpenID Connect providers Sundown brokers (broker/), and a user's federated identities
// (UserResource's federated-identity). The client secret is shown masked, as Keycloak does, and a
// masked secret written back keeps the stored one (realm/masked-values.ts).
import type { UsesFederatedIdentities, UsesIdentityProviders } from '../broker/capabilities.ts';
import type { IdentityProvider } from '../broker/identity-provider.ts';
import { type IdpProblem, readIdentityProvider } from '../broker/identity-provider-json.ts';
import { newId } from '../crypto/random.ts';
import { Conflict, InvalidRequest, NotFound } from '../errors.ts';
import { jsonResponse } from '../http/respond.ts';
import { KEYCLOAK_SECRET_MASK } from '../realm/masked-values.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { InRealm, UserInRealm } from './admin-scope.ts';
import { jsonBody } from './json-body.ts';

export type IdentityProviderAdminDeps = UsesIdentityProviders & UsesFederatedIdentities & UsesUrls;

/** Keycloak's IdentityProviderRepresentation. */
export function identityProviderRepresentation(p: IdentityProvider) {
  const config = { ...p.rawConfig };
  if (config.clientSecret) config.clientSecret = KEYCLOAK_SECRET_MASK;
  return {
    alias: p.alias,
    internalId: p.id,
    providerId: p.providerId,
    displayName: p.displayName ?? undefined,
    enabled: p.enabled,
    trustEmail: p.trustEmail,
    storeToken: p.storeToken,
    addReadTokenRoleOnCreate: false,
    authenticateByDefault: false,
    linkOnly: p.linkOnly,
    hideOnLogin: p.hideOnLogin,
    firstBrokerLoginFlowAlias: p.firstBrokerLoginFlowAlias,
    config,
  };
}

function segmentAfter(req: Request, marker: string): string {
  const parts = new URL(req.url).pathname.split('/');
  const i = parts.indexOf(marker);
  return i >= 0 && parts[i + 1] ? decodeURIComponent(parts[i + 1]!) : '';
}

async function providerOf(ctx: IdentityProviderAdminDeps, realmId: string, req: Request): Promise<IdentityProvider> {
  const p = await ctx.identityProviders.byAlias(realmId, segmentAfter(req, 'instances'));
  if (!p) throw new NotFound('Could not find identity provider');
  return p;
}

/** The representation read with the realm-import rules; any problem is a 400 naming its field. */
function readBody(body: Record<string, unknown>) {
  const problems: IdpProblem[] = [];
  const warnings: string[] = [];
  const input = readIdentityProvider(body, '$', problems, warnings);
  if (problems[0]) throw new InvalidRequest(`${problems[0].path.replace(/^\$\./, '')}: ${problems[0].message}`);
  if (!input) throw new InvalidRequest(warnings[0] ?? 'Invalid identity provider');
  return input;
}

export async function findIdentityProviders(ctx: IdentityProviderAdminDeps, { realm }: InRealm): Promise<Response> {
  return jsonResponse((await ctx.identityProviders.ofRealm(realm.id)).map(identityProviderRepresentation));
}

export async function findIdentityProvider(ctx: IdentityProviderAdminDeps, { realm }: InRealm, req: Request) {
  return jsonResponse(identityProviderRepresentation(await providerOf(ctx, realm.id, req)));
}

/** POST …/identity-provider/instances → 201 with Location …/instances/{alias}. */
export async function createIdentityProvider(ctx: IdentityProviderAdminDeps, { realm }: InRealm, req: Request) {
  const input = readBody(await jsonBody(req));
  if (!(await ctx.identityProviders.insert(realm.id, input, newId())))
    throw new Conflict(`Identity Provider ${input.alias} already exists`);
  const base = `${ctx.urls.publicUrl}${ctx.urls.relativePath}/admin/realms/${encodeURIComponent(realm.name)}`;
  return new Response(null, {
    status: 201,
    headers: { Location: `${base}/identity-provider/instances/${encodeURIComponent(input.alias)}` },
  });
}

/** PUT …/instances/{alias}: the representation replaces the stored one (the alias stays). */
export async function updateIdentityProvider(ctx: IdentityProviderAdminDeps, { realm }: InRealm, req: Request) {
  const stored = await providerOf(ctx, realm.id, req);
  const body = await jsonBody(req);
  const input = readBody({ providerId: stored.providerId, ...body, alias: stored.alias });
  await ctx.identityProviders.update(realm.id, stored.alias, input);
  return new Response(null, { status: 204 });
}

export async function deleteIdentityProvider(ctx: IdentityProviderAdminDeps, { realm }: InRealm, req: Request) {
  const stored = await providerOf(ctx, realm.id, req);
  await ctx.identityProviders.delete(realm.id, stored.alias);
  return new Response(null, { status: 204 });
}

/** GET …/users/{id}/federated-identity: Keycloak's FederatedIdentityRepresentation list. */
export async function findFederatedIdentities(ctx: IdentityProviderAdminDeps, { user }: UserInRealm) {
  const links = await ctx.federatedIdentities.ofUser(user.id);
  return jsonResponse(
    links.map((l) => ({ identityProvider: l.alias, userId: l.upstreamUserId, userName: l.upstreamUsername ?? '' })),
  );
}

/** POST …/users/{id}/federated-identity/{provider} with {userId, userName}. */
export async function addFederatedIdentity(ctx: IdentityProviderAdminDeps, { realm, user }: UserInRealm, req: Request) {
  const alias = segmentAfter(req, 'federated-identity');
  if (!(await ctx.identityProviders.byAlias(realm.id, alias))) throw new NotFound('Could not find identity provider');
  const body = await jsonBody(req);
  const upstreamUserId = typeof body.userId === 'string' ? body.userId : '';
  if (!upstreamUserId) throw new InvalidRequest('userId is required');
  if ((await ctx.federatedIdentities.ofUser(user.id)).some((l) => l.alias === alias))
    throw new Conflict('User is already linked with provider');
  if (await ctx.federatedIdentities.find(realm.id, alias, upstreamUserId))
    throw new Conflict('Account already linked to another user');
  await ctx.federatedIdentities.link(
    realm.id,
    {
      userId: user.id,
      alias,
      upstreamUserId,
      upstreamUsername: typeof body.userName === 'string' ? body.userName : null,
    },
    null,
  );
  return new Response(null, { status: 204 });
}

export async function removeFederatedIdentity(ctx: IdentityProviderAdminDeps, { user }: UserInRealm, req: Request) {
  if (!(await ctx.federatedIdentities.unlink(user.id, segmentAfter(req, 'federated-identity'))))
    throw new NotFound('Federated identity not found');
  return new Response(null, { status: 204 });
}
