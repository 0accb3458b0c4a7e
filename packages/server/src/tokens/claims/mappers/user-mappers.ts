// Mappers of the user's profile: a UserModel property (UserPropertyMapper), a user attribute
// with the group fallback (UserAttributeMapper, KeycloakModelUtils.resolveAttribute), the full
// name (FullNameMapper) and the OIDC address claim (AddressMapper).
import type { Group } from '../../../access/model.ts';
import type { User } from '../../../realm/model.ts';
import { mapClaim } from '../token-draft.ts';
import { type MapperContext, type MapperKind, PRIORITY } from '../mapper-kind.ts';

/** ProtocolMapperUtils.getUserModelValue: a UserModel getter's value as text; the first letter's case is free. */
export function userProperty(user: User, property: string): string | null {
  const name = property.charAt(0).toLowerCase() + property.slice(1);
  switch (name) {
    case 'id':
      return user.id;
    case 'username':
      return user.username;
    case 'email':
      return user.email;
    case 'firstName':
      return user.firstName;
    case 'lastName':
      return user.lastName;
    case 'emailVerified':
      return String(user.emailVerified);
    case 'enabled':
      return String(user.enabled);
    case 'serviceAccountClientLink':
      return user.serviceAccountClientId;
    default:
      return null;
  }
}

/** UserModel.getAttributeStream: the profile fields are attributes too (Keycloak 24+ user profile). */
function ownAttribute(user: User, name: string): readonly string[] {
  switch (name) {
    case 'username':
      return [user.username];
    case 'email':
      return user.email === null ? [] : [user.email];
    case 'firstName':
      return user.firstName === null ? [] : [user.firstName];
    case 'lastName':
      return user.lastName === null ? [] : [user.lastName];
    default:
      return user.attributes[name] ?? [];
  }
}

/** KeycloakModelUtils.resolveAttribute(GroupModel): the group's values, else (or also) its parents'. */
function groupAttribute(ctx: MapperContext, group: Group | undefined, name: string, aggregate: boolean): string[] {
  const values: string[] = [];
  for (const seen = new Set<string>(); group && !seen.has(group.id); group = ctx.access.group(group.parentId ?? '')) {
    seen.add(group.id);
    const own = group.attributes[name] ?? [];
    for (const v of own) if (!values.includes(v)) values.push(v);
    if (own.length > 0 && !aggregate) break;
  }
  return values;
}

/** KeycloakModelUtils.resolveAttribute(UserModel): the user's values, else the first group's; or all, aggregated. */
export function resolveAttribute(ctx: MapperContext, name: string, aggregate: boolean): string[] {
  const own = ownAttribute(ctx.user, name);
  if (own.length > 0 && !aggregate) return [...own];
  const values = new Set(own);
  for (const group of ctx.groups) {
    const fromGroup = groupAttribute(ctx, group, name, aggregate);
    if (fromGroup.length === 0) continue;
    if (!aggregate) return fromGroup;
    for (const v of fromGroup) values.add(v);
  }
  return [...values];
}

export const userPropertyMapper: MapperKind = {
  type: 'oidc-usermodel-property-mapper',
  priority: PRIORITY.default,
  kinds: ['access', 'id', 'userinfo'],
  apply(ctx, draft, config) {
    const property = config['user.attribute'];
    if (!property?.trim()) return;
    mapClaim(draft, config, userProperty(ctx.user, property));
  },
};

export const userAttributeMapper: MapperKind = {
  type: 'oidc-usermodel-attribute-mapper',
  priority: PRIORITY.default,
  kinds: ['access', 'id', 'userinfo'],
  apply(ctx, draft, config) {
    const name = config['user.attribute'];
    if (!name) return;
    mapClaim(draft, config, resolveAttribute(ctx, name, config['aggregate.attrs'] === 'true'));
  },
};

export const fullNameMapper: MapperKind = {
  type: 'oidc-full-name-mapper',
  priority: PRIORITY.default,
  kinds: ['access', 'id', 'userinfo'],
  apply(ctx, draft) {
    const parts = [ctx.user.firstName, ctx.user.lastName].filter((p): p is string => !!p);
    if (parts.length > 0) draft.claims.name = parts.join(' ');
  },
};

const ADDRESS_PARTS = ['formatted', 'street', 'locality', 'region', 'postal_code', 'country'] as const;

/** AddressMapper: the OIDC `address` claim (OIDC Core §5.1.1) from user attributes. */
export const addressMapper: MapperKind = {
  type: 'oidc-address-mapper',
  priority: PRIORITY.default,
  kinds: ['access', 'id', 'userinfo'],
  apply(ctx, draft, config) {
    const address: Record<string, string> = {};
    for (const part of ADDRESS_PARTS) {
      const attribute = config[`user.attribute.${part}`] || part;
      const value = ctx.user.attributes[attribute]?.[0];
      if (value !== undefined) address[part] = value;
    }
    if (Object.keys(address).length > 0) draft.claims.address = address;
  },
};
