// What every grant handler receives: its typed inputs, nothing shared and mutable.
import type { ProviderContext } from '../../context.ts';
import type { Params } from '../../http/params.ts';
import type { Client, Realm } from '../../realm/model.ts';
import type { TokenResponse } from '../../tokens/token-issuer.ts';

export interface GrantInput {
  ctx: ProviderContext;
  realm: Realm;
  client: Client;
  params: Params;
  ip: string | null;
}

export type GrantHandler = (input: GrantInput) => Promise<TokenResponse>;
