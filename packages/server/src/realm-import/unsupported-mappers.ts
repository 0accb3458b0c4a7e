// Keycloak mapper types in an import that Sundown keeps but does not evaluate, listed so that the
// import says so once (never silently dropped): `$.clientScopes[2].protocolMappers[0] "organization"
// (oidc-organization-membership-mapper)`.
import { isSupportedMapper } from '../access/supported-mappers.ts';
import type { RealmImport } from './realm-json.ts';

export function unsupportedMappers(realm: RealmImport): string[] {
  const out: string[] = [];
  realm.access.clientScopes?.forEach((scope, i) =>
    scope.protocolMappers.forEach((m, j) => {
      if (!isSupportedMapper(m.protocolMapper))
        out.push(`$.clientScopes[${i}].protocolMappers[${j}] "${m.name}" (${m.protocolMapper})`);
    }),
  );
  realm.clients.forEach((client, i) =>
    client.protocolMappers?.forEach((m, j) => {
      if (!isSupportedMapper(m.protocolMapper))
        out.push(`$.clients[${i}].protocolMappers[${j}] "${m.name}" (${m.protocolMapper})`);
    }),
  );
  return out;
}
