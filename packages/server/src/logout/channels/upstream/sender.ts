// Kind `upstream_logout`: Keycloak's server-to-server logout of a brokered session's upstream —
// a GET of the provider's logout URL with state, id_token_hint and client_id (OIDCIdentityProvider
// backchannelLogout; keycloak-brokering.md). Keycloak counts 2xx–3xx as done and only logs a
// failure; here it is an outbox row like any other: a 2xx is delivered, a redirect too (the
// upstream's end-session endpoint answers a browser-style 302/303 once done), 5xx and network
// failures retried, 4xx rejected.
import { type DeliverySender, payloadOf } from '../channel.ts';
import type { UpstreamLogoutPayload } from './planner.ts';

export const upstreamLogoutSender: DeliverySender = {
  kind: 'upstream_logout',
  targetName: 'upstream logout URL',
  // An upstream is no client: nothing for the doctor's client table.
  target: () => null,
  build: async () => null,
  async buildWithoutClient(_input, delivery) {
    const p = payloadOf<UpstreamLogoutPayload>(delivery);
    if (!p.url) return null;
    return {
      url: p.url,
      method: 'GET',
      contentType: '',
      body: '',
      judge: ({ status }) => (status >= 200 && status < 400 ? { outcome: 'delivered', error: null } : null),
    };
  },
};
