// The admin API's write endpoints (Keycloak paths): realms, clients, users, password reset.
// Bodies are validated by the same rules as realm import; conflicts are 409.
import { defaultRequiredActions } from '../realm/required-actions.ts';
import { hashPassword } from '../crypto/password.ts';
import { newId } from '../crypto/random.ts';
import { Conflict, InvalidRequest, OAuthError } from '../errors.ts';
import { type PasswordSubject, passwordPolicyViolation, storeNewPassword } from '../realm/password-change.ts';
import { clientFromRow, type Realm } from '../realm/model.ts';
import { type ClientImport, parseRealmJson, RealmImportError, type UserImport } from '../realm-import/realm-json.ts';
import { clientRow, realmRow, userRow } from '../realm-import/rows.ts';
import { importNotes, newSecretsWarning } from '../realm-import/import-realm.ts';
import { isMaskedValue, KEYCLOAK_SECRET_MASK } from '../realm/masked-values.ts';
import { notBeforeField } from '../tokens/not-before.ts';
import { adminActor } from './admin-auth.ts';
import type { AdminRoute } from './admin-endpoint.ts';
import { clientInRealm, inRealm, noRealm, userInRealm } from './admin-scope.ts';
import { MASTER_REALM } from './bootstrap.ts';
import { clientRepresentation, realmRepresentation, userRepresentation } from './representations.ts';
import type { UsesAdminStore } from './capabilities.ts';
import type { UsesLog } from '../log.ts';
import type { UsesLogout } from '../logout/capabilities.ts';
import type { UsesUrls } from '../provider-urls.ts';
import type { UsesPasswordHistory, UsesRealms, UsesRealmWriter } from '../realm/capabilities.ts';
import type { UsesRealmImporter } from '../realm-import/capabilities.ts';
import type { UsesNotBefore } from '../tokens/capabilities.ts';
import { jsonBody } from './json-body.ts';
import { sha1Warnings } from '../realm-import/sha1-clients.ts';
import { type AccessOfNewDeps, writeClientAccess, writeNewUserAccess } from './access-of-new.ts';
import type { UsesAccessModel } from '../access/capabilities.ts';

/** What the admin API's writes use. */
export type AdminWriteDeps = AccessOfNewDeps &
  UsesAccessModel &
  UsesAdminStore &
  UsesLog &
  UsesLogout &
  UsesNotBefore &
  UsesRealms &
  UsesRealmWriter &
  UsesPasswordHistory &
  UsesRealmImporter &
  UsesUrls;

/** Validates one client or user with the import rules; errors name the field. */
function validate<K extends 'clients' | 'users'>(
  realm: Realm,
  kind: K,
  body: Record<string, unknown>,
): K extends 'clients' ? ClientImport : UserImport {
  try {
    const parsed = parseRealmJson({ realm: realm.name, attributes: realm.attributes, [kind]: [body] });
    return (kind === 'clients' ? parsed.realm.clients[0] : parsed.realm.users[0]) as K extends 'clients'
      ? ClientImport
      : UserImport;
  } catch (err) {
    if (err instanceof RealmImportError) throw new InvalidRequest(err.message.replaceAll(`$.${kind}[0]`, '$'));
    throw err;
  }
}

/**
 * Keycloak's answer to a password its policy refuses (UserResource.resetPassword): 400 with the
 * message key as `error` and the English text as `error_description` (admin-error.ts adds
 * `errorMessage`), e.g. `invalidPasswordMinLengthMessage` / "Invalid password: minimum length 12.".
 */
async function refuseWeakPassword(
  ctx: UsesPasswordHistory,
  realm: Realm,
  subject: PasswordSubject,
  password: string,
): Promise<void> {
  const broken = await passwordPolicyViolation(ctx, realm, subject, password);
  if (broken) throw new OAuthError(broken.key, 400, broken.message);
}

