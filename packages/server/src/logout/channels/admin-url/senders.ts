// Kinds `k_logout` and `k_push_not_before`: Keycloak's admin-URL protocol, which keycloak-connect
// and the older Java adapters implement (see logout-action.ts). The body is the bare
// compact JWS as text/plain, as Keycloak's HttpClientProvider.postText sends it.
import { adminActionUrl, resolveAdminUrl } from './admin-url.ts';
import { signLogoutAction, signPushNotBefore } from './logout-action.ts';
import { type DeliverySender, payloadOf, type SenderInput } from '../channel.ts';

/** What a `k_logout` row carries: one session's ids, or (logout-all) only a not-before time. */
export interface KLogoutPayload {
  adapterSessionIds: string[] | null;
  keycloakSessionIds: string[] | null;
  notBefore: number;
}

export interface KPushNotBeforePayload {
  notBefore: number;
}

const adminUrl = (input: SenderInput) => resolveAdminUrl(input.client, input.urls.publicUrl);

export const kLogoutSender: DeliverySender = {
  kind: 'k_logout',
  targetName: 'admin URL',
  target: (input) => {
    const base = adminUrl(input);
    return base && adminActionUrl(base, 'k_logout');
  },
  async build(input, d) {
    const url = this.target(input);
    if (!url) return null;
    const p = payloadOf<KLogoutPayload>(d);
    const token = await signLogoutAction(input.keys, input.realm.id, {
      resource: input.client.clientId,
      adapterSessionIds: p.adapterSessionIds ?? null,
      keycloakSessionIds: p.keycloakSessionIds ?? null,
      notBefore: p.notBefore ?? 0,
    });
    return { url, contentType: 'text/plain', body: token };
  },
  // An adapter session nobody has: keycloak-connect answers 200 "ok" and destroys nothing.
  async probe(input, marker) {
    const url = this.target(input);
    if (!url) return null;
    const token = await signLogoutAction(input.keys, input.realm.id, {
      resource: input.client.clientId,
      adapterSessionIds: [`sundown-doctor-${marker}`],
      keycloakSessionIds: [`sundown-doctor-${marker}`],
      notBefore: 0,
    });
    return { url, contentType: 'text/plain', body: token };
  },
};

export const kPushNotBeforeSender: DeliverySender = {
  kind: 'k_push_not_before',
  targetName: 'admin URL',
  target: (input) => {
    const base = adminUrl(input);
    return base && adminActionUrl(base, 'k_push_not_before');
  },
  async build(input, d) {
    const url = this.target(input);
    if (!url) return null;
    const token = await signPushNotBefore(input.keys, input.realm.id, {
      resource: input.client.clientId,
      notBefore: payloadOf<KPushNotBeforePayload>(d).notBefore ?? 0,
    });
    return { url, contentType: 'text/plain', body: token };
  },
};
