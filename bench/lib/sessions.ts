// Setup helpers for the logout scenarios, through @sundown/server's public API: live sessions
// written straight to the store (setup, not measured), and the Keycloak admin REST call
// `POST /admin/realms/{realm}/logout-all` with a bootstrap admin's token.
import type { RunningServer, Store } from '@sundown/server';

export const ADMIN_ENV = { SUNDOWN_ADMIN_USERNAME: 'bench-admin', SUNDOWN_ADMIN_PASSWORD: 'bench-admin-password' };

/** Live SSO sessions, each with a client session per client, written straight to the store. */
export async function seedSessions(
  store: Store,
  realmId: string,
  userId: string,
  clients: Array<{ id: string }>,
  ids: string[],
  now: number,
): Promise<void> {
  await store.db
    .insertInto('sso_session')
    .values(
      ids.map((id) => ({
        id,
        realm_id: realmId,
        user_id: userId,
        cookie_hash: `h-${id}`,
        auth_time: now,
        started_at: now,
        last_seen_at: now,
        ip_address: null,
        ended_at: null,
        end_reason: null,
      })),
    )
    .execute();
  const cs = ids.flatMap((sid) =>
    clients.map((c) => ({
      id: `${sid}-${c.id}`,
      realm_id: realmId,
      sso_session_id: sid,
      client_id: c.id,
      user_id: userId,
      scope: 'openid',
      offline: 0 as const,
      first_token_at: now,
      last_token_at: now,
      ended_at: null,
    })),
  );
  for (let j = 0; j < cs.length; j += 1000)
    await store.db
      .insertInto('client_session')
      .values(cs.slice(j, j + 1000))
      .execute();
}

/** `count` sessions of the realm's first user, signed into every client of the realm, ids prefixed. */
export async function seedRealmSessions(store: Store, realmName: string, prefix: string, count: number): Promise<void> {
  const realm = await store.db.selectFrom('realm').select('id').where('name', '=', realmName).executeTakeFirstOrThrow();
  const clients = await store.db
    .selectFrom('client')
    .select('id')
    .where('realm_id', '=', realm.id)
    .where('client_id', 'like', 'c%')
    .execute();
  const user = await store.db
    .selectFrom('app_user')
    .select('id')
    .where('realm_id', '=', realm.id)
    .executeTakeFirstOrThrow();
  const now = Date.now();
  for (let i = 0; i < count; i += 500)
    await seedSessions(
      store,
      realm.id,
      user.id,
      clients,
      Array.from({ length: Math.min(500, count - i) }, (_, k) => `${prefix}-${i + k}`),
      now,
    );
}

/** Returns a function that logs out every session of `realm` and answers how many it ended. */
export async function adminLogoutAll(server: RunningServer, realm: string): Promise<() => Promise<number>> {
  const tokenRes = await fetch(`${server.url}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'admin-cli',
      username: ADMIN_ENV.SUNDOWN_ADMIN_USERNAME,
      password: ADMIN_ENV.SUNDOWN_ADMIN_PASSWORD,
    }),
  });
  const { access_token: adminToken } = (await tokenRes.json()) as { access_token: string };
  return async () => {
    const res = await fetch(`${server.url}/admin/realms/${realm}/logout-all`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (!res.ok) throw new Error(`logout-all answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { sundown: { endedSessions: number } }).sundown.endedSessions;
  };
}
