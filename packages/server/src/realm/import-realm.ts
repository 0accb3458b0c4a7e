// Writes a parsed realm into the store. Running the same import twice leaves the store as
// after the first run: realms, clients and users are matched by name and updated in place.
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { hashPassword, verifyPassword } from '../crypto/password.ts';
import { newId } from '../crypto/random.ts';
import { type EndReason, LogoutService, logoutStoresOver } from '../logout/logout-service.ts';
import type { Database } from '../store/schema.ts';
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
      if (existing) await trx.updateTable('client').set(values).where('id', '=', existing.id).execute();
      else
        await trx
          .insertInto('client')
          .values({ id: newId(), realm_id: realmId, created_at: now, ...values })
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
  };
}
