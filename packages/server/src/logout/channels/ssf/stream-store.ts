// The streams of the Shared Signals transmitter (SSF §8.1.1) and the subjects receivers added or
// removed (§8.1.3): the owner of `ssf_stream` and `ssf_subject`. Held events are outbox rows
// (logout_delivery, status `held`); releasing them on resume is the delivery store's
// business, asked for through `releaseHeld`.
import type { Kysely } from 'kysely';
import type { Executor } from '../../../store/executor.ts';
import type { Database, SsfStreamTable } from '../../../store/schema.ts';

export type StreamStatus = 'enabled' | 'paused' | 'disabled';
export const STREAM_STATUSES: readonly StreamStatus[] = ['enabled', 'paused', 'disabled'];

export type StreamRow = SsfStreamTable;

export class SsfStreamStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async ofClient(clientId: string, db: Executor = this.#db): Promise<StreamRow | undefined> {
    return db.selectFrom('ssf_stream').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  }

  async byId(id: string, db: Executor = this.#db): Promise<StreamRow | undefined> {
    return db.selectFrom('ssf_stream').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The realm's streams that are not disabled, for a session's end (in its transaction). */
  async liveOfRealm(realmId: string, db: Executor = this.#db): Promise<StreamRow[]> {
    return db
      .selectFrom('ssf_stream')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('status', '!=', 'disabled')
      .execute();
  }

  /** Inserts a stream; false when the client has one already (the unique client_id). */
  async insert(row: StreamRow): Promise<boolean> {
    const res = await this.#db
      .insertInto('ssf_stream')
      .values(row)
      .onConflict((oc) => oc.column('client_id').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async updateConfig(id: string, config: string, now: number): Promise<void> {
    await this.#db.updateTable('ssf_stream').set({ config, updated_at: now }).where('id', '=', id).execute();
  }

  async updateStatus(id: string, status: StreamStatus, reason: string | null, now: number): Promise<void> {
    await this.#db
      .updateTable('ssf_stream')
      .set({ status, status_reason: reason, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('ssf_stream').where('id', '=', id).execute();
  }

  async setSubject(streamId: string, userId: string, included: boolean): Promise<void> {
    await this.#db
      .insertInto('ssf_subject')
      .values({ stream_id: streamId, user_id: userId, included: included ? 1 : 0 })
      .onConflict((oc) => oc.columns(['stream_id', 'user_id']).doUpdateSet({ included: included ? 1 : 0 }))
      .execute();
  }

  /** What receivers said about these users: stream id → user id → included. */
  async subjectsOf(
    streamIds: readonly string[],
    userIds: readonly string[],
    db: Executor = this.#db,
  ): Promise<Map<string, Map<string, boolean>>> {
    const out = new Map<string, Map<string, boolean>>();
    if (streamIds.length === 0 || userIds.length === 0) return out;
    const rows = await db
      .selectFrom('ssf_subject')
      .selectAll()
      .where('stream_id', 'in', [...streamIds])
      .where('user_id', 'in', [...userIds])
      .execute();
    for (const r of rows) {
      const m = out.get(r.stream_id) ?? new Map<string, boolean>();
      m.set(r.user_id, r.included === 1);
      out.set(r.stream_id, m);
    }
    return out;
  }
}
