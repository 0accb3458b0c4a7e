// identity_provider: a realm's upstream OpenID providers (the one owner of the table). Realm
// import replaces a realm's list; the admin API writes one at a time. Keycloak's masked secret is
// never stored (realm/masked-values.ts): a masked value keeps the stored one.
import { isMaskedValue } from '../realm/masked-values.ts';
import type { Executor } from '../store/executor.ts';
import type { IdentityProviderTable } from '../store/schema.ts';
import { type IdentityProvider, identityProviderFromRow } from './identity-provider.ts';
import type { IdentityProviderInput } from './identity-provider-json.ts';

export class IdentityProviderStore {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async ofRealm(realmId: string, db: Executor = this.#db): Promise<IdentityProvider[]> {
    const rows = await db
      .selectFrom('identity_provider')
      .selectAll()
      .where('realm_id', '=', realmId)
      .orderBy('alias')
      .execute();
    return rows.map(identityProviderFromRow);
  }

  async byAlias(realmId: string, alias: string): Promise<IdentityProvider | undefined> {
    const row = await this.#db
      .selectFrom('identity_provider')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('alias', '=', alias)
      .executeTakeFirst();
    return row ? identityProviderFromRow(row) : undefined;
  }

  /** Keeps the stored secret where the new config has Keycloak's mask. */
  #unmasked(input: IdentityProviderInput, stored: IdentityProviderTable | undefined): string {
    const config = JSON.parse(input.config) as Record<string, string>;
    if (!isMaskedValue(config.clientSecret)) return input.config;
    const previous = stored ? (JSON.parse(stored.config) as Record<string, string>).clientSecret : undefined;
    if (previous && !isMaskedValue(previous)) config.clientSecret = previous;
    else delete config.clientSecret;
    return JSON.stringify(config);
  }

  /** Realm import: the realm's providers become exactly `inputs` (matched by alias, updated in place). */
  async replaceAll(
    realmId: string,
    inputs: readonly IdentityProviderInput[],
    now: number,
    newId: () => string,
    db: Executor = this.#db,
  ): Promise<void> {
    const stored = await db.selectFrom('identity_provider').selectAll().where('realm_id', '=', realmId).execute();
    const byAlias = new Map(stored.map((r) => [r.alias, r]));
    for (const input of inputs) {
      const existing = byAlias.get(input.alias);
      const values = { ...input, config: this.#unmasked(input, existing), mappers: JSON.stringify(input.mappers) };
      if (existing) await db.updateTable('identity_provider').set(values).where('id', '=', existing.id).execute();
      else
        await db
          .insertInto('identity_provider')
          .values({ ...values, id: newId(), realm_id: realmId, created_at: now })
          .execute();
      byAlias.delete(input.alias);
    }
    const gone = [...byAlias.values()].map((r) => r.id);
    if (gone.length > 0) await db.deleteFrom('identity_provider').where('id', 'in', gone).execute();
  }

  /** Admin API: one provider created; false when the alias is taken. */
  async insert(realmId: string, input: IdentityProviderInput, id: string, now = Date.now()): Promise<boolean> {
    if (await this.byAlias(realmId, input.alias)) return false;
    await this.#db
      .insertInto('identity_provider')
      .values({
        ...input,
        config: this.#unmasked(input, undefined),
        mappers: JSON.stringify(input.mappers),
        id,
        realm_id: realmId,
        created_at: now,
      })
      .execute();
    return true;
  }

  /** Admin API: one provider replaced (its mappers kept when `input.mappers` is empty). */
  async update(realmId: string, alias: string, input: IdentityProviderInput): Promise<boolean> {
    const stored = await this.#db
      .selectFrom('identity_provider')
      .selectAll()
      .where('realm_id', '=', realmId)
      .where('alias', '=', alias)
      .executeTakeFirst();
    if (!stored) return false;
    const mappers = input.mappers.length > 0 ? JSON.stringify(input.mappers) : stored.mappers;
    await this.#db
      .updateTable('identity_provider')
      .set({ ...input, alias, config: this.#unmasked(input, stored), mappers })
      .where('id', '=', stored.id)
      .execute();
    return true;
  }

  async delete(realmId: string, alias: string): Promise<boolean> {
    const res = await this.#db
      .deleteFrom('identity_provider')
      .where('realm_id', '=', realmId)
      .where('alias', '=', alias)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
