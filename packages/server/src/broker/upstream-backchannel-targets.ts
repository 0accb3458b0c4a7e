// The broker's side of logout/channels/upstream/planner.ts: which ended sessions were brokered by
// an upstream that offers server-to-server logout (`backchannelSupported` with a `logoutUrl`), and
// the GET URL Keycloak sends it — state, id_token_hint (sendIdTokenOnLogout), client_id
// (sendClientIdOnLogout). Read inside the logout's transaction.
import { randomToken } from '../crypto/random.ts';
import type { UpstreamSessions, UpstreamTarget } from '../logout/channels/upstream/planner.ts';
import type { Executor } from '../store/executor.ts';
import type { BrokerSessionStore } from './broker-session-store.ts';
import type { IdentityProviderStore } from './identity-provider-store.ts';

export class BrokerUpstreamSessions implements UpstreamSessions {
  readonly #sessions: BrokerSessionStore;
  readonly #providers: IdentityProviderStore;
  constructor(sessions: BrokerSessionStore, providers: IdentityProviderStore) {
    this.#sessions = sessions;
    this.#providers = providers;
  }

  async backchannelTargets(
    realmId: string,
    sessions: ReadonlyArray<{ id: string; user_id: string }>,
    tx: Executor,
  ): Promise<UpstreamTarget[]> {
    const brokered = await this.#sessions.ofSessions(
      sessions.map((s) => s.id),
      tx,
    );
    if (brokered.length === 0) return [];
    const providers = new Map((await this.#providers.ofRealm(realmId, tx)).map((p) => [p.alias, p]));
    const userOf = new Map(sessions.map((s) => [s.id, s.user_id]));
    const targets: UpstreamTarget[] = [];
    for (const b of brokered) {
      const idp = providers.get(b.alias);
      if (!idp?.enabled || !idp.config.backchannelSupported || !idp.config.logoutUrl) continue;
      const url = new URL(idp.config.logoutUrl);
      url.searchParams.set('state', randomToken(16));
      if (idp.config.sendIdTokenOnLogout) url.searchParams.set('id_token_hint', b.idToken);
      if (idp.config.sendClientIdOnLogout) url.searchParams.set('client_id', idp.config.clientId);
      targets.push({
        ssoSessionId: b.ssoSessionId,
        userId: userOf.get(b.ssoSessionId) ?? '',
        alias: idp.alias,
        providerId: idp.id,
        url: url.toString(),
      });
    }
    return targets;
  }
}
