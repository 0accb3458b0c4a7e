// What a client's tokens may carry, from Keycloak's ClientRepresentation: `fullScopeAllowed`, its
// own protocol mappers and its default and optional client scopes (by name). Absent lists keep
// what the client has (a new client gets the realm's defaults), as RepresentationToModel does.
import { type MapperImport, optionalStringList, protocolMappers } from './access-json-readers.ts';
import type { ObjectReader } from './realm-json.ts';

export interface ClientAccessImport {
  /** Keycloak's default is true: every role of the user may be in the client's tokens. */
  fullScopeAllowed: boolean;
  protocolMappers: MapperImport[] | null;
  defaultClientScopes: string[] | null;
  optionalClientScopes: string[] | null;
}

export function parseClientAccess(c: ObjectReader, ignored: string[]): ClientAccessImport {
  const protocol = c.raw('protocol') === 'saml' ? 'saml' : 'openid-connect';
  return {
    fullScopeAllowed: c.boolean('fullScopeAllowed', true),
    protocolMappers: protocolMappers(c, protocol, ignored),
    defaultClientScopes: optionalStringList(c, 'defaultClientScopes'),
    optionalClientScopes: optionalStringList(c, 'optionalClientScopes'),
  };
}
