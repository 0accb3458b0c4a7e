// The access_upgrade table and the start-up upgrade of realms stored before migration 0015: each
// gets what a realm created now has — the default role `default-roles-{realm}` (given to all its
// users, as Keycloak gives it to every new user), Keycloak's built-in client scopes as the realm's
// defaults, every client linked to them, and a service-account user for each client with service
// accounts. The migration marked the realms; the first process to take a realm's mark upgrades
// it, in one transaction, so several processes starting together do it once.
import type { RealmWriter } from '../realm/realm-writer.ts';
import type { Executor } from '../store/executor.ts';
import { accessWriterDepsOver } from './access-stores.ts';
import { AccessWriter } from './access-writer.ts';

/** Upgrades every marked realm; returns the names of those this call upgraded. */
export async function runAccessUpgrade(db: Executor, realmWriter: RealmWriter): Promise<string[]> {
  const pending = await db
    .selectFrom('access_upgrade')
    .innerJoin('realm', 'realm.id', 'access_upgrade.realm_id')
    .select(['realm.id', 'realm.name'])
    .execute();
  const upgraded: string[] = [];
  for (const realm of pending) {
    const done = await db.transaction().execute(async (tx) => {
      const taken = await tx.deleteFrom('access_upgrade').where('realm_id', '=', realm.id).executeTakeFirst();
      if (Number(taken.numDeletedRows) !== 1) return false;
      const deps = accessWriterDepsOver(tx, realmWriter);
      const writer = new AccessWriter(deps);
      const defaultRole = await writer.defaultRole(tx, realm.id, realm.name);
      await deps.userAccess.grantToUsers(await realmWriter.personIdsOf(realm.id, tx), defaultRole, tx);
      await writer.builtinScopes(tx, realm.id, true);
      for (const client of await realmWriter.clientsIn(realm.id, tx)) {
        await writer.linkRealmDefaults(tx, realm.id, client.id, client.protocol);
        if (client.service_accounts_enabled === 1)
          await writer.serviceAccount(tx, realm, { id: client.id, clientId: client.client_id });
      }
      return true;
    });
    if (done) upgraded.push(realm.name);
  }
  return upgraded;
}
