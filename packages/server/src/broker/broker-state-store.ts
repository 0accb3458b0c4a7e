// broker_state: the one-time `state` of a round trip to an upstream — a sign-in's (nonce, PKCE
// verifier, the pending sign-in it continues) or a logout's continuation (where the browser goes
// once the upstream sends it back). Only SHA-256 of the state is stored; taking a state deletes it,
// so a state is good once (OAuth 2.0 Security BCP §4.7 / RFC 6749 §10.12).
import { sha256 } from '../crypto/random.ts';
import type { Executor } from '../store/executor.ts';

export type BrokerStateKind = 'login' | 'logout' | 'link';

export class BrokerStateStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async save(
    state: string,
    realmId: string,
    alias: string,
    kind: BrokerStateKind,
    data: unknown,
    lifetimeMs: number,
    now = Date.now(),
  ): Promise<void> {
    await this.#db
      .insertInto('broker_state')
      .values({
        id: sha256(state),
        realm_id: realmId,
        alias,
        kind,
        data: JSON.stringify(data),
        expires_at: now + lifetimeMs,
      })
      .execute();
  }

  /** The state's data, once: deleted as it is read; undefined when unknown, expired, or of another alias or kind. */
  async take<T>(
    state: string,
    realmId: string,
    alias: string,
    kind: BrokerStateKind,
    now = Date.now(),
  ): Promise<T | undefined> {
    const id = sha256(state);
    const row = await this.#db.selectFrom('broker_state').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const res = await this.#db.deleteFrom('broker_state').where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) return undefined;
    if (row.realm_id !== realmId || row.alias !== alias || row.kind !== kind || row.expires_at < now) return undefined;
    return JSON.parse(row.data) as T;
  }

  async deleteExpired(now = Date.now()): Promise<void> {
    await this.#db.deleteFrom('broker_state').where('expires_at', '<', now).execute();
  }
}
