// The refresh_token table. Refresh tokens are stored only as their SHA-256. A family is one
// grant (RFC 6749 §6 rotation, Security BCP §4.14.2 reuse detection): revocation always covers
// a whole family, so one revoked row means the grant is revoked.
import { sha256 } from '../crypto/random.ts';
import type { Executor } from '../store/executor.ts';
import type { RefreshTokenTable } from '../store/schema.ts';

export class RefreshTokenStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** The row of the value a client sends, if it was issued in this realm. */
  async find(realmId: string, token: string): Promise<RefreshTokenTable | undefined> {
    return this.#db.selectFrom('refresh_token').selectAll().where('token_hash', '=', sha256(token)).where('realm_id', '=', realmId).executeTakeFirst();
  }

  /** Marks a token used, atomically: false when it was used or revoked already (reuse). */
  async claim(tokenHash: string, now: number, db: Executor = this.#db): Promise<boolean> {
    const claimed = await db
      .updateTable('refresh_token')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1;
  }

  /** Stores a newly issued token: a new family, or the next of a rotated one. */
  async insert(row: RefreshTokenTable, db: Executor = this.#db): Promise<void> {
    await db.insertInto('refresh_token').values(row).execute();
  }

  /** Revokes a whole grant (reuse, RFC 7009 revocation). */
  async revokeFamily(familyId: string, now: number, db: Executor = this.#db): Promise<void> {
    await db.updateTable('refresh_token').set({ revoked_at: now }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
  }

  /** Revokes what an authorization code produced, once the code is known to have leaked (RFC 6749 §4.1.2). */
  async revokeFromCode(codeHash: string, now: number, db: Executor = this.#db): Promise<void> {
    await db.updateTable('refresh_token').set({ revoked_at: now }).where('code_hash', '=', codeHash).where('revoked_at', 'is', null).execute();
  }

  /** Revokes the online tokens of ended SSO sessions (offline tokens outlive them, OIDC Core §11). */
  async revokeOnlineOfSessions(ssoSessionIds: readonly string[], now: number, db: Executor = this.#db): Promise<void> {
    await db.updateTable('refresh_token').set({ revoked_at: now }).where('sso_session_id', 'in', ssoSessionIds).where('offline', '=', 0).where('revoked_at', 'is', null).execute();
  }

  /** Revokes a client's offline tokens of these users (`backchannel.logout.revoke.offline.tokens`). */
  async revokeOfflineOf(clientId: string, userIds: readonly string[], now: number, db: Executor = this.#db): Promise<void> {
    await db.updateTable('refresh_token').set({ revoked_at: now }).where('client_id', '=', clientId).where('user_id', 'in', userIds).where('offline', '=', 1).where('revoked_at', 'is', null).execute();
  }

  /**
   * Whether a grant is revoked: RFC 6749 §4.1.2 (code replay), RFC 7009 §2.1 (a revoked
   * refresh token invalidates the access tokens of the same grant), Security BCP §4.14.2.
   */
  async grantRevoked(grantId: string): Promise<boolean> {
    const row = await this.#db.selectFrom('refresh_token').select('token_hash').where('family_id', '=', grantId).where('revoked_at', 'is not', null).limit(1).executeTakeFirst();
    return row !== undefined;
  }
}
