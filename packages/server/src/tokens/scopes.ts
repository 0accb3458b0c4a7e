// The `scope` parameter against a client's client scopes (TokenManager.isValidScope): besides
// `openid`, every requested scope must be one of the client's default or optional scopes of its
// protocol; anything else is `invalid_scope`. The default scopes apply whether requested or not;
// an optional scope applies when requested (TokenManager.getRequestedClientScopes).
import type { ClientScope } from '../access/model.ts';
import type { RealmAccess } from '../access/realm-access.ts';
import { InvalidScope } from '../errors.ts';
import type { Client } from '../realm/model.ts';

export const OPENID = 'openid';
export const OFFLINE_ACCESS = 'offline_access';

/** The scope names of a `scope` parameter, once each, in order. */
export function parseScope(raw: string | undefined): string[] {
  return [...new Set((raw ?? '').split(' ').filter(Boolean))];
}

export interface ScopeRequest {
  /** The requested names, validated: what is stored with a code, a session and a refresh token. */
  names: string[];
  openid: boolean;
  /** The client's optional scopes that were requested. */
  optional: ClientScope[];
  /** offline_access requested, and an optional or default scope of the client. */
  offline: boolean;
}

/** Validates a scope request for a client; `invalid_scope` names what the client may not ask for. */
export function requestScopes(access: RealmAccess, client: Client, names: readonly string[]): ScopeRequest {
  const { defaultScopes, optionalScopes } = access.clientScopes(client.id, client.protocol);
  const optional: ClientScope[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    if (name === OPENID || defaultScopes.some((s) => s.name === name)) continue;
    const scope = optionalScopes.find((s) => s.name === name);
    if (scope) optional.push(scope);
    else unknown.push(name);
  }
  if (unknown.length > 0) throw new InvalidScope(`Invalid scopes: ${names.join(' ')}`);
  return {
    names: [...names],
    openid: names.includes(OPENID),
    optional,
    offline: names.includes(OFFLINE_ACCESS),
  };
}

/**
 * A stored scope again, at refresh or userinfo: as granted then, less optional scopes the client
 * no longer has (a grant that was valid is not failed by a later change of the client).
 */
export function storedScopes(access: RealmAccess, client: Client, stored: string): ScopeRequest {
  const names = parseScope(stored);
  const { optionalScopes } = access.clientScopes(client.id, client.protocol);
  return {
    names,
    openid: names.includes(OPENID),
    optional: optionalScopes.filter((s) => names.includes(s.name)),
    offline: names.includes(OFFLINE_ACCESS),
  };
}