/** Keycloak's duplicateEmailsAllowed (default off): 409 "User exists with same email" (UsersResource). */
async function refuseDuplicateEmail(
  ctx: UsesRealms,
  realm: Realm,
  email: string | null,
  selfId: string | null,
): Promise<void> {
  if (!email || realm.login.duplicateEmailsAllowed) return;
  const others = (await ctx.realms.userIdsByEmail(realm.id, email)).filter((id) => id !== selfId);
  if (others.length > 0) throw new Conflict('User exists with same email');
}

/** A masked SMTP password in a realm update keeps the stored one (realm/masked-values.ts). */
function keepMaskedSmtpPassword(body: Record<string, unknown>, realm: Realm): void {
  const smtp = body.smtpServer;
  if (typeof smtp !== 'object' || smtp === null || Array.isArray(smtp)) return;
  const given = smtp as Record<string, unknown>;
  if (!isMaskedValue(given.password as string | undefined)) return;
  const stored = realm.login.smtpServer.password;
  body.smtpServer = { ...given, password: stored };
  if (stored === undefined) delete (body.smtpServer as Record<string, unknown>).password;
}

function location(ctx: UsesUrls, realm: string, path: string): string {
  return `${ctx.urls.publicUrl}${ctx.urls.relativePath}/admin/realms/${encodeURIComponent(realm)}${path}`;
}

