// The admin API's write endpoints: realms, clients, users, password reset — validation with
// field paths, 409 on conflicts, and deletions that log people out first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { startLogoutProvider } from '../helpers/logout-realm.ts';
import { basic, form } from '../helpers/oauth.ts';
import { ISSUER_BASE, OIDC, type TestProvider } from '../helpers/provider.ts';
import { Receiver } from '../helpers/receiver.ts';

describe('admin API writes', () => {
  let t: TestProvider;
  let r: Receiver;
  let token: string;
  before(async () => {
    r = await Receiver.start();
    t = await startLogoutProvider(TEST_DATABASES[0]!, { rp1: r.url, rp2: r.url }, { logout: { waitMs: 0 } });
    await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
    const res = await t.fetch(
      `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
      form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
    );
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  after(async () => {
    await t?.close();
    await r?.close();
  });
  const call = (method: string, path: string, body?: unknown, type = 'application/json') =>
    t.fetch(`${ISSUER_BASE}/admin/realms${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const passwordGrant = (username: string, password: string) =>
    t.fetch(`${OIDC}/token`, form({ grant_type: 'password', client_id: 'cli', username, password, scope: 'openid' }));

  test('realms: create (201, Location), duplicate 409, bad JSON or field 400, delete 204, master cannot be deleted', async () => {
    const created = await call('POST', '', { realm: 'acme', displayName: 'Acme' });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), `${ISSUER_BASE}/admin/realms/acme`);
    assert.equal((await call('POST', '', { realm: 'acme' })).status, 409);
    assert.equal((await call('POST', '', '{not json')).status, 400);
    assert.equal((await call('POST', '', { realm: 'x', accessTokenLifespan: -1 })).status, 400);
    assert.equal((await call('POST', '', { realm: 'y' }, 'text/plain')).status, 400);
    assert.equal((await call('DELETE', '/acme')).status, 204);
    assert.equal((await call('GET', '/acme')).status, 404);
    assert.equal((await call('DELETE', '/master')).status, 400);
  });

  test('realm update: settings change, clients and users in the body are ignored, rename (409 on a taken name), master stays master', async () => {
    assert.equal(
      (
        await call('POST', '', {
          realm: 'upd',
          displayName: 'Before',
          attributes: { backchannelLogoutAllowHttp: 'true' },
          clients: [
            {
              clientId: 'web',
              secret: 's',
              attributes: { 'backchannel.logout.url': 'http://web.internal.example/bcl' },
            },
          ],
        })
      ).status,
      201,
    );
    assert.equal((await call('POST', '', { realm: 'taken' })).status, 201);
    const put = await call('PUT', '/upd', {
      displayName: 'After',
      ssoSessionIdleTimeout: 600,
      clients: [{ clientId: 'ghost' }],
      users: [{ username: 'ghost' }],
    });
    assert.equal(put.status, 204);
    const rep = (await (await call('GET', '/upd')).json()) as {
      displayName: string;
      ssoSessionIdleTimeout: number;
      accessTokenLifespan: number;
      attributes: Record<string, string>;
    };
    assert.equal(rep.displayName, 'After');
    assert.equal(rep.ssoSessionIdleTimeout, 600);
    assert.equal(rep.accessTokenLifespan, 300, 'fields not sent keep their values');
    assert.equal(rep.attributes.backchannelLogoutAllowHttp, 'true');
    assert.deepEqual(
      ((await (await call('GET', '/upd/clients')).json()) as Array<{ clientId: string }>).map((c) => c.clientId),
      ['web'],
    );
    assert.deepEqual(await (await call('GET', '/upd/users')).json(), []);

    // Turning off the http opt-in while a client still uses http (not on loopback) is refused, naming the client.
    const optOut = await call('PUT', '/upd', { attributes: {} });
    assert.equal(optOut.status, 400);
    assert.match(
      ((await optOut.json()) as { error_description: string }).error_description,
      /client web: .*backchannel\.logout\.url.*uses http/,
    );
    assert.equal((await call('PUT', '/upd', { ssoSessionIdleTimeout: -5 })).status, 400);
    assert.equal((await call('PUT', '/upd', '{"realm":')).status, 400);

    assert.equal((await call('PUT', '/upd', { realm: 'taken' })).status, 409);
    assert.equal((await call('PUT', '/upd', { realm: 'renamed' })).status, 204);
    assert.equal((await call('GET', '/upd')).status, 404);
    assert.equal((await call('GET', '/renamed')).status, 200);
    assert.equal((await t.fetch(`${ISSUER_BASE}/realms/renamed/.well-known/openid-configuration`)).status, 200);
    assert.equal((await call('PUT', '/master', { realm: 'boss' })).status, 400);
    assert.equal((await call('PUT', '/master', { enabled: false })).status, 400);
    assert.equal((await call('PUT', '/nope', { displayName: 'x' })).status, 404);
    await call('DELETE', '/renamed');
    await call('DELETE', '/taken');
  });

  test('clients: create, read back, 409 on duplicate clientId, update with validation naming the field, delete', async () => {
    const created = await call('POST', '/test/clients', {
      clientId: 'new-app',
      redirectUris: ['https://new.example/cb'],
      attributes: { 'backchannel.logout.url': r.url },
    });
    assert.equal(created.status, 201);
    const id = created.headers.get('location')!.split('/').at(-1)!;
    const rep = (await (await call('GET', `/test/clients/${id}`)).json()) as {
      clientId: string;
      publicClient: boolean;
    };
    assert.equal(rep.clientId, 'new-app');
    assert.equal(rep.publicClient, false);
    assert.equal((await call('POST', '/test/clients', { clientId: 'new-app' })).status, 409);
    assert.equal(
      (await call('PUT', `/test/clients/${id}`, { redirectUris: ['https://new.example/other'] })).status,
      204,
    );
    assert.deepEqual(
      ((await (await call('GET', `/test/clients/${id}`)).json()) as { redirectUris: string[] }).redirectUris,
      ['https://new.example/other'],
    );
    const bad = await call('PUT', `/test/clients/${id}`, { redirectUris: ['https://new.example/cb#frag'] });
    assert.equal(bad.status, 400);
    assert.match(
      ((await bad.json()) as { error_description: string }).error_description,
      /\$\.redirectUris\[0\].*fragment/,
    );
    assert.equal((await call('PUT', `/test/clients/${id}`, { clientId: 'web' })).status, 409);
    assert.equal((await call('DELETE', `/test/clients/${id}`)).status, 204);
    assert.equal((await call('GET', `/test/clients/${id}`)).status, 404);
  });

  test('clients: a "*" after a query or inside a path, user information and a javascript: post-logout URI are refused, naming the field', async () => {
    const created = await call('POST', '/test/clients', {
      clientId: 'star-app',
      redirectUris: ['https://star.example/*'],
    });
    assert.equal(created.status, 201);
    const id = created.headers.get('location')!.split('/').at(-1)!;
    const description = async (res: Response) =>
      ((await res.json()) as { error_description: string }).error_description;
    for (const [uri, why] of [
      ['https://star.example/?next=/*', /after its query/],
      ['https://star.example/*/cb', /only have a wildcard "\*" at the end/],
    ] as const) {
      const bad = await call('PUT', `/test/clients/${id}`, { redirectUris: ['https://star.example/cb', uri] });
      assert.equal(bad.status, 400, uri);
      assert.match(await description(bad), new RegExp(`^\\$\\.redirectUris\\[1\\]: .*${why.source}`), uri);
    }
    const userinfo = await call('POST', '/test/clients', {
      clientId: 'userinfo-app',
      redirectUris: ['https://evil.example@star.example/*'],
    });
    assert.equal(userinfo.status, 400);
    assert.match(await description(userinfo), /^\$\.redirectUris\[0\]: .*user information/);
    const js = await call('PUT', `/test/clients/${id}`, {
      attributes: { 'post.logout.redirect.uris': '+##javascript:alert(document.cookie)' },
    });
    assert.equal(js.status, 400);
    assert.match(
      await description(js),
      /^\$\.attributes\["post\.logout\.redirect\.uris"\]: entry 1 "javascript:alert\(document\.cookie\)" uses the "javascript:" scheme/,
    );
    assert.deepEqual(
      ((await (await call('GET', `/test/clients/${id}`)).json()) as { redirectUris: string[] }).redirectUris,
      ['https://star.example/*'],
      'nothing was stored',
    );
    assert.equal((await call('DELETE', `/test/clients/${id}`)).status, 204);
  });

  test('users: create with a password (who can then sign in), 409, update, reset password, delete logs them out', async () => {
    const created = await call('POST', '/test/users', {
      username: 'dora',
      email: 'dora@example.com',
      enabled: true,
      credentials: [{ type: 'password', value: 'dora-pw', temporary: false }],
    });
    assert.equal(created.status, 201);
    const id = created.headers.get('location')!.split('/').at(-1)!;
    assert.equal((await passwordGrant('dora', 'dora-pw')).status, 200);
    assert.equal(
      (await call('POST', '/test/users', { username: 'DORA' })).status,
      409,
      'usernames are case-insensitive',
    );
    assert.equal((await call('PUT', `/test/users/${id}`, { firstName: 'Dora' })).status, 204);
    assert.equal(
      ((await (await call('GET', `/test/users/${id}`)).json()) as { firstName: string; email: string }).firstName,
      'Dora',
    );
    assert.equal(
      (await call('PUT', `/test/users/${id}/reset-password`, { type: 'password', value: 'new-pw', temporary: false }))
        .status,
      204,
    );
    assert.equal((await passwordGrant('dora', 'dora-pw')).status, 400);
    assert.equal((await passwordGrant('dora', 'new-pw')).status, 200);
    assert.equal((await call('PUT', `/test/users/${id}/reset-password`, { value: '' })).status, 400);
    // Keycloak: temporary: true makes the user choose a new password at the next sign-in.
    assert.equal(
      (await call('PUT', `/test/users/${id}/reset-password`, { value: 'tmp-pw', temporary: true })).status,
      204,
    );
    const pending = (await (await call('GET', `/test/users/${id}`)).json()) as { requiredActions: string[] };
    assert.deepEqual(pending.requiredActions, ['UPDATE_PASSWORD']);
    assert.equal(
      ((await (await passwordGrant('dora', 'tmp-pw')).json()) as { error_description: string }).error_description,
      'Account is not fully set up',
    );
    assert.equal(
      (await call('PUT', `/test/users/${id}/reset-password`, { value: 'new-pw', temporary: false })).status,
      204,
    );
    assert.equal((await passwordGrant('dora', 'new-pw')).status, 200, 'a permanent password clears UPDATE_PASSWORD');

    const n = r.received.length;
    await t.fetch(
      `${OIDC}/token`,
      form(
        { grant_type: 'password', username: 'dora', password: 'new-pw', scope: 'openid' },
        { authorization: basic('rp1', 'rp1-secret') },
      ),
    );
    assert.equal((await call('DELETE', `/test/users/${id}`)).status, 204);
    await r.waitFor(n + 1);
    assert.equal((await call('GET', `/test/users/${id}`)).status, 404);
  });
});
