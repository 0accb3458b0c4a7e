// Keycloak's Account REST API, the part apps call themselves: the signed-in user's profile, read
// by keycloak-js `loadUserProfile()` (GET /realms/{realm}/account with a bearer token and
// `Accept: application/json`) and updated by account pages (POST the same path;
// AccountRestService.account / updateAccount). The token must be a live access token of the realm;
// when the realm has Keycloak's `account` client with its roles, the token needs `view-profile`
// to read and `manage-account` to update (AccountRoles), as in Keycloak. The account console
// (the HTML this path serves to browsers in Keycloak) is not part of Sundown.
import type { UsesAccessModel } from '../access/capabilities.ts';
import { Forbidden, InvalidRequest, InvalidToken, NotFound } from '../errors.ts';
import { readBody } from '../http/params.ts';
import { jsonResponse, NO_STORE } from '../http/respond.ts';
import type { Realm, User } from '../realm/model.ts';
import type { UsesRealmWriter } from '../realm/capabilities.ts';
import { type AccessTokenClaims, type AccessTokenDeps, verifyAccessToken } from '../tokens/verify-access-token.ts';

export type AccountDeps = AccessTokenDeps & UsesAccessModel & UsesRealmWriter;

/** Keycloak's account client and the roles of its REST API. */
const ACCOUNT_CLIENT = 'account';
const VIEW_PROFILE = 'view-profile';
const MANAGE_ACCOUNT = 'manage-account';
/** Keycloak's user profile: at most 255 characters per value. */
const MAX_VALUE = 255;

export async function accountProfileEndpoint(ctx: AccountDeps, realm: Realm, req: Request): Promise<Response> {
  if (!(req.headers.get('accept') ?? '').includes('application/json'))
    throw new NotFound('The account console is not part of Sundown; ask for application/json');
  const header = req.headers.get('authorization');
  if (!header || !/^bearer /i.test(header))
    return new Response(null, { status: 401, headers: { ...NO_STORE, 'WWW-Authenticate': 'Bearer realm="sundown"' } });
  const claims = await verifyAccessToken(ctx, realm, header.slice(7).trim());
  const user = await ctx.realms.userById(claims.sub);
  if (!user?.enabled || user.realmId !== realm.id) throw new InvalidToken('User not found or disabled');
  if (req.method === 'GET') {
    await requireAccountRole(ctx, realm, claims, VIEW_PROFILE);
    return jsonResponse(profile(user));
  }
  await requireAccountRole(ctx, realm, claims, MANAGE_ACCOUNT);
  await updateProfile(ctx, user, await readJson(req));
  return new Response(null, { status: 204, headers: NO_STORE });
}

/** AccountRestService.account: the UserRepresentation an account page shows. */
function profile(user: User): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    ...(user.firstName !== null ? { firstName: user.firstName } : {}),
    ...(user.lastName !== null ? { lastName: user.lastName } : {}),
    ...(user.email !== null ? { email: user.email } : {}),
    emailVerified: user.emailVerified,
    attributes: user.attributes,
  };
}

/** Only when the realm has Keycloak's account client with the role: then the token must carry it. */
async function requireAccountRole(ctx: AccountDeps, realm: Realm, claims: AccessTokenClaims, role: string) {
  const account = await ctx.realms.clientByClientId(realm.id, ACCOUNT_CLIENT);
  if (!account) return;
  const access = await ctx.accessModel.of(realm.id);
  if (!access.clientRole(account.id, role)) return;
  const resource = claims.resource_access as Record<string, { roles?: unknown }> | undefined;
  const roles = resource?.[ACCOUNT_CLIENT]?.roles;
  if (!Array.isArray(roles) || !roles.includes(role))
    throw new Forbidden(`The ${role} role of ${ACCOUNT_CLIENT} is required`);
}

/** AccountRestService.updateAccount: names, email (unverified again when it changes) and attributes; the username is read-only. */
async function updateProfile(ctx: AccountDeps, user: User, body: Record<string, unknown>): Promise<void> {
  const text = (key: string): string | null | undefined => {
    const v = body[key];
    if (v === undefined) return undefined;
    if (v === null || v === '') return null;
    if (typeof v !== 'string' || v.length > MAX_VALUE)
      throw new InvalidRequest(`${key} must be text of at most ${MAX_VALUE} characters`);
    return v;
  };
  const username = text('username');
  if (username !== undefined && username?.toLowerCase() !== user.username)
    throw new InvalidRequest('error-user-attribute-read-only: username');
  const firstName = text('firstName');
  const lastName = text('lastName');
  const email = text('email');
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) throw new InvalidRequest('invalidEmailMessage: email');
  const values: Parameters<typeof ctx.realmWriter.updateUser>[1] = {};
  if (firstName !== undefined) values.first_name = firstName;
  if (lastName !== undefined) values.last_name = lastName;
  if (email !== undefined && email !== user.email) {
    values.email = email;
    values.email_verified = 0;
  }
  if (body.attributes !== undefined) values.attributes = JSON.stringify(attributes(body.attributes));
  if (Object.keys(values).length > 0) await ctx.realmWriter.updateUser(user.id, values);
}

function attributes(value: unknown): Record<string, string[]> {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequest('attributes must be an object');
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && x.length <= MAX_VALUE))
      throw new InvalidRequest(`attributes.${k} must be a list of text values`);
    out[k] = list as string[];
  }
  return out;
}

async function readJson(req: Request): Promise<Record<string, unknown>> {
  if (!(req.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json'))
    throw new InvalidRequest('Content-Type must be application/json');
  let value: unknown;
  try {
    value = JSON.parse(await readBody(req, 64 * 1024));
  } catch {
    throw new InvalidRequest('Body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidRequest('Body must be a JSON object');
  return value as Record<string, unknown>;
}
