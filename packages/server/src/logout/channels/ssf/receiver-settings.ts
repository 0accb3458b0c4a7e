// Who is a Shared Signals receiver and what it asked for, read from Keycloak 26.7's attributes:
// the realm's `ssf.transmitterEnabled`; the client's `ssf.enabled` (with a service account, so it
// can obtain `ssf.manage` / `ssf.read` by client credentials), `ssf.defaultSubjects`,
// `ssf.userSubjectFormat`, `ssf.validPushUrls`, `ssf.streamAudience`; the user's
// `ssf.notify.<clientId>`.
import type { Client, Realm, User } from '../../../realm/model.ts';
import { notifyAttribute, SSF_CLIENT_ATTRIBUTE, SSF_REALM_ATTRIBUTE } from './ssf-names.ts';
import type { UserSubjectFormat } from './subject-ids.ts';

export function transmitterEnabled(realm: Pick<Realm, 'attributes'>): boolean {
  return realm.attributes[SSF_REALM_ATTRIBUTE.transmitterEnabled] === 'true';
}

/** A receiver: switched on, confidential, with a service account (Keycloak's check). */
export function isReceiver(client: Client): boolean {
  return (
    client.enabled &&
    client.protocol === 'openid-connect' &&
    !client.publicClient &&
    client.serviceAccountsEnabled &&
    client.attributes[SSF_CLIENT_ATTRIBUTE.enabled] === 'true'
  );
}

export function defaultSubjects(client: Client): 'ALL' | 'NONE' {
  return client.attributes[SSF_CLIENT_ATTRIBUTE.defaultSubjects]?.toUpperCase() === 'NONE' ? 'NONE' : 'ALL';
}

export function userSubjectFormat(client: Client): UserSubjectFormat {
  return client.attributes[SSF_CLIENT_ATTRIBUTE.userSubjectFormat] === 'email' ? 'email' : 'iss_sub';
}

export function streamAudience(client: Client): string {
  return client.attributes[SSF_CLIENT_ATTRIBUTE.streamAudience] || client.clientId;
}

export function validPushUrls(client: Client): string[] {
  return (client.attributes[SSF_CLIENT_ATTRIBUTE.validPushUrls] ?? '').split('##').filter(Boolean);
}

/** Whether `url` is one of the client's push URLs: exact, or a prefix ending in `*`. */
export function pushUrlAllowed(client: Client, url: string): boolean {
  return validPushUrls(client).some((p) => (p.endsWith('*') ? url.startsWith(p.slice(0, -1)) : url === p));
}

/**
 * Whether the receiver hears of `user`: the user's own `ssf.notify.<clientId>` first, then what
 * the receiver said with add/remove subject (SSF §8.1.3), then the client's default subjects.
 */
export function wantsUser(client: Client, user: Pick<User, 'attributes'>, added: boolean | undefined): boolean {
  const own = user.attributes[notifyAttribute(client.clientId)]?.[0];
  if (own === 'true') return true;
  if (own === 'false') return false;
  if (added !== undefined) return added;
  return defaultSubjects(client) === 'ALL';
}
