// Imports a parsed realm: hashes new passwords, writes realm, clients and users through their one
// writer (realm/realm-writer.ts), and ends the sessions of users the import disabled or gave a new
// password. Running the same import twice leaves the store as after the first run: realms, clients
// and users are matched by name and updated in place.
import { basename } from 'node:path';
import { hashPassword, verifyPassword } from '../crypto/password.ts';
import { newId } from '../crypto/random.ts';
import { LogoutService, logoutStoresOver } from '../logout/logout-service.ts';
import type { EndReason } from '../sessions/session-ender.ts';
import type { Executor } from '../store/executor.ts';
import { RealmRepository } from '../realm/repository.ts';
import { RealmWriter } from '../realm/realm-writer.ts';
import { isMaskedValue, KEYCLOAK_SECRET_MASK } from '../realm/masked-values.ts';
import { formatImportReport } from './import-report.ts';
import { readRealmSources } from './realm-files.ts';
import { type ParsedRealm, parseRealmJson, RealmImportError } from './realm-json.ts';
import { clientRow, realmRow, userRow } from './rows.ts';
import { accessWriterDepsOver } from '../access/access-stores.ts';
import { runAccessUpgrade } from '../access/access-upgrade.ts';
import { AccessWriter } from '../access/access-writer.ts';
import { OtpCredentialStore } from '../login/otp/otp-credential-store.ts';
import { writeOtpCredentials } from './write-otp.ts';
import { sha1Warnings } from './sha1-clients.ts';
import { unsupportedMappers } from './unsupported-mappers.ts';
import { type AccessWriteResult, writeAccess } from './write-access.ts';
import { FederatedIdentityStore } from '../broker/federated-identity-store.ts';
import { IdentityProviderStore } from '../broker/identity-provider-store.ts';

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
  /** What the administrator should know (import-report.ts). */
  warnings: string[];
  keycloakVersion: string | null;
  /**
   * Protocol mappers of a type Sundown does not evaluate, by JSON path: they are kept (the admin
   * API shows them) but add nothing to tokens (docs/keycloak.md has the supported types).
   */
  unsupportedMappers: string[];
  /** Existing users this import disabled or gave a new password: their sessions were ended. */
  loggedOut: string[];
  /** Only users were added or updated (a users file of a directory export): settings untouched. */
  usersOnly: boolean;
}

export interface ImportOptions {
  /** The running provider's logout service (it wakes the delivery worker); else the outbox is polled. */
  logout?: LogoutService;
  /** Add and update the file's users only, leaving the stored realm's settings and clients. */
  usersOnly?: boolean;
}

/** An import and where it came from, with its report as text. */
export interface FileImport {
  result: ImportResult;
  files: string[];
  report: string;
}

/**
 * Imports realm files and directory exports (realm-files.ts), one realm at a time, each
 * checked whole before anything of it is written. A users file without its realm file adds its
 * users to the stored realm.
 */
export async function importRealmFiles(
  db: Executor,
  paths: readonly string[],
  options: ImportOptions = {},
): Promise<FileImport[]> {
  const done: FileImport[] = [];
  for (const source of await readRealmSources(paths)) {
    const result = await importRealm(db, parseRealmJson(source.json), { ...options, usersOnly: source.usersOnly });
    const report = formatImportReport({ ...result, source: source.files.map((f) => basename(f)).join(' + ') });
    done.push({ result, files: source.files, report });
  }
  return done;
}

