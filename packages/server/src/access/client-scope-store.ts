// The client_scope, client_scope_link and realm_default_scope tables: a realm's client scopes,
// each client's default and optional scopes, and the realm's `defaultDefaultClientScopes` /
// `defaultOptionalClientScopes` that new clients get. Writes bump the realm configuration version.
import type { Executor } from '../store/executor.ts';
import type { ClientProtocol, ClientScopeTable, Flag } from '../store/schema.ts';

export interface ClientScopeValues {
  name: string;
  description: string | null;
  protocol: ClientProtocol;
  /** JSON Record<string, string> */
  attributes: string;
}

export interface ScopeLink {
  scope_id: string;
  default_scope: Flag;
}

export class ClientScopeStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async scopesOf(realmId: string, db: Executor = this.#db): Promise<ClientScopeTable[]> {
    return db.selectFrom('client_scope').selectAll().where('realm_id', '=', realmId).orderBy('name').execute();
  }

  async findByName(realmId: string, name: string, db: Executor = this.#db): Promise<ClientScopeTable | undefined> {
    return db
      .selectFrom('client_scope')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async insert(id: string, realmId: string, values: ClientScopeValues, db: Executor = this.#db): Promise<void> {
    await db
      .insertInto('client_scope')
      .values({ id, realm_id: realmId, created_at: Date.now(), ...values })
      .execute();
  }

  async update(id: string, values: Partial<ClientScopeValues>, db: Executor = this.#db): Promise<void> {
    await db.updateTable('client_scope').set(values).where('id', '=', id).execute();
  }

  /** Deletes a scope with its mappers, links and scope mappings (foreign keys). */
  async delete(id: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('client_scope').where('id', '=', id).execute();
  }

  /** Every client's scope links in a realm. */
  async linksOf(
    realmId: string,
    db: Executor = this.#db,
  ): Promise<Array<{ client_id: string; scope_id: string; default_scope: Flag }>> {
    return db
      .selectFrom('client_scope_link')
      .innerJoin('client_scope', 'client_scope.id', 'client_scope_link.scope_id')
      .select(['client_scope_link.client_id', 'client_scope_link.scope_id', 'client_scope_link.default_scope'])
      .where('client_scope.realm_id', '=', realmId)
      .orderBy('client_scope.name')
      .execute();
  }

  /** Links a scope to a client as default or optional, replacing any link it had. */
  async link(clientId: string, scopeId: string, defaultScope: boolean, db: Executor = this.#db): Promise<void> {
    const flag: Flag = defaultScope ? 1 : 0;
    await db
      .insertInto('client_scope_link')
      .values({ client_id: clientId, scope_id: scopeId, default_scope: flag })
      .onConflict((oc) => oc.columns(['client_id', 'scope_id']).doUpdateSet({ default_scope: flag }))
      .execute();
  }

  async unlink(clientId: string, scopeId: string, db: Executor = this.#db): Promise<void> {
    await db
      .deleteFrom('client_scope_link')
      .where('client_id', '=', clientId)
      .where('scope_id', '=', scopeId)
      .execute();
  }

  async clearLinks(clientId: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('client_scope_link').where('client_id', '=', clientId).execute();
  }

  async realmDefaultsOf(realmId: string, db: Executor = this.#db): Promise<ScopeLink[]> {
    return db
      .selectFrom('realm_default_scope')
      .select(['scope_id', 'default_scope'])
      .where('realm_id', '=', realmId)
      .execute();
  }

  async setRealmDefault(
    realmId: string,
    scopeId: string,
    defaultScope: boolean,
    db: Executor = this.#db,
  ): Promise<void> {
    const flag: Flag = defaultScope ? 1 : 0;
    await db
      .insertInto('realm_default_scope')
      .values({ realm_id: realmId, scope_id: scopeId, default_scope: flag })
      .onConflict((oc) => oc.columns(['realm_id', 'scope_id']).doUpdateSet({ default_scope: flag }))
      .execute();
  }

  async removeRealmDefault(realmId: string, scopeId: string, db: Executor = this.#db): Promise<void> {
    await db
      .deleteFrom('realm_default_scope')
      .where('realm_id', '=', realmId)
      .where('scope_id', '=', scopeId)
      .execute();
  }

  async clearRealmDefaults(realmId: string, db: Executor = this.#db): Promise<void> {
    await db.deleteFrom('realm_default_scope').where('realm_id', '=', realmId).execute();
  }
}
