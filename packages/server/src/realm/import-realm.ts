// Writes a parsed realm into the store. Running the same import twice leaves the store as
// after the first run: realms, clients and users are matched by name and updated in place.
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { hashPassword, verifyPassword } from '../crypto/password.ts';
import { newId } from '../crypto/random.ts';
import { type EndReason, LogoutService, logoutStoresOver } from '../logout/logout-service.ts';
import type { Database } from '../store/schema.ts';
import { isMaskedValue, KEYCLOAK_SECRET_MASK } from './masked-values.ts';
import { realmFromRow } from './model.ts';
import { type ParsedRealm, parseRealmJson, RealmImportError } from './realm-json.ts';
import { clientRow, realmRow, userRow } from './rows.ts';

export interface ImportResult {
  realmId: string;
  realm: string;
  clients: number;
  users: number;
  ignored: string[];
  /** Existing users this import disabled or gave a new password: their sessions were ended. */
  loggedOut: string[];
  /**
   * Confidential clients whose secret was Keycloak's mask "**********" (in the file, as a partial
   * export writes it, or in the store) and that had no real one: each got a newly generated
   * secret, readable at GET /admin/realms/{realm}/clients/{id}/client-secret (realm/masked-values.ts).
   */
  newSecrets: Array<{ clientId: string; id: string }>;
}

export interface ImportOptions {
  /** The running provider's logout service (it wakes the delivery worker); else the outbox is polled. */
  logout?: LogoutService;
}

export async function importRealmFile(db: Kysely<Database>, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new RealmImportError('$', `cannot read ${file}: ${(err as Error).message}`);
  }
  return importRealm(db, parseRealmJson(json), options);
}

export async function importRealm(db: Kysely<Database>, parsed: ParsedRealm, options: ImportOptions = {}): Promise<ImportResult> {
  const { realm } = parsed;
  const now = Date.now();
  const existingRealm = await db.selectFrom('realm').select('id').where('name', '=', realm.realm).executeTakeFirst();
  const realmId = existingRealm?.id ?? newId();

  // Hash outside the transaction (argon2id is deliberately slow); keep an existing hash when
  // the password is unchanged so a repeated import changes nothing.
  const existingUsers = existingRealm
    ? await db.selectFrom('app_user').select(['id', 'username', 'password_hash', 'enabled']).where('realm_id', '=', realmId).execute()
    : [];
  const byUsername = new Map(existingUsers.map((u) => [u.username, u]));
  const hashes = new Map<string, string | null>();
  const endFor = new Map<string, EndReason>();
  const newSecrets: ImportResult['newSecrets'] = [];
  for (const user of realm.users) {
    const existing = byUsername.get(user.username);
    const current = existing?.password_hash ?? null;
    if (user.password === null) hashes.set(user.username, current);
    else if (current && (await verifyPassword(user.password, current))) hashes.set(user.username, current);
    else {
      hashes.set(user.username, await hashPassword(user.password));
      if (existing) endFor.set(existing.id, 'password_reset');
    }
    if (existing?.enabled === 1 && !user.enabled) endFor.set(existing.id, 'user_disabled');
  }

  await db.transaction().execute(async (trx) => {
    const realmValues = realmRow(realm);
    if (existingRealm) await trx.updateTable('realm').set(realmValues).where('id', '=', realmId).execute();
    else
      await trx
        .insertInto('realm')
        .values({ id: realmId, name: realm.realm, created_at: now, ...realmValues })
        .execute();

    for (const client of realm.clients) {
      const existing = await trx
        .selectFrom('client')
        .select(['id', 'secret'])
        .where('realm_id', '=', realmId)
        .where('client_id', '=', client.clientId)
        .executeTakeFirst();
      const values = clientRow(client, existing?.secret ?? null);
      const id = existing?.id ?? newId();
      const generated = values.secret !== null && values.secret !== client.secret && values.secret !== existing?.secret;
      if (generated && (isMaskedValue(client.secret) || isMaskedValue(existing?.secret))) newSecrets.push({ clientId: client.clientId, id });
      if (existing) await trx.updateTable('client').set(values).where('id', '=', id).execute();
      else
        await trx
          .insertInto('client')
          .values({ id, realm_id: realmId, created_at: now, ...values })
          .execute();
    }

    for (const user of realm.users) {
      const values = { ...userRow(user), password_hash: hashes.get(user.username) ?? null };
      const existing = byUsername.get(user.username);
      if (existing) await trx.updateTable('app_user').set(values).where('id', '=', existing.id).execute();
      else
        await trx
          .insertInto('app_user')
          .values({ id: newId(), realm_id: realmId, created_at: now, ...values })
          .execute();
    }
  });

  // As in the admin API: a disabled user, or one with a new password, is logged out everywhere
  // and every client is told (the deliveries are in the outbox, sent by any server process).
  if (endFor.size > 0) {
    const row = await db.selectFrom('realm').selectAll().where('id', '=', realmId).executeTakeFirstOrThrow();
    const logout = options.logout ?? new LogoutService(logoutStoresOver(db), () => {});
    for (const [userId, reason] of endFor) await logout.logoutUser(realmFromRow(row), userId, {}, reason);
  }

  return {
    realmId,
    realm: realm.realm,
    clients: realm.clients.length,
    users: realm.users.length,
    ignored: parsed.ignored,
    loggedOut: [...endFor.keys()],
    newSecrets,
  };
}

/**
 * The warning for clients that got a new secret for a masked one (an import's `newSecrets`, or a
 * client created through the admin API): which clients, why, and where the admin reads the new
 * secret (Keycloak's GET …/clients/{id}/client-secret) or sets the app's own (PUT …/clients/{id}).
 * `relativePath` is the server's `--http-relative-path` ('' or e.g. '/auth').
 */
export function newSecretsWarning(realm: string, newSecrets: ImportResult['newSecrets'], relativePath: string): string {
  const clients = newSecrets.map((c) => c.clientId).join(', ');
  const base = `${relativePath}/admin/realms/${encodeURIComponent(realm)}/clients/{id}`;
  const ids = newSecrets.map((c) => `${c.clientId}: ${c.id}`).join(', ');
  return (
    `realm ${realm}: ${newSecrets.length === 1 ? 'client' : 'clients'} ${clients} had Keycloak's masked secret ` +
    `"${KEYCLOAK_SECRET_MASK}" (a partial export leaves secrets out), which is never a credential; each got a new ` +
    `generated secret. Read it with GET ${base}/client-secret (${ids}), or set the app's own with PUT ${base} and {"secret": "…"}.`
  );
}
