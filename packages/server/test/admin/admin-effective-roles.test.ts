// The console's effective roles of a user (GET …/sundown/users/{id}/effective-roles), on every
// store: each role the user holds — directly, through a group or a parent group, inside a held
// composite — with every way it is held; the same set as Keycloak's role-mappings/…/composite;
// a change of mappings, group membership or composites is in the very next answer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ensureBootstrapAdmin } from '../../src/admin/bootstrap.ts';
import { ACCESS_REALM_JSON } from '../helpers/access-realm.ts';
import { TEST_DATABASES } from '../helpers/databases.ts';
import { form } from '../helpers/oauth.ts';
import { ISSUER_BASE, startTestProvider, type TestProvider } from '../helpers/provider.ts';

interface Source {
  group: string | null;
  composite: { name: string; client: string | null } | null;
}
interface Effective {
  id: string;
  name: string;
  client: string | null;
  composite: boolean;
  direct: boolean;
  sources: Source[];
}

const label = (r: { name: string; client: string | null }) => (r.client ? `${r.client}:${r.name}` : r.name);
const how = (s: Source) => `${s.composite ? `in ${label(s.composite)} ` : ''}${s.group ? `via ${s.group}` : 'direct'}`;

for (const database of TEST_DATABASES) {
  describe(`a user's effective roles for the console on ${database.name}`, { skip: database.skip }, () => {
    let t: TestProvider;
    let token: string;
    let alice: string;
    before(async () => {
      t = await startTestProvider(database, {}, [ACCESS_REALM_JSON]);
      await ensureBootstrapAdmin(t.store.db, { username: 'admin', password: 'admin-pw' });
      const res = await t.fetch(
        `${ISSUER_BASE}/realms/master/protocol/openid-connect/token`,
        form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin-pw' }),
      );
      token = ((await res.json()) as { access_token: string }).access_token;
      alice = ((await call('GET', '/shop/users?username=alice&exact=true')).body as Array<{ id: string }>)[0]!.id;
    });
    after(() => t?.close());

    async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
      const res = await t.fetch(`${ISSUER_BASE}/admin/realms${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    }
    const effective = async (id = alice) => {
      const res = await call('GET', `/shop/sundown/users/${id}/effective-roles`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return new Map((res.body as Effective[]).map((r) => [label(r), r]));
    };

    test('every role with every way it is held: direct, group, parent group, composite of either', async () => {
      const roles = await effective();
      assert.deepEqual(
        [...roles.keys()],
        ['admin', 'team-lead', 'user', 'api:read', 'app:app-admin', 'app:app-user'],
        'realm roles first, then client roles by client, each by name',
      );
      // user: mapped to alice, to /staff (the parent of her group /staff/leads), and inside
      // team-lead (mapped to /staff/leads; it contains admin, which contains user). A source names
      // the composite that is held, not the ones between.
      assert.deepEqual(roles.get('user')!.sources.map(how).sort(), [
        'direct',
        'in team-lead via /staff/leads',
        'via /staff',
      ]);
      assert.equal(roles.get('user')!.direct, true);
      assert.deepEqual(roles.get('team-lead')!.sources.map(how), ['via /staff/leads']);
      assert.equal(roles.get('team-lead')!.direct, false);
      assert.equal(roles.get('team-lead')!.composite, true);
      // A client role inside a realm composite, two levels down.
      assert.deepEqual(roles.get('app:app-admin')!.sources.map(how), ['in team-lead via /staff/leads']);
      assert.deepEqual(roles.get('api:read')!.sources.map(how), ['via /staff']);
      assert.ok(!roles.has('auditor'), 'a role nobody gave alice');
      // The realm's default role, mapped to a service account, gives what it contains.
      const svcClient = ((await call('GET', '/shop/clients?clientId=svc')).body as Array<{ id: string }>)[0]!;
      const svc = (await call('GET', `/shop/clients/${svcClient.id}/service-account-user`)).body as { id: string };
      const svcRoles = await effective(svc.id);
      assert.deepEqual(svcRoles.get('offline_access')!.sources.map(how), ['in default-roles-shop direct']);
      assert.equal(svcRoles.get('default-roles-shop')!.composite, true);
    });

    test("the same roles as Keycloak's role-mappings/realm/composite and …/clients/{client}/composite", async () => {
      const roles = await effective();
      const realm = (await call('GET', `/shop/users/${alice}/role-mappings/realm/composite`)).body as Array<{
        name: string;
      }>;
      const expected = realm.map((r) => r.name);
      for (const clientId of ['app', 'api']) {
        const client = ((await call('GET', `/shop/clients?clientId=${clientId}`)).body as Array<{ id: string }>)[0]!;
        const held = (await call('GET', `/shop/users/${alice}/role-mappings/clients/${client.id}/composite`))
          .body as Array<{ name: string }>;
        expected.push(...held.map((r) => `${clientId}:${r.name}`));
      }
      assert.deepEqual([...roles.keys()].sort(), expected.sort());
    });

    test('a change of mappings, membership or composites is in the next answer', async () => {
      const auditor = (await call('GET', '/shop/roles/auditor')).body as { id: string; name: string };
      assert.equal((await call('POST', `/shop/users/${alice}/role-mappings/realm`, [auditor])).status, 204);
      assert.deepEqual((await effective()).get('auditor')!.sources.map(how), ['direct']);

      // team-lead now also contains auditor: a second source, through the group.
      assert.equal((await call('POST', '/shop/roles/team-lead/composites', [auditor])).status, 204);
      assert.deepEqual((await effective()).get('auditor')!.sources.map(how), [
        'direct',
        'in team-lead via /staff/leads',
      ]);

      const groups = (await call('GET', `/shop/users/${alice}/groups`)).body as Array<{ id: string; path: string }>;
      const leads = groups.find((g) => g.path === '/staff/leads')!;
      assert.equal((await call('DELETE', `/shop/users/${alice}/groups/${leads.id}`)).status, 204);
      const after = await effective();
      assert.ok(!after.has('team-lead'), 'left the group that gave it');
      assert.ok(!after.has('app:app-admin'));
      assert.deepEqual(after.get('auditor')!.sources.map(how), ['direct']);

      assert.equal((await call('DELETE', `/shop/users/${alice}/role-mappings/realm`, [auditor])).status, 204);
      assert.ok(!(await effective()).has('auditor'));
    });

    test('an unknown user, or one of another realm, is 404; no token is 401', async () => {
      assert.equal((await call('GET', '/shop/sundown/users/no-such-user/effective-roles')).status, 404);
      const admin = ((await call('GET', '/master/users?username=admin&exact=true')).body as Array<{ id: string }>)[0]!;
      assert.equal((await call('GET', `/shop/sundown/users/${admin.id}/effective-roles`)).status, 404);
      const res = await t.fetch(`${ISSUER_BASE}/admin/realms/shop/sundown/users/${alice}/effective-roles`);
      assert.equal(res.status, 401);
    });
  });
}