export function addAdminWrites(route: AdminRoute<AdminWriteDeps>): void {
  // POST /admin/realms — the same JSON as a realm import.
  route('POST', '/', noRealm, async (ctx, _, req) => {
    const body = await jsonBody(req);
    let parsed: ReturnType<typeof parseRealmJson>;
    try {
      parsed = parseRealmJson(body);
    } catch (err) {
      if (err instanceof RealmImportError) throw new InvalidRequest(err.message);
      throw err;
    }
    if (await ctx.realms.realmByName(parsed.realm.realm))
      throw new Conflict(`Realm ${parsed.realm.realm} already exists`);
    let result: Awaited<ReturnType<typeof ctx.realmImporter.import>>;
    try {
      result = await ctx.realmImporter.import(parsed);
    } catch (err) {
      // A name the representation uses but nowhere defines (a client, a group path, a composite).
      if (err instanceof RealmImportError) throw new InvalidRequest(err.message);
      throw err;
    }
    for (const line of importNotes(result)) ctx.log.warn({ realm: result.realm }, line);
    // A masked client secret got a generated one (realm/masked-values.ts): say so, as at start-up.
    if (result.newSecrets.length > 0)
      ctx.log.warn(
        { realm: result.realm, newSecrets: result.newSecrets },
        newSecretsWarning(result.realm, result.newSecrets, ctx.urls.relativePath),
      );
    return new Response(null, { status: 201, headers: { Location: location(ctx, parsed.realm.realm, '') } });
  });

  // PUT /admin/realms/{realm} — Keycloak: "Update the top-level information of the realm. Any
  // user, roles or client information in the representation will be ignored."
  route('PUT', '/:realm', inRealm, async (ctx, { realm }, req) => {
    const body = await jsonBody(req);
    delete body.clients;
    delete body.users;
    const notBefore = notBeforeField(body);
    keepMaskedSmtpPassword(body, realm);
    const clients = (await ctx.admin.clients(realm.id, null)).map(clientFromRow);
    let parsed: ReturnType<typeof parseRealmJson>;
    try {
      // The realm's clients are checked again, so that turning off an opt-in (http back-channel
      // URLs) cannot leave a client that breaks the rules behind.
      parsed = parseRealmJson({
        ...realmRepresentation(realm),
        ...body,
        clients: clients.map((cl) => ({ ...clientRepresentation(cl), secret: cl.secret ?? undefined })),
      });
    } catch (err) {
      if (err instanceof RealmImportError) {
        const at = /^\$\.clients\[(\d+)\]/.exec(err.path);
        throw new InvalidRequest(
          at
            ? `client ${clients[Number(at[1])]!.clientId}: ${err.message.replace(/^\$\.clients\[\d+\]/, '$')}`
            : err.message,
        );
      }
      throw err;
    }
    const next = parsed.realm;
    if (realm.name === MASTER_REALM && next.realm !== MASTER_REALM)
      throw new InvalidRequest('The master realm cannot be renamed');
    if (realm.name === MASTER_REALM && !next.enabled) throw new InvalidRequest('The master realm cannot be disabled');
    if (next.realm !== realm.name && (await ctx.realms.realmByName(next.realm)))
      throw new Conflict(`Realm ${next.realm} already exists`);
    await ctx.realmWriter.updateRealm(realm.id, next.realm, realmRow(next));
    if (notBefore !== undefined) await ctx.notBefore.setRealm(realm.id, notBefore);
    return new Response(null, { status: 204 });
  });

  // DELETE /admin/realms/{realm} — everyone is logged out first, so every client is told.
  route('DELETE', '/:realm', inRealm, async (ctx, { realm }, _req, admin) => {
    if (realm.name === MASTER_REALM) throw new InvalidRequest('The master realm cannot be deleted');
    await ctx.logout.logoutAll(realm, adminActor(admin));
    await ctx.realmWriter.deleteRealm(realm.id);
    return new Response(null, { status: 204 });
  });

  route('POST', '/:realm/clients', inRealm, async (ctx, { realm }, req) => {
    const body = await jsonBody(req);
    const notBefore = notBeforeField(body);
    const client = validate(realm, 'clients', body);
    if (await ctx.realms.clientByClientId(realm.id, client.clientId))
      throw new Conflict(`Client ${client.clientId} already exists`);
    const id = newId();
    await ctx.realmWriter.insertClient(id, realm.id, clientRow(client, null));
    await writeClientAccess(ctx, realm, id, client, true);
    for (const line of sha1Warnings([client])) ctx.log.warn({ realm: realm.name }, line);
    if (notBefore) await ctx.notBefore.setClient(realm.id, id, notBefore);
    // A masked secret got a generated one (realm/masked-values.ts): say so, as an import does.
    if (isMaskedValue(client.secret)) {
      const newSecrets = [{ clientId: client.clientId, id }];
      ctx.log.warn({ realm: realm.name, newSecrets }, newSecretsWarning(realm.name, newSecrets, ctx.urls.relativePath));
    }
    return new Response(null, { status: 201, headers: { Location: location(ctx, realm.name, `/clients/${id}`) } });
  });

  // PUT replaces the fields sent and keeps the others, as Keycloak does.
  route('PUT', '/:realm/clients/:id', clientInRealm, async (ctx, { realm, client: current }, req) => {
    const body = await jsonBody(req);
    const notBefore = notBeforeField(body);
    const merged = { ...clientRepresentation(current), secret: current.secret ?? undefined, ...body };
    const client = validate(realm, 'clients', merged);
    const other = await ctx.realms.clientByClientId(realm.id, client.clientId);
    if (other && other.id !== current.id) throw new Conflict(`Client ${client.clientId} already exists`);
    await ctx.realmWriter.updateClient(current.id, clientRow(client, current.secret));
    await writeClientAccess(ctx, realm, current.id, client, false);
    for (const line of sha1Warnings([client])) ctx.log.warn({ realm: realm.name }, line);
    if (notBefore !== undefined) await ctx.notBefore.setClient(realm.id, current.id, notBefore);
    return new Response(null, { status: 204 });
  });

  route('DELETE', '/:realm/clients/:id', clientInRealm, async (ctx, { client: current }) => {
    await ctx.realmWriter.deleteClient(current.id);
    return new Response(null, { status: 204 });
  });

  route('POST', '/:realm/users', inRealm, async (ctx, { realm }, req) => {
    const user = validate(realm, 'users', await jsonBody(req));
    if (await ctx.realms.userByUsername(realm.id, user.username))
      throw new Conflict(`User ${user.username} already exists`);
    await refuseDuplicateEmail(ctx, realm, user.email, null);
    if (user.password !== null) await refuseWeakPassword(ctx, realm, user, user.password);
    const id = newId();
    const passwordHash = user.password === null ? null : await hashPassword(user.password);
    const access = await ctx.accessModel.of(realm.id);
    const missing = (user.groups ?? []).find((path) => !access.groupByPath(path));
    if (missing !== undefined) throw new InvalidRequest(`Group ${missing} not found`);
    // Keycloak's addUser gives a created user the realm's default required actions (an import does not).
    const requiredActions = [...new Set([...user.requiredActions, ...defaultRequiredActions(realm)])];
    await ctx.realmWriter.insertUser(id, realm.id, passwordHash, {
      ...userRow(user),
      required_actions: JSON.stringify(requiredActions),
    });
    await writeNewUserAccess(ctx, realm, id, user, (path) => access.groupByPath(path)?.id);
    return new Response(null, { status: 201, headers: { Location: location(ctx, realm.name, `/users/${id}`) } });
  });

  route('PUT', '/:realm/users/:id', userInRealm, async (ctx, { realm, user: current }, req, admin) => {
    const body = await jsonBody(req);
    // Passwords change only through reset-password.
    const fields = { ...body };
    delete fields.credentials;
    // Role mappings and groups change through their own endpoints (Keycloak ignores them here).
    delete fields.realmRoles;
    delete fields.clientRoles;
    delete fields.groups;
    const user = validate(realm, 'users', { ...userRepresentation(current), ...fields });
    const other = await ctx.realms.userByUsername(realm.id, user.username);
    if (other && other.id !== current.id) throw new Conflict(`User ${user.username} already exists`);
    await refuseDuplicateEmail(ctx, realm, user.email, current.id);
    await ctx.realmWriter.updateUser(current.id, userRow(user));
    // A disabled user's sessions end at once, and every client of them is told (as logout).
    if (current.enabled && !user.enabled)
      await ctx.logout.logoutUser(realm, current.id, adminActor(admin), 'user_disabled');
    return new Response(null, { status: 204 });
  });

  // Deleting a user ends their sessions first, so every client is told (the deliveries name the
  // user by id and need no user row: they go out after the user is gone).
  route('DELETE', '/:realm/users/:id', userInRealm, async (ctx, { realm, user: current }, _req, admin) => {
    await ctx.logout.logoutUser(realm, current.id, adminActor(admin), 'user_deleted');
    await ctx.realmWriter.deleteUser(current.id);
    return new Response(null, { status: 204 });
  });

  // PUT /admin/realms/{realm}/users/{id}/reset-password { type: "password", value, temporary }.
  // Keycloak (UserResource.resetPassword): `temporary: true` adds UPDATE_PASSWORD, so the user
  // chooses a new password at the next sign-in; otherwise a pending UPDATE_PASSWORD is removed.
  route('PUT', '/:realm/users/:id/reset-password', userInRealm, async (ctx, { realm, user: current }, req, admin) => {
    const body = await jsonBody(req);
    if ((body.type ?? 'password') !== 'password' || typeof body.value !== 'string' || body.value === '')
      throw new InvalidRequest('Send {"type":"password","value":"…"}');
    if (isMaskedValue(body.value))
      throw new InvalidRequest(`"${KEYCLOAK_SECRET_MASK}" is Keycloak's masked value, not a password`);
    if (body.temporary !== undefined && typeof body.temporary !== 'boolean')
      throw new InvalidRequest('temporary must be true or false');
    await refuseWeakPassword(ctx, realm, current, body.value);
    const others = current.requiredActions.filter((a) => a !== 'UPDATE_PASSWORD');
    await storeNewPassword(ctx, current, body.value, {
      required_actions: JSON.stringify(body.temporary === true ? [...others, 'UPDATE_PASSWORD'] : others),
    });
    // A reset usually follows a compromise: whoever knew the old password loses their sessions.
    await ctx.logout.logoutUser(realm, current.id, adminActor(admin), 'password_reset');
    return new Response(null, { status: 204 });
  });
}
