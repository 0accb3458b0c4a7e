// Which upstream logout a session's end writes (issue 26; keycloak-brokering.md "Keycloak →
// upstream"): a brokered session ended without a browser that could visit the upstream (an
// administrator, expiry, the session cap, …) tells its upstream server to server when the provider
// has `backchannelSupported` — one outbox row, retried and visible like any delivery. Never to
// the upstream that started the logout (its proven `initiatingIdp`), nor when the browser is being
// sent there (RP-initiated logout).
import type { LogoutDeliveryTable } from '../../../store/schema.ts';
import type { Executor } from '../../../store/executor.ts';
import { outboxRow } from '../../delivery/outbox-row.ts';

/** A brokered session's upstream, as the broker (a floor above) reads it. */
export interface UpstreamTarget {
  ssoSessionId: string;
  userId: string;
  alias: string;
  /** The identity provider's id: the row's client_id. */
  providerId: string;
  /** The GET URL: the upstream's logoutUrl with state, id_token_hint and client_id as configured. */
  url: string;
}

/** The broker's answer to "which of these ended sessions have an upstream to tell?". */
export interface UpstreamSessions {
  backchannelTargets(
    realmId: string,
    sessions: ReadonlyArray<{ id: string; user_id: string }>,
    tx: Executor,
  ): Promise<UpstreamTarget[]>;
}

/** What a row of kind `upstream_logout` carries. */
export interface UpstreamLogoutPayload {
  alias: string;
  url: string;
}

export async function planUpstreamLogouts(
  upstream: UpstreamSessions | undefined,
  realmId: string,
  ended: ReadonlyArray<{ id: string; user_id: string }>,
  options: { logoutId: string; now: number; initiatingIdp: string | null; byBrowser: boolean },
  tx: Executor,
): Promise<LogoutDeliveryTable[]> {
  if (!upstream || ended.length === 0) return [];
  const targets = await upstream.backchannelTargets(realmId, ended, tx);
  return targets
    .filter((t) => t.alias !== options.initiatingIdp && !options.byBrowser)
    .map((t) =>
      outboxRow(
        {
          realmId,
          clientId: t.providerId,
          ssoSessionId: t.ssoSessionId,
          userId: t.userId,
          logoutId: options.logoutId,
          now: options.now,
        },
        'upstream_logout',
        { alias: t.alias, url: t.url } satisfies UpstreamLogoutPayload,
      ),
    );
}
