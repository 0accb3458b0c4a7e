// What every grant handler receives: its typed inputs, nothing shared and mutable.
import type { Params } from '../../http/params.ts';
import type { ErrorEventFacts } from '../../http/route.ts';
import type { Client, Realm } from '../../realm/model.ts';
import type { TokenResponse } from '../../tokens/token-issuer.ts';
import type { UsesAccessModel, UsesUserAccess } from '../../access/capabilities.ts';
import type { UsesPasswordVerifier } from '../../crypto/capabilities.ts';
import type { UsesEvents } from '../../events/capabilities.ts';
import type { UsesLoginThrottle, UsesOtpCredentials } from '../../login/capabilities.ts';
import type { UsesUrls } from '../../provider-urls.ts';
import type { UsesRealms, UsesRealmWriter } from '../../realm/capabilities.ts';
import type {
  UsesAdapterSessions,
  UsesClientSessions,
  UsesSsoSessionStore,
  UsesSsoSessions,
} from '../../sessions/capabilities.ts';
import type { UsesTransact } from '../../store/capabilities.ts';
import type {
  UsesAuthorizationCodes,
  UsesNotBefore,
  UsesRefreshTokens,
  UsesTokenIssuer,
} from '../../tokens/capabilities.ts';

/** The services the grants use, and nothing else of the provider. */
export type GrantDeps = UsesAccessModel &
  UsesUserAccess &
  UsesTransact &
  UsesTokenIssuer &
  UsesUrls &
  UsesEvents &
  UsesRealms &
  UsesSsoSessions &
  UsesSsoSessionStore &
  UsesClientSessions &
  UsesAdapterSessions &
  UsesNotBefore &
  UsesRefreshTokens &
  UsesAuthorizationCodes &
  UsesLoginThrottle &
  UsesRealmWriter &
  UsesPasswordVerifier &
  UsesOtpCredentials;

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
