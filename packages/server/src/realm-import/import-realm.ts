// Imports a parsed realm: hashes new passwords, writes realm, clients and users through their one
// writer (realm/realm-writer.ts), and ends the sessions of users the import disabled or gave a new
// password. Running the same import twice leaves the store as after the first run: realms, clients
// and users are matched by name and updated in place.
import { readFile } from 'node:fs/promises';
import { hashPassword, verifyPassword } from '../crypto/password.ts';
import { newId } from '../crypto/random.ts';
import { LogoutService, logoutStoresOver } from '../logout/logout-service.ts';
import type { EndReason } from '../sessions/session-ender.ts';
import type { Executor } from '../store/executor.ts';
import { RealmRepository } from '../realm/repository.ts';
import { RealmWriter } from '../realm/realm-writer.ts';
import { isMaskedValue, KEYCLOAK_SECRET_MASK } from '../realm/masked-values.ts';
import { type ParsedRealm, parseRealmJson, RealmImportError } from './realm-json.ts';
import { clientRow, realmRow, userRow } from './rows.ts';
import { accessWriterDepsOver } from '../access/access-stores.ts';
import { runAccessUpgrade } from '../access/access-upgrade.ts';
import { AccessWriter } from '../access/access-writer.ts';
import { sha1Warnings } from './sha1-clients.ts';
import { unsupportedMappers } from './unsupported-mappers.ts';
import { type AccessWriteResult, writeAccess } from './write-access.ts';

export interface ImportResult {
  realmId: string;
  realm: string;
  clients: number;
  users: number;
  /**
   * Confidential clients whose secret was Keycloak's mask "**********" (in the file, as a partial
   * export writes it, or in the store) and that had no real one: each got a newly generated
   * secret, readable at GET /admin/realms/{realm}/clients/{id}/client-secret (realm/masked-values.ts).
   */
  newSecrets: Array<{ clientId: string; id: string }>;
  ignored: string[];
  /** Things the import left out or could not use (unknown client scope names), one line each. */
  warnings: string[];
  /**
   * Protocol mappers of a type Sundown does not evaluate, by JSON path: they are kept (the admin
   * API shows them) but add nothing to tokens (docs/keycloak.md has the supported types).
   */
  unsupportedMappers: string[];
  /** Existing users this import disabled or gave a new password: their sessions were ended. */
  loggedOut: string[];
}

export interface ImportOptions {
  /** The running provider's logout service (it wakes the delivery worker); else the outbox is polled. */
  logout?: LogoutService;
}

export async function importRealmFile(db: Executor, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new RealmImportError('$', `cannot read ${file}: ${(err as Error).message}`);
  }
  return importRealm(db, parseRealmJson(json), options);
}

export async function importRealm(
  db: Executor,
  parsed: ParsedRealm,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { realm } = parsed;
  const writer = new RealmWriter(db, newId);
  // A realm stored before migration 0015 gets its built-in scopes first, so the file updates them.
  await runAccessUpgrade(db, writer);
  const now = Date.now();
  const existingRealmId = await writer.realmIdByName(realm.realm);
  const realmId = existingRealmId ?? newId();

  // Hash outside the transaction (argon2id is deliberately slow); keep an existing hash when
  // the password is unchanged so a repeated import changes nothing.
  const existingUsers = existingRealmId ? await writer.usersOf(realmId) : [];
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

  let access: AccessWriteResult = { warnings: [] };
  const written = await writer.writeImport(
    {
      realmId,
      exists: existingRealmId !== undefined,
      name: realm.realm,
      realm: realmRow(realm),
      clients: realm.clients.map((client) => ({
        clientId: client.clientId,
        values: (existingSecret) => clientRow(client, existingSecret),
      })),
      users: realm.users.map((user) => ({
        existingId: byUsername.get(user.username)?.id ?? null,
        values: { ...userRow(user), password_hash: hashes.get(user.username) ?? null },
      })),
      extension: async (tx, written) => {
        const deps = accessWriterDepsOver(tx, writer);
        access = await writeAccess(
          tx,
          deps,
          new AccessWriter(deps),
          { id: realmId, exists: existingRealmId !== undefined, import: realm },
          written,
        );
      },
    },
    now,
  );
  // A generated secret where the file or the store had only Keycloak's mask (realm/masked-values.ts).
  const given = new Map(realm.clients.map((c) => [c.clientId, c.secret]));
  const newSecrets = written
    .filter((w) => w.secret !== null && w.secret !== given.get(w.clientId) && w.secret !== w.previousSecret)
    .filter((w) => isMaskedValue(given.get(w.clientId) ?? null) || isMaskedValue(w.previousSecret))
    .map((w) => ({ clientId: w.clientId, id: w.id }));

  // As in the admin API: a disabled user, or one with a new password, is logged out everywhere
  // and every client is told (the deliveries are in the outbox, sent by any server process).
  if (endFor.size > 0) {
    const stored = await new RealmRepository(db).realmById(realmId);
    if (!stored) throw new Error(`realm ${realm.realm} vanished during its import`);
    const logout = options.logout ?? new LogoutService(logoutStoresOver(db), () => {});
    for (const [userId, reason] of endFor) await logout.logoutUser(stored, userId, {}, reason);
  }

  return {
    realmId,
    realm: realm.realm,
    clients: realm.clients.length,
    users: realm.users.length,
    ignored: parsed.ignored,
    warnings: [...access.warnings, ...sha1Warnings(realm.clients)],
    unsupportedMappers: unsupportedMappers(realm),
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

/**
 * The warning lines of an import besides unknown fields: protocol mappers Sundown keeps but does
 * not evaluate (docs/keycloak.md lists the supported types), and names it left out.
 */
export function importNotes(result: ImportResult): string[] {
  const notes = result.warnings.map((w) => `realm ${result.realm}: ${w}`);
  if (result.unsupportedMappers.length > 0)
    notes.unshift(
      `realm ${result.realm}: protocol mappers of types Sundown does not evaluate (kept, but they add nothing to tokens; see docs/keycloak.md): ${result.unsupportedMappers.join(', ')}`,
    );
  return notes;
}

/** Realm import as a service of the running provider: its logout service wakes the delivery worker. */
export class RealmImporter {
  readonly #store: Executor;
  readonly #logout: LogoutService;
  constructor(db: Executor, logout: LogoutService) {
    this.#store = db;
    this.#logout = logout;
  }

  import(parsed: ParsedRealm): Promise<ImportResult> {
    return importRealm(this.#store, parsed, { logout: this.#logout });
  }
}
