// Owner of `otp_credential`: users' one-time-code credentials as Keycloak's OTPCredentialModel
// keeps them (secret, subType, algorithm, digits, period, counter, label). A code is accepted
// by one conditional UPDATE — the TOTP step only if it is newer than the last one accepted, the
// HOTP counter only if nobody moved it meanwhile — so two processes given the same code accept
// it once (RFC 6238 §5.2, RFC 4226 §7.2).
import type { Selectable } from 'kysely';
import type { Executor } from '../../store/executor.ts';
import type { OtpCredentialTable } from '../../store/schema.ts';

export type OtpCredentialRow = Selectable<OtpCredentialTable>;

/** A credential to store: everything but its row's bookkeeping. */
export type NewOtpCredential = Omit<OtpCredentialTable, 'last_step'>;

export class OtpCredentialStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  /** A user's credentials, oldest first. */
  async ofUser(userId: string, db: Executor = this.#db): Promise<OtpCredentialRow[]> {
    return db.selectFrom('otp_credential').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  }

  /** `lastStep`: the TOTP step whose code enrolled it, so that code cannot sign in afterwards. */
  async insert(credential: NewOtpCredential, db: Executor = this.#db, lastStep: number | null = null): Promise<void> {
    await db
      .insertInto('otp_credential')
      .values({ ...credential, last_step: lastStep })
      .execute();
  }

  /**
   * An import's credential: a user's credential with the same secret is updated in place,
   * keeping the further of the two counters and the last step, so importing a file again does
   * not make used codes valid again; others are added.
   */
  async importFor(credential: NewOtpCredential, db: Executor = this.#db): Promise<void> {
    const same = await db
      .selectFrom('otp_credential')
      .select(['id', 'counter'])
      .where('user_id', '=', credential.user_id)
      .where('secret', '=', credential.secret)
      .executeTakeFirst();
    if (!same) return this.insert(credential, db);
    await db
      .updateTable('otp_credential')
      .set({
        type: credential.type,
        secret_encoding: credential.secret_encoding,
        algorithm: credential.algorithm,
        digits: credential.digits,
        period: credential.period,
        counter: Math.max(same.counter, credential.counter),
        user_label: credential.user_label,
      })
      .where('id', '=', same.id)
      .execute();
  }

  /** Deletes one credential of a user; false when the user has none of that id. */
  async delete(userId: string, id: string): Promise<boolean> {
    const res = await this.#db
      .deleteFrom('otp_credential')
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  /** TOTP: takes `step` as used, unless it or a later step already was. */
  async takeStep(id: string, step: number): Promise<boolean> {
    const res = await this.#db
      .updateTable('otp_credential')
      .set({ last_step: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** HOTP: moves the counter from `expected` to `next`, unless it moved meanwhile. */
  async advanceCounter(id: string, expected: number, next: number): Promise<boolean> {
    const res = await this.#db
      .updateTable('otp_credential')
      .set({ counter: next })
      .where('id', '=', id)
      .where('counter', '=', expected)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
}
