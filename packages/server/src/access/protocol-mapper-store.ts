// The protocol_mapper table: the protocol mappers of clients and of client scopes. Writes bump
// the realm configuration version, so each client's claim plan is compiled again.
import type { Executor } from '../store/executor.ts';
import type { ClientProtocol, ProtocolMapperTable } from '../store/schema.ts';

/** Whose mapper it is: a client's or a client scope's (internal ids). */
export type MapperOwner = { clientId: string } | { clientScopeId: string };

export interface MapperValues {
  name: string;
  protocol: ClientProtocol;
  mapper_type: string;
  /** JSON Record<string, string> */
  config: string;
}

export class ProtocolMapperStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async mappersOf(realmId: string, db: Executor = this.#db): Promise<ProtocolMapperTable[]> {
    return db
      .selectFrom('protocol_mapper')
      .selectAll()
      .where('realm_id', '=', realmId)
      .orderBy('created_at')
      .orderBy('name')
      .execute();
  }

  async mappersOfOwner(owner: MapperOwner, db: Executor = this.#db): Promise<ProtocolMapperTable[]> {
    return db
      .selectFrom('protocol_mapper')
      .selectAll()
      .where((eb) =>
        'clientId' in owner ? eb('client_id', '=', owner.clientId) : eb('client_scope_id', '=', owner.clientScopeId),
      )
      .orderBy('created_at')
      .orderBy('name')
      .execute();
  }

  async insert(
    id: string,
    realmId: string,
    owner: MapperOwner,
    values: MapperValues,
    db: Executor = this.#db,
  ): Promise<void> {
    await db
      .insertInto('protocol_mapper')
      .values({
        id,
        realm_id: realmId,
        client_id: 'clientId' in owner ? owner.clientId : null,
        client_scope_id: 'clientScopeId' in owner ? owner.clientScopeId : null,
        created_at: Date.now(),
        ...values,
      })
      .execute();
  }

  async update(id: string, values: Partial<MapperValues>, db: Executor = this.#db): Promise<void> {
    await db.updateTable('protocol_mapper').set(values).where('id', '=', id).execute();
  }

  async delete(id: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('protocol_mapper').where('id', '=', id).execute();
  }

  /** Removes every mapper of a client or a scope (an import replacing them). */
  async clear(owner: MapperOwner, db: Executor = this.#db): Promise<void> {
    await db
      .deleteFrom('protocol_mapper')
      .where((eb) =>
        'clientId' in owner ? eb('client_id', '=', owner.clientId) : eb('client_scope_id', '=', owner.clientScopeId),
      )
      .execute();
  }
}
