// The AttributeStatement of a SAML assertion, from the SAML protocol mappers of the client's
// default client scopes (role_list's "role list" by default) and of the client itself, as
// Keycloak's SamlProtocol.transformAttributeStatement runs them: RoleListMapper (the user's
// roles within the client's scope, each by its name; `single` "true" puts them in one
// Attribute, else one Attribute per role), UserPropertyAttributeStatementMapper,
// UserAttributeStatementMapper (with the group fallback, `aggregate.attrs`) and
// HardcodedAttributeMapper. AttributeStatementHelper names the Attribute (`attribute.name`),
// its NameFormat (`attribute.nameformat`: Basic, URI Reference, Unspecified) and FriendlyName.
import type { RealmAccess } from '../../access/realm-access.ts';
import type { UserGrants } from '../../access/user-access-store.ts';
import type { Client, User } from '../../realm/model.ts';
import { claimPlan } from '../../tokens/claims/claim-plan.ts';
import type { MapperContext } from '../../tokens/claims/mapper-kind.ts';
import { resolveRoles, userGroups } from '../../tokens/claims/resolve-roles.ts';
import { resolveAttribute, userProperty } from '../../tokens/claims/mappers/user-mappers.ts';

export interface SamlAttribute {
  name: string;
  nameFormat: string;
  friendlyName: string | null;
  values: string[];
}

/** AttributeStatementHelper's NameFormat names and their URIs (Core §8.2). */
const NAME_FORMATS: Readonly<Record<string, string>> = {
  Basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  'URI Reference': 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  Unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
};

function attribute(config: Readonly<Record<string, string>>, values: string[]): SamlAttribute {
  return {
    name: config['attribute.name'] ?? '',
    nameFormat: NAME_FORMATS[config['attribute.nameformat'] ?? 'Basic'] ?? NAME_FORMATS.Basic!,
    friendlyName: config['friendly.name'] || null,
    values,
  };
}

export function assertionAttributes(
  access: RealmAccess,
  client: Client,
  user: User,
  grants: UserGrants,
): SamlAttribute[] {
  const request = { names: [], openid: false, optional: [], offline: false };
  const plan = claimPlan(access, client, request);
  const ctx: MapperContext = {
    access,
    client,
    user,
    groups: userGroups(access, grants),
    roles: resolveRoles(access, plan, grants),
    session: { authTime: null, acr: '1', serviceAccount: null },
    webOrigins: [],
  };
  const mappers = [
    ...access.clientScopes(client.id, 'saml').defaultScopes.flatMap((s) => s.mappers),
    ...access.clientMappers(client.id),
  ].filter((m) => m.protocol === 'saml');
  const out: SamlAttribute[] = [];
  for (const m of mappers) {
    const c = m.config;
    if (!c['attribute.name']) continue;
    switch (m.type) {
      case 'saml-role-list-mapper': {
        const roles = [...ctx.roles.realm, ...[...ctx.roles.clients.values()].flatMap((r) => [...r])].sort();
        if (roles.length === 0) break;
        if (c.single === 'true') out.push(attribute(c, roles));
        else for (const role of roles) out.push(attribute(c, [role]));
        break;
      }
      case 'saml-user-property-mapper': {
        const value = userProperty(user, c['user.attribute'] ?? '');
        if (value !== null) out.push(attribute(c, [value]));
        break;
      }
      case 'saml-user-attribute-mapper': {
        const values = resolveAttribute(ctx, c['user.attribute'] ?? '', c['aggregate.attrs'] === 'true');
        if (values.length > 0) out.push(attribute(c, values));
        break;
      }
      case 'saml-hardcode-attribute-mapper':
        if (c['attribute.value'] !== undefined) out.push(attribute(c, [c['attribute.value']]));
        break;
      default:
      // Not evaluated (listed at import and by the admin API).
    }
  }
  return out;
}
