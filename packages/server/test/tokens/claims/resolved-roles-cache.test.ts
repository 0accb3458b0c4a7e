// A token's roles are resolved once per claim plan (one configuration version) and set of grants,
// and shared by the tokens of users given the same roles and groups (resolve-roles.ts). Every
// write that changes what a token may carry is in the very next token: a user's role mapping or
// group membership (a different set of grants), a composite, a group's roles, a client's
// hardcoded-role mapper (a new configuration version); and a hardcoded role of one client never
// shows in another client's tokens for the same grants.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../../src/admin/bootstrap.ts';
import { ACCESS_REALM_JSON } from '../../helpers/access-realm.ts';
import { TEST_DATABASES } from '../../helpers/databases.ts';
import { basic, decodeJwt, form } from '../../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../../helpers/provider.ts';

const SHOP = `${ISSUER_BASE}/realms/shop/protocol/openid-connect`;

for (const database of TEST_DATABASES) {
  describe(`resolved roles shared per plan and grants, on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let admin: string;
    before(async () => {
      t = await startTestProvider(database, {}, [ACCESS_REALM_JSON]);
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      admin = ((await res.json()) as { access_token: string }).access_token;
    });
    after(() => t?.close());

    async function call(method: string, path: string, body?: unknown): Promise<unknown> {
      const res = await t.fetch(`${ISSUER_BASE}/admin/realms/shop${path}`, {
        method,
        headers: {
          authorization: `Bearer ${admin}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
      const text = await res.text();
      return text ? (JSON.parse(text) as unknown) : null;
    }
    const id = async (path: string) => ((await call('GET', path)) as Array<{ id: string }>)[0]!.id;
    const realmRoles = (token: string) =>
      ((decodeJwt(token).payload.realm_access as { roles?: string[] } | undefined)?.roles ?? []).toSorted();
    async function password(clientId: string, username: string): Promise<string[]> {
      const res = await t.fetch(
        `${SHOP}/token`,
        form(
          { grant_type: 'password', username, password: `${username}-pw` },
          { authorization: basic(clientId, `${clientId}-secret`) },
        ),
      );
      assert.equal(res.status, 200);
      return realmRoles(((await res.json()) as { access_token: string }).access_token);
    }

    test('users with the same grants get the same roles; a mapping or membership of one is in its next token only', async () => {
      const bob = await id('/users?username=bob&exact=true');
      await call('POST', '/users', {
        username: 'carol',
        enabled: true,
        credentials: [{ type: 'password', value: 'carol-pw' }],
      });
      const carol = await id('/users?username=carol&exact=true');
      const partners = await id('/groups?search=partners');
      await call('PUT', `/users/${carol}/groups/${partners}`);
      const same = await password('app', 'bob');
      assert.deepEqual(await password('app', 'carol'), same, 'the same grants, the same roles');

      const auditor = await call('GET', '/roles/auditor');
      await call('POST', `/users/${carol}/role-mappings/realm`, [auditor]);
      assert.ok((await password('app', 'carol')).includes('auditor'), "carol's next token");
      assert.deepEqual(await password('app', 'bob'), same, "bob's grants did not change");

      await call('DELETE', `/users/${carol}/role-mappings/realm`, [auditor]);
      assert.deepEqual(await password('app', 'carol'), same);
      await call('DELETE', `/users/${bob}/groups/${partners}`);
      const leads = ((await call('GET', '/groups?search=leads')) as Array<{ subGroups: Array<{ id: string }> }>)[0]!
        .subGroups[0]!.id;
      await call('PUT', `/users/${bob}/groups/${leads}`);
      assert.ok((await password('app', 'bob')).includes('team-lead'), 'a new group gives its roles at once');
    });

    test("a composite's new child, a group's new role: in the next token of the same grants", async () => {
      const before = await password('app', 'alice');
      assert.ok(!before.includes('auditor'));
      const auditor = await call('GET', '/roles/auditor');
      await call('POST', '/roles/team-lead/composites', [auditor]);
      assert.ok((await password('app', 'alice')).includes('auditor'), 'team-lead (through /staff/leads) now holds it');
      await call('DELETE', '/roles/team-lead/composites', [auditor]);
      assert.deepEqual(await password('app', 'alice'), before);

      const staff = await id('/groups?search=staff');
      await call('POST', `/groups/${staff}/role-mappings/realm`, [auditor]);
      assert.ok((await password('app', 'alice')).includes('auditor'), "the parent group's new role");
      await call('DELETE', `/groups/${staff}/role-mappings/realm`, [auditor]);
      assert.deepEqual(await password('app', 'alice'), before);
    });

    test("a hardcoded role of one client is in its tokens at once, and never in another client's", async () => {
      await call('POST', '/clients', {
        clientId: 'other',
        secret: 'other-secret',
        standardFlowEnabled: false,
        directAccessGrantsEnabled: true,
      });
      const app = await id('/clients?clientId=app');
      const plain = await password('app', 'alice');
      assert.deepEqual(await password('other', 'alice'), plain);
      await call('POST', `/clients/${app}/protocol-mappers/models`, {
        name: 'granted',
        protocol: 'openid-connect',
        protocolMapper: 'oidc-hardcoded-role-mapper',
        config: { role: 'partner-of-the-month' },
      });
      assert.deepEqual(await password('app', 'alice'), [...plain, 'partner-of-the-month'].toSorted());
      assert.deepEqual(await password('other', 'alice'), plain, 'the same grants through another client');
      assert.deepEqual(await password('app', 'alice'), [...plain, 'partner-of-the-month'].toSorted(), 'added once');
    });
  });
}
