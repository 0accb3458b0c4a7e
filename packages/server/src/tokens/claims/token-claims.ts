// The claims of one token response, userinfo answer or SAML assertion's roles, from a client's
// claim plan (compiled once per configuration version) and what this request read: the user,
// its role mappings and groups (one statement), the session's facts. Mappers run in priority
// order on a draft per token (TokenManager.transformAccessToken / transformIDToken /
// transformUserInfoAccessToken); hardcoded roles join the resolved roles first, once.
import type { RealmAccess } from '../../access/realm-access.ts';
import type { UserGrants } from '../../access/user-access-store.ts';
import { resolveWebOrigins } from '../../http/cors.ts';
import type { Client, User } from '../../realm/model.ts';
import type { ScopeRequest } from '../scopes.ts';
import { claimPlan } from './claim-plan.ts';
import type { MapperContext, SessionFacts, TokenDraft, TokenKind } from './mapper-kind.ts';
import { resolvedRoles, userGroups } from './resolve-roles.ts';
import { newDraft } from './token-draft.ts';

export interface ClaimsInput {
  access: RealmAccess;
  client: Client;
  user: User;
  grants: UserGrants;
  scopes: ScopeRequest;
  session: SessionFacts;
}

export interface IssuedClaims {
  /** The `scope` claim: `openid` when requested, and the applied scopes listed in tokens. */
  scope: string;
  access: TokenDraft;
  /** Only with `openid`. */
  id: TokenDraft | null;
}

function context(input: ClaimsInput): { ctx: MapperContext; run: (kind: TokenKind) => TokenDraft } {
  const plan = claimPlan(input.access, input.client, input.scopes);
  const ctx: MapperContext = {
    access: input.access,
    client: input.client,
    user: input.user,
    groups: userGroups(input.access, input.grants),
    roles: resolvedRoles(input.access, plan, input.grants),
    session: input.session,
    webOrigins: [...resolveWebOrigins(input.client)],
  };
  const run = (kind: TokenKind) => {
    const draft = newDraft();
    for (const m of plan.mappers) if (m[kind]) m.kind.apply?.(ctx, draft, m.config);
    return draft;
  };
  return { ctx, run };
}

export function issueClaims(input: ClaimsInput): IssuedClaims {
  const plan = claimPlan(input.access, input.client, input.scopes);
  const { run } = context(input);
  return {
    scope: input.scopes.openid ? plan.scopeClaim.openid : plan.scopeClaim.plain,
    access: run('access'),
    id: input.scopes.openid ? run('id') : null,
  };
}

export function userinfoClaims(input: ClaimsInput): TokenDraft {
  return context(input).run('userinfo');
}
