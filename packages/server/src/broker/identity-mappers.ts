// Keycloak's common identityProviderMappers, applied when a user first signs in through an
// upstream (and, with syncMode FORCE, at every sign-in): the username template, the user
// attribute importer, a hardcoded attribute, a hardcoded role, and a claim value to a role.
import type { IdentityProvider } from './identity-provider.ts';
import type { UpstreamIdentity } from './upstream-id-token.ts';

/** The profile a first sign-in creates, before the mappers. */
export interface NewProfile {
  username: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, string[]>;
  /** Role names to grant: "role" (realm) or "clientId.role" (Keycloak's mapper syntax). */
  roles: string[];
}

/** A claim by its name, dotted paths into nested objects included (Keycloak's claim syntax). */
export function claimValue(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let v: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** `${ALIAS}`, `${CLAIM.x}`: Keycloak's username template (oidc-username-idp-mapper). */
function template(t: string, idp: IdentityProvider, identity: UpstreamIdentity): string {
  return t.replace(/\$\{(ALIAS|CLAIM\.([^}]+))\}/g, (_m, what: string, claim?: string) => {
    if (what === 'ALIAS') return idp.alias;
    const v = claimValue(identity.claims, claim ?? '');
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  });
}

const PROFILE_ATTRIBUTES: Record<string, 'email' | 'firstName' | 'lastName'> = {
  email: 'email',
  firstName: 'firstName',
  lastName: 'lastName',
};

export function applyMappers(idp: IdentityProvider, identity: UpstreamIdentity, profile: NewProfile): NewProfile {
  const out = { ...profile, attributes: { ...profile.attributes }, roles: [...profile.roles] };
  for (const m of idp.mappers) {
    const c = m.config;
    switch (m.identityProviderMapper) {
      case 'oidc-username-idp-mapper':
        if (c.template) out.username = template(c.template, idp, identity).toLowerCase();
        break;
      case 'oidc-user-attribute-idp-mapper': {
        const attr = c['user.attribute'];
        const v = c.claim ? claimValue(identity.claims, c.claim) : undefined;
        if (!attr || v === undefined || v === null) break;
        const values = (Array.isArray(v) ? v : [v]).map(String);
        const profileKey = PROFILE_ATTRIBUTES[attr];
        if (profileKey) out[profileKey] = values[0] ?? null;
        else out.attributes[attr] = values;
        break;
      }
      case 'hardcoded-attribute-idp-mapper':
        if (c.attribute) out.attributes[c.attribute] = [c['attribute.value'] ?? ''];
        break;
      case 'oidc-hardcoded-role-idp-mapper':
        if (c.role) out.roles.push(c.role);
        break;
      case 'oidc-role-idp-mapper': {
        const v = c.claim ? claimValue(identity.claims, c.claim) : undefined;
        const values = Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
        if (c.role && values.includes(c['claim.value'] ?? '')) out.roles.push(c.role);
        break;
      }
    }
  }
  return out;
}
