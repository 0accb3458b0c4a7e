// The realm of the authorization-model tests (fixtures/access-realm.json): roles with composites,
// groups with subgroups, mappers, service accounts, a client without full scope.
import { readFileSync } from 'node:fs';

export const ACCESS_REALM_JSON = JSON.parse(
  readFileSync(new URL('../fixtures/access-realm.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
