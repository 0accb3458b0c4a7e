// What every grant handler receives: its typed inputs, nothing shared and mutable.
import type { ProviderContext } from '../../context.ts';
import type { Params } from '../../http/params.ts';
import type { ErrorEventFacts } from '../../http/route.ts';
import type { Client, Realm } from '../../realm/model.ts';
import type { TokenResponse } from '../../tokens/token-issuer.ts';

/** The services the grants use, and nothing else of the provider. */
export type GrantDeps = Pick<
  ProviderContext,
  | 'transact'
  | 'tokens'
  | 'urls'
  | 'events'
  | 'realms'
  | 'sessions'
  | 'sessionStore'
  | 'clientSessions'
  | 'adapterSessions'
  | 'notBefore'
  | 'refreshTokens'
  | 'codes'
  | 'throttle'
  | 'verifyPassword'
  | 'logout'
>;

export interface GrantInput {
  ctx: GrantDeps;
  realm: Realm;
  client: Client;
  params: Params;
  ip: string | null;
  /** Every address the request may come from, for the login throttle (http/client-address.ts). */
  addresses: readonly string[];
  /** What the refusal's event should say (client, user, session, the reason); see http/route.ts. */
  facts: ErrorEventFacts;
}

export type GrantHandler = (input: GrantInput) => Promise<TokenResponse>;
