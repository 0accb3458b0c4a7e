// The stores of the authorization model over one executor, as the composition root, realm import
// and the start-up upgrade make them.
import type { RealmWriter } from '../realm/realm-writer.ts';
import type { Executor } from '../store/executor.ts';
import type { AccessStores } from './access-model-cache.ts';
import type { AccessWriterDeps } from './access-writer.ts';
import { ClientScopeStore } from './client-scope-store.ts';
import { GroupStore } from './group-store.ts';
import { ProtocolMapperStore } from './protocol-mapper-store.ts';
import { RoleStore } from './role-store.ts';
import { ScopeMappingStore } from './scope-mapping-store.ts';
import { UserAccessStore } from './user-access-store.ts';

export function accessStoresOver(db: Executor): AccessStores {
  return {
    roles: new RoleStore(db),
    groups: new GroupStore(db),
    clientScopes: new ClientScopeStore(db),
    mappers: new ProtocolMapperStore(db),
    scopeMappings: new ScopeMappingStore(db),
  };
}

export function accessWriterDepsOver(db: Executor, realmWriter: RealmWriter): AccessWriterDeps {
  return { ...accessStoresOver(db), userAccess: new UserAccessStore(db), realmWriter };
}
