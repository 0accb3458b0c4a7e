// The refresh_token table. Refresh tokens are stored only as their SHA-256. A family is one
// grant (RFC 6749 §6 rotation, Security BCP §4.14.2 reuse detection): revocation always covers
// a whole family, so one revoked row means the grant is revoked.
import { sha256 } from '../crypto/random.ts';
import type { Executor } from '../store/executor.ts';
import { prepareQuery } from '../store/prepared.ts';
import type { RefreshTokenTable } from '../store/schema.ts';

/** Every column, in one fixed order: the prepared INSERT takes the row's values in it. */
const COLUMNS = [
  'token_hash',
  'family_id',
  'realm_id',
  'client_id',
  'client_session_id',
  'user_id',
  'sso_session_id',
  'scope',
  'offline',
  'code_hash',
  'created_at',
  'expires_at',
  'used_at',
  'revoked_at',
] as const satisfies ReadonlyArray<keyof RefreshTokenTable>;
type RowValues = Array<RefreshTokenTable[(typeof COLUMNS)[number]]>;

function rowOf(values: RowValues): RefreshTokenTable {
  return Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]])) as unknown as RefreshTokenTable;
}

export class RefreshTokenStore {
  readonly #db: Executor;
  // Compiled once: the refresh grant's find, claim and insert (store/prepared.ts).
  readonly #find = prepareQuery(
    (db, hash: string, realmId: string) =>
      db
        .selectFrom('refresh_token')
        .selectAll()
        .where('token_hash', '=', hash)
        .where('realm_id', '=', realmId)
        .limit(1),
    2,
  );
  readonly #claim = prepareQuery(
    (db, hash: string, now: number) =>
      db
        .updateTable('refresh_token')
        .set({ used_at: now })
        .where('token_hash', '=', hash)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null),
    2,
  );
  readonly #insert = prepareQuery(
    (db, ...values: RowValues) => db.insertInto('refresh_token').values(rowOf(values)),
    COLUMNS.length,
  );
  constructor(db: Executor) {
    this.#db = db;
  }

  /** The row of the value a client sends, if it was issued in this realm. */
  async find(realmId: string, token: string): Promise<RefreshTokenTable | undefined> {
    return (await this.#find(this.#db, sha256(token), realmId)).rows[0];
  }

  /** Marks a token used, atomically: false when it was used or revoked already (reuse). */
  async claim(tokenHash: string, now: number, db: Executor = this.#db): Promise<boolean> {
    const claimed = await this.#claim(db, tokenHash, now);
    return Number(claimed.numAffectedRows ?? 0n) === 1;
  }

  /** Stores a newly issued token: a new family, or the next of a rotated one. */
  async insert(row: RefreshTokenTable, db: Executor = this.#db): Promise<void> {
    await this.#insert(db, ...(COLUMNS.map((c) => row[c]) as RowValues));
  }

  /** Revokes a whole grant (reuse, RFC 7009 revocation). */
  async revokeFamily(familyId: string, now: number, db: Executor = this.#db): Promise<void> {
    await db
      .updateTable('refresh_token')
      .set({ revoked_at: now })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Revokes what an authorization code produced, once the code is known to have leaked (RFC 6749 §4.1.2). */
  async revokeFromCode(codeHash: string, now: number, db: Executor = this.#db): Promise<void> {
    await db
      .updateTable('refresh_token')
      .set({ revoked_at: now })
      .where('code_hash', '=', codeHash)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Revokes the online tokens of ended SSO sessions (offline tokens outlive them, OIDC Core §11). */
  async revokeOnlineOfSessions(ssoSessionIds: readonly string[], now: number, db: Executor = this.#db): Promise<void> {
    await db
      .updateTable('refresh_token')
      .set({ revoked_at: now })
      .where('sso_session_id', 'in', ssoSessionIds)
      .where('offline', '=', 0)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Revokes a client's offline tokens of these users (`backchannel.logout.revoke.offline.tokens`). */
  async revokeOfflineOf(
    clientId: string,
    userIds: readonly string[],
    now: number,
    db: Executor = this.#db,
  ): Promise<void> {
    await db
      .updateTable('refresh_token')
      .set({ revoked_at: now })
      .where('client_id', '=', clientId)
      .where('user_id', 'in', userIds)
      .where('offline', '=', 1)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /**
   * Whether a grant is revoked: RFC 6749 §4.1.2 (code replay), RFC 7009 §2.1 (a revoked
   * refresh token invalidates the access tokens of the same grant), Security BCP §4.14.2.
   */
  async grantRevoked(grantId: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('refresh_token')
      .select('token_hash')
      .where('family_id', '=', grantId)
      .where('revoked_at', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