/** One realm file (or directory export) → its import result. */
export async function importRealmFile(db: Executor, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const [first] = await importRealmFiles(db, [file], options);
  if (!first) throw new RealmImportError('$', `${file} holds no realm`);
  return first.result;
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
  const usersOnly = options.usersOnly === true;
  if (usersOnly && existingRealmId === undefined) {
    throw new RealmImportError(
      '$.realm',
      `realm "${realm.realm}" does not exist: import its ${realm.realm}-realm.json first, or the whole export directory`,
    );
  }

  // Hash outside the transaction (argon2id is deliberately slow); keep an existing hash when
  // the password is unchanged so a repeated import changes nothing. A Keycloak hash is stored as
  // it is; the same hash imported again keeps the argon2id hash the user's sign-in replaced it
  // with (crypto/password.ts needsRehash), a different one is a new password.
  const existingUsers = existingRealmId ? await writer.usersOf(realmId) : [];
  const byUsername = new Map(existingUsers.map((u) => [u.username, u]));
  const hashes = new Map<string, { password_hash: string | null; imported_password: string | null }>();
  const endFor = new Map<string, EndReason>();
  for (const user of realm.users) {
    const existing = byUsername.get(user.username);
    const current = {
      password_hash: existing?.password_hash ?? null,
      imported_password: existing?.imported_password ?? null,
    };
    let next = current;
    if (user.password !== null) {
      if (!current.password_hash || !(await verifyPassword(user.password, current.password_hash)))
        next = { password_hash: await hashPassword(user.password), imported_password: null };
    } else if (user.passwordHash !== null && user.passwordHash !== current.imported_password) {
      next = { password_hash: user.passwordHash, imported_password: user.passwordHash };
    }
    hashes.set(user.username, next);
    if (existing && next.password_hash !== current.password_hash) endFor.set(existing.id, 'password_change');
    if (existing?.enabled === 1 && !user.enabled) endFor.set(existing.id, 'user_disabled');
  }

  let access: AccessWriteResult = { warnings: [] };
  const written = await writer.writeImport(
    {
      realmId,
      exists: existingRealmId !== undefined,
      name: realm.realm,
      realm: usersOnly ? null : realmRow(realm),
      clients: (usersOnly ? [] : realm.clients).map((client) => ({
        clientId: client.clientId,
        values: (existingSecret) => clientRow(client, existingSecret),
      })),
      users: realm.users.map((user) => ({
        existingId: byUsername.get(user.username)?.id ?? null,
        values: { ...userRow(user), ...hashes.get(user.username)! },
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
        await writeOtpCredentials(new OtpCredentialStore(tx), realmId, realm.users, written.users, now, tx);
        // Identity brokering (issue 26): the realm's upstreams, then users' links to them.
        if (!usersOnly)
          await new IdentityProviderStore(tx).replaceAll(realmId, realm.identityProviders, now, newId, tx);
        const links = new FederatedIdentityStore(tx);
        for (const user of realm.users) {
          const id = written.users.find((w) => w.username === user.username)?.id;
          if (!id || user.federatedIdentities.length === 0) continue;
          const existing = new Set((await links.ofUser(id)).map((l) => l.alias));
          for (const f of user.federatedIdentities) {
            if (existing.has(f.identityProvider)) continue;
            await links.link(
              realmId,
              { userId: id, alias: f.identityProvider, upstreamUserId: f.userId, upstreamUsername: f.userName },
              null,
              now,
              tx,
            );
          }
        }
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
    for (const [userId, reason] of endFor) await logout.logoutUser(stored, userId, { startedBy: 'import' }, reason);
  }

  const mappers = unsupportedMappers(realm);
  return {
    realmId,
    realm: realm.realm,
    clients: realm.clients.length,
    users: realm.users.length,
    ignored: parsed.ignored,
    warnings: [
      ...parsed.warnings,
      ...access.warnings,
      ...sha1Warnings(realm.clients),
      ...(mappers.length > 0
        ? [
            `protocol mappers of types Sundown does not evaluate (kept, but they add nothing to tokens; see docs/keycloak.md): ${mappers.join(', ')}`,
          ]
        : []),
    ],
    keycloakVersion: parsed.keycloakVersion,
    unsupportedMappers: mappers,
    loggedOut: [...endFor.keys()],
    newSecrets,
    usersOnly,
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
